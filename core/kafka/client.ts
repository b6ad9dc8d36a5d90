/**
 * The only module that talks to kafkajs. Everything else gets records in and out through the
 * small interfaces below, so the client library could be replaced in one folder.
 *
 * Guarantees given here, once:
 * - producers are idempotent and wait for all in-sync replicas (`acks=-1`), so a send that
 *   resolved is durable and a retried send is not duplicated by the broker;
 * - consumers never auto-commit: an offset is committed only after the handler for that
 *   record resolved, so a crash re-delivers at most the records whose handling had not
 *   finished (at-least-once; edges de-duplicate by event id);
 * - topics are never created implicitly; {@link KafkaAdmin.ensureTopics} creates them with
 *   their declared settings.
 */
import kafkajs, {
  Kafka,
  logLevel as KafkaLogLevel,
  Partitioners,
  type AclEntry,
  type AclFilter,
  type Admin,
  type Consumer,
  type IHeaders,
  type KafkaMessage,
  type LogEntry,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import { BrokerUnavailableError, ComityError, isRetriable } from '../errors.js';
import type { Logger } from '../log.js';
import { readerGroupPrefix, type KafkaConfig } from './config.js';
import type { IncomingRecord, OutgoingRecord, RecordHeaders } from './records.js';
import type { TopicSpec } from './topics.js';

// kafkajs is CommonJS; Node sees these enums only on its default export.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ConfigResourceTypes, ResourcePatternTypes } = kafkajs;

export interface RecordProducer {
  /**
   * Appends records to a topic; resolves once the broker acknowledged all of them. Sends to the
   * same topic made while an earlier one is still on its way are coalesced into one produce
   * request (group commit), in the order they were made: many concurrent callers cost a few
   * round trips, not one each, and a lone send is not delayed.
   */
  send(topic: string, records: readonly OutgoingRecord[]): Promise<void>;
  disconnect(): Promise<void>;
}

export type RecordHandler = (record: IncomingRecord) => Promise<void>;

export interface ConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly (string | RegExp)[];
  /** Where a group without committed offsets starts; default: the earliest record. */
  readonly fromBeginning?: boolean;
  /** Partitions handled at the same time; records of one partition are always sequential. */
  readonly partitionsConcurrently?: number;
  /**
   * Awaited before the offsets of a partition are committed: work a handler started for its
   * records but did not wait for (an adapter's receipts) must be done before they count as
   * done. If it throws, nothing is committed and the records are handled again.
   */
  readonly beforeCommit?: (topic: string, partition: number) => Promise<void>;
  /**
   * The consumer stopped for good after it had started (kafkajs gives up restarting it after a
   * non-retriable error): nothing more will be consumed. A service reports it not ready and its
   * process exits, so that a supervisor starts it again.
   */
  readonly onCrash?: (error: Error) => void;
}

export interface RecordConsumer {
  /**
   * Starts consuming; `handle` is called for each record in partition order. When it resolves,
   * the record counts as done and its offset is committed (at the end of each fetched batch,
   * and before a rebalance or stop). When it throws, the records after the last done one are
   * fetched again after kafkajs' retry back-off. While a handler runs, however long (a delivery
   * retried while a native endpoint is down), the consumer keeps heartbeating, so it keeps its
   * partitions.
   */
  run(handle: RecordHandler): Promise<void>;
  /** Stops fetching, commits what was done, leaves the group. */
  disconnect(): Promise<void>;
}

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** Committed offset of the group, or -1 when it has none. */
  readonly committed: string;
  readonly end: string;
  readonly lag: number;
}

/**
 * Kafka refused an operation for lack of an ACL (or refused the credentials). Never retriable:
 * the same request fails until someone changes the ACLs. `kafkaError` is Kafka's error name,
 * e.g. TOPIC_AUTHORIZATION_FAILED, GROUP_AUTHORIZATION_FAILED, SASL_AUTHENTICATION_FAILED.
 */
export class KafkaAccessDeniedError extends ComityError {
  constructor(
    readonly kafkaError: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(kafkaError === 'SASL_AUTHENTICATION_FAILED' ? 'KAFKA_AUTHENTICATION_FAILED' : 'KAFKA_ACCESS_DENIED', message, {
      retriable: false,
      ...options,
    });
  }
}

/** One Kafka ACL: `principal` may (or may not) do `operation` on the resources the pattern names. */
export interface AclBinding {
  /** `User:<name>`. */
  readonly principal: string;
  readonly resourceType: AclResourceType;
  readonly resourceName: string;
  /** `literal`: exactly that name; `prefixed`: every name that starts with it. */
  readonly patternType: AclPatternType;
  readonly operation: AclOperation;
  readonly permission: 'allow' | 'deny';
  /** Client host; `*` for any. */
  readonly host: string;
}

export type AclResourceType = 'topic' | 'group' | 'transactional-id' | 'cluster';
export type AclPatternType = 'literal' | 'prefixed';
export type AclOperation =
  | 'all'
  | 'read'
  | 'write'
  | 'create'
  | 'delete'
  | 'alter'
  | 'describe'
  | 'cluster-action'
  | 'describe-configs'
  | 'alter-configs'
  | 'idempotent-write';

export interface KafkaAdmin {
  /** Creates the topics that do not exist yet; existing topics are left as they are. */
  ensureTopics(specs: readonly TopicSpec[]): Promise<string[]>;
  /** Every ACL of the cluster (needs DESCRIBE on the cluster). */
  describeAcls(): Promise<AclBinding[]>;
  createAcls(bindings: readonly AclBinding[]): Promise<void>;
  /** Deletes exactly these bindings; returns how many the cluster removed. */
  deleteAcls(bindings: readonly AclBinding[]): Promise<number>;
  listTopics(): Promise<string[]>;
  /** A broker's configuration as it reports it (sensitive values are null); default: the controller. */
  brokerConfig(brokerId?: number): Promise<Record<string, string | null>>;
  /** Node ids and the controller, which also proves the cluster answers. */
  describeCluster(): Promise<{ clusterId: string; brokers: number; controller: number | null }>;
  /** Lag of a consumer group on each partition of the given topics. */
  consumerLag(groupId: string, topics: readonly string[]): Promise<PartitionLag[]>;
  disconnect(): Promise<void>;
}

/** A record to produce inside a transaction. */
export interface TransactionalOutput {
  readonly topic: string;
  readonly record: OutgoingRecord;
}

export interface BatchResult {
  readonly outputs: readonly TransactionalOutput[];
  /** Runs after the transaction committed (e.g. to apply staged in-memory state). */
  readonly onCommitted?: () => void;
}

export interface ExactlyOnceOptions {
  readonly groupId: string;
  readonly topics: readonly (string | RegExp)[];
  /** Stable per instance: a restarted instance fences its zombie predecessor. */
  readonly transactionalId: string;
  readonly fromBeginning?: boolean;
  /**
   * Batches (of different partitions) in hand at once: above 1, batches are transformed while
   * a transaction commits and share the next one. Only for a `transform` whose batches do not
   * depend on each other's uncommitted state; default 1 (one batch, one transaction, in turn).
   */
  readonly batchesConcurrently?: number;
  /** As {@link ConsumerOptions.onCrash}. */
  readonly onCrash?: (error: Error) => void;
}

/**
 * Consume → transform → produce, exactly once: for each fetched batch (records of one
 * partition), the records `transform` returns and the batch's next offset are committed in
 * one Kafka transaction. Batches of several partitions are transformed while a transaction is
 * being committed, and go together into the next one (group commit: one transaction's round
 * trips for many batches); `transform` calls never overlap. If `transform` or the commit
 * fails, the transaction is aborted and its batches are fetched again; consumers reading
 * `read_committed` (the default here) never see the outputs of an aborted attempt.
 * `onCommitted` of every batch of a transaction runs as soon as it committed, before any
 * later `transform`.
 */
export interface ExactlyOncePipeline {
  run(transform: (records: readonly IncomingRecord[]) => Promise<BatchResult>): Promise<void>;
  disconnect(): Promise<void>;
}

export interface KafkaClient {
  producer(): Promise<RecordProducer>;
  consumer(options: ConsumerOptions): Promise<RecordConsumer>;
  exactlyOnce(options: ExactlyOnceOptions): Promise<ExactlyOncePipeline>;
  /** Every record of a topic from the beginning up to its current end (for compacted state). */
  readToEnd(topic: string): Promise<IncomingRecord[]>;
  admin(): Promise<KafkaAdmin>;
}

export function createKafkaClient(config: KafkaConfig, logger: Logger): KafkaClient {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  const kafka = new Kafka({
    clientId: config.clientId,
    brokers: [...config.brokers],
    ssl: config.ssl,
    sasl: config.sasl ? saslOptions(config.sasl) : undefined,
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    logLevel: KafkaLogLevel.WARN,
    logCreator: () => (entry: LogEntry) => logKafkaEntry(kafkaLogger, entry),
  });

  return {
    async producer() {
      const producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 5,
        allowAutoTopicCreation: false,
        // murmur2 on the key, as the Java client does: a request id maps to the same partition
        // whoever produces it.
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await connect(producer, 'producer', config);
      return wrapProducer(producer);
    },
    async consumer(options) {
      const consumer = kafka.consumer({
        groupId: options.groupId,
        allowAutoTopicCreation: false,
        retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 30_000 },
      });
      await connect(consumer, `consumer ${options.groupId}`, config);
      return wrapConsumer(consumer, options);
    },
    async exactlyOnce(options) {
      const producer = kafka.producer({
        transactionalId: options.transactionalId,
        idempotent: true,
        maxInFlightRequests: 1,
        // The next transaction often starts while the coordinator still writes the last one's
        // markers: Kafka answers CONCURRENT_TRANSACTIONS, and the Java client retries after
        // 20 ms. kafkajs' default first retry (300 ms) put up to a second between batches.
        retry: TRANSACTION_RETRY,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await connect(producer, `transactional producer ${options.transactionalId}`, config);
      const consumer = kafka.consumer({
        groupId: options.groupId,
        allowAutoTopicCreation: false,
        retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 30_000 },
      });
      await connect(consumer, `consumer ${options.groupId}`, config);
      return wrapExactlyOnce(producer, consumer, options);
    },
    async readToEnd(topic) {
      const admin = kafka.admin();
      await connect(admin, 'admin', config);
      const groupId = `${readerGroupPrefix(config.sasl?.username)}${process.pid}-${Date.now()}-${Math.random().toString(16).slice(2)}`;
      try {
        // A topic created a moment ago may not have its leaders yet.
        const offsets = await withRetries(() => admin.fetchTopicOffsets(topic)).catch((error: unknown) => rethrowDeniedOrUnavailable(error, `describe ${topic}`));
        const ends = new Map(offsets.map((p) => [p.partition, BigInt(p.high)]));
        const remaining = new Set([...ends].filter(([, high]) => high > 0n).map(([partition]) => partition));
        const records: IncomingRecord[] = [];
        if (remaining.size > 0) {
          const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
          await connect(consumer, `reader of ${topic}`, config);
          await consumer
            .subscribe({ topics: [topic], fromBeginning: true })
            .catch((error: unknown) => rethrowDenied(error, `read ${topic}`));
          // Completion is judged by the consumer's position, not by the last record seen: a
          // transactional topic ends with commit markers, which are never handed to us.
          await new Promise<void>((resolve, reject) => {
            consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
              const end = ends.get(payload.partition) ?? 0n;
              if (payload.topic === topic && BigInt(payload.lastOffset) + 1n >= end) {
                remaining.delete(payload.partition);
                if (remaining.size === 0) resolve();
              }
            });
            consumer.on(consumer.events.CRASH, ({ payload }) => {
              if (payload.restart) return;
              const failure = deniedOr(payload.error, `read ${topic} as group ${groupId}`);
              reject(failure instanceof Error ? failure : new Error(String(failure)));
            });
            consumer
              .run({
                autoCommit: false,
                eachBatch: async ({ batch }) => {
                  for (const message of batch.messages) {
                    if (BigInt(message.offset) < (ends.get(batch.partition) ?? 0n)) {
                      records.push(toIncomingRecord(topic, batch.partition, message));
                    }
                  }
                },
              })
              .catch(reject);
          });
          await consumer.disconnect();
          await admin.deleteGroups([groupId]).catch(() => undefined);
        }
        return records;
      } finally {
        await admin.disconnect();
      }
    },
    async admin() {
      const admin = kafka.admin();
      await connect(admin, 'admin', config);
      return wrapAdmin(admin);
    },
  };
}

/** Shortest time between two transactions of a pipeline that has more waiting (see commitStaged). */
const TRANSACTION_INTERVAL_MS = 25;

/** Retries of a transactional producer's requests: short first (see exactlyOnce), then as kafkajs' defaults. */
const TRANSACTION_RETRY = { initialRetryTime: 20, maxRetryTime: 30_000, retries: 10 };

/** Largest produce request made of coalesced records: well below Kafka's default 1 MiB per batch. */
const MAX_COALESCED_BYTES = 512 * 1024;

interface Settled {
  settle(failure?: Error): void;
}

/** The first items of `queue` whose records add up to at most `limit` bytes (always at least one). */
function takeChunk<T extends { readonly bytes: number }>(queue: T[], limit = MAX_COALESCED_BYTES): T[] {
  let bytes = 0;
  let count = 0;
  while (count < queue.length && (count === 0 || bytes + queue[count]!.bytes <= limit)) bytes += queue[count++]!.bytes;
  return queue.splice(0, count);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function recordBytes(record: OutgoingRecord): number {
  let bytes = Buffer.byteLength(record.key) + (record.value?.length ?? 0);
  for (const [name, value] of Object.entries(record.headers)) bytes += name.length + value.length;
  return bytes;
}

/** Records by topic, in the order given, as kafkajs' sendBatch takes them. */
function topicMessages(outputs: Iterable<TransactionalOutput>) {
  const byTopic = new Map<string, { key: string; value: Buffer | null; headers: RecordHeaders }[]>();
  for (const { topic, record } of outputs) {
    let messages = byTopic.get(topic);
    if (!messages) byTopic.set(topic, (messages = []));
    messages.push({ key: record.key, value: record.value, headers: record.headers });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

function wrapExactlyOnce(producer: Producer, consumer: Consumer, options: ExactlyOnceOptions): ExactlyOncePipeline {
  interface Staged extends Settled {
    readonly outputs: readonly TransactionalOutput[];
    readonly topic: string;
    readonly partition: number;
    readonly next: string;
    readonly onCommitted?: () => void;
  }
  let queue: Staged[] = [];
  let committing = false;
  let transforming: Promise<unknown> = Promise.resolve();

  let lastCommitAt = 0;

  /** One transaction for everything staged meanwhile (group commit), again until nothing is staged. */
  async function commitStaged(): Promise<void> {
    committing = true;
    while (queue.length > 0) {
      // Under load, transactions at most every TRANSACTION_INTERVAL_MS, each with what was staged
      // meanwhile (as Kafka Streams' commit interval): fewer, larger transactions. Idle, no wait.
      const wait = lastCommitAt + TRANSACTION_INTERVAL_MS - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const group = queue;
      queue = [];
      let failure: Error | undefined;
      const transaction = await producer.transaction().catch((error: unknown) => ((failure = asError(error)), undefined));
      if (transaction) {
        try {
          const outputs = group.flatMap((item) => item.outputs.map((output) => ({ ...output, bytes: recordBytes(output.record) })));
          while (outputs.length > 0) await transaction.sendBatch({ acks: -1, topicMessages: topicMessages(takeChunk(outputs)) });
          const offsets = new Map<string, { partition: number; offset: string }[]>();
          for (const item of group) offsets.set(item.topic, [...(offsets.get(item.topic) ?? []), { partition: item.partition, offset: item.next }]);
          await transaction.sendOffsets({ consumerGroupId: options.groupId, topics: [...offsets].map(([topic, partitions]) => ({ topic, partitions })) });
          await transaction.commit();
        } catch (error) {
          failure = asError(error);
          await transaction.abort().catch(() => undefined);
        }
      }
      lastCommitAt = Date.now();
      // Every batch of the transaction sees its state applied before any later transform runs.
      for (const item of group) {
        if (failure === undefined) {
          try {
            item.onCommitted?.();
          } catch (error) {
            item.settle(asError(error));
            continue;
          }
        }
        item.settle(failure);
      }
    }
    committing = false;
  }

  return {
    async run(transform) {
      await consumer
        .subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? true })
        .catch((error: unknown) => rethrowDenied(error, `subscribe to ${describeTopics(options.topics)}`));
      await runRefusingStartFailure(consumer, options.groupId, () => consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: options.batchesConcurrently ?? 1,
        eachBatch: async (payload) => {
          const { batch } = payload;
          if (batch.messages.length === 0 || payload.isStale()) return;
          const records = batch.messages.map((message) => toIncomingRecord(batch.topic, batch.partition, message));
          // transform calls never overlap, whatever kafkajs runs concurrently.
          const transformed = transforming.then(() => transform(records));
          transforming = transformed.catch(() => undefined);
          const result = await transformed;
          await new Promise<void>((resolve, reject) => {
            queue.push({
              outputs: result.outputs,
              topic: batch.topic,
              partition: batch.partition,
              next: (BigInt(batch.lastOffset()) + 1n).toString(),
              onCommitted: result.onCommitted,
              settle: (failure) => (failure === undefined ? resolve() : reject(failure)),
            });
            if (!committing) void commitStaged();
          });
        },
      }));
      reportCrashes(consumer, options.onCrash);
    },
    async disconnect() {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

function saslOptions(sasl: NonNullable<KafkaConfig['sasl']>): SASLOptions {
  return { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password };
}

async function connect(client: { connect(): Promise<void> }, what: string, config: KafkaConfig): Promise<void> {
  try {
    await client.connect();
  } catch (cause) {
    const denied = deniedOr(cause, `let ${config.sasl ? `"${config.sasl.username}"` : 'an unauthenticated client'} in (${what})`);
    if (denied !== cause) throw denied;
    throw new BrokerUnavailableError(
      `kafka ${what} could not connect to ${config.brokers.join(',')}: ${(cause as Error).message}`,
      { cause },
    );
  }
}

function wrapProducer(producer: Producer): RecordProducer {
  interface Queued extends Settled {
    readonly topic: string;
    readonly bytes: number;
    readonly outputs: readonly TransactionalOutput[];
  }
  let queue: Queued[] = [];
  let sending = false;

  /**
   * One produce request for what was queued meanwhile for one topic (group commit), again until
   * the queue is empty. One topic per request: a topic that refuses (no ACL, not there) fails
   * its own sends only.
   */
  async function sendQueued(): Promise<void> {
    sending = true;
    while (queue.length > 0) {
      const topic = queue[0]!.topic;
      const group = takeChunk(queue.filter((item) => item.topic === topic));
      const taken = new Set(group);
      queue = queue.filter((item) => !taken.has(item));
      let failure: Error | undefined;
      try {
        await producer.sendBatch({ acks: -1, topicMessages: topicMessages(group.flatMap((item) => item.outputs)) });
      } catch (error) {
        failure = asError(error);
      }
      for (const item of group) item.settle(failure);
    }
    sending = false;
  }

  return {
    async send(topic, records) {
      if (records.length === 0) return;
      await new Promise<void>((resolve, reject) => {
        queue.push({
          topic,
          bytes: records.reduce((sum, record) => sum + recordBytes(record), 0),
          outputs: records.map((record) => ({ topic, record })),
          settle: (failure) => (failure === undefined ? resolve() : reject(failure)),
        });
        if (!sending) void sendQueued();
      }).catch((error: unknown) => rethrowDenied(error, `write to ${topic}`));
    },
    disconnect: () => producer.disconnect(),
  };
}

/** How often a consumer heartbeats while a handler runs (kafkajs sends one per heartbeatInterval, 3 s, at most). */
const HANDLER_HEARTBEAT_MS = 1000;

function wrapConsumer(consumer: Consumer, options: ConsumerOptions): RecordConsumer {
  return {
    async run(handle) {
      await consumer
        .subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? true })
        .catch((error: unknown) => rethrowDenied(error, `subscribe to ${describeTopics(options.topics)}`));
      await runRefusingStartFailure(consumer, options.groupId, () => consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConcurrently ?? 1,
        eachBatch: async (payload) => {
          const { batch } = payload;
          let done: string | undefined;
          // kafkajs heartbeats only when asked. A handler busy for longer than the session
          // timeout would be dropped from the group, and kafkajs does not always recover from
          // that (seen: an adapter that never consumed again after a 30 s endpoint outage).
          // A failed heartbeat (the group is rebalancing) ends the batch after the current record.
          let rebalancing = false;
          const beat = setInterval(() => {
            payload.heartbeat().catch(() => (rebalancing = true));
          }, HANDLER_HEARTBEAT_MS);
          try {
            for (const message of batch.messages) {
              if (!payload.isRunning() || payload.isStale() || rebalancing) break;
              await handle(toIncomingRecord(batch.topic, batch.partition, message));
              payload.resolveOffset(message.offset);
              done = message.offset;
            }
          } finally {
            clearInterval(beat);
            if (done !== undefined && !payload.isStale()) {
              await options.beforeCommit?.(batch.topic, batch.partition);
              await consumer.commitOffsets([
                { topic: batch.topic, partition: batch.partition, offset: (BigInt(done) + 1n).toString() },
              ]);
            }
          }
          await payload.heartbeat();
        },
      }));
      reportCrashes(consumer, options.onCrash);
    },
    disconnect: () => consumer.disconnect(),
  };
}

/** Tells `onCrash` when kafkajs stops a running consumer for good (it restarts it after retriable errors). */
function reportCrashes(consumer: Consumer, onCrash: ((error: Error) => void) | undefined): void {
  if (!onCrash) return;
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) onCrash(asError(payload.error));
  });
}

/**
 * kafkajs' `run` resolves after the first join whether it worked or not: a consumer refused at
 * the start (no ACL for its group, no credentials) "crashes" in the background and stays dead.
 * Here such a start fails: `run` rejects with the reason.
 */
async function runRefusingStartFailure(consumer: Consumer, groupId: string, start: () => Promise<void>): Promise<void> {
  let failure: unknown;
  const off = consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) failure ??= payload.error;
  });
  try {
    await start();
  } finally {
    off();
  }
  if (failure === undefined) return;
  if ((failure as Error).name === 'KafkaJSGroupCoordinatorNotFound') {
    // kafkajs drops FindCoordinator's error code (GROUP_AUTHORIZATION_FAILED among others) and
    // reports only that no coordinator was found.
    throw new ComityError(
      'KAFKA_GROUP_COORDINATOR_NOT_FOUND',
      `kafka gave no coordinator for consumer group ${groupId}: the principal may lack an ACL for the group (Kafka then refuses FindCoordinator with GROUP_AUTHORIZATION_FAILED), or the coordinator is down`,
      { cause: failure },
    );
  }
  throw deniedOr(failure, `join consumer group ${groupId}`);
}

function describeTopics(topics: readonly (string | RegExp)[]): string {
  return topics.map((topic) => String(topic)).join(', ');
}

/** Kafka's refusals: an ACL is missing, or the credentials were not accepted. */
const ACCESS_ERRORS = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'SASL_AUTHENTICATION_FAILED',
]);

/** The Kafka error name of a refusal anywhere in `error`'s causes, or undefined. */
function accessDenied(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 5) return undefined;
  const candidate = error as { type?: unknown; name?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };
  if (typeof candidate.type === 'string' && ACCESS_ERRORS.has(candidate.type)) return candidate.type;
  if (candidate.name === 'KafkaJSSASLAuthenticationError') return 'SASL_AUTHENTICATION_FAILED';
  const nested: unknown[] = [candidate.cause, candidate.originalError, ...(Array.isArray(candidate.errors) ? (candidate.errors as unknown[]) : [])];
  for (const inner of nested) {
    const found = accessDenied(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** A refusal as a {@link KafkaAccessDeniedError} naming what was tried; anything else as it is. */
function deniedOr(error: unknown, what: string): unknown {
  const kafkaError = accessDenied(error);
  if (kafkaError === undefined) return error;
  return new KafkaAccessDeniedError(kafkaError, `kafka refused to ${what}: ${kafkaError} (${(error as Error).message})`, { cause: error });
}

function rethrowDenied(error: unknown, what: string): never {
  throw deniedOr(error, what);
}

/**
 * Like {@link rethrowDenied}, and a cluster kafkajs gave up reaching (its retries ran out on a
 * refused, lost or timed-out connection) as a {@link BrokerUnavailableError}, so that the
 * process reports it as such instead of crashing with kafkajs' stack.
 */
function rethrowDeniedOrUnavailable(error: unknown, what: string): never {
  if (error instanceof ComityError) throw error;
  const denied = deniedOr(error, what);
  if (denied === error && unreachable(error)) {
    throw new BrokerUnavailableError(`kafka could not ${what}: the cluster did not answer (${(error as Error).message})`, { cause: error });
  }
  throw denied;
}

const UNREACHABLE_ERRORS = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError', 'KafkaJSBrokerNotFound']);

function unreachable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const { name, cause } = error as { name?: unknown; cause?: unknown };
  return UNREACHABLE_ERRORS.has(String(name)) || unreachable(cause, depth + 1);
}

function toIncomingRecord(topic: string, partition: number, message: KafkaMessage): IncomingRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: toRecordHeaders(message.headers),
    timestamp: Number(message.timestamp),
  };
}

/** kafkajs gives header values as Buffer, string, or arrays of them; Comity headers are single-valued. */
function toRecordHeaders(headers: IHeaders | undefined): RecordHeaders {
  const result: RecordHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const single = Array.isArray(value) ? value.at(-1) : value;
    if (single === undefined) continue;
    result[name] = Buffer.isBuffer(single) ? single : Buffer.from(single);
  }
  return result;
}

function wrapAdmin(admin: Admin): KafkaAdmin {
  return {
    async ensureTopics(specs) {
      // Creating a topic is not instant on the broker: right after creation, metadata requests
      // may still answer "unknown topic". Such errors are retried, a few times, briefly.
      const created: string[] = [];
      await withRetries(async () => {
        const existing = new Set(await admin.listTopics());
        const missing = specs.filter((spec) => !existing.has(spec.topic));
        if (missing.length === 0) return;
        await admin
          .createTopics({
            waitForLeaders: true,
            topics: missing.map((spec) => ({
              topic: spec.topic,
              numPartitions: spec.partitions,
              replicationFactor: spec.replicationFactor,
              configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
            })),
          })
          .catch((error: unknown) => rethrowDenied(error, `create ${missing.map((spec) => spec.topic).join(', ')}`));
        created.push(...missing.map((spec) => spec.topic));
      }).catch((error: unknown) => rethrowDeniedOrUnavailable(error, 'list or create topics'));
      return created;
    },
    async describeAcls() {
      const filter: AclFilter = {
        resourceType: AclResourceTypes.ANY,
        resourcePatternType: ResourcePatternTypes.ANY,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      };
      const response = await admin.describeAcls(filter).catch((error: unknown) => rethrowDenied(error, 'describe ACLs'));
      return response.resources.flatMap((resource) =>
        resource.acls.map((acl) =>
          fromAclEntry({ ...acl, resourceType: resource.resourceType, resourceName: resource.resourceName, resourcePatternType: resource.resourcePatternType }),
        ),
      );
    },
    async createAcls(bindings) {
      if (bindings.length === 0) return;
      await admin.createAcls({ acl: bindings.map(toAclEntry) }).catch((error: unknown) => rethrowDenied(error, 'create ACLs'));
    },
    async deleteAcls(bindings) {
      if (bindings.length === 0) return 0;
      const response = await admin
        .deleteAcls({ filters: bindings.map(toAclEntry) })
        .catch((error: unknown) => rethrowDenied(error, 'delete ACLs'));
      return response.filterResponses.reduce((sum, filter) => sum + filter.matchingAcls.length, 0);
    },
    listTopics: () => admin.listTopics(),
    async brokerConfig(brokerId) {
      const id = brokerId ?? (await admin.describeCluster()).controller ?? 1;
      const response = await admin
        .describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.BROKER, name: String(id) }] })
        .catch((error: unknown) => rethrowDenied(error, `describe the configuration of broker ${id}`));
      return Object.fromEntries(response.resources.flatMap((resource) => resource.configEntries.map((entry) => [entry.configName, entry.configValue])));
    },
    async describeCluster() {
      const cluster = await admin.describeCluster();
      return { clusterId: cluster.clusterId, brokers: cluster.brokers.length, controller: cluster.controller };
    },
    async consumerLag(groupId, topics) {
      const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
      const lags: PartitionLag[] = [];
      for (const { topic, partitions } of committed) {
        const ends = await admin.fetchTopicOffsets(topic);
        for (const partition of partitions) {
          const end = ends.find((e) => e.partition === partition.partition)?.high ?? '0';
          const low = ends.find((e) => e.partition === partition.partition)?.low ?? '0';
          const from = partition.offset === '-1' ? BigInt(low) : BigInt(partition.offset);
          lags.push({
            topic,
            partition: partition.partition,
            committed: partition.offset,
            end,
            lag: Number(BigInt(end) - from),
          });
        }
      }
      return lags;
    },
    disconnect: () => admin.disconnect(),
  };
}

const RESOURCE_TYPES: Readonly<Record<AclResourceType, number>> = {
  topic: AclResourceTypes.TOPIC,
  group: AclResourceTypes.GROUP,
  'transactional-id': AclResourceTypes.TRANSACTIONAL_ID,
  cluster: AclResourceTypes.CLUSTER,
};
const PATTERN_TYPES: Readonly<Record<AclPatternType, number>> = {
  literal: ResourcePatternTypes.LITERAL,
  prefixed: ResourcePatternTypes.PREFIXED,
};
const OPERATIONS: Readonly<Record<AclOperation, number>> = {
  all: AclOperationTypes.ALL,
  read: AclOperationTypes.READ,
  write: AclOperationTypes.WRITE,
  create: AclOperationTypes.CREATE,
  delete: AclOperationTypes.DELETE,
  alter: AclOperationTypes.ALTER,
  describe: AclOperationTypes.DESCRIBE,
  'cluster-action': AclOperationTypes.CLUSTER_ACTION,
  'describe-configs': AclOperationTypes.DESCRIBE_CONFIGS,
  'alter-configs': AclOperationTypes.ALTER_CONFIGS,
  'idempotent-write': AclOperationTypes.IDEMPOTENT_WRITE,
};

function toAclEntry(binding: AclBinding): AclEntry {
  return {
    principal: binding.principal,
    host: binding.host,
    resourceType: RESOURCE_TYPES[binding.resourceType],
    resourceName: binding.resourceName,
    resourcePatternType: PATTERN_TYPES[binding.patternType],
    operation: OPERATIONS[binding.operation],
    permissionType: binding.permission === 'allow' ? AclPermissionTypes.ALLOW : AclPermissionTypes.DENY,
  };
}

function keyOf<K extends string, V>(table: Readonly<Record<K, V>>, value: V): K | undefined {
  return (Object.keys(table) as K[]).find((key) => table[key] === value);
}

/** An ACL the cluster reports; kinds Comity does not model (delegation tokens) are kept by name. */
function fromAclEntry(entry: AclEntry): AclBinding {
  return {
    principal: entry.principal,
    host: entry.host,
    resourceType: keyOf(RESOURCE_TYPES, entry.resourceType) ?? (`unknown-${entry.resourceType}` as AclResourceType),
    resourceName: entry.resourceName,
    patternType: keyOf(PATTERN_TYPES, entry.resourcePatternType) ?? (`unknown-${entry.resourcePatternType}` as AclPatternType),
    operation: keyOf(OPERATIONS, entry.operation) ?? (`unknown-${entry.operation}` as AclOperation),
    permission: entry.permissionType === AclPermissionTypes.DENY ? 'deny' : 'allow',
  };
}

/** Runs `operation` again, with a short growing pause, while it fails with a retriable error. */
async function withRetries<T>(operation: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= attempts || !isRetriable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 150 * attempt));
    }
  }
}

function logKafkaEntry(logger: Logger, entry: LogEntry): void {
  const { message, ...rest } = entry.log;
  const fields = { ...rest, namespace: entry.namespace };
  // kafkajs logs every failed broker response at ERROR, including the transient ones it
  // retries itself (a coordinator still loading, a transaction still completing); those are
  // warnings for an operator.
  const log = entry.log as { retryCount?: unknown; retryTime?: unknown };
  const retried = entry.namespace === 'Connection' || log.retryCount !== undefined || log.retryTime !== undefined;
  const level = entry.level === KafkaLogLevel.ERROR && retried ? KafkaLogLevel.WARN : entry.level;
  switch (level) {
    case KafkaLogLevel.ERROR:
      logger.error(fields, message);
      break;
    case KafkaLogLevel.WARN:
      logger.warn(fields, message);
      break;
    case KafkaLogLevel.INFO:
      logger.info(fields, message);
      break;
    default:
      logger.debug(fields, message);
  }
}
