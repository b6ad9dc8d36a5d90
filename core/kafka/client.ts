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
import {
  Kafka,
  logLevel as KafkaLogLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type IHeaders,
  type KafkaMessage,
  type LogEntry,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import { BrokerUnavailableError, isRetriable } from '../errors.js';
import type { Logger } from '../log.js';
import type { KafkaConfig } from './config.js';
import type { IncomingRecord, OutgoingRecord, RecordHeaders, RecordPosition } from './records.js';
import type { TopicSpec } from './topics.js';

export interface RecordProducer {
  /** Appends records to a topic; resolves once the broker acknowledged all of them. */
  send(topic: string, records: readonly OutgoingRecord[]): Promise<RecordPosition[]>;
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
}

export interface RecordConsumer {
  /**
   * Starts consuming; `handle` is called for each record in partition order. When it resolves,
   * the record counts as done and its offset is committed (at the end of each fetched batch,
   * and before a rebalance or stop). When it throws, the records after the last done one are
   * fetched again after kafkajs' retry back-off.
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

export interface KafkaAdmin {
  /** Creates the topics that do not exist yet; existing topics are left as they are. */
  ensureTopics(specs: readonly TopicSpec[]): Promise<string[]>;
  listTopics(): Promise<string[]>;
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
}

/**
 * Consume → transform → produce, exactly once: for each fetched batch (records of one
 * partition), the records `transform` returns and the batch's next offset are committed in
 * one Kafka transaction. If `transform` or the commit fails, the transaction is aborted and
 * the batch is fetched again; consumers reading `read_committed` (the default here) never see
 * the outputs of an aborted attempt.
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
      const groupId = `comity-read-${process.pid}-${Date.now()}-${Math.random().toString(16).slice(2)}`;
      try {
        // A topic created a moment ago may not have its leaders yet.
        const offsets = await withRetries(() => admin.fetchTopicOffsets(topic));
        const ends = new Map(offsets.map((p) => [p.partition, BigInt(p.high)]));
        const remaining = new Set([...ends].filter(([, high]) => high > 0n).map(([partition]) => partition));
        const records: IncomingRecord[] = [];
        if (remaining.size > 0) {
          const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
          await connect(consumer, `reader of ${topic}`, config);
          await consumer.subscribe({ topics: [topic], fromBeginning: true });
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

function wrapExactlyOnce(producer: Producer, consumer: Consumer, options: ExactlyOnceOptions): ExactlyOncePipeline {
  return {
    async run(transform) {
      await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: false,
        // One transaction at a time per producer.
        partitionsConsumedConcurrently: 1,
        eachBatch: async (payload) => {
          const { batch } = payload;
          if (batch.messages.length === 0 || payload.isStale()) return;
          const records = batch.messages.map((message) => toIncomingRecord(batch.topic, batch.partition, message));
          const result = await transform(records);
          const transaction = await producer.transaction();
          try {
            const byTopic = new Map<string, OutgoingRecord[]>();
            for (const output of result.outputs) {
              byTopic.set(output.topic, [...(byTopic.get(output.topic) ?? []), output.record]);
            }
            for (const [topic, outgoing] of byTopic) {
              await transaction.send({
                topic,
                acks: -1,
                messages: outgoing.map((record) => ({ key: record.key, value: record.value, headers: record.headers })),
              });
            }
            await transaction.sendOffsets({
              consumerGroupId: options.groupId,
              topics: [
                {
                  topic: batch.topic,
                  partitions: [{ partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() }],
                },
              ],
            });
            await transaction.commit();
          } catch (error) {
            await transaction.abort().catch(() => undefined);
            throw error;
          }
          result.onCommitted?.();
        },
      });
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
    throw new BrokerUnavailableError(
      `kafka ${what} could not connect to ${config.brokers.join(',')}: ${(cause as Error).message}`,
      { cause },
    );
  }
}

function wrapProducer(producer: Producer): RecordProducer {
  return {
    async send(topic, records) {
      if (records.length === 0) return [];
      const results = await producer.send({
        topic,
        acks: -1,
        messages: records.map((record) => ({ key: record.key, value: record.value, headers: record.headers })),
      });
      // kafkajs reports the base offset per partition; records of one partition are contiguous.
      const positions: RecordPosition[] = [];
      for (const result of results) {
        positions.push({ topic: result.topicName, partition: result.partition, offset: result.baseOffset ?? '-1' });
      }
      return positions;
    },
    disconnect: () => producer.disconnect(),
  };
}

function wrapConsumer(consumer: Consumer, options: ConsumerOptions): RecordConsumer {
  return {
    async run(handle) {
      await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConcurrently ?? 1,
        eachBatch: async (payload) => {
          const { batch } = payload;
          let done: string | undefined;
          try {
            for (const message of batch.messages) {
              if (!payload.isRunning() || payload.isStale()) break;
              await handle(toIncomingRecord(batch.topic, batch.partition, message));
              payload.resolveOffset(message.offset);
              done = message.offset;
              await payload.heartbeat();
            }
          } finally {
            if (done !== undefined && !payload.isStale()) {
              await consumer.commitOffsets([
                { topic: batch.topic, partition: batch.partition, offset: (BigInt(done) + 1n).toString() },
              ]);
            }
          }
        },
      });
    },
    disconnect: () => consumer.disconnect(),
  };
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
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((spec) => ({
            topic: spec.topic,
            numPartitions: spec.partitions,
            replicationFactor: spec.replicationFactor,
            configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
          })),
        });
        created.push(...missing.map((spec) => spec.topic));
      });
      return created;
    },
    listTopics: () => admin.listTopics(),
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
