/** `comity run …`: run one Comity process in the foreground until SIGTERM or Ctrl-C. */
import type { Command } from 'commander';
import { adapters, findAdapter } from '../../../adapters/registry.js';
import { adapterConfigSchema, startAdapter } from '../../../adapters/sdk/runtime.js';
import { loadConfig } from '../../../core/config.js';
import { ComityError } from '../../../core/errors.js';
import { createKafkaClient } from '../../../core/kafka/index.js';
import { createLogger, type Logger } from '../../../core/log.js';
import { watchFederation } from '../../directory/federation.js';
import { registerMonitorCommand } from '../../monitor/command.js';
import { registerAuditRunCommand } from './audit.js';
import { registerStatsRunCommand } from './stats.js';
import { directoryConfigSchema, directorySigner, startDirectory } from '../../directory/service.js';
import { routerConfigSchema, routerSigner, startRouter } from '../../router/service.js';
import { startTracker, trackerConfigSchema } from '../../tracker/service.js';

export function registerRunCommands(program: Command): void {
  const run = program.command('run').description('run one Comity process in the foreground');
  registerRouterCommand(run);
  registerDirectoryCommand(run);
  registerTrackerCommand(run);
  registerMonitorCommand(run, stopOnSignal);
  registerAuditRunCommand(run, stopOnSignal);
  registerStatsRunCommand(run, stopOnSignal);

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
      const adapter = await startAdapter(definition, config, { logger, onFatal: exitOnFatal(logger) });
      process.stdout.write(`comity: adapter ${network} running (status on port ${adapter.statusPort})\n`);
      await stopOnSignal(() => adapter.stop());
    });
}

/**
 * A consumer of the process stopped for good (kafkajs gave up on it): the process would stay up
 * doing nothing, so it exits (code 1) for its supervisor to start it again; a new instance
 * takes over its consumer group and transactional id.
 */
function exitOnFatal(logger: Logger): (error: Error) => void {
  return (error) => {
    logger.fatal({ err: error }, 'stopped for good by a Kafka error; exiting so that a supervisor restarts the process');
    process.stderr.write(`comity: ${error.message}; exiting\n`);
    process.exit(1);
  };
}

/** How long a clean stop may take before the process exits anyway. */
const STOP_DEADLINE_MS = 45_000;

/**
 * Waits for SIGTERM or SIGINT, stops cleanly, then exits. A second signal, or a stop that takes
 * longer than STOP_DEADLINE_MS (a client library that does not let go), exits at once with a
 * non-zero code: the process never lingers after it was asked to stop.
 */
async function stopOnSignal(stop: () => Promise<void>): Promise<void> {
  await new Promise<void>((resolve) => {
    const onSignal = () => {
      process.once('SIGTERM', () => process.exit(130));
      process.once('SIGINT', () => process.exit(130));
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  const deadline = setTimeout(() => {
    process.stderr.write(`comity: did not stop within ${STOP_DEADLINE_MS} ms; exiting\n`);
    process.exit(1);
  }, STOP_DEADLINE_MS);
  deadline.unref();
  try {
    await stop();
  } catch (error) {
    process.stderr.write(`comity: stop failed: ${(error as Error).message}\n`);
    process.exit(1);
  }
  process.exit(0);
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
        signer: routerSigner(config),
        instanceId: config.router.instanceId,
        groupId: config.router.groupId,
        statusHost: config.router.statusHost,
        statusPort: config.router.statusPort,
        onFatal: exitOnFatal(logger),
      }).catch((error: unknown) => {
        // The watcher would keep a router that could not start (Kafka unreachable) alive for good.
        federation.close();
        throw error;
      });
      process.stdout.write(`comity: router running (status on port ${router.statusPort})\n`);
      await stopOnSignal(async () => {
        await router.stop();
        federation.close();
      });
    });
}

/** `comity run tracker`: request records, deadlines and the FederationService. */
export function registerTrackerCommand(run: Command): void {
  run
    .command('tracker')
    .description("follow every request's lifecycle and deadlines; serve the gRPC FederationService")
    .option('-c, --config <file>', 'YAML config file; KAFKA_BROKERS and COMITY_* override it')
    .action(async (options: { config?: string }) => {
      const config = loadConfig(trackerConfigSchema, { file: options.config });
      const logger = createLogger({ name: 'tracker' });
      const federation = watchFederation(config.federation, {
        onReload: () => logger.info({ file: config.federation }, 'federation reloaded'),
        onError: (error) => logger.error({ err: error }, 'federation file refused; keeping the previous version'),
      });
      const tracker = await startTracker({
        kafka: createKafkaClient({ ...config.kafka, clientId: `comity-tracker-${config.tracker.instanceId}` }, logger),
        federation: federation.current,
        logger,
        instanceId: config.tracker.instanceId,
        groupId: config.tracker.groupId,
        grpcHost: config.tracker.grpcHost,
        grpcPort: config.tracker.grpcPort,
        statusHost: config.tracker.statusHost,
        statusPort: config.tracker.statusPort,
        policy: { receiptTimeoutMs: config.tracker.receiptTimeoutMs },
        alertIntervalMs: config.tracker.alertIntervalMs,
        onFatal: exitOnFatal(logger),
      }).catch((error: unknown) => {
        federation.close();
        throw error;
      });
      process.stdout.write(`comity: tracker running (gRPC on ${config.tracker.grpcHost}:${tracker.grpcPort}, status on port ${tracker.statusPort})\n`);
      await stopOnSignal(async () => {
        await tracker.stop();
        federation.close();
      });
    });
}

/** `comity run directory`: the federation directory on comity.directory and over gRPC. */
export function registerDirectoryCommand(run: Command): void {
  run
    .command('directory')
    .description('publish the federation file to comity.directory and serve it over gRPC; file changes apply without a restart')
    .option('-c, --config <file>', 'YAML config file; KAFKA_BROKERS and COMITY_* override it')
    .action(async (options: { config?: string }) => {
      const config = loadConfig(directoryConfigSchema, { file: options.config });
      const logger = createLogger({ name: 'directory' });
      const directory = await startDirectory({
        kafka: createKafkaClient({ ...config.kafka, clientId: 'comity-directory' }, logger),
        federationFile: config.federation,
        logger,
        signer: directorySigner(config),
        grpcHost: config.directory.grpcHost,
        grpcPort: config.directory.grpcPort,
        statusHost: config.directory.statusHost,
        statusPort: config.directory.statusPort,
      });
      process.stdout.write(
        `comity: directory running (gRPC on ${config.directory.grpcHost}:${directory.grpcPort}, status on port ${directory.statusPort})\n`,
      );
      await stopOnSignal(() => directory.stop());
    });
}
