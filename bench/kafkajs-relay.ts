/**
 * Part (a) of the benchmark: a bare kafkajs relay over two hops, moving the same records as
 * Comity (the EJN adapter's inbound record: key, value, headers):
 *
 *   bench producer → topic 1 → relay process (consume, produce, commit) → topic 2 → bench consumer
 *
 * The producers are configured as Comity's (idempotent, acks=-1, up to 5 requests in flight)
 * and the bench producer sends one record per send() like an adapter does per native message,
 * so the difference to part (b) is what Comity adds, not a different use of the client. This
 * file and core/kafka are the only places that import kafkajs (eslint.config.js says so).
 *
 * Run as a script (`node --import tsx bench/kafkajs-relay.ts`) it is the relay process itself,
 * configured by BENCH_RELAY_* variables.
 */
import { Kafka, logLevel, Partitioners, type Consumer, type Producer, type SASLOptions } from 'kafkajs';
import { fileURLToPath } from 'node:url';
import type { ValueRecord } from '../core/kafka/records.js';
import type { Target } from './driver.js';
import { startProcess, type BenchProcess } from './support.js';

export interface RelayConnection {
  readonly brokers: readonly string[];
  readonly sasl: { mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain'; username: string; password: string } | null;
}

function kafkaFor(connection: RelayConnection, clientId: string): Kafka {
  const sasl = connection.sasl ? ({ ...connection.sasl } as SASLOptions) : undefined;
  return new Kafka({ clientId, brokers: [...connection.brokers], ...(sasl ? { sasl } : {}), logLevel: logLevel.ERROR });
}

function comityLikeProducer(kafka: Kafka): Producer {
  return kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
}

/** The relay process: every fetched batch is produced to the next topic, then its offsets committed. */
async function relayMain(): Promise<void> {
  const connection = JSON.parse(process.env.BENCH_RELAY_CONNECTION ?? '{}') as RelayConnection;
  const from = process.env.BENCH_RELAY_FROM ?? '';
  const to = process.env.BENCH_RELAY_TO ?? '';
  const kafka = kafkaFor(connection, 'bench-relay');
  const producer = comityLikeProducer(kafka);
  const consumer = kafka.consumer({ groupId: process.env.BENCH_RELAY_GROUP ?? 'bench-relay', allowAutoTopicCreation: false });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [from], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch }) => {
      if (batch.messages.length === 0) return;
      await producer.send({
        topic: to,
        acks: -1,
        messages: batch.messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
      });
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() }]);
    },
  });
  process.stdout.write('bench relay running\n');
  const stop = async () => {
    await consumer.disconnect();
    await producer.disconnect();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

export interface KafkajsRelayPart {
  readonly target: Target;
  readonly relay: BenchProcess;
  stop(): Promise<void>;
}

/** Starts the relay process, a producer onto topic 1 and a consumer of topic 2 that notes arrivals by key. */
export async function startKafkajsRelay(options: {
  connection: RelayConnection;
  topic1: string;
  topic2: string;
  group: string;
  record: (index: number) => ValueRecord;
}): Promise<KafkajsRelayPart> {
  const relay = await startProcess(
    'kafkajs-relay',
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url)],
    /bench relay running/,
    { BENCH_RELAY_CONNECTION: JSON.stringify(options.connection), BENCH_RELAY_FROM: options.topic1, BENCH_RELAY_TO: options.topic2, BENCH_RELAY_GROUP: `${options.group}-relay` },
  );
  const kafka = kafkaFor(options.connection, 'bench-kafkajs');
  const producer = comityLikeProducer(kafka);
  const consumer: Consumer = kafka.consumer({ groupId: `${options.group}-sink`, allowAutoTopicCreation: false });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [options.topic2], fromBeginning: true });
  const arrivals = new Map<string, number>();
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch }) => {
      const now = performance.now();
      for (const message of batch.messages) {
        const key = message.key?.toString() ?? '';
        if (!arrivals.has(key)) arrivals.set(key, now);
      }
    },
  });
  return {
    relay,
    target: {
      name: '(a) kafkajs relay',
      arrivals,
      memory: () => ({ relay: relay.peakRss() }),
      async send(index) {
        const record = options.record(index);
        await producer.send({ topic: options.topic1, acks: -1, messages: [{ key: record.key, value: record.value, headers: record.headers }] });
        return record.key;
      },
    },
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
      await relay.stop();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  relayMain().catch((error: unknown) => {
    process.stderr.write(`bench relay failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}

/** Removes the benchmark's own topics (core/kafka's admin does not delete topics: Comity never does). */
export async function deleteTopics(connection: RelayConnection, topics: readonly string[]): Promise<void> {
  const admin = kafkaFor(connection, 'bench-admin').admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [...topics] });
  } finally {
    await admin.disconnect();
  }
}
