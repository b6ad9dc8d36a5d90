/** `comity run …`: run one Comity process in the foreground until SIGTERM or Ctrl-C. */
import type { Command } from 'commander';
import { adapters, findAdapter } from '../../../adapters/registry.js';
import { adapterConfigSchema, startAdapter } from '../../../adapters/sdk/runtime.js';
import { loadConfig } from '../../../core/config.js';
import { ComityError } from '../../../core/errors.js';
import { createLogger } from '../../../core/log.js';

export function registerRunCommands(program: Command): void {
  const run = program.command('run').description('run one Comity process in the foreground');

  run
    .command('adapter')
    .description("run a network's adapter: native messages in and out, events on Kafka")
    .argument('<network>', 'network id, as in the registry (see `comity adapter list`)')
    .requiredOption('-c, --config <file>', 'YAML config file (docs/writing-an-adapter.md); KAFKA_BROKERS and COMITY_* override it')
    .action(async (network: string, options: { config: string }) => {
      const definition = findAdapter(network);
      if (!definition) {
        const known = adapters.map((adapter) => adapter.network).join(', ') || 'none';
        throw new ComityError('UNKNOWN_ADAPTER', `no adapter for network "${network}" (registered: ${known})`);
      }
      const config = loadConfig(adapterConfigSchema(definition), { file: options.config });
      const logger = createLogger({ name: `adapter.${network}` });
      const adapter = await startAdapter(definition, config, { logger });
      await untilSignal();
      await adapter.stop();
    });
}

/** Resolves on the first SIGTERM or SIGINT; a second one exits at once. */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = () => {
      process.once('SIGTERM', () => process.exit(130));
      process.once('SIGINT', () => process.exit(130));
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}
