/**
 * The one way tests get a Kafka broker. In order:
 *   1. `KAFKA_BROKERS` — an existing cluster (e.g. one started with `npx comity kafka start`),
 *      with SASL/SCRAM credentials from COMITY_KAFKA__SASL__USERNAME / __PASSWORD if set;
 *   2. testcontainers' Kafka module, when a Docker engine answers;
 *   3. Apache Kafka's own Maven Central artifacts, run as a local KRaft broker (no Docker),
 *      secured with SASL/SCRAM-SHA-512 and ACLs; tests connect as its bootstrap admin;
 *   4. otherwise one error that names all three.
 * It is always a real broker, never a mock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NoBrokerError } from '../../core/errors.js';
import { startLocalBroker } from '../../deploy/kafka/local-broker.js';

/** SASL credentials of a super user of the test broker. */
export interface TestSasl {
  readonly mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain';
  readonly username: string;
  readonly password: string;
}

export interface TestBroker {
  readonly brokers: string[];
  /** Credentials to connect with; null where the broker takes unauthenticated clients. */
  readonly sasl: TestSasl | null;
  /** How it was obtained, for the test log. */
  readonly origin: 'KAFKA_BROKERS' | 'testcontainers' | 'local';
  /**
   * Where librdkafka-based tools (kcat) connect, when that differs from `brokers`: the local
   * broker's SASL/PLAIN tools listener, because Debian 12's librdkafka cannot do SCRAM with
   * Kafka 4 (deploy/kafka/local-broker.ts, `toolsListener`).
   */
  readonly tools: { readonly brokers: string[]; readonly sasl: TestSasl | null };
  stop(): Promise<void>;
}

const DOCKER_PROBE_TIMEOUT_MS = 5_000;

export async function obtainBroker(env: NodeJS.ProcessEnv = process.env): Promise<TestBroker> {
  const fromEnv = env.KAFKA_BROKERS?.split(',').map((b) => b.trim()).filter(Boolean) ?? [];
  if (fromEnv.length > 0) {
    const sasl = saslFromEnv(env);
    return { brokers: fromEnv, sasl, origin: 'KAFKA_BROKERS', tools: { brokers: fromEnv, sasl }, stop: async () => {} };
  }

  const failures: string[] = ['KAFKA_BROKERS is not set'];

  const docker = await dockerEngineAnswers();
  if (docker === true) {
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const container = await new KafkaContainer(env.COMITY_KAFKA_IMAGE ?? 'confluentinc/cp-kafka:7.9.0').withKraft().start();
    const brokers = [`${container.getHost()}:${container.getMappedPort(9093)}`];
    return {
      brokers,
      sasl: null,
      origin: 'testcontainers',
      tools: { brokers, sasl: null },
      stop: async () => void (await container.stop()),
    };
  }
  failures.push(`no Docker engine for testcontainers (${docker})`);

  const dataDir = mkdtempSync(join(tmpdir(), 'comity-test-kafka-'));
  try {
    const broker = await startLocalBroker({ dataDir, port: 0, toolsListener: true });
    return {
      brokers: broker.brokers,
      sasl: broker.admin,
      origin: 'local',
      tools: broker.tools ?? { brokers: broker.brokers, sasl: broker.admin },
      stop: async () => {
        await broker.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    failures.push(`the local Maven-resolved broker failed (${(error as Error).message})`);
  }
  throw new NoBrokerError(
    `no Kafka broker for the tests: ${failures.join('; ')}. ` +
      'Set KAFKA_BROKERS to a running cluster, or start Docker, or install java and mvn (see README).',
  );
}

/** COMITY_KAFKA__SASL__USERNAME / __PASSWORD (and __MECHANISM, default scram-sha-512), or null. */
function saslFromEnv(env: NodeJS.ProcessEnv): TestSasl | null {
  const username = env.COMITY_KAFKA__SASL__USERNAME;
  const password = env.COMITY_KAFKA__SASL__PASSWORD;
  if (!username || !password) return null;
  const mechanism = (env.COMITY_KAFKA__SASL__MECHANISM ?? 'scram-sha-512') as TestSasl['mechanism'];
  return { mechanism, username, password };
}

/** `true`, or why not. */
async function dockerEngineAnswers(): Promise<true | string> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const probe = getContainerRuntimeClient().then(() => true as const);
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('timed out'), DOCKER_PROBE_TIMEOUT_MS).unref());
    return await Promise.race([probe, timeout]);
  } catch (error) {
    return (error as Error).message.split('\n')[0] ?? 'unknown';
  }
}
