/** `comity kafka …`: the local single-node broker for development and tests. */
import type { Command } from 'commander';
import { join } from 'node:path';
import { installLocalKafka, startLocalBroker, writeSecretFile } from '../../../deploy/kafka/local-broker.js';
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
    .description(
      'start a broker in the foreground (SASL/SCRAM-SHA-512 with ACLs) and print how to connect as its admin; ' +
        'writes the same settings to <data-dir>/admin.env (mode 0600); Ctrl-C stops it',
    )
    .option('--data-dir <dir>', 'data directory; kept between starts', join('.comity', 'kafka'))
    .option('--port <port>', 'client port on 127.0.0.1 (0 picks a free one)', parsePort, 9092)
    .option('--heap <size>', 'JVM maximum heap', '1g')
    .option('--start-timeout <seconds>', 'how long to wait for the broker to answer before giving up', parseSeconds, 90)
    .option(
      '--tools-listener',
      'also let the admin sign in with SASL/PLAIN on a second loopback port, for tools such as kcat linked with librdkafka < 2.6.1 (which cannot do SCRAM with Kafka 4)',
    )
    .action(async (options: { dataDir: string; port: number; heap: string; startTimeout: number; toolsListener?: boolean }) => {
      const logger = createLogger({ name: 'kafka' });
      const broker = await startLocalBroker({
        dataDir: options.dataDir,
        port: options.port,
        heap: options.heap,
        startTimeoutMs: options.startTimeout * 1000,
        toolsListener: options.toolsListener === true,
        logger,
      });
      const envFile = join(broker.dataDir, 'admin.env');
      writeSecretFile(
        envFile,
        [
          '# The local broker and its bootstrap admin (a super user). Load with: set -a; . <this file>; set +a',
          `KAFKA_BROKERS=${broker.brokers.join(',')}`,
          'COMITY_KAFKA__SASL__MECHANISM=scram-sha-512',
          `COMITY_KAFKA__SASL__USERNAME=${broker.admin.username}`,
          `COMITY_KAFKA__SASL__PASSWORD=${broker.admin.password}`,
          '',
        ].join('\n'),
      );
      // The password goes only into the 0600 file, not to a terminal or a log.
      process.stdout.write(
        [
          `KAFKA_BROKERS=${broker.brokers.join(',')}`,
          `admin credentials (SASL/SCRAM-SHA-512, user ${broker.admin.username}): ${envFile}`,
          `  set -a; . ${envFile}; set +a     # then: npx comity provision`,
          ...(broker.tools
            ? [`tools listener (SASL/PLAIN as ${broker.admin.username}, same password): ${broker.tools.brokers.join(',')}`]
            : []),
          '',
        ].join('\n'),
      );
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

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`not a number of seconds: ${value}`);
  return seconds;
}
