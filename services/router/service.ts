/**
 * The router: reads every `comity.inbound.<network>` topic, decides where each event goes
 * (./routing.ts), and writes it — unchanged, signature and all — to the chosen
 * `comity.outbound.<network>` topics, with a `RequestRelayed` receipt for the sender; what it
 * refuses goes to the sender's DLQ, and the sender gets a final `RequestNotDelivered`.
 *
 * Consume → route → produce is exactly once: each fetched batch's outputs (routed events,
 * receipts, dead letters, the parties of new requests on `comity.routes`) and its consumer
 * offsets are committed in one Kafka transaction. A router killed in the middle of a batch
 * leaves nothing visible to read_committed consumers, and its successor does the batch again.
 *
 * Before routing, the origin's signature is verified against the keys of the federation file
 * (core/crypto/signing.ts): an unsigned event, an unknown, revoked or out-of-window key, or a
 * signature that does not match goes to the sender's DLQ with that code and is never routed.
 * The router's own receipts are signed with the hub's key.
 *
 * The parties of each request, and the onward-transfer consents their originators gave, are
 * the router's only state. They live on the compacted `comity.routes` topic (written in the
 * same transactions as the routed events), and are read back at start.
 * One router instance owns the inbound topics at a time; a second instance with the same
 * transactional id fences the first.
 */
import { Counter, type Registry } from 'prom-client';
import { z } from 'zod';
import { DlqStage, deadLetterForRecord, reasonFrom } from '../../core/dlq.js';
import { ComityError } from '../../core/errors.js';
import { eventFromRecord, eventToRecord, HUB_ORIGIN } from '../../core/events/codec.js';
import { TRANSPORT_RECEIPT_TYPES } from '../../core/events/bodies.js';
import { createEvent, decodeBody } from '../../core/events/create.js';
import { derivedEventId } from '../../core/events/ids.js';
import { Event } from '../../core/gen/comity/v1/event.js';
import { TrustError } from '../../core/crypto/errors.js';
import { readPrivateKeyFile, type PrivateKey } from '../../core/crypto/keys.js';
import { signEvent, verifyEventSignature } from '../../core/crypto/signing.js';
import { NonDeliveryReason, RequestNotDelivered, RequestRelayed } from '../../core/gen/comity/v1/lifecycle.js';
import {
  kafkaConfigSchema,
  parseTopic,
  topics,
  topicSpec,
  type ExactlyOncePipeline,
  type IncomingRecord,
  type KafkaClient,
  type TransactionalOutput,
} from '../../core/kafka/index.js';
import { eventFields, type Logger } from '../../core/log.js';
import { createMetricsRegistry, startStatusServer, type StatusServer } from '../../core/status.js';
import { signingKeyConfig, type FederationIndex } from '../directory/federation.js';
import { consentFrom, decideRoute, type OnwardConsent, type RefusalCode, type RequestParties } from './routing.js';

export const routerConfigSchema = z.object({
  kafka: kafkaConfigSchema,
  federation: z.string().default('deploy/config/federation.yaml').describe('The federation file; changes are picked up without a restart.'),
  router: z
    .object({
      instanceId: z
        .string()
        .regex(/^[a-z0-9-]+$/)
        .default('main')
        .describe('Stable id of this router instance; its transactional id is comity-router-<instanceId>.'),
      groupId: z.string().min(1).default('comity-router').describe('Consumer group of the routers of this federation.'),
      statusHost: z.string().default('127.0.0.1'),
      statusPort: z.number().int().min(0).max(65535).default(0).describe('Port of /healthz, /readyz and /metrics; 0 picks one.'),
      signingKey: signingKeyConfig.describe(
        'The hub\'s signing key, for the receipts the router writes (RequestRelayed, RequestNotDelivered); its public half is under `hub.publicKeys` in the federation file.',
      ),
    }),
});

export type RouterConfig = z.output<typeof routerConfigSchema>;

export function routerSigner(config: RouterConfig): PrivateKey {
  return readPrivateKeyFile('signing', config.router.signingKey.keyId, config.router.signingKey.privateKeyFile);
}

/** Key prefix of the consent records on comity.routes: `onward-consent/<request id>/<event id>`. */
const CONSENT_KEY_PREFIX = 'onward-consent/';


const SOURCE = 'comity://hub/router';
const FAILED_BY = 'router';
/**
 * Inbound batches in hand at once, sharing the next transaction. An origin's events about one
 * request are on one partition (keyed by request id), so they stay in order.
 */
const ROUTER_BATCHES_CONCURRENTLY = 8;

export interface RunningRouter {
  readonly statusPort: number;
  /** Requests whose parties the router knows. */
  knownRequests(): number;
  stop(): Promise<void>;
}

export async function startRouter(options: {
  readonly kafka: KafkaClient;
  /** The current federation; read on every batch so a reloaded file applies at once. */
  readonly federation: () => FederationIndex;
  readonly logger: Logger;
  /** The hub's signing key: the router's receipts are signed with it. */
  readonly signer: PrivateKey;
  readonly instanceId?: string;
  /** Consumer group; one per federation (tests that run their own federation use their own). */
  readonly groupId?: string;
  readonly statusPort?: number;
  readonly statusHost?: string;
  readonly registry?: Registry;
  /** The pipeline stopped for good (see ConsumerOptions.onCrash): `comity run` exits. */
  readonly onFatal?: (error: Error) => void;
}): Promise<RunningRouter> {
  const logger = options.logger.child({ component: 'router' });
  const registry = options.registry ?? createMetricsRegistry({ process: 'router' });
  const routed = new Counter({
    name: 'comity_router_events_total',
    help: 'Events handled by the router, by origin network, destination network (or "dlq") and outcome (routed, refused).',
    labelNames: ['from', 'to', 'outcome', 'code'] as const,
    registers: [registry],
  });

  const { kafka } = options;
  // The inbound topics of the federation's members, named: a topic of a network that is not
  // in the federation is never read. A network added to the file needs a router restart.
  const members = options.federation().federation.networks.filter((network) => network.role === 'member');
  const inboundTopics = members.map((network) => topics.inbound(network.id));
  logger.debug('connecting to kafka to ensure the topics');
  const admin = await kafka.admin();
  try {
    const memberTopics = members.flatMap((network) => [topics.inbound(network.id), topics.dlq(network.id)]);
    // Every network gets an outbound topic: observers receive public events (experience,
    // statistics). A destination without its topic would fail the whole batch.
    const outboundTopics = options.federation().federation.networks.map((network) => topics.outbound(network.id));
    await admin.ensureTopics([topics.routes, topics.stats, ...memberTopics, ...outboundTopics].map((topic) => topicSpec(topic)));
  } finally {
    await admin.disconnect();
  }

  const { signer } = options;
  const parties = new Map<string, RequestParties>();
  const consents = new Map<string, OnwardConsent[]>();
  const addConsent = (map: Map<string, OnwardConsent[]>, consent: OnwardConsent) =>
    map.set(consent.requestId, [...(map.get(consent.requestId) ?? []).filter((c) => c.consentEventId !== consent.consentEventId), consent]);
  logger.debug({ topic: topics.routes }, 'reading the request parties and consents');
  for (const record of await kafka.readToEnd(topics.routes)) {
    if (record.key?.toString('utf8').startsWith(CONSENT_KEY_PREFIX)) {
      const consent = consentFromRoutesRecord(record);
      if (consent) addConsent(consents, consent);
      continue;
    }
    const remembered = partiesFromRoutesRecord(record);
    if (remembered) parties.set(remembered.requestId, remembered);
  }
  logger.info({ requests: parties.size, consents: consents.size }, 'request parties and consents loaded from comity.routes');

  let crashed: Error | undefined;
  const pipeline: ExactlyOncePipeline = await kafka.exactlyOnce({
    groupId: options.groupId ?? 'comity-router',
    topics: inboundTopics,
    transactionalId: `comity-router-${options.instanceId ?? 'main'}`,
    // Batches of several partitions share a transaction. A batch never depends on another's
    // uncommitted state: an event about a request routed in batch A can only be written (by
    // the destination's adapter) after A's transaction committed.
    batchesConcurrently: ROUTER_BATCHES_CONCURRENTLY,
    onCrash: (error) => {
      crashed = error;
      logger.error({ err: error }, 'the routing pipeline stopped for good; nothing more is routed');
      options.onFatal?.(error);
    },
  });

  logger.debug({ groupId: options.groupId ?? 'comity-router' }, 'joining the consumer group');
  await pipeline.run(async (records) => {
    const federation = options.federation();
    const staged = new Map<string, RequestParties>();
    const stagedConsents: OnwardConsent[] = [];
    const partiesOf = (id: string) => staged.get(id) ?? parties.get(id);
    const consentsOf = (id: string) => [...(consents.get(id) ?? []), ...stagedConsents.filter((consent) => consent.requestId === id)];
    const outputs: TransactionalOutput[] = [];
    const tallies: { from: string; to: string; outcome: string; code: string }[] = [];

    for (const record of records) {
      const topicNetwork = parseTopic(record.topic)?.network ?? 'unknown';
      let event: Event;
      try {
        event = eventFromRecord(record);
      } catch (error) {
        if (!(error instanceof ComityError)) throw error;
        outputs.push(deadLetter(record, topicNetwork, error));
        tallies.push({ from: topicNetwork, to: 'dlq', outcome: 'refused', code: error.code });
        logger.warn({ topic: record.topic, offset: record.offset, code: error.code }, error.message);
        continue;
      }
      const log = logger.child(eventFields(event));
      try {
        verifyEventSignature(event, federation.keyring);
      } catch (error) {
        if (!(error instanceof TrustError)) throw error;
        // No notice to the sender: who sent it is exactly what is in doubt.
        outputs.push(deadLetter(record, topicNetwork, error));
        tallies.push({ from: topicNetwork, to: 'dlq', outcome: 'refused', code: error.code });
        log.warn({ code: error.code }, `refused: ${error.message}`);
        continue;
      }
      const decision = decideRoute(event, topicNetwork, federation, partiesOf, consentsOf);
      if (decision.kind === 'refuse') {
        outputs.push(deadLetter(record, topicNetwork, new ComityError(decision.code, decision.reason)));
        const notice = refusalNotice(event, decision.code, decision.reason, signer);
        if (notice) outputs.push({ topic: topics.outbound(topicNetwork), record: notice });
        tallies.push({ from: topicNetwork, to: 'dlq', outcome: 'refused', code: decision.code });
        log.warn({ code: decision.code }, `refused: ${decision.reason}`);
        continue;
      }
      for (const destination of decision.destinations) {
        outputs.push({ topic: topics.outbound(destination), record: forward(record) });
        tallies.push({ from: topicNetwork, to: destination, outcome: 'routed', code: '' });
      }
      // A centre's statistics are also published on comity.stats, beside the hub's (services/stats, docs/statistics.md).
      if (event.type === 'comity.v1.StatisticsReport') outputs.push({ topic: topics.stats, record: forward(record) });
      if (!TRANSPORT_RECEIPT_TYPES.has(event.type)) {
        const relayed = relayedReceipt(event, decision.destinations, decision.rule, signer);
        outputs.push({ topic: topics.outbound(topicNetwork), record: relayed });
        if (decision.newRequest) {
          staged.set(decision.newRequest.requestId, decision.newRequest);
          outputs.push({ topic: topics.routes, record: relayed });
        }
      }
      if (decision.newConsent) {
        stagedConsents.push(decision.newConsent);
        // The consent as the originator signed it: the hub's record is also the evidence.
        outputs.push({
          topic: topics.routes,
          record: { ...forward(record), key: `${CONSENT_KEY_PREFIX}${decision.newConsent.requestId}/${decision.newConsent.consentEventId}` },
        });
        log.info({ thirdNetwork: decision.newConsent.thirdNetwork }, 'onward-transfer consent recorded');
      }
      log.info({ destinations: decision.destinations, rule: decision.rule }, 'routed');
    }

    return {
      outputs,
      onCommitted: () => {
        for (const [id, entry] of staged) parties.set(id, entry);
        for (const consent of stagedConsents) addConsent(consents, consent);
        for (const tally of tallies) routed.inc(tally);
      },
    };
  });

  let running = true;
  const status: StatusServer = await startStatusServer({
    host: options.statusHost,
    port: options.statusPort ?? 0,
    registry,
    readiness: { pipeline: () => (crashed ? `crashed: ${crashed.message}` : running || 'stopped') },
  });
  logger.info({ statusPort: status.port }, 'router started');

  return {
    statusPort: status.port,
    knownRequests: () => parties.size,
    async stop() {
      if (!running) return;
      running = false;
      await pipeline.disconnect();
      await status.close();
      logger.info('router stopped');
    },
  };
}

/** The record as it came: the event's bytes and headers are not touched (signatures stay valid). */
function forward(record: IncomingRecord) {
  return { key: record.key?.toString('utf8') ?? '', value: record.value ?? Buffer.alloc(0), headers: record.headers };
}

function deadLetter(record: IncomingRecord, network: string, error: ComityError): TransactionalOutput {
  return {
    topic: topics.dlq(network),
    record: deadLetterForRecord(record, reasonFrom(error, DlqStage.route, FAILED_BY)),
  };
}

function relayedReceipt(event: Event, destinations: readonly string[], rule: string, signer: PrivateKey) {
  return signedRecord(
    signer,
    createEvent(
      RequestRelayed.fromPartial({ regardingEventId: event.id, networks: [...destinations], route: rule, fromNetwork: event.originNetwork }),
      {
        // Derived id: a batch done again after a crash produces the same receipt.
        id: derivedEventId(event.id, 'relayed'),
        subject: event.subject,
        source: SOURCE,
        originNetwork: HUB_ORIGIN,
        causationId: event.id,
        requestType: event.requestType,
        traceparent: event.traceparent,
      },
    ),
  );
}

/**
 * What the sender's native system is told when the hub refuses one of its events: a final
 * RequestNotDelivered. Not sent for refusals that question the sender itself (an event on the
 * wrong topic, a network outside the federation), nor about receipts.
 */
function refusalNotice(event: Event, code: RefusalCode, reason: string, signer: PrivateKey) {
  const reasonCode = REFUSAL_REASONS[code];
  if (reasonCode === undefined || TRANSPORT_RECEIPT_TYPES.has(event.type)) return undefined;
  return signedRecord(
    signer,
    createEvent(
      RequestNotDelivered.fromPartial({ regardingEventId: event.id, network: HUB_ORIGIN, reasonCode, reason: `${code}: ${reason}`, retriable: false, attempts: 0 }),
      {
        id: derivedEventId(event.id, 'refused'),
        subject: event.subject,
        source: SOURCE,
        originNetwork: HUB_ORIGIN,
        causationId: event.id,
        requestType: event.requestType,
        traceparent: event.traceparent,
      },
    ),
  );
}

const REFUSAL_REASONS: Partial<Record<RefusalCode, NonDeliveryReason>> = {
  NO_ROUTE: NonDeliveryReason.NON_DELIVERY_REASON_RECIPIENT_UNKNOWN,
  UNKNOWN_REQUEST: NonDeliveryReason.NON_DELIVERY_REASON_RECIPIENT_UNKNOWN,
  NOT_A_PARTY: NonDeliveryReason.NON_DELIVERY_REASON_POLICY_DENIED,
  NOT_ROUTABLE: NonDeliveryReason.NON_DELIVERY_REASON_POLICY_DENIED,
  NO_CONSENT: NonDeliveryReason.NON_DELIVERY_REASON_POLICY_DENIED,
  NOT_THE_ORIGINATOR: NonDeliveryReason.NON_DELIVERY_REASON_POLICY_DENIED,
  CONSENT_UNREADABLE: NonDeliveryReason.NON_DELIVERY_REASON_POLICY_DENIED,
  NOT_SEALED: NonDeliveryReason.NON_DELIVERY_REASON_POLICY_DENIED,
  SEAL_RECIPIENT_MISMATCH: NonDeliveryReason.NON_DELIVERY_REASON_RECIPIENT_UNKNOWN,
};

function signedRecord(signer: PrivateKey, event: Event) {
  return eventToRecord(signEvent(event, signer));
}

function consentFromRoutesRecord(record: IncomingRecord): OnwardConsent | undefined {
  if (record.value === null) return undefined;
  try {
    const event = Event.decode(record.value);
    const body = decodeBody(event);
    if (body.$type !== 'comity.v1.OnwardTransferConsented') return undefined;
    return consentFrom(event, body);
  } catch {
    return undefined;
  }
}

function partiesFromRoutesRecord(record: IncomingRecord): RequestParties | undefined {
  if (record.value === null) return undefined;
  const event = eventFromRecord(record);
  const body = decodeBody(event);
  if (body.$type !== 'comity.v1.RequestRelayed') return undefined;
  return {
    requestId: event.subject,
    originNetwork: body.fromNetwork,
    destinations: body.networks,
    submittedEventId: body.regardingEventId,
  };
}
