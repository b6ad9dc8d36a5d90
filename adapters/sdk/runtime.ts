/**
 * The adapter runtime: runs any {@link AdapterDefinition} the same way. The rules it keeps
 * (acknowledgement, retry, ordering, once-only delivery, receipts) are stated in contract.ts;
 * this file is how.
 *
 *   inbound:  transport → receive → decode → stamp (id, time, source, provenance) → comity.inbound.<network>
 *   outbound: comity.outbound.<network> → de-duplicate → encode → deliver (retry) → receipt → commit
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Counter, type Registry } from 'prom-client';
import { z } from 'zod';
import { backoffDelay, sleep } from '../../core/backoff.js';
import { DlqStage, deadLetterForNative, deadLetterForRecord, reasonFrom, type DlqStageName } from '../../core/dlq.js';
import { ComityError, isRetriable } from '../../core/errors.js';
import { TRANSPORT_RECEIPT_TYPES, type EventBody } from '../../core/events/bodies.js';
import { eventFromRecord, eventToRecord } from '../../core/events/codec.js';
import { createEvent, decodeBody } from '../../core/events/create.js';
import { derivedEventId, newEventId } from '../../core/events/ids.js';
import type { Event } from '../../core/gen/comity/v1/event.js';
import { NonDeliveryReason, RequestDelivered, RequestNotDelivered } from '../../core/gen/comity/v1/lifecycle.js';
import {
  createKafkaClient,
  kafkaConfigSchema,
  NETWORK_ID_PATTERN,
  topics,
  topicSpec,
  type IncomingRecord,
  type KafkaClient,
  type RecordConsumer,
  type RecordProducer,
} from '../../core/kafka/index.js';
import { eventFields, type Logger } from '../../core/log.js';
import { createMetricsRegistry, startStatusServer, type StatusServer } from '../../core/status.js';
import { DirectoryEntryUpdated, type ContactPoint } from '../../core/gen/comity/v1/directory.js';
import { publishedEntries } from '../../services/directory/entries.js';
import type { AdapterDefinition, EventDraft, NetworkDirectory, NativeMessage, ReceiveOutcome, Transport } from './contract.js';
import { DecodeError, DeliveryError, EncodeError } from './errors.js';
import { Ledger } from './ledger.js';

/** The part of an adapter's config file that is the same for every adapter. */
export const adapterRuntimeConfig = z.object({
  network: z.string().regex(NETWORK_ID_PATTERN).describe('Network id; must be the adapter definition\'s.'),
  kafka: kafkaConfigSchema,
  runtime: z
    .object({
      stateDir: z
        .string()
        .default(join('.comity', 'adapters'))
        .describe('Where the delivery ledgers live (<stateDir>/<network>/); keep it on a persistent volume.'),
      statusHost: z.string().default('127.0.0.1').describe('Address of the /healthz, /readyz and /metrics server.'),
      statusPort: z.number().int().min(0).max(65535).default(0).describe('Port of the status server; 0 picks a free one.'),
      concurrency: z
        .number()
        .int()
        .positive()
        .default(4)
        .describe('Outbound partitions delivered at the same time; events of one request are always sequential.'),
      retry: z
        .object({
          initialMs: z.number().int().positive().default(500).describe('First back-off delay.'),
          maxMs: z.number().int().positive().default(30_000).describe('Longest back-off delay.'),
          giveUpAfterMs: z
            .number()
            .int()
            .positive()
            .default(15 * 60_000)
            .describe('After this long failing, an event goes to the DLQ (DELIVERY_GAVE_UP) so others can pass.'),
        })
        .prefault({}),
      drainTimeoutMs: z
        .number()
        .int()
        .positive()
        .default(30_000)
        .describe('On SIGTERM, how long in-flight deliveries may take before they are abandoned (and redone later).'),
    })
    .prefault({}),
});

export type AdapterRuntimeConfig = z.output<typeof adapterRuntimeConfig>;

/** The whole config file of one adapter: the runtime part plus its own `adapter:` section. */
export function adapterConfigSchema<C extends z.ZodType>(definition: AdapterDefinition<C>) {
  return adapterRuntimeConfig.extend({ adapter: definition.config });
}

export type AdapterOutcome = 'received' | 'published' | 'duplicate' | 'delivered' | 'skipped' | 'rejected' | 'retried';

export interface RunningAdapter {
  readonly network: string;
  readonly transport: Transport;
  /** Port of the status server. */
  readonly statusPort: number;
  /** Counts since start, by outcome. */
  counts(): Record<AdapterOutcome, number>;
  /** Drains in-flight work, commits, closes. Idempotent. */
  stop(): Promise<void>;
}

export interface StartAdapterOptions {
  readonly logger: Logger;
  readonly registry?: Registry;
  /** Replaces the Kafka client made from `config.kafka` (tests, benchmarks). */
  readonly kafka?: KafkaClient;
}


/** Thrown inside the outbound handler to leave a record uncommitted because we are stopping. */
class StoppingError extends ComityError {
  constructor() {
    super('ADAPTER_STOPPING', 'adapter is stopping; the event will be delivered after restart', { retriable: true });
  }
}

export async function startAdapter<C extends z.ZodType>(
  definition: AdapterDefinition<C>,
  config: AdapterRuntimeConfig & { adapter: z.output<C> },
  options: StartAdapterOptions,
): Promise<RunningAdapter> {
  const network = definition.network;
  if (config.network !== network) {
    throw new ComityError('CONFIG_INVALID', `config is for network "${config.network}", adapter is "${network}"`);
  }
  const logger = options.logger.child({ network, component: `adapter.${network}` });
  const failedBy = `adapter.${network}`;
  const source = `comity://networks/${network}/adapter`;
  const inboundTopic = topics.inbound(network);
  const outboundTopic = topics.outbound(network);
  const dlqTopic = topics.dlq(network);

  const registry = options.registry ?? createMetricsRegistry({ process: failedBy });
  const messages = new Counter({
    name: 'comity_adapter_messages_total',
    help: 'Messages handled by an adapter, by outcome: received (native in), published (events to Kafka), duplicate, delivered (native out), skipped (no native message for that event type), rejected (to the DLQ), retried (delivery attempts that failed and will be retried).',
    labelNames: ['network', 'outcome'] as const,
    registers: [registry],
  });
  const counts: Record<AdapterOutcome, number> = { received: 0, published: 0, duplicate: 0, delivered: 0, skipped: 0, rejected: 0, retried: 0 };
  const count = (outcome: AdapterOutcome, n = 1): void => {
    counts[outcome] += n;
    messages.inc({ network, outcome }, n);
  };

  const stateDir = join(config.runtime.stateDir, network);
  const received = Ledger.open(join(stateDir, 'received.log'));
  const delivered = Ledger.open(join(stateDir, 'delivered.log'));

  const kafka = options.kafka ?? createKafkaClient(config.kafka, logger);
  const admin = await kafka.admin();
  try {
    await admin.ensureTopics([inboundTopic, outboundTopic, dlqTopic].map((topic) => topicSpec(topic)));
  } finally {
    await admin.disconnect();
  }
  const producer: RecordProducer = await kafka.producer();

  const stopping = new AbortController();
  const abandon = new AbortController();
  let consumerRunning = false;

  async function deadLetter(record: ReturnType<typeof deadLetterForRecord>, stage: DlqStageName, error: ComityError): Promise<void> {
    await producer.send(dlqTopic, [record]);
    count('rejected');
    logger.warn({ stage, code: error.code, err: error }, 'sent to the dead-letter topic');
  }

  // ---- inbound ---------------------------------------------------------------------------

  const inFlightReceives = new Map<string, Promise<ReceiveOutcome>>();

  async function receive(native: NativeMessage): Promise<ReceiveOutcome> {
    if (stopping.signal.aborted) throw new StoppingError();
    count('received');
    const digest = createHash('sha256').update(native.body).digest();
    const key = digest.toString('hex');
    // Identical bytes arriving at the same time are handled once.
    const pending = inFlightReceives.get(key);
    if (pending) return pending;
    const work = receiveOnce(native, digest, key).finally(() => inFlightReceives.delete(key));
    inFlightReceives.set(key, work);
    return work;
  }

  async function receiveOnce(native: NativeMessage, digest: Buffer, key: string): Promise<ReceiveOutcome> {
    const known = parseReceived(received.get(key));
    if (known?.state === 'published') {
      count('duplicate');
      return { status: 'accepted', eventIds: known.eventIds, requestIds: known.requestIds, duplicate: true };
    }
    if (known?.state === 'rejected') {
      count('duplicate');
      return { status: 'rejected', code: known.code, reason: known.reason };
    }

    let drafts: EventDraft[];
    try {
      drafts = definition.codec.decode(native);
      if (drafts.length === 0) throw new DecodeError('NO_EVENTS', 'the native message produced no events');
    } catch (error) {
      const decodeError =
        error instanceof DecodeError
          ? error
          : new DecodeError('CODEC_FAILED', `the codec failed unexpectedly: ${(error as Error).message}`, undefined, { cause: error });
      await deadLetter(
        deadLetterForNative(native, key, reasonFrom(decodeError, DlqStage.inboundDecode, failedBy)),
        DlqStage.inboundDecode,
        decodeError,
      );
      received.record(key, JSON.stringify({ state: 'rejected', code: decodeError.code, reason: decodeError.message }));
      return { status: 'rejected', code: decodeError.code, reason: decodeError.message };
    }

    // Ids and time are chosen once and recorded before publishing: if we crash before Kafka
    // acknowledges, the resent message is published again with the same ids (the codec is
    // pure, so the same bytes give the same drafts), and consumers see one event, not two.
    const stamp = known?.state === 'pending' ? known : newStamp(drafts.length);
    if (!known) received.record(key, JSON.stringify({ state: 'pending', ...stamp }));
    const events = drafts.map((draft, index) =>
      createEvent(draft.body, {
        ...draft,
        id: stamp.eventIds[index],
        time: new Date(stamp.time),
        source,
        originNetwork: network,
        traceparent: draft.traceparent ?? derivedTraceparent(stamp.eventIds[index] ?? key),
        provenance: {
          nativeFormat: definition.nativeFormat,
          mappingVersion: definition.mappingVersion,
          nativeSha256: digest,
          nativeId: draft.nativeId ?? '',
        },
      }),
    );
    await producer.send(inboundTopic, events.map(eventToRecord));
    count('published', events.length);
    const requestIds = [...new Set(events.map((event) => event.subject))];
    received.record(key, JSON.stringify({ state: 'published', eventIds: stamp.eventIds, requestIds }));
    for (const event of events) logger.info(eventFields(event), 'published');
    return { status: 'accepted', eventIds: stamp.eventIds, requestIds, duplicate: false };
  }

  // ---- outbound --------------------------------------------------------------------------

  async function handleOutbound(record: IncomingRecord): Promise<void> {
    if (stopping.signal.aborted) throw new StoppingError();
    let event: Event;
    let body: EventBody;
    try {
      event = eventFromRecord(record);
      body = decodeBody(event);
    } catch (error) {
      if (!(error instanceof ComityError)) throw error;
      await deadLetter(deadLetterForRecord(record, reasonFrom(error, DlqStage.outboundDecode, failedBy)), DlqStage.outboundDecode, error);
      return;
    }
    const log = logger.child(eventFields(event));

    const already = delivered.get(event.id);
    if (already !== undefined) {
      // Delivered before a restart; the receipt may not have been published: publish it
      // again (its id is derived from the event's, so downstream sees it once).
      count('duplicate');
      await publishReceipt(event, { nativeMessageId: already || undefined });
      log.info('already delivered; not delivered again');
      return;
    }

    let native: NativeMessage | null;
    try {
      native = definition.codec.encode(event, body);
    } catch (error) {
      const encodeError =
        error instanceof EncodeError ? error : new EncodeError('CODEC_FAILED', `the codec failed unexpectedly: ${(error as Error).message}`, { cause: error });
      await deadLetter(deadLetterForRecord(record, reasonFrom(encodeError, DlqStage.outboundEncode, failedBy)), DlqStage.outboundEncode, encodeError);
      await publishReceipt(event, { failure: encodeError, attempts: 0 });
      return;
    }

    if (native === null) {
      count('skipped');
      log.debug('no native message for this event type; acknowledged');
      return;
    }

    const started = Date.now();
    for (let attempt = 1; ; attempt += 1) {
      try {
        const receipt = await transport.deliver(native, {
          eventId: event.id,
          requestId: event.subject,
          attempt,
          signal: abandon.signal,
        });
        delivered.record(event.id, receipt.nativeMessageId ?? '');
        count('delivered');
        log.info({ attempt, nativeMessageId: receipt.nativeMessageId }, 'delivered');
        await publishReceipt(event, { nativeMessageId: receipt.nativeMessageId });
        return;
      } catch (error) {
        if (abandon.signal.aborted) throw new StoppingError();
        const failure =
          error instanceof ComityError
            ? error
            : new DeliveryError('TRANSPORT_FAILED', `the transport failed: ${(error as Error).message}`, { retriable: isRetriable(error), cause: error });
        const gaveUp = Date.now() - started >= config.runtime.retry.giveUpAfterMs;
        if (failure.retriable && !gaveUp) {
          count('retried');
          if (attempt === 1) await publishReceipt(event, { failure, attempts: attempt });
          const delay = backoffDelay(config.runtime.retry, attempt);
          log.warn({ attempt, delayMs: delay, code: failure.code, err: failure }, 'delivery failed; will retry');
          if (!(await sleep(delay, stopping.signal))) throw new StoppingError();
          continue;
        }
        const final = gaveUp
          ? new DeliveryError('DELIVERY_GAVE_UP', `gave up after ${attempt} attempts in ${Date.now() - started} ms: ${failure.message}`, {
              retriable: true,
              cause: failure,
            })
          : failure;
        await deadLetter(deadLetterForRecord(record, reasonFrom(final, DlqStage.outboundDeliver, failedBy, attempt)), DlqStage.outboundDeliver, final);
        await publishReceipt(event, { failure: final, attempts: attempt, final: true });
        return;
      }
    }
  }

  async function publishReceipt(
    event: Event,
    outcome: { nativeMessageId?: string; failure?: ComityError; attempts?: number; final?: boolean },
  ): Promise<void> {
    if (TRANSPORT_RECEIPT_TYPES.has(event.type)) return;
    const common = {
      subject: event.subject,
      source,
      originNetwork: network,
      causationId: event.id,
      requestType: event.requestType,
      traceparent: event.traceparent,
    };
    const receipt = outcome.failure
      ? createEvent(
          RequestNotDelivered.fromPartial({
            regardingEventId: event.id,
            network,
            reasonCode:
              outcome.failure.code === 'REJECTED_BY_NATIVE_SYSTEM'
                ? NonDeliveryReason.NON_DELIVERY_REASON_REJECTED_BY_NATIVE_SYSTEM
                : NonDeliveryReason.NON_DELIVERY_REASON_ENDPOINT_UNAVAILABLE,
            reason: `${outcome.failure.code}: ${outcome.failure.message}`,
            retriable: !outcome.final && outcome.failure.retriable,
            attempts: outcome.attempts ?? 0,
          }),
          { ...common, id: derivedEventId(event.id, `not-delivered:${network}:${outcome.final ? 'final' : 'first'}`) },
        )
      : createEvent(
          RequestDelivered.fromPartial({
            regardingEventId: event.id,
            network,
            nativeMessageId: outcome.nativeMessageId ?? '',
            deliveredAt: new Date(),
          }),
          { ...common, id: derivedEventId(event.id, `delivered:${network}`) },
        );
    await producer.send(inboundTopic, [eventToRecord(receipt)]);
  }

  // ---- start -----------------------------------------------------------------------------

  const transport = definition.createTransport(config.adapter, { network, logger, directory: networkDirectory(kafka, network) });
  const consumer: RecordConsumer = await kafka.consumer({
    groupId: `comity-adapter-${network}`,
    topics: [outboundTopic],
    partitionsConcurrently: config.runtime.concurrency,
  });
  await consumer.run(handleOutbound);
  consumerRunning = true;
  await transport.start(receive);

  const status: StatusServer = await startStatusServer({
    host: config.runtime.statusHost,
    port: config.runtime.statusPort,
    registry,
    readiness: {
      consumer: () => consumerRunning || 'outbound consumer not running',
      stopping: () => !stopping.signal.aborted || 'stopping',
    },
  });
  logger.info({ statusPort: status.port, inboundTopic, outboundTopic }, 'adapter started');

  let stopped: Promise<void> | undefined;
  return {
    network,
    transport,
    statusPort: status.port,
    counts: () => ({ ...counts }),
    stop() {
      stopped ??= (async () => {
        logger.info('stopping: draining in-flight work');
        stopping.abort();
        const timer = setTimeout(() => abandon.abort(), config.runtime.drainTimeoutMs);
        await transport.stop();
        await Promise.allSettled(inFlightReceives.values());
        await consumer.disconnect();
        consumerRunning = false;
        clearTimeout(timer);
        await producer.disconnect();
        received.close();
        delivered.close();
        await status.close();
        logger.info({ counts }, 'adapter stopped');
      })();
      return stopped;
    },
  };
}

type ReceivedEntry =
  | { state: 'pending'; eventIds: string[]; time: number }
  | { state: 'published'; eventIds: string[]; requestIds: string[] }
  | { state: 'rejected'; code: string; reason: string };

function parseReceived(value: string | undefined): ReceivedEntry | undefined {
  return value === undefined ? undefined : (JSON.parse(value) as ReceivedEntry);
}

function newStamp(count: number): { eventIds: string[]; time: number } {
  const time = Date.now();
  return { eventIds: Array.from({ length: count }, () => newEventId()), time };
}

/** A traceparent that is the same for the same event id (so a republished event matches). */
function derivedTraceparent(seed: string): string {
  const hash = createHash('sha256').update(seed).digest('hex');
  return `00-${hash.slice(0, 32)}-${hash.slice(32, 48)}-01`;
}

const DIRECTORY_REFRESH_MS = 60_000;

/** The network's entries of comity.directory, read on demand and cached for a minute. */
function networkDirectory(kafka: KafkaClient, network: string): NetworkDirectory {
  let cached: { at: number; contactPoints: Promise<ContactPoint[]> } | undefined;
  const load = async (): Promise<ContactPoint[]> => {
    const { entries } = publishedEntries(await kafka.readToEnd(topics.directory));
    const points: ContactPoint[] = [];
    for (const entry of entries.values()) {
      const update = DirectoryEntryUpdated.decode(entry.bytes);
      if (update.contactPoint?.network === network) points.push(update.contactPoint);
    }
    return points;
  };
  return {
    contactPoints() {
      if (!cached || Date.now() - cached.at > DIRECTORY_REFRESH_MS) {
        const contactPoints = load();
        cached = { at: Date.now(), contactPoints };
        // A failed read is not kept: the next call tries again.
        contactPoints.catch(() => (cached = undefined));
      }
      return cached.contactPoints;
    },
  };
}
