/** `comity kafka …`: the local single-node broker for development and tests. */
import type { Command } from 'commander';
import { join } from 'node:path';
import { installLocalKafka, startLocalBroker } from '../../../deploy/kafka/local-broker.js';
import { createLogger } from '../../../core/log.js';

export function registerKafkaCommands(program: Command): void {
  const kafka = program
    .command('kafka')
    .description('run a local Apache Kafka broker (KRaft, one node) from Maven Central artifacts, without Docker');

  kafka
    .command('install')
    .description('resolve Apache Kafka and its logging backend with Maven into .cache/kafka/lib')
    .action(async () => {
      const libDir = await installLocalKafka({ logger: createLogger({ name: 'kafka' }) });
      process.stdout.write(`${libDir}\n`);
    });

  kafka
    .command('start')
    .description('start a broker in the foreground and print its bootstrap address; Ctrl-C stops it')
    .option('--data-dir <dir>', 'data directory; kept between starts', join('.comity', 'kafka'))
    .option('--port <port>', 'client port on 127.0.0.1 (0 picks a free one)', parsePort, 9092)
    .option('--heap <size>', 'JVM maximum heap', '1g')
    .action(async (options: { dataDir: string; port: number; heap: string }) => {
      const logger = createLogger({ name: 'kafka' });
      const broker = await startLocalBroker({ dataDir: options.dataDir, port: options.port, heap: options.heap, logger });
      process.stdout.write(`KAFKA_BROKERS=${broker.brokers.join(',')}\n`);
      process.stderr.write(`broker logs: ${join(broker.dataDir, 'logs')} — Ctrl-C to stop\n`);
      const stop = () => void broker.stop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const code = await broker.exited;
      process.exitCode = code === 0 || code === 143 || code === null ? 0 : 1;
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`not a port: ${value}`);
  return port;
}
