/** `comity run …`: run one Comity process in the foreground until SIGTERM or Ctrl-C. */
import type { Command } from 'commander';
import { adapters, findAdapter } from '../../../adapters/registry.js';
import { adapterConfigSchema, startAdapter } from '../../../adapters/sdk/runtime.js';
import { loadConfig } from '../../../core/config.js';
import { ComityError } from '../../../core/errors.js';
import { createKafkaClient } from '../../../core/kafka/index.js';
import { createLogger } from '../../../core/log.js';
import { watchFederation } from '../../directory/federation.js';
import { routerConfigSchema, startRouter } from '../../router/service.js';

export function registerRunCommands(program: Command): void {
  const run = program.command('run').description('run one Comity process in the foreground');
  registerRouterCommand(run);

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
      process.stdout.write(`comity: adapter ${network} running (status on port ${adapter.statusPort})\n`);
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

/** `comity run router`: the hub's router. */
export function registerRouterCommand(run: Command): void {
  run
    .command('router')
    .description('route events between networks: inbound topics → policy → outbound topics, exactly once')
    .option('-c, --config <file>', 'YAML config file; KAFKA_BROKERS and COMITY_* override it')
    .action(async (options: { config?: string }) => {
      const config = loadConfig(routerConfigSchema, { file: options.config });
      const logger = createLogger({ name: 'router' });
      const federation = watchFederation(config.federation, {
        onReload: () => logger.info({ file: config.federation }, 'federation reloaded'),
        onError: (error) => logger.error({ err: error }, 'federation file refused; keeping the previous version'),
      });
      const router = await startRouter({
        kafka: createKafkaClient({ ...config.kafka, clientId: `comity-router-${config.router.instanceId}` }, logger),
        federation: federation.current,
        logger,
        instanceId: config.router.instanceId,
        statusHost: config.router.statusHost,
        statusPort: config.router.statusPort,
      });
      process.stdout.write(`comity: router running (status on port ${router.statusPort})\n`);
      await untilSignal();
      await router.stop();
      federation.close();
    });
}
