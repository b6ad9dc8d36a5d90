/**
 * What the three parts of the benchmark share: a Kafka broker, child processes whose peak memory
 * is read from /proc, an in-process native endpoint that time-stamps what it receives,
 * percentiles, and progress lines on stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KafkaConfig } from '../core/kafka/index.js';
import { startLocalBroker } from '../deploy/kafka/local-broker.js';

export interface BenchSasl {
  readonly mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain';
  readonly username: string;
  readonly password: string;
}

export interface BenchBroker {
  readonly brokers: string[];
  /** Credentials of a super user; null for a broker without authentication. */
  readonly sasl: BenchSasl | null;
  readonly origin: 'KAFKA_BROKERS' | 'local';
  /** Where kcat connects: the local broker's SASL/PLAIN tools listener (librdkafka < 2.6.1 cannot do SCRAM with Kafka 4). */
  readonly tools: { readonly brokers: string[]; readonly sasl: { readonly mechanism: string; readonly username: string; readonly password: string } | null };
  stop(): Promise<void>;
}

/**
 * `KAFKA_BROKERS` (with COMITY_KAFKA__SASL__USERNAME / __PASSWORD / __MECHANISM when set) unless
 * `ownBroker`, else a local broker of the benchmark's own (SASL/SCRAM, used as its admin),
 * removed afterwards.
 */
export async function benchBroker(ownBroker = false): Promise<BenchBroker> {
  const fromEnv = ownBroker ? [] : (process.env.KAFKA_BROKERS?.split(',').map((b) => b.trim()).filter(Boolean) ?? []);
  if (fromEnv.length > 0) {
    const { COMITY_KAFKA__SASL__USERNAME: username, COMITY_KAFKA__SASL__PASSWORD: password } = process.env;
    const mechanism = (process.env.COMITY_KAFKA__SASL__MECHANISM ?? 'scram-sha-512') as BenchSasl['mechanism'];
    const sasl = username && password ? { mechanism, username, password } : null;
    return { brokers: fromEnv, sasl, origin: 'KAFKA_BROKERS', tools: { brokers: fromEnv, sasl }, stop: async () => {} };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'comity-bench-kafka-'));
  const broker = await startLocalBroker({ dataDir, port: 0, toolsListener: true });
  return {
    brokers: broker.brokers,
    sasl: broker.admin,
    origin: 'local',
    tools: broker.tools ?? { brokers: broker.brokers, sasl: broker.admin },
    stop: async () => {
      await broker.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The `kafka:` settings of a Comity client on the bench broker. */
export function kafkaConfigOf(broker: BenchBroker, clientId: string): KafkaConfig {
  return { brokers: broker.brokers, clientId, ...(broker.sasl ? { sasl: broker.sasl } : {}), ssl: false, connectionTimeoutMs: 3000, requestTimeoutMs: 30000 };
}

/** Environment that connects a spawned `comity` process to the bench broker. */
export function comityEnvOf(broker: BenchBroker): NodeJS.ProcessEnv {
  return {
    KAFKA_BROKERS: broker.brokers.join(','),
    ...(broker.sasl
      ? { COMITY_KAFKA__SASL__MECHANISM: broker.sasl.mechanism, COMITY_KAFKA__SASL__USERNAME: broker.sasl.username, COMITY_KAFKA__SASL__PASSWORD: broker.sasl.password }
      : {}),
  };
}

/** kcat's `-b` and SASL arguments for the bench broker. */
export function kcatArgsOf(broker: BenchBroker): string[] {
  const { brokers, sasl } = broker.tools;
  const args = ['-b', brokers.join(',')];
  if (sasl) {
    args.push('-X', 'security.protocol=SASL_PLAINTEXT', '-X', `sasl.mechanisms=${sasl.mechanism.toUpperCase()}`);
    args.push('-X', `sasl.username=${sasl.username}`, '-X', `sasl.password=${sasl.password}`);
  }
  return args;
}

// ---- processes ----------------------------------------------------------------------------

export interface BenchProcess {
  readonly name: string;
  readonly child: ChildProcess;
  output(): string;
  /** Peak resident set (VmHWM) so far, bytes; 0 once the process is gone. */
  peakRss(): number;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Peak resident set size of a live process (Linux VmHWM), in bytes; 0 when unknown. */
export function peakRssOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Starts `command args` and resolves once its stdout matches `ready`. */
export async function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  ready: RegExp,
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
): Promise<BenchProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  let errors = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-20_000)));
  let lastPeak = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} was not ready within ${timeoutMs} ms:\n${output}\n${errors}`)), timeoutMs);
    const onData = () => {
      if (ready.test(output)) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready:\n${output}\n${errors}`));
    };
    child.stdout.on('data', onData);
    child.once('exit', onExit);
  });
  return {
    name,
    child,
    output: () => `${output}\n${errors}`,
    peakRss: () => (lastPeak = Math.max(lastPeak, peakRssOf(child.pid))),
    async stop(signal = 'SIGTERM') {
      lastPeak = Math.max(lastPeak, peakRssOf(child.pid));
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** `comity <args>` as a child process, the way an operator runs it; `entry` is bin/comity.js or the compiled CLI. */
export function startComityProcess(name: string, entry: string, args: readonly string[], ready: RegExp, env: NodeJS.ProcessEnv): Promise<BenchProcess> {
  return startProcess(name, process.execPath, [...execArgvFor(name, env), entry, ...args], ready, env);
}

/** `--cpu-prof` into COMITY_BENCH_PROFILE_DIR/<name>/ when profiling is asked for. */
function execArgvFor(name: string, env: NodeJS.ProcessEnv): string[] {
  const dir = env.COMITY_BENCH_PROFILE_DIR ?? process.env.COMITY_BENCH_PROFILE_DIR;
  // One directory per process: tsx's loader thread writes a profile of its own.
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${join(dir, name)}`] : [];
}

// ---- the native side ----------------------------------------------------------------------

export interface CountingEndpoint {
  readonly url: string;
  /** First arrival time (performance.now()) by Idempotency-Key. */
  readonly arrivals: Map<string, number>;
  /** Deliveries of an id already seen. */
  duplicates(): number;
  close(): Promise<void>;
}

/** A native system that accepts everything and notes when each event id first arrived. */
export async function startCountingEndpoint(): Promise<CountingEndpoint> {
  const arrivals = new Map<string, number>();
  let duplicates = 0;
  const server: Server = createServer((request, response) => {
    const id = String(request.headers['idempotency-key'] ?? '');
    request.resume();
    request.on('end', () => {
      if (arrivals.has(id)) duplicates += 1;
      else arrivals.set(id, performance.now());
      response.writeHead(200, { 'content-type': 'application/json', 'x-native-message-id': `bench-${arrivals.size}` });
      response.end('{}');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/inbox`,
    arrivals,
    duplicates: () => duplicates,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---- figures ------------------------------------------------------------------------------

/** The p-th percentile (0..100) of `values`, nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;

export const mb = (bytes: number): number => round(bytes / (1024 * 1024));

/** A progress line on stderr, rewritten in place on a terminal. */
export function progress(line: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${line}`);
  else process.stderr.write(`${line}\n`);
}

export function progressDone(line: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${line}\n`);
  else process.stderr.write(`${line}\n`);
}

export async function waitFor(predicate: () => boolean, timeoutMs: number, onTick?: () => void): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let lastTick = 0;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    if (onTick && Date.now() - lastTick >= 1000) {
      lastTick = Date.now();
      onTick();
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}
