/**
 * Part (c): kcat (librdkafka) over the same two hops, the broker's limit on this machine:
 *
 *   kcat -P (a file of N records) → topic 1 → kcat -C | kcat -P → topic 2 → kcat -C -c N
 *
 * kcat reads and writes one record per line, so the records are the Comity record's value in
 * base64, cut to the value's length: same count, same size, no headers. The producers are
 * idempotent with acks=all, like Comity's. Time runs from the first produce to the last record
 * read from topic 2.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { peakRssOf, progress, progressDone, round } from './support.js';

export function kcatInstalled(): boolean {
  return spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0;
}

export interface KcatResult {
  readonly records: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly peakRssBytes: Record<string, number>;
}

export async function runKcat(options: {
  /** `-b` and SASL arguments (support.ts kcatArgsOf). */
  connection: readonly string[];
  topic1: string;
  topic2: string;
  count: number;
  recordBytes: number;
  sample: Buffer;
  dir: string;
}): Promise<KcatResult> {
  const line = options.sample.toString('base64').repeat(2).slice(0, options.recordBytes);
  const file = join(options.dir, 'kcat-records.txt');
  writeFileSync(file, `${line}\n`.repeat(options.count));
  const broker = options.connection;
  const producerSettings = ['-X', 'enable.idempotence=true', '-X', 'acks=all'];
  const peaks: Record<string, number> = {};
  const watch = (name: string, pid: number | undefined) => setInterval(() => (peaks[name] = Math.max(peaks[name] ?? 0, peakRssOf(pid))), 200);

  // The relay and the final reader first, so nothing is missed; both stop after N records.
  const relayIn = spawn('kcat', ['-C', ...broker, '-t', options.topic1, '-o', 'beginning', '-c', String(options.count), '-q'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const relayOut = spawn('kcat', ['-P', ...broker, '-t', options.topic2, ...producerSettings], { stdio: ['pipe', 'ignore', 'inherit'] });
  relayIn.stdout.pipe(relayOut.stdin);
  let read = 0;
  const reader = spawn('kcat', ['-C', ...broker, '-t', options.topic2, '-o', 'beginning', '-c', String(options.count), '-q', '-f', '.\n'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  reader.stdout.on('data', (chunk: Buffer) => {
    for (const byte of chunk) if (byte === 0x0a) read += 1;
  });
  const watchers = [watch('relay-in', relayIn.pid), watch('relay-out', relayOut.pid), watch('reader', reader.pid)];
  const readerDone = new Promise<void>((resolve) => reader.once('exit', () => resolve()));
  await new Promise((r) => setTimeout(r, 2000)); // consumers join
  const started = performance.now();
  const producer = spawn('kcat', ['-P', ...broker, '-t', options.topic1, '-l', file, ...producerSettings], { stdio: 'inherit' });
  watchers.push(watch('producer', producer.pid));
  const ticker = setInterval(() => progress(`  (c) kcat: ${read}/${options.count} through both hops`), 1000);
  const timeout = setTimeout(() => reader.kill('SIGTERM'), 300_000);
  await readerDone;
  const seconds = (performance.now() - started) / 1000;
  clearTimeout(timeout);
  clearInterval(ticker);
  for (const watcher of watchers) clearInterval(watcher);
  for (const child of [producer, relayIn, relayOut]) if (child.exitCode === null) child.kill('SIGTERM');
  const result = { records: read, seconds: round(seconds, 2), eventsPerSecond: round(read / seconds, 0), peakRssBytes: peaks };
  progressDone(`  (c) kcat: ${read}/${options.count} through both hops in ${result.seconds} s = ${result.eventsPerSecond} events/s`);
  if (read < options.count) progressDone(`  (c) kcat: only ${read} of ${options.count} records arrived (see kcat's errors above); (c) is not comparable`);
  return result;
}
