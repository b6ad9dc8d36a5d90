/** vitest globalSetup for the integration project: one real broker for the whole run. */
import 'vitest';
import type { TestProject } from 'vitest/node';
import { obtainBroker, type TestBroker } from './broker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Read through test/support (testKafka, testKafkaConfig, comityEnv, startComity), never directly. */
    kafkaBrokers: string[];
    /** The broker's super user credentials, or null for a broker without authentication. */
    kafkaSasl: TestBroker['sasl'];
    /** Where the broker came from: tests that provision principals use only a broker of their own run. */
    kafkaOrigin: TestBroker['origin'];
    /** Where kcat connects (see TestBroker.tools). */
    kafkaTools: TestBroker['tools'];
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const broker = await obtainBroker();
  const auth = broker.sasl ? `SASL ${broker.sasl.mechanism} as ${broker.sasl.username}` : 'no authentication';
  process.stderr.write(`kafka: ${broker.origin} broker at ${broker.brokers.join(',')}, ${auth} (${Date.now() - started} ms)\n`);
  project.provide('kafkaBrokers', broker.brokers);
  project.provide('kafkaSasl', broker.sasl);
  project.provide('kafkaOrigin', broker.origin);
  project.provide('kafkaTools', broker.tools);
  return () => broker.stop();
}
