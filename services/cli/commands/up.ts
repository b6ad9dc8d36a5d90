/**
 * `comity up` (= `npm start`): a living federation on one machine.
 *
 *   1. Kafka: KAFKA_BROKERS, else the local broker with its data in <state>/kafka (kept, so a
 *      second start reuses topics, offsets and requests);
 *   2. the topics of every network of the federation (and ACLs, via `comity provision`, when
 *      this build has it);
 *   3. the hub — directory, router, tracker, and audit, monitor and stats when this build has
 *      them — each as a child `comity run …` process;
 *   4. the seed adapters (ejn, iberred, wacap, central-america-coe) with configs written under
 *      <state>/config, and the simulated native systems (`comity simulate`) that talk to them;
 *   5. a one-line live summary; Ctrl-C stops the children (SIGTERM; SIGKILL after a deadline),
 *      then the broker.
 *
 * A child that exits unexpectedly is reported and restarted, with a growing pause, up to
 * MAX_RESTARTS times. Each child's output goes to <state>/logs/<name>.log.
 *
 * `comity simulate` runs the simulated native systems alone (services/simulator).
 */
import { SERVICE_NODE_OPTIONS } from '../../../deploy/node-options.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { z } from 'zod';
import { loadConfig } from '../../../core/config.js';
import { ComityError } from '../../../core/errors.js';
import { createKafkaClient, kafkaConfigSchema, topicSpec } from '../../../core/kafka/index.js';
import { createLogger } from '../../../core/log.js';
import { freePort, startLocalBroker, type LocalBroker } from '../../../deploy/kafka/local-broker.js';
import { loadFederation } from '../../directory/federation.js';
import { directoryConfigSchema } from '../../directory/service.js';
import { adapterRuntimeConfig } from '../../../adapters/sdk/runtime.js';
import { accessPlan } from '../../provision/access.js';
import { routerConfigSchema } from '../../router/service.js';
import { simulatorConfigSchema, startSimulators, type SimulatorCounts } from '../../simulator/service.js';
import { WACAP_FOCAL_POINTS } from '../../simulator/wacap.js';
import { prepareLocalFederation, type KeyRef } from './up-federation.js';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const COMITY_BIN = join(PROJECT_ROOT, 'bin', 'comity.js');
const DEFAULT_FEDERATION = join(PROJECT_ROOT, 'deploy', 'config', 'federation.yaml');
const MAX_RESTARTS = 5;
/** How long the children may take to stop before they are killed. */
const STOP_DEADLINE_MS = 50_000;
const SUMMARY_PREFIX = 'comity: simulator counts ';
/** The networks whose adapters and simulated native systems `up` runs. */
const SEED_NETWORKS = ['ejn', 'iberred', 'wacap', 'central-america-coe'] as const;

/**
 * `{ [key]: ref }` when the service's config section has that key (this build signs), else
 * nothing: `up` works with builds before and after signatures.
 */
function withKey(schema: z.ZodObject, section: string, key: string, ref: KeyRef): Record<string, KeyRef> {
  const shape = (schema.shape[section] as z.ZodType | undefined)?.def as { shape?: Record<string, unknown>; innerType?: { def?: { shape?: Record<string, unknown> } } } | undefined;
  const fields = shape?.shape ?? shape?.innerType?.def?.shape ?? {};
  return key in fields ? { [key]: ref } : {};
}

export function registerUpCommands(program: Command): void {
  program
    .command('up')
    .description('run a whole federation on this machine: Kafka, the hub, the seed adapters and simulated native systems (Ctrl-C stops it)')
    .option('--state-dir <dir>', 'where the broker data, generated configs, ledgers and logs are kept; reused by the next start', '.comity')
    .option('--federation <file>', 'the federation file', DEFAULT_FEDERATION)
    .option('--rate <n>', 'new requests (or reports) each simulated network sends per minute', parseNumber, 4)
    .option('--answer-delay <min-max>', 'pause in ms before each simulated answer, e.g. 3000-15000', '3000-15000')
    .option('--instance <id>', "names this federation's router and tracker groups (comity-router, or comity-router-<id>)", 'main')
    .option('--no-simulators', 'run the hub and adapters only; no simulated traffic')
    .option('--log-level <level>', 'log level of the children (their logs are in <state-dir>/logs)', 'warn')
    .action(async (options: UpOptions) => {
      const onFailure: (() => Promise<void>)[] = [];
      try {
        await up(program, options, onFailure);
      } catch (error) {
        // Whatever was started before the failure is stopped, the broker last.
        for (const undo of onFailure.reverse()) await undo().catch(() => undefined);
        throw error;
      }
    });

  program
    .command('simulate')
    .description('run the simulated native systems of the seed networks (EJN, IberRed, WACAP, centres of excellence) against running adapters')
    .requiredOption('-c, --config <file>', 'YAML config file (services/simulator/service.ts describes it)')
    .action(async (options: { config: string }) => {
      const config = loadConfig(simulatorConfigSchema, { file: options.config });
      const logger = createLogger({ name: 'simulator' });
      const simulators = await startSimulators(config.simulator, { logger });
      process.stdout.write(`comity: simulators running (${Object.keys(simulators.endpoints).join(', ')})\n`);
      const report = setInterval(() => process.stdout.write(`${SUMMARY_PREFIX}${JSON.stringify(simulators.counts())}\n`), 1000);
      await new Promise<void>((resolveSignal) => {
        process.once('SIGTERM', () => resolveSignal());
        process.once('SIGINT', () => resolveSignal());
      });
      clearInterval(report);
      process.stdout.write(`${SUMMARY_PREFIX}${JSON.stringify(simulators.counts())}\n`);
      await simulators.stop();
      process.exit(0);
    });
}

interface UpOptions {
  readonly stateDir: string;
  readonly federation: string;
  readonly rate: number;
  readonly answerDelay: string;
  readonly instance: string;
  readonly simulators: boolean;
  readonly logLevel: string;
}

function parseNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new ComityError('CONFIG_INVALID', `not a positive number: ${value}`);
  return number;
}

/** A child `comity …` process, watched and restarted. */
interface Child {
  readonly name: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  process?: ChildProcess;
  restarts: number;
  stopping: boolean;
  ready: boolean;
  output: string;
}

async function up(program: Command, options: UpOptions, onFailure: (() => Promise<void>)[]): Promise<void> {
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
  const say = (line: string) => process.stdout.write(`comity: ${line}\n`);
  const logger = createLogger({ name: 'up', level: options.logLevel });
  const stateDir = resolve(options.stateDir);
  const configDir = join(stateDir, 'config');
  const logDir = join(stateDir, 'logs');
  for (const dir of [configDir, logDir]) mkdirSync(dir, { recursive: true });
  const seeds = SEED_NETWORKS;
  const local = prepareLocalFederation(stateDir, resolve(options.federation), seeds);
  const federationFile = local.file;
  const federation = loadFederation(federationFile);
  const [answerMin, answerMax] = options.answerDelay.split('-').map(Number);
  if (!Number.isInteger(answerMin) || !Number.isInteger(answerMax) || answerMin! > answerMax!) {
    throw new ComityError('CONFIG_INVALID', `--answer-delay must be <min>-<max> in ms, e.g. 3000-15000 (got ${options.answerDelay})`);
  }

  // 1. Kafka.
  let broker: LocalBroker | undefined;
  let brokers = process.env.KAFKA_BROKERS;
  /** The cluster admin's SASL settings, as environment overrides (empty on a cluster without SASL). */
  let adminEnv: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('COMITY_KAFKA__SASL__')));
  if (brokers) {
    say(`using Kafka at ${brokers}`);
  } else {
    say(`starting the local Kafka broker (data in ${join(stateDir, 'kafka')})…`);
    const started = await startLocalBroker({ dataDir: join(stateDir, 'kafka'), logger });
    broker = started;
    onFailure.push(() => started.stop());
    brokers = broker.brokers.join(',');
    const admin = (broker as { admin?: { mechanism: string; username: string; password: string } }).admin;
    if (admin) adminEnv = saslEnv(admin);
    say(`Kafka ready at ${brokers} (${seconds()} s)`);
  }
  const baseEnv: NodeJS.ProcessEnv = {
    ...withoutSasl(process.env),
    KAFKA_BROKERS: brokers,
    COMITY_LOG_LEVEL: process.env.COMITY_LOG_LEVEL ?? options.logLevel,
  };

  // 2. Topics, and on a cluster with SASL one principal per process with its ACLs.
  const plan = accessPlan(federation);
  const { kafka: kafkaConfig } = loadConfig(z.object({ kafka: kafkaConfigSchema }), {
    env: { ...baseEnv, ...adminEnv, COMITY_KAFKA__CLIENT_ID: 'comity-up' },
  });
  const kafka = createKafkaClient(kafkaConfig, logger);
  const admin = await kafka.admin();
  try {
    await admin.ensureTopics(plan.topics.map((topic) => topicSpec(topic)));
  } finally {
    await admin.disconnect();
  }
  say(`topics ready (${seconds()} s)`);
  const credentialsDir = join(stateDir, 'credentials');
  const secured = adminEnv.COMITY_KAFKA__SASL__USERNAME !== undefined && program.commands.some((command) => command.name() === 'provision');
  if (secured) {
    const code = await runOnce(['provision', '--federation', federationFile, '--credentials-dir', credentialsDir], { ...baseEnv, ...adminEnv }, join(logDir, 'provision.log'));
    if (code !== 0) throw new ComityError('PROVISION_FAILED', `comity provision exited with ${code}; see ${join(logDir, 'provision.log')}`);
    say(`principals and ACLs provisioned; credentials in ${credentialsDir} (${seconds()} s)`);
  }
  /** The environment of a child that connects to Kafka as `principal`. */
  const envFor = (principal: string): NodeJS.ProcessEnv => (secured ? { ...baseEnv, ...readEnvFile(join(credentialsDir, `${principal}.env`)) } : baseEnv);

  // 3–4. Configs, then the children.
  const hubRuns = new Set(program.commands.find((command) => command.name() === 'run')?.commands.map((command) => command.name()) ?? []);
  const ports = await choosePorts();
  const instance = options.instance;
  const group = (name: string) => (instance === 'main' ? `comity-${name}` : `comity-${name}-${instance}`);
  const write = (name: string, value: unknown) => {
    const file = join(configDir, `${name}.yaml`);
    writeFileSync(file, `# Written by \`comity up\` at each start; edit the options of \`comity up\` instead.\n${stringify(value)}`);
    return file;
  };
  const adapterState = join(stateDir, 'adapters');
  const retry = { initialMs: 200, maxMs: 5000 };
  /** The adapter's keys, when this build's adapters sign (their config has `trust`). */
  const trust = (network: (typeof SEED_NETWORKS)[number]) => {
    const keys = local.networks[network];
    if (!keys || !('trust' in adapterRuntimeConfig.shape)) return {};
    return { trust: { signingKey: keys.signing, sealingKeys: [keys.sealing], hubKeys: [local.hubPublicKey] } };
  };
  const configs = {
    directory: write('directory', {
      federation: federationFile,
      directory: { grpcPort: ports.directoryGrpc, ...withKey(directoryConfigSchema, 'directory', 'signingKey', local.hubSigning) },
    }),
    router: write('router', {
      federation: federationFile,
      router: { instanceId: instance, groupId: group('router'), ...withKey(routerConfigSchema, 'router', 'signingKey', local.hubSigning) },
    }),
    audit: write('audit', { federation: federationFile, audit: { instanceId: instance, groupId: group('audit'), signingKey: local.auditSigning } }),
    monitor: write('monitor', { federation: federationFile, monitor: { instanceId: instance, port: ports.dashboard } }),
    stats: write('stats', { federation: federationFile, stats: { groupId: group('stats') } }),
    tracker: write('tracker', { federation: federationFile, tracker: { instanceId: instance, groupId: group('tracker'), grpcPort: ports.trackerGrpc } }),
    ejn: write('adapter-ejn', {
      network: 'ejn',
      kafka: { clientId: 'adapter-ejn' },
      runtime: { stateDir: adapterState, retry },
      ...trust('ejn'),
      adapter: { http: { listen: { port: ports.ejn }, deliverTo: `http://127.0.0.1:${ports.ejnPeer}/inbox` }, party: 'EJN-COMITY' },
    }),
    iberred: write('adapter-iberred', {
      network: 'iberred',
      kafka: { clientId: 'adapter-iberred' },
      runtime: { stateDir: adapterState, retry },
      ...trust('iberred'),
      adapter: { http: { listen: { port: ports.iberred }, deliverTo: `http://127.0.0.1:${ports.iberredPeer}/inbox` } },
    }),
    wacap: write('adapter-wacap', {
      network: 'wacap',
      kafka: { clientId: 'adapter-wacap' },
      runtime: { stateDir: adapterState, retry },
      ...trust('wacap'),
      adapter: {
        smtp: { port: ports.wacapSmtp },
        relay: { host: '127.0.0.1', port: ports.wacapRelay },
        from: 'comity@wacap.example',
        fallbackRecipient: 'secretariat@wacap.example',
        focalPoints: WACAP_FOCAL_POINTS.map(({ email, state, name }) => ({ email, state, name })),
        documents: { dir: join(adapterState, 'wacap', 'documents') },
        correspondents: { file: join(adapterState, 'wacap', 'correspondents.log') },
      },
    }),
    coe: write('adapter-central-america-coe', {
      network: 'central-america-coe',
      kafka: { clientId: 'adapter-central-america-coe' },
      runtime: { stateDir: adapterState, retry },
      ...trust('central-america-coe'),
      adapter: {
        inbox: { dir: join(stateDir, 'coe', 'inbox'), pollIntervalMs: 1000, settleMs: 500 },
        outbox: { dir: join(stateDir, 'coe', 'outbox') },
      },
    }),
    simulator: write('simulator', {
      simulator: {
        requestsPerMinute: options.rate,
        answerDelayMs: { min: answerMin, max: answerMax },
        ejn: { adapterUrl: `http://127.0.0.1:${ports.ejn}/messages`, port: ports.ejnPeer },
        iberred: { adapterUrl: `http://127.0.0.1:${ports.iberred}/messages`, port: ports.iberredPeer },
        wacap: { adapterSmtpPort: ports.wacapSmtp, relayPort: ports.wacapRelay },
        coe: { inboxDir: join(stateDir, 'coe', 'inbox'), outboxDir: join(stateDir, 'coe', 'outbox') },
      },
    }),
  };

  const children: Child[] = [];
  onFailure.push(async () => {
    shuttingDown = true;
    await Promise.all(children.map((child) => stopChild(child)));
  });
  const logs = new Map<string, WriteStream>();
  let shuttingDown = false;
  let counts: Record<string, SimulatorCounts> = {};
  let firstDelivery: string | undefined;

  const launch = (child: Child) => {
    const log = logs.get(child.name) ?? createWriteStream(join(logDir, `${child.name}.log`), { flags: 'a' });
    logs.set(child.name, log);
    const proc = spawn(process.execPath, [COMITY_BIN, ...child.args], { cwd: PROJECT_ROOT, env: child.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.process = proc;
    child.ready = false;
    child.output = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      log.write(text);
      child.output = (child.output + text).slice(-20_000);
      if (!child.ready && /running/.test(child.output)) child.ready = true;
      for (const line of text.split('\n')) {
        if (line.startsWith(SUMMARY_PREFIX)) {
          try {
            counts = JSON.parse(line.slice(SUMMARY_PREFIX.length)) as Record<string, SimulatorCounts>;
          } catch {
            // a line cut between two chunks; the next one is whole
          }
        }
      }
    });
    proc.stderr.on('data', (chunk: Buffer) => log.write(chunk));
    proc.once('exit', (code, signal) => {
      if (child.stopping || shuttingDown) return;
      if (child.restarts >= MAX_RESTARTS) {
        say(`${child.name} exited (${signal ?? code}) ${child.restarts + 1} times; not restarting it — see ${join(logDir, `${child.name}.log`)}`);
        return;
      }
      child.restarts++;
      const pauseMs = Math.min(1000 * 2 ** child.restarts, 30_000);
      say(`${child.name} exited (${signal ?? code}); restarting in ${pauseMs / 1000} s (restart ${child.restarts} of ${MAX_RESTARTS}) — see ${join(logDir, `${child.name}.log`)}`);
      setTimeout(() => {
        if (!shuttingDown) launch(child);
      }, pauseMs).unref();
    });
  };
  /** Starts `comity <args>`, connecting to Kafka as `principal` (none: no Kafka). */
  const startChild = async (name: string, args: readonly string[], principal?: string) => {
    const env = principal ? envFor(principal) : baseEnv;
    // The router and the adapters run with the heap limits they are deployed with.
    const traffic = name === 'router' || name.startsWith('adapter-');
    const child: Child = { name, args, env: traffic ? { ...env, NODE_OPTIONS: SERVICE_NODE_OPTIONS } : env, restarts: 0, stopping: false, ready: false, output: '' };
    children.push(child);
    launch(child);
    return child;
  };
  const waitReady = async (group: readonly Child[], timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    while (group.some((child) => !child.ready) && Date.now() < deadline && !shuttingDown) await sleep(100);
    if (shuttingDown) return;
    for (const child of group.filter((candidate) => !candidate.ready)) say(`${child.name} is not ready yet; see ${join(logDir, `${child.name}.log`)}`);
  };

  // Ctrl-C from here on stops what was started.
  const stopped = new Promise<void>((resolveStop) => {
    const onSignal = () => {
      shuttingDown = true;
      resolveStop();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });

  const hub = [
    await startChild('directory', ['run', 'directory', '--config', configs.directory], 'directory'),
    await startChild('router', ['run', 'router', '--config', configs.router], 'router'),
    await startChild('tracker', ['run', 'tracker', '--config', configs.tracker], 'tracker'),
  ];
  // The services nothing waits for: started, not waited for.
  const optionalHub: Child[] = [];
  for (const optional of ['audit', 'monitor', 'stats'] as const) {
    if (hubRuns.has(optional)) optionalHub.push(await startChild(optional, ['run', optional, '--config', configs[optional]], optional));
  }
  // Adapters start beside the hub: each creates its own topics, and the router reads inbound
  // topics from their start, so nothing they publish before the router is up is lost.
  const adapterChildren = [
    await startChild('adapter-ejn', ['run', 'adapter', 'ejn', '--config', configs.ejn], 'adapter-ejn'),
    await startChild('adapter-iberred', ['run', 'adapter', 'iberred', '--config', configs.iberred], 'adapter-iberred'),
    await startChild('adapter-wacap', ['run', 'adapter', 'wacap', '--config', configs.wacap], 'adapter-wacap'),
    await startChild('adapter-central-america-coe', ['run', 'adapter', 'central-america-coe', '--config', configs.coe], 'adapter-central-america-coe'),
  ];
  await Promise.race([waitReady([...hub, ...adapterChildren]), stopped]);
  hub.push(...optionalHub);
  if (!shuttingDown) say(`hub and adapters running (${seconds()} s)`);
  if (options.simulators && !shuttingDown) await startChild('simulator', ['simulate', '--config', configs.simulator]);
  if (!shuttingDown) {
    say(`up running (${seconds()} s): adapters ejn :${ports.ejn}, iberred :${ports.iberred}, wacap smtp :${ports.wacapSmtp}, central-america-coe ${join(stateDir, 'coe', 'inbox')}`);
    say(
      hubRuns.has('monitor')
        ? `dashboard: http://127.0.0.1:${ports.dashboard}`
        : `dashboard: not in this build yet (comity run monitor); follow the flows in ${logDir} and with the tracker's gRPC on :${ports.trackerGrpc}`,
    );
    say('Ctrl-C stops everything; the next start reuses the data');
  }

  const interactive = process.stdout.isTTY === true;
  let lastPrinted = 0;
  const summary = setInterval(() => {
    const delivered = Object.values(counts).reduce((sum, network) => sum + network.received, 0);
    if (!firstDelivery && delivered > 0) {
      firstDelivery = seconds();
      say(`first delivery to a simulated native system after ${firstDelivery} s`);
    }
    const alive = children.filter((child) => child.process && child.process.exitCode === null && child.process.signalCode === null).length;
    const line = `${Object.entries(counts)
      .map(([network, c]) => `${network} sent ${c.sent} got ${c.received} answered ${c.answered}${c.refused ? ` refused ${c.refused}` : ''}`)
      .join(' | ')} | processes ${alive}/${children.length}`;
    if (interactive) process.stdout.write(`\r\x1b[2K${line}`);
    else if (Date.now() - lastPrinted >= 10_000) {
      lastPrinted = Date.now();
      process.stdout.write(`comity: ${line}\n`);
    }
  }, 1000);

  await stopped;
  shuttingDown = true;
  clearInterval(summary);
  if (interactive) process.stdout.write('\n');
  say('stopping…');
  // Native side first, then adapters, then the hub: nothing is left half-sent.
  for (const batch of [children.filter((c) => c.name === 'simulator'), children.filter((c) => c.name.startsWith('adapter-')), hub]) {
    await Promise.all(batch.map((child) => stopChild(child)));
  }
  for (const log of logs.values()) log.end();
  if (broker) {
    say('stopping the Kafka broker…');
    await broker.stop();
  }
  say(`stopped (${seconds()} s)`);
  process.exit(0);
}

async function stopChild(child: Child): Promise<void> {
  child.stopping = true;
  const proc = child.process;
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolveExit) => proc.once('exit', () => resolveExit()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_DEADLINE_MS);
  await exited;
  clearTimeout(timer);
}

/** Runs `comity <args>` to the end; resolves with its exit code. */
function runOnce(args: readonly string[], env: NodeJS.ProcessEnv, logFile: string): Promise<number | null> {
  return new Promise((resolveRun) => {
    const log = createWriteStream(logFile, { flags: 'a' });
    const proc = spawn(process.execPath, [COMITY_BIN, ...args], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout.pipe(log);
    proc.stderr.pipe(log);
    proc.once('exit', (code) => resolveRun(code));
  });
}

/** The ports of this run: the usual ones when free, else any free one. */
async function choosePorts() {
  const take = async (preferred: number) => ((await isFree(preferred)) ? preferred : freePort());
  return {
    dashboard: await take(8080),
    directoryGrpc: await take(50051),
    trackerGrpc: await take(50052),
    ejn: await take(8101),
    iberred: await take(8102),
    wacapSmtp: await take(2525),
    ejnPeer: await take(8201),
    iberredPeer: await take(8202),
    wacapRelay: await take(2526),
  };
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
  });
}

/** SASL settings as the environment overrides core/config reads. */
function saslEnv(credentials: { mechanism: string; username: string; password: string }): NodeJS.ProcessEnv {
  return {
    COMITY_KAFKA__SASL__MECHANISM: credentials.mechanism,
    COMITY_KAFKA__SASL__USERNAME: credentials.username,
    COMITY_KAFKA__SASL__PASSWORD: credentials.password,
  };
}

function withoutSasl(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('COMITY_KAFKA__SASL__')));
}

/** `NAME=value` lines, as `comity provision` writes each principal's credentials. */
function readEnvFile(file: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) env[match[1]!] = match[2]!;
  }
  return env;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}

