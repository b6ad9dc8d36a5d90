/**
 * The adapter contract: what a developer writes to connect one network to Comity. An adapter
 * is a {@link Codec} (pure translation, native ⇄ canonical) and a {@link Transport} (how native
 * messages arrive and leave), described by an {@link AdapterDefinition}. The runtime
 * (./runtime.ts) does everything else the same way for every network.
 *
 * ## Rules the runtime keeps, stated once
 *
 * **Acknowledgement.** Inbound, the transport hands each native message to the receiver and
 * answers the native system only with the receiver's outcome: `accepted` means the events are
 * durable in Kafka (acknowledged by all in-sync replicas); `rejected` means the message can
 * never be translated and is in the network's DLQ with its reason (do not resend it as is);
 * a thrown retriable error means nothing was kept (the native side should send it again).
 * The same native bytes received twice are published once: the second time the receiver
 * returns the first outcome.
 * Outbound, an event's Kafka offset is committed only after {@link Transport.deliver} resolved
 * (the native system accepted it) or the event was put in the DLQ.
 *
 * **Retry.** The runtime decides from `retriable` alone (see core/errors.ts). A retriable
 * delivery failure is retried with exponential back-off, full jitter and a cap, until the
 * give-up time; then the event goes to the DLQ (`DELIVERY_GAVE_UP`) and the flow goes on. A
 * non-retriable failure goes to the DLQ at once. Decode and encode failures are never retried.
 *
 * **Ordering.** Events of one request (one Kafka key) are delivered in the order they were
 * published; events of different requests may be delivered concurrently (one per partition
 * in flight), so one stuck request delays only the requests that share its partition, and
 * only until the give-up time.
 *
 * **Once only.** Each event id is delivered to the native system at most once: the runtime
 * keeps a ledger of delivered ids on disk that survives restarts. Transports also receive the
 * event id ({@link DeliveryContext.eventId}) to pass on as an idempotency key where the native
 * system supports one.
 *
 * **Receipts.** After delivering an event the runtime publishes `RequestDelivered` (or
 * `RequestNotDelivered` on failure) regarding it. Transport-layer receipts themselves are
 * delivered without receipts, so two networks never exchange receipts for receipts.
 */
import type { z } from 'zod';
import type { EventBody } from '../../core/events/bodies.js';
import type { EventAttributes } from '../../core/events/create.js';
import type { ContactPoint } from '../../core/gen/comity/v1/directory.js';
import type { Event } from '../../core/gen/comity/v1/event.js';
import type { Logger } from '../../core/log.js';

/** A native message exactly as the network's system sent it or will receive it. */
export interface NativeMessage {
  /** The bytes as received (their SHA-256 becomes the event's provenance) or to be sent. */
  readonly body: Buffer;
  /** Media type of `body`, e.g. `application/xml`, `application/json`, `message/rfc822`. */
  readonly contentType: string;
  /**
   * Transport metadata the codec may read or set (an HTTP header, an e-mail sender, a file
   * name), by names the adapter documents. Not part of the provenance digest.
   */
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * One canonical event as a codec produces it: a body and the envelope attributes of
 * {@link EventAttributes}, less those the runtime stamps (id, time, source, origin network,
 * provenance — never the codec). `subject`, the hub-wide request id: for a new request the
 * codec derives it from the native reference deterministically (`<network>:<native
 * reference>`), so the same request always gets the same id; for an answer it is the id the
 * request already has.
 */
export type EventDraft = Omit<EventAttributes, 'source' | 'originNetwork' | 'provenance' | 'id' | 'time'> & {
  readonly body: EventBody;
  /** The message's id in the native system, recorded in the provenance. */
  readonly nativeId?: string;
};

/**
 * Pure translation between a network's native messages and canonical events. No I/O, no
 * clock, no randomness: the conformance kit checks the module's imports.
 */
export interface Codec {
  /**
   * Native → canonical. Returns one draft or several (a native batch); throws
   * {@link DecodeError} — and nothing else — when the message cannot be translated.
   */
  decode(native: NativeMessage): EventDraft[];
  /**
   * Canonical → native, for delivery to this network. `body` is the decoded `event.data`.
   * Returns `null` when the network takes no native message for this kind of event (e.g. a
   * transport receipt a native system has no use for): the runtime acknowledges it and moves
   * on, without a receipt. Throws {@link EncodeError} when the event should reach the native
   * system but cannot be expressed in its format (it goes to the DLQ).
   */
  encode(event: Event, body: EventBody): NativeMessage | null;
  /**
   * What two native messages must share to count as the same, for the round-trip check of the
   * conformance kit (e.g. parsed JSON, or XML without insignificant whitespace). Default: bytes.
   */
  normalize?(native: NativeMessage): unknown;
}

/** What the receiver answers a transport for one native message. */
export type ReceiveOutcome =
  | { readonly status: 'accepted'; readonly eventIds: readonly string[]; readonly requestIds: readonly string[]; readonly duplicate: boolean }
  | { readonly status: 'rejected'; readonly code: string; readonly reason: string };

/**
 * Called by the transport for every native message that arrives. Resolves with the outcome to
 * report to the native system; throws a retriable error when the message could not be kept
 * (Kafka unreachable), in which case the native system should send it again.
 */
export type NativeReceiver = (message: NativeMessage) => Promise<ReceiveOutcome>;

export interface DeliveryContext {
  /** The event's id: an idempotency key for native systems that accept one. */
  readonly eventId: string;
  readonly requestId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Aborted when the adapter is stopping; a transport should give up its attempt quickly. */
  readonly signal: AbortSignal;
  /** W3C trace context of the event (`00-<trace-id>-<parent-id>-<flags>`), for transports that can pass it on. */
  readonly traceparent?: string;
}

export interface DeliveryReceipt {
  /** The id the native system gave the message, for the network's staff to look up. */
  readonly nativeMessageId?: string;
}

/** How native messages arrive and leave. May do any I/O; must not translate. */
export interface Transport {
  /** Starts receiving; resolves once the transport is listening (e.g. its port is bound). */
  start(receive: NativeReceiver): Promise<void>;
  /**
   * Hands one native message to the native system. Resolves once the native system accepted
   * it; throws {@link DeliveryError} (retriable or not) otherwise.
   */
  deliver(message: NativeMessage, context: DeliveryContext): Promise<DeliveryReceipt>;
  /** Stops receiving; in-flight receives are allowed to finish. */
  stop(): Promise<void>;
}

export interface TransportContext {
  readonly network: string;
  readonly logger: Logger;
  /** What the federation's directory says about this network (from `comity.directory`). */
  readonly directory: NetworkDirectory;
}

export interface NetworkDirectory {
  /**
   * The network's contact points (e.g. WACAP's focal points, with their e-mail addresses), as
   * last published; refreshed at most once a minute. A transport that accepts messages only
   * from known senders checks them here.
   */
  contactPoints(): Promise<ContactPoint[]>;
}

/**
 * Everything the registry and the runtime need to know about one network's adapter.
 * `config` is the schema of the `adapter:` section of the adapter's config file; its
 * `.describe()` texts are the documentation of the options.
 */
export interface AdapterDefinition<Config extends z.ZodType = z.ZodType> {
  /** Network id, as in the directory and topic names (`ejn`, `iberred`). */
  readonly network: string;
  /** Name of the native format, recorded in every event's provenance (`iberred-json`). */
  readonly nativeFormat: string;
  /** Version of the native ⇄ canonical mapping; change it whenever the codec's output changes. */
  readonly mappingVersion: string;
  /** One sentence for `comity adapter list` and the docs. */
  readonly summary: string;
  readonly config: Config;
  readonly codec: Codec;
  createTransport(config: z.output<Config>, context: TransportContext): Transport;
}

/** Helper that keeps the config type of a definition inferred. */
export function defineAdapter<Config extends z.ZodType>(definition: AdapterDefinition<Config>): AdapterDefinition<Config> {
  return definition;
}
