/**
 * The sample adapter in a process of its own, for tests that kill it: started with
 * `node --import tsx test/support/adapter-process.ts <config.json>`, prints `adapter-ready`
 * when it runs, stops cleanly on SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { adapterConfigSchema, startAdapter } from '../../adapters/sdk/runtime.js';
import { createLogger } from '../../core/log.js';
import { sampleAdapter } from './sample-adapter.js';

const file = process.argv[2];
if (!file) throw new Error('usage: adapter-process.ts <config.json>');
const raw = JSON.parse(readFileSync(file, 'utf8')) as { network: string };
const definition = sampleAdapter(raw.network);
const config = adapterConfigSchema(definition).parse(raw);
const adapter = await startAdapter(definition, config, { logger: createLogger({ name: `adapter.${raw.network}` }) });
process.stdout.write('adapter-ready\n');
process.once('SIGTERM', () => {
  adapter.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
