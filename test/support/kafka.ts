/** Shared helpers for integration tests: a client on the run's broker, unique names. */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createKafkaClient, topicSpec, type IncomingRecord, type KafkaClient } from '../../core/kafka/index.js';
import { createLogger } from '../../core/log.js';

/** A client on the run's broker; `level` quiets tests whose failures are deliberate. */
export function testKafka(clientId = 'comity-test', level = process.env.COMITY_LOG_LEVEL ?? 'warn'): KafkaClient {
  return createKafkaClient(
    { brokers: inject('kafkaBrokers'), clientId, ssl: false, connectionTimeoutMs: 3000, requestTimeoutMs: 30000 },
    createLogger({ name: clientId, level }),
  );
}

/** A network id no other test uses, so per-network topics do not collide. */
export function uniqueNetworkId(prefix = 'test'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export async function createTopics(kafka: KafkaClient, topics: readonly string[], partitions = 3): Promise<void> {
  const admin = await kafka.admin();
  try {
    await admin.ensureTopics(topics.map((topic) => topicSpec(topic, { partitions })));
  } finally {
    await admin.disconnect();
  }
}

/** Resolves when `predicate` holds, polling; rejects with `what` after `timeoutMs`. */
export async function eventually(predicate: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Records arriving on a topic from its beginning, read by a consumer group of their own. */
export interface Collector {
  readonly records: IncomingRecord[];
  stop(): Promise<void>;
}

export async function collect(kafka: KafkaClient, topic: string): Promise<Collector> {
  const records: IncomingRecord[] = [];
  const consumer = await kafka.consumer({ groupId: uniqueName('collect'), topics: [topic] });
  await consumer.run(async (record) => void records.push(record));
  return { records, stop: () => consumer.disconnect() };
}
