/**
 * A real, single-node Apache Kafka broker for local runs and tests, without Docker: Kafka's own
 * Maven Central artifacts (resolved by deploy/kafka/pom.xml into .cache/kafka/lib), formatted
 * and started in KRaft mode (combined broker + controller) on 127.0.0.1 with its own data
 * directory. A second start on the same data directory keeps the topics, offsets, users and ACLs.
 *
 * Secured as a production cluster is: clients authenticate with SASL/SCRAM-SHA-512 (there is
 * no PLAINTEXT client listener), Kafka's StandardAuthorizer allows only what an ACL allows
 * (`allow.everyone.if.no.acl.found=false`). The bootstrap admin is a super user whose SCRAM
 * credential is written into the metadata log when the storage is formatted, with a random
 * password kept in `<dataDir>/comity-broker.json` (mode 0600). The KRaft controller listener
 * takes SASL/PLAIN with a static, random credential known only to the broker itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  /**
   * Also open a loopback listener where the admin signs in with SASL/PLAIN, for command-line
   * tools linked with librdkafka older than 2.6.1 (Debian 12's kcat has 2.0.2): their SCRAM
   * client repeats the client nonce, which Kafka 4 rejects (librdkafka PR 4895). Off by default;
   * the tests turn it on only to prove kcat can read Comity's records.
   */
  readonly toolsListener?: boolean;
  readonly logger?: Logger;
}

/** SASL/SCRAM credentials of a principal, as core/kafka's config takes them. */
export interface ScramCredentials {
  readonly mechanism: 'scram-sha-512';
  readonly username: string;
  readonly password: string;
}

export interface LocalBroker {
  /** Bootstrap address(es), `127.0.0.1:<port>` (SASL_PLAINTEXT, SCRAM-SHA-512). */
  readonly brokers: string[];
  /** The bootstrap admin: a super user, for provisioning and tests. */
  readonly admin: ScramCredentials;
  readonly dataDir: string;
  readonly pid: number;
  /** Resolves with the exit code when the broker process ends. */
  readonly exited: Promise<number | null>;
  /** The tools listener, when `toolsListener` was asked for: the admin over SASL/PLAIN. */
  readonly tools?: { readonly brokers: string[]; readonly sasl: { readonly mechanism: 'plain'; readonly username: string; readonly password: string } };
  /** Controlled shutdown (SIGTERM), then SIGKILL if it takes longer than `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

/** What `<dataDir>/comity-broker.json` keeps between starts (mode 0600: it holds passwords). */
interface BrokerLayout {
  readonly port: number;
  readonly controllerPort: number;
  readonly clusterId: string;
  /** The bootstrap admin (super user); its SCRAM credential is created at format time. */
  readonly admin: ScramCredentials;
  /** The broker's own SASL/PLAIN password on the internal controller listener. */
  readonly controllerPassword: string;
  /** Port of the tools listener (see `toolsListener`), allocated the first time it is asked for. */
  readonly toolsPort?: number;
}

const HOST = '127.0.0.1';
const LAYOUT_FILE = 'comity-broker.json';
/** The bootstrap admin's user name. */
export const LOCAL_ADMIN_USER = 'admin';
/** The broker's principal on the controller listener (SASL/PLAIN, never a client). */
const CONTROLLER_USER = 'kraft-controller';
/** SCRAM iterations for the bootstrap admin (Kafka's minimum is 4096). */
const SCRAM_ITERATIONS = 8192;

export async function startLocalBroker(options: LocalBrokerOptions): Promise<LocalBroker> {
  const logger = options.logger ?? createLogger({ name: 'kafka', level: 'warn' });
  const libDir = await installLocalKafka({ logger });
  const dataDir = resolve(options.dataDir);
  mkdirSync(join(dataDir, 'logs'), { recursive: true, mode: 0o700 });

  const layout = await brokerLayout(dataDir, options);
  for (const port of [layout.port, layout.controllerPort, ...(options.toolsListener && layout.toolsPort ? [layout.toolsPort] : [])]) {
    if (!(await isPortFree(port))) {
      throw new NoBrokerError(
        `port ${HOST}:${port} is already in use; if a broker runs there, use it with KAFKA_BROKERS=${HOST}:${layout.port}`,
      );
    }
  }
  const propertiesFile = writeServerProperties(dataDir, layout, options.toolsListener === true);
  const log4jFile = writeLog4jConfig(dataDir);
  const classpath = `${libDir}/*`;

  if (!existsSync(join(dataDir, 'log', 'meta.properties'))) {
    const format = await run('java', [
      '-cp', classpath, 'kafka.tools.StorageTool', 'format', '--standalone',
      '-t', layout.clusterId, '-c', propertiesFile,
      // The admin's SCRAM credential goes into the bootstrap metadata: there is no other way to
      // have the first user of a SCRAM-only cluster. Kafka salts and hashes it.
      '--add-scram', `SCRAM-SHA-512=[name=${layout.admin.username},iterations=${SCRAM_ITERATIONS},password=${layout.admin.password}]`,
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
    admin: layout.admin,
    dataDir,
    pid: child.pid ?? -1,
    exited,
    ...(options.toolsListener && layout.toolsPort
      ? { tools: { brokers: [`${HOST}:${layout.toolsPort}`], sasl: { mechanism: 'plain' as const, username: layout.admin.username, password: layout.admin.password } } }
      : {}),
    stop: (timeoutMs = 30_000) => stopProcess(child, exited, timeoutMs),
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
  // A broker that does not answer in time is stopped too, not left running without an owner.
  const ready = waitUntilAnswering(brokers, layout.admin, deadline, logger).then(
    () => 'ready' as const,
    (error: Error) => ({ error }),
  );
  const outcome = await Promise.race([
    ready,
    exited.then((code) => ({ exitCode: code })),
    spawnError.then((error) => ({ error: new Error(`could not run java: ${error.message}`) })),
  ]);
  if (outcome === 'ready') {
    logger.info({ brokers, dataDir, brokerPid: child.pid }, 'local Kafka broker is ready');
    return broker;
  }
  await broker.stop(5_000);
  const reason = 'error' in outcome ? outcome.error.message : `exited with code ${outcome.exitCode}`;
  throw new NoBrokerError(`the local Kafka broker ${reason}; see ${join(dataDir, 'logs')}:\n${tail(join(dataDir, 'logs', 'console.log'))}`);
}

async function brokerLayout(dataDir: string, options: LocalBrokerOptions): Promise<BrokerLayout> {
  const file = join(dataDir, LAYOUT_FILE);
  // The controller's address is recorded in the formatted metadata log, so a data directory
  // keeps the ports it was formatted with.
  if (existsSync(file) && existsSync(join(dataDir, 'log', 'meta.properties'))) {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as Partial<BrokerLayout>;
    if (!kept.admin?.password || !kept.controllerPassword) {
      throw new NoBrokerError(
        `${dataDir} was formatted for a broker without SASL (no admin credential in ${LAYOUT_FILE}); remove the directory to start a secured one`,
      );
    }
    if (options.toolsListener && !kept.toolsPort) {
      const withTools = { ...(kept as BrokerLayout), toolsPort: await freePort() };
      writeSecretFile(file, JSON.stringify(withTools, null, 2) + '\n');
      return withTools;
    }
    return kept as BrokerLayout;
  }
  const port = options.port === 0 ? await freePort() : (options.port ?? 9092);
  const controllerPort =
    options.controllerPort === 0 || (options.port === 0 && options.controllerPort === undefined)
      ? await freePort()
      : (options.controllerPort ?? port + 1);
  const layout: BrokerLayout = {
    port,
    controllerPort,
    clusterId: kafkaClusterId(),
    admin: { mechanism: 'scram-sha-512', username: LOCAL_ADMIN_USER, password: randomPassword() },
    controllerPassword: randomPassword(),
    ...(options.toolsListener ? { toolsPort: await freePort() } : {}),
  };
  writeSecretFile(file, JSON.stringify(layout, null, 2) + '\n');
  return layout;
}

/** Kafka cluster ids are 16 random bytes in URL-safe base64 that must not start with '-'. */
function kafkaClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** 24 random bytes, URL-safe: no character that needs quoting in JAAS, env files or shells. */
function randomPassword(): string {
  return randomBytes(24).toString('base64url');
}

/** Writes a file only its owner can read (it holds passwords). */
export function writeSecretFile(file: string, content: string): void {
  writeFileSync(file, content, { mode: 0o600 });
  // writeFileSync keeps the mode of an existing file.
  chmodSync(file, 0o600);
}

function jaasValue(value: string): string {
  return JSON.stringify(value);
}

function writeServerProperties(dataDir: string, layout: BrokerLayout, toolsListener: boolean): string {
  const file = join(dataDir, 'server.properties');
  const { admin } = layout;
  const tools = toolsListener && layout.toolsPort ? layout.toolsPort : undefined;
  const properties = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.bootstrap.servers': `${HOST}:${layout.controllerPort}`,
    // Clients: SASL/SCRAM-SHA-512 only. The broker's own connections to itself (transaction
    // markers) use the same listener as the bootstrap admin.
    listeners: `SASL_PLAINTEXT://${HOST}:${layout.port},CONTROLLER://${HOST}:${layout.controllerPort}${tools ? `,TOOLS://${HOST}:${tools}` : ''}`,
    'advertised.listeners': `SASL_PLAINTEXT://${HOST}:${layout.port}${tools ? `,TOOLS://${HOST}:${tools}` : ''}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'SASL_PLAINTEXT',
    'listener.security.protocol.map': `SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT${tools ? ',TOOLS:SASL_PLAINTEXT' : ''}`,
    'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
    'listener.name.sasl_plaintext.sasl.enabled.mechanisms': 'SCRAM-SHA-512',
    'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config':
      `org.apache.kafka.common.security.scram.ScramLoginModule required username=${jaasValue(admin.username)} password=${jaasValue(admin.password)};`,
    // The controller listener: SASL/PLAIN with one static user, the broker itself (SCRAM
    // credentials live in the metadata log the controller serves, so they cannot guard it).
    'sasl.mechanism.controller.protocol': 'PLAIN',
    'listener.name.controller.sasl.enabled.mechanisms': 'PLAIN',
    'listener.name.controller.plain.sasl.jaas.config':
      `org.apache.kafka.common.security.plain.PlainLoginModule required username=${jaasValue(CONTROLLER_USER)} password=${jaasValue(layout.controllerPassword)} user_${CONTROLLER_USER}=${jaasValue(layout.controllerPassword)};`,
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found': 'false',
    // Only when asked for: the admin over SASL/PLAIN on its own loopback port, for tools whose
    // librdkafka cannot do SCRAM with Kafka 4 (see LocalBrokerOptions.toolsListener).
    ...(tools
      ? {
          'listener.name.tools.sasl.enabled.mechanisms': 'PLAIN',
          'listener.name.tools.plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required user_${admin.username}=${jaasValue(admin.password)};`,
        }
      : {}),
    'super.users': `User:${admin.username};User:${CONTROLLER_USER}`,
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
  writeSecretFile(file, Object.entries(properties).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
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

async function waitUntilAnswering(brokers: string[], admin: ScramCredentials, deadline: number, logger: Logger): Promise<void> {
  const quiet = logger.child({ component: 'kafka-probe' });
  quiet.level = 'fatal';
  for (;;) {
    const client = createKafkaClient(
      { brokers, clientId: 'comity-probe', sasl: admin, ssl: false, connectionTimeoutMs: 1000, requestTimeoutMs: 5000 },
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
