/**
 * `npm run bench`: how close Comity comes, on this machine and this broker, to what the Kafka
 * client and the broker allow. Three parts, one run, one broker (KAFKA_BROKERS, else a local
 * broker of its own):
 *
 *   (a) a bare kafkajs relay over two hops moving the same records (the client's limit);
 *   (b) the full Comity path with the real `comity run` processes: EJN XML over HTTP in,
 *       router, IberRed JSON over HTTP out (docs/benchmarks.md);
 *   (c) kcat over the same two hops, when kcat is installed (the broker's limit).
 *
 * (a) and (b) each run a closed loop (the most they sustain) and an open loop at a fixed offered
 * rate (end-to-end latency). Figures go to stdout as a table and to bench/results/<time>.json/.md.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createKafkaClient, topicSpec } from '../core/kafka/index.js';
import { createLogger } from '../core/log.js';
import { SERVICE_NODE_OPTIONS } from '../deploy/node-options.js';
import { startComityPath } from './comity-path.js';
import { closedLoop, openLoop, type LatencyResult, type ThroughputResult } from './driver.js';
import { deleteTopics, startKafkajsRelay } from './kafkajs-relay.js';
import { kcatInstalled, runKcat, type KcatResult } from './kcat.js';
import { inboundRecord } from './payload.js';
import { summariseProfile, type ProfileSummary } from './profile.js';
import { benchBroker, kafkaConfigOf, kcatArgsOf, mb, progressDone, round, waitFor } from './support.js';

const TARGETS = { ratioToRelay: 0.6, p99Ms: 50, rateForP99: 1000, maxRssMb: 250 } as const;

interface Options {
  requests: number;
  rate: number;
  seconds: number;
  concurrency: number;
  warmup: number;
  out: string;
  kcat: boolean;
  profile: boolean;
  parts: string;
  ownBroker: boolean;
  runtime: 'dist' | 'tsx';
  nodeOptions?: string;
}

const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
};

/** The CLI as deployments run it (deploy/compose/Dockerfile's ENTRYPOINT). */
const DIST_ENTRY = 'dist/services/cli/main.js';

/**
 * `tsc -p tsconfig.build.json` into dist/, plus the proto files the code reads at run time, as
 * the Dockerfile's build stage does (the files only other commands need are left out).
 */
function buildDist(): void {
  progressDone('  building dist/ (tsc -p tsconfig.build.json)');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const built = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${built.status})`);
  cpSync('proto', 'dist/proto', { recursive: true });
}

const program = new Command('bench')
  .description('measure Comity against a bare kafkajs relay and kcat on the same broker; writes bench/results/<time>.json and .md')
  .option('-n, --requests <n>', 'requests in the closed-loop (throughput) phase of (a) and (b), and records for (c)', positive, 5000)
  .option('-r, --rate <n>', 'offered load of the open-loop (latency) phase, requests per second', positive, TARGETS.rateForP99)
  .option('-s, --seconds <n>', 'length of the open-loop phase, seconds', positive, 10)
  .option('-c, --concurrency <n>', 'requests in flight in the closed loop', positive, 32)
  .option('-w, --warmup <n>', 'requests sent (and waited for) before measuring', positive, 200)
  .option('-o, --out <dir>', 'where the JSON and markdown results go', 'bench/results')
  .option('--no-kcat', 'skip part (c) even when kcat is installed')
  .option('--profile', 'run the Comity processes with --cpu-prof and summarise where their time went', false)
  .option('--parts <list>', 'which parts to run, e.g. "b" or "a,b"', 'a,b,c')
  .addOption(
    new Option('--runtime <how>', "how (b)'s processes run: dist = the compiled code deployments run (built first, as the Dockerfile does); tsx = bin/comity.js, compiling TypeScript as it loads")
      .choices(['dist', 'tsx'])
      .default('dist'),
  )
  .option('--node-options <flags>', "NODE_OPTIONS for (b)'s processes; default: the heap limits they are deployed with (deploy/node-options.ts); \"\" for none", SERVICE_NODE_OPTIONS)
  .option(
    '--own-broker',
    "start a fresh local broker even when KAFKA_BROKERS is set: on a broker with other runs' history, (b)'s new router group and adapters also route and deliver that history",
    false,
  );

async function main(options: Options): Promise<void> {
  const run = randomBytes(3).toString('hex');
  const started = new Date();
  const dir = mkdtempSync(join(tmpdir(), 'comity-bench-'));
  const outDir = resolve(options.out);
  mkdirSync(outDir, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const profileDir = options.profile ? join(outDir, `${stamp}-profiles`) : undefined;
  const parts = new Set(options.parts.split(',').map((p) => p.trim()));

  progressDone(`comity bench ${run}: ${options.requests} requests closed loop (${options.concurrency} in flight), ${options.rate}/s for ${options.seconds} s open loop`);
  const broker = await benchBroker(options.ownBroker);
  progressDone(`broker: ${broker.origin} ${broker.brokers.join(',')}`);
  const kafka = createKafkaClient(kafkaConfigOf(broker, 'comity-bench'), createLogger({ name: 'bench', level: 'error' }));
  const benchTopics = ['a1', 'a2', 'c1', 'c2'].map((t) => `bench.${run}.${t}`);
  let admin: Awaited<ReturnType<typeof kafka.admin>>;
  try {
    admin = await kafka.admin();
    await admin.ensureTopics(benchTopics.map((topic) => topicSpec(topic, { partitions: 3 })));
  } catch (error) {
    await broker.stop();
    throw error;
  }

  const template = inboundRecord(run, 0);
  const sameBytes = (index: number) => ({ ...template, key: `ejn:BENCH-${run}-${index}` });
  const drainTimeoutMs = 120_000;
  const result: Record<string, unknown> = {
    run,
    date: started.toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryMb: mb(totalmem()), node: process.version, sharedWithOtherWork: true },
    broker: broker.origin,
    options: { requests: options.requests, rate: options.rate, seconds: options.seconds, concurrency: options.concurrency, warmup: options.warmup, runtime: options.runtime, nodeOptions: options.nodeOptions ?? null },
    recordBytes: { value: template.value.length, headers: Object.values(template.headers).reduce((n, b) => n + b.length, 0), key: template.key.length },
  };

  let a: { throughput: ThroughputResult; latency: LatencyResult; peakRssMb: Record<string, number> } | undefined;
  let b: { throughput: ThroughputResult; latency: LatencyResult; peakRssMb: Record<string, number>; duplicates: number; receiptsAtEjn: number } | undefined;
  let c: (KcatResult & { peakRssMb: Record<string, number> }) | undefined;
  const profiles: ProfileSummary[] = [];

  try {
    if (parts.has('a')) {
      progressDone('(a) bare kafkajs relay over two hops');
      const relay = await startKafkajsRelay({ connection: broker, topic1: benchTopics[0]!, topic2: benchTopics[1]!, group: `bench-${run}`, record: sameBytes });
      try {
        await closedLoop(relay.target, { count: options.warmup, concurrency: options.concurrency, firstIndex: 1_000_000, drainTimeoutMs });
        const throughput = await closedLoop(relay.target, { count: options.requests, concurrency: options.concurrency, firstIndex: 0, drainTimeoutMs });
        const latency = await openLoop(relay.target, { ratePerSecond: options.rate, seconds: options.seconds, firstIndex: 2_000_000, drainTimeoutMs });
        a = { throughput, latency, peakRssMb: { relay: mb(relay.relay.peakRss()), 'bench (producer+consumer)': mb(process.resourceUsage().maxRSS * 1024) } };
      } finally {
        await relay.stop();
      }
    }

    if (parts.has('b')) {
      progressDone('(b) Comity: EJN XML over HTTP → adapter → router → adapter → IberRed JSON over HTTP');
      if (profileDir) mkdirSync(profileDir, { recursive: true });
      if (options.runtime === 'dist') buildDist();
      const comity = await startComityPath({
        entry: options.runtime === 'dist' ? DIST_ENTRY : 'bin/comity.js',
        broker,
        kafka,
        run,
        dir: join(dir, 'comity'),
        concurrency: options.concurrency,
        env: { ...(profileDir ? { COMITY_BENCH_PROFILE_DIR: profileDir } : {}), ...(options.nodeOptions ? { NODE_OPTIONS: options.nodeOptions } : {}) },
      });
      try {
        const warm = await closedLoop(comity.target, { count: options.warmup, concurrency: options.concurrency, firstIndex: 1_000_000, drainTimeoutMs });
        if (warm.sendErrors > 0) throw new Error(`warm-up: ${warm.sendErrors} requests refused, e.g. ${warm.firstError}`);
        if (warm.delivered < warm.sent) throw new Error(`warm-up: only ${warm.delivered} of ${warm.sent} requests arrived; is another adapter of the same network consuming?`);
        const throughput = await closedLoop(comity.target, { count: options.requests, concurrency: options.concurrency, firstIndex: 0, drainTimeoutMs });
        const latency = await openLoop(comity.target, { ratePerSecond: options.rate, seconds: options.seconds, firstIndex: 2_000_000, drainTimeoutMs });
        // Receipts (relayed, delivered) reach EJN's connector too; let them finish before measuring memory.
        await waitFor(() => false, 2000);
        b = {
          throughput,
          latency,
          peakRssMb: Object.fromEntries(comity.processes.map((p) => [p.name, mb(p.peakRss())])),
          duplicates: comity.iberredAuthority.duplicates(),
          receiptsAtEjn: comity.ejnConnector.arrivals.size,
        };
      } finally {
        await comity.stop();
      }
      if (profileDir) {
        // Per process, the main thread's profile: the largest file (the other is tsx's loader thread).
        for (const name of readdirSync(profileDir)) {
          const files = readdirSync(join(profileDir, name))
            .filter((f) => f.endsWith('.cpuprofile'))
            .map((f) => join(profileDir, name, f))
            .sort((x, y) => statSync(y).size - statSync(x).size);
          if (files[0]) profiles.push(summariseProfile(files[0], name));
        }
      }
    }

    if (parts.has('c') && options.kcat) {
      if (kcatInstalled()) {
        progressDone('(c) kcat over two hops');
        const kcat = await runKcat({
          connection: kcatArgsOf(broker),
          topic1: benchTopics[2]!,
          topic2: benchTopics[3]!,
          count: options.requests,
          recordBytes: template.value.length,
          sample: template.value,
          dir,
        });
        c = { ...kcat, peakRssMb: Object.fromEntries(Object.entries(kcat.peakRssBytes).map(([k, v]) => [k, mb(v)])) };
      } else {
        progressDone('(c) skipped: kcat is not installed');
      }
    }
  } finally {
    await admin.disconnect();
    await deleteTopics(broker, benchTopics).catch(() => undefined);
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const ratioToRelay = a && b && a.throughput.eventsPerSecond > 0 ? round(b.throughput.eventsPerSecond / a.throughput.eventsPerSecond, 2) : undefined;
  const ratioToKcat = c && b && c.eventsPerSecond > 0 ? round(b.throughput.eventsPerSecond / c.eventsPerSecond, 3) : undefined;
  const maxRss = b ? Math.max(...Object.values(b.peakRssMb)) : undefined;
  Object.assign(result, {
    a,
    b,
    c,
    ratios: { comityToKafkajs: ratioToRelay, comityToKcat: ratioToKcat },
    targets: {
      comityToKafkajs: { target: `>= ${TARGETS.ratioToRelay}`, measured: ratioToRelay, met: ratioToRelay === undefined ? undefined : ratioToRelay >= TARGETS.ratioToRelay },
      p99AtRate: {
        target: `<= ${TARGETS.p99Ms} ms at ${TARGETS.rateForP99}/s`,
        measured: b?.latency.p99Ms,
        offered: b?.latency.offeredPerSecond,
        sustained: b?.latency.sustainedPerSecond,
        met: b ? b.latency.p99Ms <= TARGETS.p99Ms && b.latency.offeredPerSecond >= TARGETS.rateForP99 && b.latency.delivered === b.latency.sent : undefined,
      },
      rssPerProcess: { target: `<= ${TARGETS.maxRssMb} MB`, measured: maxRss, met: maxRss === undefined ? undefined : maxRss <= TARGETS.maxRssMb },
    },
    profiles,
  });

  const markdown = toMarkdown(result, { a, b, c, ratioToRelay, ratioToKcat, profiles });
  writeFileSync(join(outDir, `${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(outDir, `${stamp}.md`), markdown);
  process.stdout.write(`\n${markdown}\nwritten: ${join(options.out, `${stamp}.json`)} and .md\n`);
}

function toMarkdown(
  result: Record<string, unknown>,
  figures: {
    a?: { throughput: ThroughputResult; latency: LatencyResult; peakRssMb: Record<string, number> };
    b?: { throughput: ThroughputResult; latency: LatencyResult; peakRssMb: Record<string, number>; duplicates: number; receiptsAtEjn: number };
    c?: KcatResult & { peakRssMb: Record<string, number> };
    ratioToRelay?: number;
    ratioToKcat?: number;
    profiles: ProfileSummary[];
  },
): string {
  const { a, b, c } = figures;
  const machine = result.machine as { cpus: number; cpuModel: string; memoryMb: number; node: string };
  const rss = (r?: Record<string, number>) => (r ? Object.entries(r).map(([k, v]) => `${k} ${v}`).join(', ') : '–');
  const lines = [
    `## Comity benchmark ${String(result.date)}`,
    '',
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryMb} MB, Node ${machine.node}; broker: ${String(result.broker)}. ` +
      `Record: ${(result.recordBytes as { value: number }).value} B value + ${(result.recordBytes as { headers: number }).headers} B headers. ` +
      `(b) ran as: ${(result.options as { runtime: string }).runtime === 'dist' ? `compiled (node ${DIST_ENTRY})` : 'bin/comity.js (tsx)'}` +
      `${(result.options as { nodeOptions: string | null }).nodeOptions ? `, NODE_OPTIONS=${(result.options as { nodeOptions: string }).nodeOptions}` : ''}.`,
    '',
    '| part | events/s (closed loop) | p50 / p99 ms at offered rate | sustained at offered rate | peak RSS MB |',
    '|---|---:|---|---:|---|',
    a ? `| (a) kafkajs relay, 2 hops | ${a.throughput.eventsPerSecond} | ${a.latency.p50Ms} / ${a.latency.p99Ms} at ${a.latency.offeredPerSecond}/s | ${a.latency.sustainedPerSecond}/s | ${rss(a.peakRssMb)} |` : '| (a) kafkajs relay | not run | | | |',
    b ? `| (b) Comity, native → native | ${b.throughput.eventsPerSecond} | ${b.latency.p50Ms} / ${b.latency.p99Ms} at ${b.latency.offeredPerSecond}/s | ${b.latency.sustainedPerSecond}/s | ${rss(b.peakRssMb)} |` : '| (b) Comity | not run | | | |',
    c ? `| (c) kcat, 2 hops | ${c.eventsPerSecond} | – | – | ${rss(c.peakRssMb)} |` : '| (c) kcat | not run | | | |',
    '',
    `Ratios: (b)/(a) = ${figures.ratioToRelay ?? '–'} (target ≥ ${TARGETS.ratioToRelay}); (b)/(c) = ${figures.ratioToKcat ?? '–'}.`,
  ];
  if (b) {
    lines.push(
      `Targets: p99 ${b.latency.p99Ms} ms at ${b.latency.offeredPerSecond}/s offered (target ≤ ${TARGETS.p99Ms} ms at ${TARGETS.rateForP99}/s; ${b.latency.delivered}/${b.latency.sent} delivered); ` +
        `largest process ${Math.max(...Object.values(b.peakRssMb))} MB (target ≤ ${TARGETS.maxRssMb} MB). ` +
        `Duplicates at the native side: ${b.duplicates}; receipts at EJN's connector: ${b.receiptsAtEjn}.`,
    );
  }
  for (const profile of figures.profiles) {
    lines.push('', `### Where ${profile.process} spent its ${profile.totalMs} ms of CPU (${profile.wallMs} ms profiled)`, '', '| area | ms | % |', '|---|---:|---:|');
    for (const area of profile.areas.slice(0, 10)) lines.push(`| ${area.area} | ${area.ms} | ${area.percent} |`);
    lines.push('', '| function (self time) | where | ms | % |', '|---|---|---:|---:|');
    for (const fn of profile.functions.slice(0, 10)) lines.push(`| ${fn.name} | ${fn.where} | ${fn.ms} | ${fn.percent} |`);
  }
  return `${lines.join('\n')}\n`;
}

program.action(async (options: Options) => {
  try {
    await main(options);
    process.exit(0);
  } catch (error) {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  }
});
await program.parseAsync();
