/** `comity run monitor`: flows, lag, Prometheus metrics, the MonitorService and the dashboard. */
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../core/config.js';
import { createKafkaClient } from '../../core/kafka/index.js';
import { createLogger } from '../../core/log.js';
import { watchFederation } from '../directory/federation.js';
import { opsDeadLetterOperations } from './dead-letters.js';
import { monitorConfigSchema, startMonitor } from './service.js';

export function registerMonitorCommand(run: Command, stopOnSignal: (stop: () => Promise<void>) => Promise<void>): void {
  run
    .command('monitor')
    .description('count the flows between networks, serve the dashboard (http://127.0.0.1:8080), the gRPC MonitorService and /metrics')
    .option('-c, --config <file>', 'YAML config file (docs/monitoring.md); KAFKA_BROKERS and COMITY_* override it')
    .option('--host <address>', 'address of the dashboard (overrides monitor.host)')
    .option('--port <port>', 'port of the dashboard; 0 picks one (overrides monitor.port)', parsePort)
    .action(async (options: { config?: string; host?: string; port?: number }) => {
      const config = loadConfig(monitorConfigSchema, { file: options.config });
      const logger = createLogger({ name: 'monitor' });
      const federation = watchFederation(config.federation, {
        onReload: () => logger.info({ file: config.federation }, 'federation reloaded'),
        onError: (error) => logger.error({ err: error }, 'federation file refused; keeping the previous version'),
      });
      const settings = config.monitor;
      const host = options.host ?? settings.host;
      const kafka = createKafkaClient({ ...config.kafka, clientId: `comity-monitor-${settings.instanceId}` }, logger);
      const monitor = await startMonitor({
        kafka,
        federation: federation.current,
        logger,
        deadLetters: opsDeadLetterOperations(`monitor-${settings.instanceId}`),
        instanceId: settings.instanceId,
        host,
        port: options.port ?? settings.port,
        grpcHost: settings.grpcHost,
        grpcPort: settings.grpcPort,
        statusHost: settings.statusHost,
        statusPort: settings.statusPort,
        updateIntervalMs: settings.updateIntervalMs,
        lagIntervalMs: settings.lagIntervalMs,
        groups: settings.groups,
      });
      process.stdout.write(
        `comity: monitor running (dashboard on http://${host}:${monitor.httpPort}, gRPC on ${settings.grpcHost}:${monitor.grpcPort}, status on port ${monitor.statusPort})\n`,
      );
      await stopOnSignal(async () => {
        await monitor.stop();
        federation.close();
      });
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('expected a port number, 0 to 65535');
  return port;
}
