/**
 * A real, single-node Apache Kafka broker for local runs and tests, without Docker: Kafka's own
 * Maven Central artifacts (resolved by deploy/kafka/pom.xml into .cache/kafka/lib), formatted
 * and started in KRaft mode (combined broker + controller) on 127.0.0.1 with its own data
 * directory. A second start on the same data directory keeps the topics and offsets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NoBrokerError } from '../../core/errors.js';
import { createKafkaClient } from '../../core/kafka/index.js';
import { createLogger, type Logger } from '../../core/log.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PROJECT_ROOT = resolve(HERE, '..', '..');
const POM = join(HERE, 'pom.xml');

/** Where the broker's jars are kept; `COMITY_KAFKA_LIB` overrides. */
export function kafkaLibDir(): string {
  return process.env.COMITY_KAFKA_LIB ?? join(PROJECT_ROOT, '.cache', 'kafka', 'lib');
}

export function isKafkaInstalled(libDir = kafkaLibDir()): boolean {
  return existsSync(libDir) && readdirSync(libDir).some((file) => /^kafka_2\.13-.*\.jar$/.test(file));
}

/**
 * Resolves Kafka and its logging backend from Maven Central into the cache (a no-op when they
 * are there). Needs `mvn` and `java` on the PATH.
 */
export async function installLocalKafka(options: { libDir?: string; logger?: Logger } = {}): Promise<string> {
  const libDir = options.libDir ?? kafkaLibDir();
  if (isKafkaInstalled(libDir)) return libDir;
  options.logger?.info({ libDir }, 'resolving Apache Kafka from Maven Central');
  const args = ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', `-Dcomity.kafka.lib=${libDir}`];
  const { code, output } = await run('mvn', args);
  if (code !== 0 || !isKafkaInstalled(libDir)) {
    throw new NoBrokerError(`could not resolve Apache Kafka with Maven (mvn ${args.join(' ')} exited ${code}):\n${output.slice(-2000)}`);
  }
  return libDir;
}

export interface LocalBrokerOptions {
  /** Holds server.properties, the log segments and the broker's own logs. */
  readonly dataDir: string;
  /** Client port; 0 picks a free one. Default 9092. Kept from the first start of a data dir. */
  readonly port?: number;
  /** Controller port; 0 picks a free one. Default port + 1. */
  readonly controllerPort?: number;
  /** JVM maximum heap, e.g. `1g`. */
  readonly heap?: string;
  /** How long to wait for the broker to answer. */
  readonly startTimeoutMs?: number;
  readonly logger?: Logger;
}

export interface LocalBroker {
  /** Bootstrap address(es), `127.0.0.1:<port>`. */
  readonly brokers: string[];
  readonly dataDir: string;
  readonly pid: number;
  /** Resolves with the exit code when the broker process ends. */
  readonly exited: Promise<number | null>;
  /** Controlled shutdown (SIGTERM), then SIGKILL if it takes longer than `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

interface BrokerLayout {
  readonly port: number;
  readonly controllerPort: number;
  readonly clusterId: string;
}

const HOST = '127.0.0.1';
const LAYOUT_FILE = 'comity-broker.json';

export async function startLocalBroker(options: LocalBrokerOptions): Promise<LocalBroker> {
  const logger = options.logger ?? createLogger({ name: 'kafka', level: 'warn' });
  const libDir = await installLocalKafka({ logger });
  const dataDir = resolve(options.dataDir);
  mkdirSync(join(dataDir, 'logs'), { recursive: true });

  const layout = await brokerLayout(dataDir, options);
  for (const port of [layout.port, layout.controllerPort]) {
    if (!(await isPortFree(port))) {
      throw new NoBrokerError(
        `port ${HOST}:${port} is already in use; if a broker runs there, use it with KAFKA_BROKERS=${HOST}:${layout.port}`,
      );
    }
  }
  const propertiesFile = writeServerProperties(dataDir, layout);
  const log4jFile = writeLog4jConfig(dataDir);
  const classpath = `${libDir}/*`;

  if (!existsSync(join(dataDir, 'log', 'meta.properties'))) {
    const format = await run('java', [
      '-cp', classpath, 'kafka.tools.StorageTool', 'format', '--standalone',
      '-t', layout.clusterId, '-c', propertiesFile,
    ]);
    if (format.code !== 0) throw new NoBrokerError(`formatting the KRaft storage in ${dataDir} failed:\n${format.output}`);
  }

  const output = createWriteStream(join(dataDir, 'logs', 'console.log'), { flags: 'a' });
  const child = spawn(
    'java',
    [
      '-Xms256m', `-Xmx${options.heap ?? '1g'}`, '-XX:+UseG1GC', '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${log4jFile}`, `-Dkafka.logs.dir=${join(dataDir, 'logs')}`,
      '-cp', classpath, 'kafka.Kafka', propertiesFile,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.pipe(output);
  child.stderr.pipe(output);
  const exited = new Promise<number | null>((resolveExit) => {
    child.on('exit', (code) => resolveExit(code));
    child.on('error', () => resolveExit(-1));
  });
  const spawnError = new Promise<Error>((resolveError) => child.on('error', resolveError));

  const brokers = [`${HOST}:${layout.port}`];
  const broker: LocalBroker = {
    brokers,
    dataDir,
    pid: child.pid ?? -1,
    exited,
    stop: (timeoutMs = 30_000) => stopProcess(child, exited, timeoutMs),
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
  const ready = waitUntilAnswering(brokers, deadline, logger);
  const outcome = await Promise.race([
    ready.then(() => 'ready' as const),
    exited.then((code) => ({ exitCode: code })),
    spawnError.then((error) => ({ error })),
  ]);
  if (outcome === 'ready') {
    logger.info({ brokers, dataDir, brokerPid: child.pid }, 'local Kafka broker is ready');
    return broker;
  }
  await broker.stop(5_000);
  const reason = 'error' in outcome ? `could not run java: ${outcome.error.message}` : `exited with code ${outcome.exitCode}`;
  throw new NoBrokerError(`the local Kafka broker ${reason}; see ${join(dataDir, 'logs')}:\n${tail(join(dataDir, 'logs', 'console.log'))}`);
}

async function brokerLayout(dataDir: string, options: LocalBrokerOptions): Promise<BrokerLayout> {
  const file = join(dataDir, LAYOUT_FILE);
  // The controller's address is recorded in the formatted metadata log, so a data directory
  // keeps the ports it was formatted with.
  if (existsSync(file) && existsSync(join(dataDir, 'log', 'meta.properties'))) {
    return JSON.parse(readFileSync(file, 'utf8')) as BrokerLayout;
  }
  const port = options.port === 0 ? await freePort() : (options.port ?? 9092);
  const controllerPort =
    options.controllerPort === 0 || (options.port === 0 && options.controllerPort === undefined)
      ? await freePort()
      : (options.controllerPort ?? port + 1);
  const layout: BrokerLayout = { port, controllerPort, clusterId: kafkaClusterId() };
  writeFileSync(file, JSON.stringify(layout, null, 2));
  return layout;
}

/** Kafka cluster ids are 16 random bytes in URL-safe base64 that must not start with '-'. */
function kafkaClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function writeServerProperties(dataDir: string, layout: BrokerLayout): string {
  const file = join(dataDir, 'server.properties');
  const properties = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.bootstrap.servers': `${HOST}:${layout.controllerPort}`,
    listeners: `PLAINTEXT://${HOST}:${layout.port},CONTROLLER://${HOST}:${layout.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${HOST}:${layout.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': join(dataDir, 'log'),
    'num.partitions': '3',
    'auto.create.topics.enable': 'false',
    // One node: every internal topic has one replica.
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '10',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'transaction.state.log.num.partitions': '10',
    'share.coordinator.state.topic.replication.factor': '1',
    'share.coordinator.state.topic.min.isr': '1',
    'group.initial.rebalance.delay.ms': '0',
    'log.retention.hours': '168',
  };
  writeFileSync(file, Object.entries(properties).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  return file;
}

function writeLog4jConfig(dataDir: string): string {
  const file = join(dataDir, 'log4j2.properties');
  writeFileSync(
    file,
    [
      'status = warn',
      'appender.file.type = RollingFile',
      'appender.file.name = file',
      `appender.file.fileName = ${join(dataDir, 'logs', 'server.log')}`,
      `appender.file.filePattern = ${join(dataDir, 'logs', 'server.log.%i')}`,
      'appender.file.layout.type = PatternLayout',
      'appender.file.layout.pattern = [%d] %p %m (%c)%n',
      'appender.file.policies.type = Policies',
      'appender.file.policies.size.type = SizeBasedTriggeringPolicy',
      'appender.file.policies.size.size = 20MB',
      'appender.file.strategy.type = DefaultRolloverStrategy',
      'appender.file.strategy.max = 3',
      'rootLogger.level = info',
      'rootLogger.appenderRef.file.ref = file',
      '',
    ].join('\n'),
  );
  return file;
}

async function waitUntilAnswering(brokers: string[], deadline: number, logger: Logger): Promise<void> {
  const quiet = logger.child({ component: 'kafka-probe' });
  quiet.level = 'fatal';
  for (;;) {
    const client = createKafkaClient(
      { brokers, clientId: 'comity-probe', ssl: false, connectionTimeoutMs: 1000, requestTimeoutMs: 5000 },
      quiet,
    );
    try {
      const admin = await client.admin();
      try {
        const cluster = await admin.describeCluster();
        if (cluster.brokers > 0) return;
      } finally {
        await admin.disconnect();
      }
    } catch (error) {
      if (Date.now() > deadline) throw new NoBrokerError(`no answer from ${brokers.join(',')}: ${(error as Error).message}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stopProcess(child: ChildProcess, exited: Promise<number | null>, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, HOST, () => server.close(() => resolveFree(true)));
  });
}

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => resolveRun({ code: -1, output: `${command}: ${error.message}` }));
    child.on('close', (code) => resolveRun({ code, output }));
  });
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
