/**
 * The audit service: reads every network's `comity.inbound|outbound|dlq.<network>` topic
 * (read_committed) and appends one fact per record to `comity.audit`, hash-chained, with a
 * signed checkpoint every N facts or T seconds (./chain.ts, ./facts.ts).
 *
 * Exactly once: each fetched batch's audit records and its consumer offsets are committed in
 * one Kafka transaction (transactional id `comity-audit-<instanceId>`). At start the service
 * first takes over the transactional id — which fences a predecessor and aborts its open
 * transaction — then reads the chain back from the topic, checks it, and continues from its
 * last record. Facts are also de-duplicated by source position (topic, partition, offset), so
 * a batch fetched again never enters the chain twice.
 *
 * One writer: a second instance with the same transactional id fences the first, whose
 * transactions all fail from then on, so the chain cannot fork. A fenced producer makes kafkajs
 * stop the first one's consumer; where the failure is retried instead, the next batch finds
 * that the chain on the topic moved on without it, and the service stops (AUDIT_FENCED).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { z } from 'zod';
import { readPrivateKeyFile } from '../../core/crypto/keys.js';
import { ComityError } from '../../core/errors.js';
import { type AuditFactKind, auditFactKindToJSON, AuditRecord } from '../../core/gen/comity/v1/audit.js';
import {
  kafkaConfigSchema,
  topics,
  topicSpec,
  type ExactlyOncePipeline,
  type IncomingRecord,
  type KafkaClient,
  type TopicSpec,
  type TransactionalOutput,
} from '../../core/kafka/index.js';
import type { Logger } from '../../core/log.js';
import { createMetricsRegistry, startStatusServer, type StatusServer } from '../../core/status.js';
import { signingKeyConfig, type FederationIndex } from '../directory/federation.js';
import { AuditChain, ChainVerifier, type AuditSigningKey, type ChainHead, type CheckpointPolicy } from './chain.js';
import { factFromRecord } from './facts.js';

export const auditConfigSchema = z.object({
  kafka: kafkaConfigSchema,
  federation: z.string().default('deploy/config/federation.yaml').describe('The federation file; networks added to it are audited without a restart.'),
  audit: z
    .object({
      instanceId: z
        .string()
        .regex(/^[a-z0-9-]+$/)
        .default('main')
        .describe('Stable id of the audit writer; its transactional id is comity-audit-<instanceId>. Run one.'),
      groupId: z.string().min(1).default('comity-audit').describe('Consumer group of the audit service.'),
      topic: z.string().min(1).default(topics.audit).describe('The audit topic (one partition, kept for ever).'),
      signingKey: signingKeyConfig.describe(
        "The hub's Ed25519 audit key: its key id (declared under hub.publicKeys in the federation file, so verifiers find it) and its PKCS#8 PEM file (mode 0600).",
      ),
      checkpointEvery: z.number().int().positive().default(1000).describe('A signed checkpoint after this many facts.'),
      checkpointIntervalMs: z
        .number()
        .int()
        .positive()
        .default(60_000)
        .describe('A signed checkpoint when facts have waited this long since the last one.'),
      statusHost: z.string().default('127.0.0.1'),
      statusPort: z.number().int().min(0).max(65535).default(0).describe('Port of /healthz, /readyz and /metrics; 0 picks one.'),
    })
    .describe('The audit service; `signingKey` is required.'),
});

export type AuditConfig = z.output<typeof auditConfigSchema>;

/** Reads the audit key file: the hub's Ed25519 signing key, with its key id. */
export function loadAuditKey(config: { keyId: string; privateKeyFile: string }): AuditSigningKey {
  const key = readPrivateKeyFile('signing', config.keyId, config.privateKeyFile);
  return { keyId: key.keyId, privateKey: key.privateKey };
}

/** The audit topic: one partition (one total order), never deleted. */
export function auditTopicSpec(topic: string): TopicSpec {
  return { ...topicSpec(topics.audit), topic };
}

export interface RunningAudit {
  readonly statusPort: number;
  /** The committed head of the chain. */
  head(): ChainHead;
  /** Re-reads the federation and starts auditing networks that were added. */
  refreshNetworks(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartAuditOptions {
  readonly kafka: KafkaClient;
  readonly federation: () => FederationIndex;
  readonly logger: Logger;
  readonly key: AuditSigningKey;
  readonly instanceId?: string;
  readonly groupId?: string;
  readonly topic?: string;
  readonly policy?: Partial<CheckpointPolicy>;
  readonly statusHost?: string;
  readonly statusPort?: number;
  readonly registry?: Registry;
  /** Called once when another instance took over the transactional id; the service has stopped. */
  readonly onFenced?: (error: ComityError) => void;
}

export async function startAudit(options: StartAuditOptions): Promise<RunningAudit> {
  const logger = options.logger.child({ component: 'audit' });
  const { kafka } = options;
  const auditTopic = options.topic ?? topics.audit;
  const instanceId = options.instanceId ?? 'main';
  const groupId = options.groupId ?? 'comity-audit';
  const transactionalId = `comity-audit-${instanceId}`;
  const policy: CheckpointPolicy = { everyFacts: options.policy?.everyFacts ?? 1000, everyMs: options.policy?.everyMs ?? 60_000 };

  const registry = options.registry ?? createMetricsRegistry({ process: 'audit' });
  const appended = new Counter({
    name: 'comity_audit_records_total',
    help: 'Records appended to the audit chain, by entry: the fact kind (received, routed, disclosed, refused, failed, delivered, not_delivered) or checkpoint.',
    labelNames: ['entry'] as const,
    registers: [registry],
  });
  const skipped = new Counter({
    name: 'comity_audit_duplicates_skipped_total',
    help: 'Source records fetched again that were already in the chain, and so not appended twice.',
    registers: [registry],
  });
  const sequenceGauge = new Gauge({ name: 'comity_audit_sequence', help: 'Sequence number of the last committed audit record.', registers: [registry] });
  const unsignedGauge = new Gauge({
    name: 'comity_audit_unsigned_facts',
    help: 'Facts committed after the last signed checkpoint.',
    registers: [registry],
  });

  const sourceTopics = (): string[] => {
    const networks = options.federation().federation.networks;
    const members = networks.filter((network) => network.role === 'member');
    return [
      ...members.flatMap((network) => [topics.inbound(network.id), topics.dlq(network.id)]),
      ...networks.map((network) => topics.outbound(network.id)),
    ].sort();
  };

  let watched = sourceTopics();
  await ensureTopics(kafka, [auditTopicSpec(auditTopic), ...watched.map((topic) => topicSpec(topic))]);

  // Take over the transactional id first: a predecessor's open transaction is aborted, and it
  // can commit nothing more; only then is the chain on the topic final enough to continue.
  let pipeline: ExactlyOncePipeline = await kafka.exactlyOnce({ groupId, topics: watched, transactionalId });
  const started = Date.now();
  const readBack = await readChain(kafka, auditTopic);
  const chain = new AuditChain(readBack.head, options.key, policy);
  /** Last audited offset per source `topic/partition`. */
  const audited = new Map(readBack.sources);
  logger.info(
    { sequence: readBack.head.sequence, sources: audited.size, ms: Date.now() - started },
    'audit chain read back; continuing from its last record',
  );
  sequenceGauge.set(readBack.head.sequence);
  unsignedGauge.set(readBack.head.factsSinceCheckpoint);

  /** Source positions of the batch whose transaction has not been confirmed yet. */
  let pendingSources = new Map<string, number>();
  let pendingTallies: string[] = [];
  let running = true;
  let fenced: ComityError | undefined;
  // Read through a function: the compiler cannot see reconcile() setting it.
  const fencedBy = (): ComityError | undefined => fenced;

  const applyCommitted = () => {
    chain.commit();
    for (const [source, offset] of pendingSources) audited.set(source, offset);
    for (const entry of pendingTallies) appended.inc({ entry });
    pendingSources = new Map();
    pendingTallies = [];
    sequenceGauge.set(chain.head.sequence);
    unsignedGauge.set(chain.head.factsSinceCheckpoint);
  };

  /**
   * The previous batch's transaction never reported its outcome (it failed, or we do not know
   * whether its commit went through). The topic says: its last record is the staged head (it
   * committed), the committed head (it did not), or neither (someone else is writing).
   */
  const reconcile = async () => {
    const onTopic = (await readChain(kafka, auditTopic)).head;
    const same = (a: ChainHead, b: ChainHead) => a.sequence === b.sequence && a.hash.equals(b.hash);
    if (same(onTopic, chain.stagedHead)) {
      logger.warn({ sequence: onTopic.sequence }, 'the previous audit transaction did commit; continuing after it');
      applyCommitted();
    } else if (same(onTopic, chain.head)) {
      chain.rollback();
      pendingSources = new Map();
      pendingTallies = [];
    } else {
      fenced = new ComityError(
        'AUDIT_FENCED',
        `another audit writer took over ${transactionalId}: ${auditTopic} ends at sequence ${onTopic.sequence}, this instance was at ${chain.head.sequence}; stopping`,
      );
      throw fenced;
    }
  };

  const transform = async (records: readonly IncomingRecord[]) => {
    if (fenced) throw fenced;
    try {
      if (chain.pending) await reconcile();
    } catch (error) {
      const takenOver = fencedBy();
      if (takenOver) {
        logger.error({ err: takenOver }, takenOver.message);
        setImmediate(() => void stop().then(() => options.onFenced?.(takenOver)));
      }
      throw error;
    }
    if (!chain.pending) {
      pendingSources = new Map();
      pendingTallies = [];
    }
    const outputs: TransactionalOutput[] = [];
    const now = new Date();
    for (const record of records) {
      const source = `${record.topic}/${record.partition}`;
      const offset = Number(record.offset);
      const done = pendingSources.get(source) ?? audited.get(source);
      if (done !== undefined && offset <= done) {
        skipped.inc();
        continue;
      }
      const fact = factFromRecord(record);
      if (!fact) continue;
      for (const entry of chain.append(fact, now)) {
        outputs.push({ topic: auditTopic, record: { key: String(entry.sequence), value: Buffer.from(AuditRecord.encode(entry).finish()), headers: AUDIT_HEADERS } });
        pendingTallies.push(entry.checkpoint ? 'checkpoint' : factLabel(fact.kind));
      }
      pendingSources.set(source, offset);
    }
    // A time-based checkpoint is due even when this batch brought nothing new.
    if (outputs.length === 0 && chain.checkpointDue(now.getTime())) {
      const entry = chain.checkpoint(now);
      outputs.push({ topic: auditTopic, record: { key: String(entry.sequence), value: Buffer.from(AuditRecord.encode(entry).finish()), headers: AUDIT_HEADERS } });
      pendingTallies.push('checkpoint');
    }
    return { outputs, onCommitted: applyCommitted };
  };

  await pipeline.run(transform);

  // Networks added to the federation: a new pipeline over the new topic list (same group,
  // same transactional id; the committed offsets of the old topics carry over).
  let refreshing: Promise<void> = Promise.resolve();
  const refreshNetworks = (): Promise<void> => {
    refreshing = refreshing.then(async () => {
      if (!running) return;
      const next = sourceTopics();
      if (next.join('\n') === watched.join('\n')) return;
      await ensureTopics(kafka, next.map((topic) => topicSpec(topic)));
      await pipeline.disconnect();
      watched = next;
      pipeline = await kafka.exactlyOnce({ groupId, topics: watched, transactionalId });
      await pipeline.run(transform);
      logger.info({ topics: watched.length }, 'federation changed: now auditing its networks');
    });
    return refreshing;
  };

  const status: StatusServer = await startStatusServer({
    host: options.statusHost,
    port: options.statusPort ?? 0,
    registry,
    readiness: { pipeline: () => (fenced ? fenced.message : running || 'stopped') },
  });
  logger.info({ statusPort: status.port, topics: watched.length, auditTopic }, 'audit started');

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      running = false;
      await refreshing.catch(() => undefined);
      await pipeline.disconnect();
      await status.close();
      logger.info({ sequence: chain.head.sequence }, 'audit stopped');
    })();
    return stopped;
  };

  return {
    statusPort: status.port,
    head: () => chain.head,
    refreshNetworks,
    stop,
  };
}

const AUDIT_HEADERS = { 'content-type': Buffer.from('application/protobuf; proto=comity.v1.AuditRecord', 'utf8') };

function factLabel(kind: AuditFactKind): string {
  return auditFactKindToJSON(kind).replace(/^AUDIT_FACT_KIND_/, '').toLowerCase();
}

async function ensureTopics(kafka: KafkaClient, specs: readonly TopicSpec[]): Promise<void> {
  const admin = await kafka.admin();
  try {
    await admin.ensureTopics(specs);
  } finally {
    await admin.disconnect();
  }
}

/** The chain on the topic, checked: its head and the last audited offset of each source. */
async function readChain(kafka: KafkaClient, topic: string): Promise<{ head: ChainHead; sources: ReadonlyMap<string, number> }> {
  const verifier = new ChainVerifier();
  for (const record of await kafka.readToEnd(topic)) {
    const broken = verifier.push(record.offset, record.value);
    if (broken) {
      throw new ComityError(
        'AUDIT_CHAIN_BROKEN',
        `the audit chain on ${topic} is broken at offset ${broken.offset} (sequence ${broken.sequence ?? '?'}): ${broken.detail}; run \`comity audit verify\` and investigate before appending to it`,
      );
    }
  }
  return { head: verifier.summary().head, sources: verifier.sources() };
}
