/** vitest globalSetup for the integration project: one real broker for the whole run. */
import 'vitest';
import type { TestProject } from 'vitest/node';
import { obtainBroker } from './broker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const broker = await obtainBroker();
  process.stderr.write(`kafka: ${broker.origin} broker at ${broker.brokers.join(',')} (${Date.now() - started} ms)\n`);
  project.provide('kafkaBrokers', broker.brokers);
  return () => broker.stop();
}
