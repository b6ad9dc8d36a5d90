/**
 * The adapter runtime: runs any {@link AdapterDefinition} the same way. The rules it keeps
 * (acknowledgement, retry, ordering, once-only delivery, receipts) are stated in contract.ts;
 * this file is how.
 *
 *   inbound:  transport → receive → decode → stamp (id, time, source, provenance) → seal if
 *             confidential → sign → comity.inbound.<network>
 *   outbound: comity.outbound.<network> → verify the origin's signature → open if sealed →
 *             de-duplicate → encode → deliver (retry) → signed receipt → commit
 *
 * Trust (docs/signing.md, docs/sealing.md): every event the adapter publishes is signed with the
 * network's key (`trust.signingKey`). Other networks' keys come from `comity.directory`, and
 * only from entries the hub signed with a key pinned in `trust.hubKeys`. An event on the
 * outbound topic that is unsigned, signed with an unknown, revoked or out-of-window key, or
 * whose signature does not match — or a sealed body that cannot be opened — goes to the DLQ
 * with that code and never reaches the native system. A confidential event is sealed to its
 * recipient network: the target network it names, or for an event without one, the network
 * the adapter last heard from about the same request; with neither, it is rejected
 * (`SEAL_RECIPIENT_UNKNOWN`).
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
import { Classification, type Event } from '../../core/gen/comity/v1/event.js';
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
import { publishedEntries, trustedPublicKeys } from '../../services/directory/entries.js';
import { HUB_OWNER, indexFederation, keyEntry, loadFederation, publicKeySchema, signingKeyConfig } from '../../services/directory/federation.js';
import { decideRoute } from '../../services/router/routing.js';
import { TrustError } from '../../core/crypto/errors.js';
import { buildKeyring, currentSealingKey, type Keyring, type PublicKeyEntry } from '../../core/crypto/keyring.js';
import { readPrivateKeyFile } from '../../core/crypto/keys.js';
import { openEvent, sealEvent } from '../../core/crypto/sealing.js';
import { signEvent, verifyEventSignature } from '../../core/crypto/signing.js';
import { nativeFromRedriveRecord } from '../../services/ops/redrive-headers.js';
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
      directoryRefreshMs: z
        .number()
        .int()
        .positive()
        .default(60_000)
        .describe('How often the keys are re-read from comity.directory; an unknown key id re-reads at once.'),
      drainTimeoutMs: z
        .number()
        .int()
        .positive()
        .default(30_000)
        .describe('On SIGTERM, how long in-flight deliveries may take before they are abandoned (and redone later).'),
    })
    .prefault({}),
  trust: z
    .object({
      signingKey: signingKeyConfig.describe("The network's Ed25519 signing key; every event the adapter publishes is signed with it."),
      sealingKeys: z
        .array(signingKeyConfig)
        .default([])
        .describe("The network's X25519 sealing keys (all still in use during a rotation): confidential bodies sealed to the network are opened with them."),
      federation: z
        .string()
        .optional()
        .describe(
          'The federation file (public). With it, a confidential request that names no target network is addressed to the network the router would choose, and sealed to it; without it such a request is rejected (SEAL_RECIPIENT_UNKNOWN).',
        ),
      hubKeys: z
        .array(publicKeySchema)
        .min(1, 'pin at least one hub signing key')
        .describe("The hub's signing public keys (as under `hub.publicKeys` in the federation file): receipts and directory entries must be signed with one of them."),
    })
    .describe('Keys: see docs/signing.md and docs/sealing.md.'),
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
  /** A consumer stopped for good (see ConsumerOptions.onCrash): `comity run` exits. */
  readonly onFatal?: (error: Error) => void;
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
  const redriveTopic = topics.redrive(network);

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

  // Keys first: an unreadable key file stops the adapter before anything connects.
  const signer = readPrivateKeyFile('signing', config.trust.signingKey.keyId, config.trust.signingKey.privateKeyFile);
  const sealingKeys = config.trust.sealingKeys.map((key) => readPrivateKeyFile('sealing', key.keyId, key.privateKeyFile));
  const hubKeys = config.trust.hubKeys.map((key) => keyEntry(HUB_OWNER, key));
  const federation = config.trust.federation === undefined ? undefined : indexFederation(loadFederation(config.trust.federation));

  const stateDir = join(config.runtime.stateDir, network);
  const received = Ledger.open(join(stateDir, 'received.log'));
  const delivered = Ledger.open(join(stateDir, 'delivered.log'));
  /** Request id → the other network of the request, for sealing replies that name no target. */
  const counterparts = Ledger.open(join(stateDir, 'counterparts.log'));

  const kafka = options.kafka ?? createKafkaClient(config.kafka, logger);
  const keys = directoryKeys(kafka, hubKeys, config.runtime.directoryRefreshMs, logger);
  const admin = await kafka.admin();
  try {
    await admin.ensureTopics([inboundTopic, outboundTopic, dlqTopic, redriveTopic].map((topic) => topicSpec(topic)));
  } finally {
    await admin.disconnect();
  }
  const producer: RecordProducer = await kafka.producer();

  const stopping = new AbortController();
  const abandon = new AbortController();
  let consumerRunning = false;

  async function deadLetter(
    record: ReturnType<typeof deadLetterForRecord>,
    stage: DlqStageName,
    error: ComityError,
    about?: Event,
  ): Promise<void> {
    await producer.send(dlqTopic, [record]);
    count('rejected');
    logger.warn({ ...(about ? eventFields(about) : {}), stage, code: error.code, err: error }, 'sent to the dead-letter topic');
  }

  // ---- inbound ---------------------------------------------------------------------------

  const inFlightReceives = new Map<string, Promise<ReceiveOutcome>>();

  /** `redriven`: an operator redrove it from the DLQ (`comity dlq redrive`): decode it again even if it was rejected. */
  async function receive(native: NativeMessage, redriven = false): Promise<ReceiveOutcome> {
    if (stopping.signal.aborted) throw new StoppingError();
    count('received');
    const digest = createHash('sha256').update(native.body).digest();
    const key = digest.toString('hex');
    // Identical bytes arriving at the same time are handled once.
    const pending = inFlightReceives.get(key);
    if (pending) return pending;
    const work = receiveOnce(native, digest, key, redriven).finally(() => inFlightReceives.delete(key));
    inFlightReceives.set(key, work);
    return work;
  }

  async function receiveOnce(native: NativeMessage, digest: Buffer, key: string, redriven: boolean): Promise<ReceiveOutcome> {
    const known = parseReceived(received.get(key));
    if (known?.state === 'published') {
      count('duplicate');
      return { status: 'accepted', eventIds: known.eventIds, requestIds: known.requestIds, duplicate: true };
    }
    if (known?.state === 'rejected' && !redriven) {
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
      await received.recordDurably(key, JSON.stringify({ state: 'rejected', code: decodeError.code, reason: decodeError.message }));
      return { status: 'rejected', code: decodeError.code, reason: decodeError.message };
    }

    // Ids and time are chosen once and recorded before publishing: if we crash before Kafka
    // acknowledges, the resent message is published again with the same ids (the codec is
    // pure, so the same bytes give the same drafts), and consumers see one event, not two.
    const stamp = known?.state === 'pending' ? known : newStamp(drafts.length);
    const drafted = drafts.map((draft, index) =>
      createEvent(draft.body, {
        ...draft,
        id: stamp.eventIds[index],
        time: new Date(stamp.time),
        source,
        originNetwork: network,
        traceparent: draft.traceparent ?? nativeTraceparent(native, stamp.eventIds[index] ?? key) ?? derivedTraceparent(stamp.eventIds[index] ?? key),
        provenance: {
          nativeFormat: definition.nativeFormat,
          mappingVersion: definition.mappingVersion,
          nativeSha256: digest,
          nativeId: draft.nativeId ?? '',
        },
      }),
    );
    let events: Event[];
    try {
      events = await Promise.all(drafted.map(sealAndSign));
    } catch (error) {
      if (!(error instanceof TrustError)) throw error;
      await deadLetter(deadLetterForNative(native, key, reasonFrom(error, DlqStage.inboundDecode, failedBy)), DlqStage.inboundDecode, error);
      await received.recordDurably(key, JSON.stringify({ state: 'rejected', code: error.code, reason: error.message }));
      return { status: 'rejected', code: error.code, reason: error.message };
    }
    if (known?.state !== 'pending') await received.recordDurably(key, JSON.stringify({ state: 'pending', ...stamp }));
    await producer.send(inboundTopic, events.map(eventToRecord));
    count('published', events.length);
    const requestIds = [...new Set(events.map((event) => event.subject))];
    await received.recordDurably(key, JSON.stringify({ state: 'published', eventIds: stamp.eventIds, requestIds }));
    for (const event of events) logger.info(eventFields(event), 'published');
    return { status: 'accepted', eventIds: stamp.eventIds, requestIds, duplicate: false };
  }

  /** A confidential event sealed to its recipient, then every event signed. */
  async function sealAndSign(event: Event): Promise<Event> {
    if (event.classification !== Classification.CLASSIFICATION_CONFIDENTIAL) return signEvent(event, signer);
    const named = [...new Set(event.targets.map((target) => target.network).filter(Boolean))];
    if (named.length > 1) {
      throw new TrustError('SEAL_RECIPIENT_UNKNOWN', `a confidential event is sealed to one network, and this one names ${named.join(', ')}`);
    }
    let addressed = event;
    let recipient = named[0] ?? counterparts.get(event.subject);
    if (!recipient && federation && event.type === 'comity.v1.RequestSubmitted') {
      // Ask the router's own rules where the request would go, and name that network, so the
      // router's choice and the seal cannot differ.
      const decision = decideRoute({ ...event, classification: Classification.CLASSIFICATION_RESTRICTED }, network, federation, () => undefined);
      if (decision.kind === 'route' && decision.destinations.length === 1 && decision.destinations[0]) {
        recipient = decision.destinations[0];
        addressed = { ...event, targets: event.targets.map((target) => ({ ...target, network: recipient ?? '' })) };
      }
    }
    if (!recipient) {
      throw new TrustError(
        'SEAL_RECIPIENT_UNKNOWN',
        `confidential event about "${event.subject}" names no target network and no network has written to us about that request: name the target network`,
      );
    }
    const now = new Date();
    const sealingKey = currentSealingKey(await keys.current(), recipient, now) ?? currentSealingKey(await keys.refresh(), recipient, now);
    if (!sealingKey) throw new TrustError('NO_SEALING_KEY', `"${recipient}" has no current sealing key in the directory`);
    return signEvent(sealEvent(addressed, sealingKey), signer);
  }

  /** The origin's signature checked (re-reading the directory once for a key id not seen yet). */
  async function verifyIncoming(event: Event): Promise<void> {
    try {
      verifyEventSignature(event, await keys.current());
    } catch (error) {
      if (!(error instanceof TrustError) || error.code !== 'UNKNOWN_KEY') throw error;
      verifyEventSignature(event, await keys.refresh());
    }
  }

  // ---- outbound --------------------------------------------------------------------------

  async function handleOutbound(record: IncomingRecord): Promise<void> {
    if (stopping.signal.aborted) throw new StoppingError();
    let event: Event;
    let body: EventBody;
    try {
      const signed = eventFromRecord(record);
      await verifyIncoming(signed);
      event = openEvent(signed, network, sealingKeys);
      body = decodeBody(event);
    } catch (error) {
      // A retriable failure (the directory could not be read) is no verdict on the event.
      if (!(error instanceof ComityError) || error.retriable) throw error;
      await deadLetter(deadLetterForRecord(record, reasonFrom(error, DlqStage.outboundDecode, failedBy)), DlqStage.outboundDecode, error);
      return;
    }
    const log = logger.child(eventFields(event));
    if (event.originNetwork !== network && event.originNetwork !== HUB_OWNER && !counterparts.has(event.subject)) {
      await counterparts.recordDurably(event.subject, event.originNetwork);
    }

    const already = delivered.get(event.id);
    if (already !== undefined) {
      // Delivered before a restart; the receipt may not have been published: publish it
      // again (its id is derived from the event's, so downstream sees it once).
      count('duplicate');
      receiptFor(record, publishReceipt(event, { nativeMessageId: already || undefined }));
      log.info('already delivered; not delivered again');
      return;
    }

    let native: NativeMessage | null;
    try {
      native = definition.codec.encode(event, body);
    } catch (error) {
      const encodeError =
        error instanceof EncodeError ? error : new EncodeError('CODEC_FAILED', `the codec failed unexpectedly: ${(error as Error).message}`, { cause: error });
      await deadLetter(deadLetterForRecord(record, reasonFrom(encodeError, DlqStage.outboundEncode, failedBy)), DlqStage.outboundEncode, encodeError, event);
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
          traceparent: event.traceparent || undefined,
        });
        await delivered.recordDurably(event.id, receipt.nativeMessageId ?? '');
        count('delivered');
        log.info({ attempt, nativeMessageId: receipt.nativeMessageId }, 'delivered');
        // The next event of the partition need not wait for this receipt; the offset does.
        receiptFor(record, publishReceipt(event, { nativeMessageId: receipt.nativeMessageId }));
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
        await deadLetter(deadLetterForRecord(record, reasonFrom(final, DlqStage.outboundDeliver, failedBy, attempt)), DlqStage.outboundDeliver, final, event);
        await publishReceipt(event, { failure: final, attempts: attempt, final: true });
        return;
      }
    }
  }

  /**
   * Receipts on their way, by outbound partition: a partition's offsets are committed only
   * once its receipts are in Kafka (`beforeCommit`); a receipt that failed fails that commit,
   * so its records are handled again (and, delivered already, only receipted again).
   */
  const receipts = new Map<number, { pending: Set<Promise<void>>; failure?: Error }>();
  function receiptFor(record: IncomingRecord, sending: Promise<void>): void {
    let partition = receipts.get(record.partition);
    if (!partition) receipts.set(record.partition, (partition = { pending: new Set() }));
    const entry = partition;
    const settled: Promise<void> = sending
      .catch((error: unknown) => void (entry.failure ??= error instanceof Error ? error : new Error(String(error))))
      .finally(() => entry.pending.delete(settled));
    entry.pending.add(settled);
  }
  async function receiptsSent(_topic: string, partition: number): Promise<void> {
    const entry = receipts.get(partition);
    if (!entry) return;
    await Promise.all(entry.pending);
    const failure = entry.failure;
    entry.failure = undefined;
    if (failure !== undefined) throw failure;
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
    await producer.send(inboundTopic, [eventToRecord(signEvent(receipt, signer))]);
  }

  // ---- start -----------------------------------------------------------------------------

  let crashed: Error | undefined;
  function consumerCrashed(error: Error, topic: string): void {
    crashed = error;
    logger.error({ err: error, topic }, 'a consumer stopped for good; nothing more is read from it');
    options.onFatal?.(error);
  }

  const transport = definition.createTransport(config.adapter, { network, logger, directory: networkDirectory(kafka, network) });
  const consumer: RecordConsumer = await kafka.consumer({
    groupId: `comity-adapter-${network}`,
    topics: [outboundTopic],
    partitionsConcurrently: config.runtime.concurrency,
    beforeCommit: receiptsSent,
    onCrash: (error) => consumerCrashed(error, outboundTopic),
  });
  await consumer.run(handleOutbound);
  consumerRunning = true;
  // Native messages redriven from the DLQ after a decode failure go through decode again.
  const redriveConsumer: RecordConsumer = await kafka.consumer({
    groupId: `comity-adapter-${network}-redrive`,
    topics: [redriveTopic],
    onCrash: (error) => consumerCrashed(error, redriveTopic),
  });
  await redriveConsumer.run(async (record) => {
    let redriven;
    try {
      redriven = nativeFromRedriveRecord(record);
    } catch (error) {
      if (!(error instanceof ComityError)) throw error;
      logger.error({ code: error.code, err: error }, 'not a redriven native message; skipped');
      return;
    }
    const { redriveOf, ...native } = redriven;
    const outcome = await receive(native, true);
    logger.info({ redriveOf, status: outcome.status }, 'redriven native message decoded again');
  });
  await transport.start((native) => receive(native));

  const status: StatusServer = await startStatusServer({
    host: config.runtime.statusHost,
    port: config.runtime.statusPort,
    registry,
    readiness: {
      consumer: () => (crashed ? `crashed: ${crashed.message}` : consumerRunning || 'outbound consumer not running'),
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
        await redriveConsumer.disconnect();
        consumerRunning = false;
        clearTimeout(timer);
        await producer.disconnect();
        received.close();
        delivered.close();
        counterparts.close();
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

/**
 * The W3C trace context the native system sent (the HTTP transport's `traceparent` header, or a
 * transport attribute `traceparent`), continued: same trace id and flags, a parent id of this
 * hop derived from the event id (so a republished event matches). Undefined when there is none
 * or it is malformed (the version 00 format of W3C Trace Context; all-zero ids are invalid).
 */
function nativeTraceparent(native: NativeMessage, seed: string): string | undefined {
  const value = (native.attributes['http.traceparent'] ?? native.attributes.traceparent ?? '').trim().toLowerCase();
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(value);
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return undefined;
  const parent = createHash('sha256').update(seed).digest('hex').slice(32, 48);
  return `00-${match[1]}-${parent}-${match[3]}`;
}

/** A traceparent that is the same for the same event id (so a republished event matches). */
function derivedTraceparent(seed: string): string {
  const hash = createHash('sha256').update(seed).digest('hex');
  return `00-${hash.slice(0, 32)}-${hash.slice(32, 48)}-01`;
}

const DIRECTORY_REFRESH_MS = 60_000;
/** Shortest time between two re-reads of the directory's keys forced by an unknown key id. */
const KEY_REFRESH_MIN_MS = 1_000;

/**
 * The keys an adapter trusts: the pinned hub keys, and the keys in `comity.directory` entries
 * the hub signed with one of them. Cached; re-read after `refreshMs`, or on `refresh()` (an
 * unknown key id), at most once a second.
 */
function directoryKeys(kafka: KafkaClient, hubKeys: readonly PublicKeyEntry[], refreshMs: number, logger: Logger) {
  const pinned = buildKeyring(hubKeys);
  let cached: { at: number; keyring: Promise<Keyring> } | undefined;
  const load = async (): Promise<Keyring> => {
    const { keys, untrusted } = trustedPublicKeys(await kafka.readToEnd(topics.directory), pinned);
    if (untrusted > 0) logger.debug({ untrusted }, 'directory key entries not signed by a pinned hub key were ignored');
    return buildKeyring([...keys.filter((key) => !pinned.find(key.owner, key.keyId)), ...hubKeys]);
  };
  const reload = () => {
    const keyring = load();
    cached = { at: Date.now(), keyring };
    keyring.catch(() => (cached = undefined));
    return keyring;
  };
  return {
    current: (): Promise<Keyring> => (!cached || Date.now() - cached.at > refreshMs ? reload() : cached.keyring),
    refresh: (): Promise<Keyring> => (!cached || Date.now() - cached.at > KEY_REFRESH_MIN_MS ? reload() : cached.keyring),
  };
}

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
