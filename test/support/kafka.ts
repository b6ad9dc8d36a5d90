/**
 * Shared helpers for integration tests: a client on the run's broker, unique names. The run's
 * broker may require SASL (the local broker does: tests connect as its super user); get
 * connection settings only from here, never from `inject('kafkaBrokers')` directly:
 * - `testKafka()` — a KafkaClient;
 * - `testKafkaConfig()` — the `kafka:` section of a Comity config (adapters started in-process);
 * - `comityEnv()` — environment variables for a spawned Comity process (see processes.ts);
 * - `kcatArgs()` — kcat's broker and SASL arguments.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createKafkaClient, topicSpec, type IncomingRecord, type KafkaClient, type KafkaConfig } from '../../core/kafka/index.js';
import { createLogger } from '../../core/log.js';

/** The `kafka:` config of a Comity process on the run's broker, as its super user. */
export function testKafkaConfig(clientId = 'comity-test'): KafkaConfig {
  const sasl = inject('kafkaSasl');
  return {
    brokers: inject('kafkaBrokers'),
    clientId,
    ...(sasl ? { sasl } : {}),
    ssl: false,
    connectionTimeoutMs: 3000,
    requestTimeoutMs: 30000,
  };
}

/** A client on the run's broker; `level` quiets tests whose failures are deliberate. */
export function testKafka(clientId = 'comity-test', level = process.env.COMITY_LOG_LEVEL ?? 'warn'): KafkaClient {
  return createKafkaClient(testKafkaConfig(clientId), createLogger({ name: clientId, level }));
}

/**
 * Environment variables that connect a spawned Comity process (`comity …`, a tsx script that
 * calls loadConfig) to the run's broker: KAFKA_BROKERS and, where the broker needs them,
 * COMITY_KAFKA__SASL__MECHANISM / __USERNAME / __PASSWORD. Spread over process.env:
 * `spawn(…, { env: { ...process.env, ...comityEnv() } })`.
 */
export function comityEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const sasl = inject('kafkaSasl');
  return {
    KAFKA_BROKERS: inject('kafkaBrokers').join(','),
    ...(sasl
      ? {
          COMITY_KAFKA__SASL__MECHANISM: sasl.mechanism,
          COMITY_KAFKA__SASL__USERNAME: sasl.username,
          COMITY_KAFKA__SASL__PASSWORD: sasl.password,
        }
      : {}),
    ...extra,
  };
}

/** kcat's arguments: `-b <brokers>` of the tools listener (see TestBroker.tools) and, with SASL, the `-X` settings. */
export function kcatArgs(): string[] {
  const { brokers, sasl } = inject('kafkaTools');
  const args = ['-b', brokers.join(',')];
  if (sasl) {
    args.push(
      '-X', 'security.protocol=SASL_PLAINTEXT',
      '-X', `sasl.mechanisms=${sasl.mechanism.toUpperCase()}`,
      '-X', `sasl.username=${sasl.username}`,
      '-X', `sasl.password=${sasl.password}`,
    );
  }
  return args;
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
