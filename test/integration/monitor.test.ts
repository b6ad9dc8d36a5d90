/**
 * The monitor with the real broker and real processes: router, tracker and monitor as
 * `comity run …` processes, three sample networks' adapters (the real runtime and HTTP
 * transport) in this process. K requests flow between the networks; the monitor's counters per
 * network and per pair equal what was sent, a dead-lettered request shows in its DLQ view, the
 * gRPC WatchFlows stream pushes updates, the W3C trace context goes from the sending native
 * system to the receiving one and into the log lines about the event, and every process serves
 * Prometheus metrics named by the conventions.
 */
import { credentials } from '@grpc/grpc-js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterConfigSchema, startAdapter, type RunningAdapter } from '../../adapters/sdk/runtime.js';
import type { HttpTransport } from '../../adapters/sdk/transports/http.js';
import { MonitorServiceClient, type WatchFlowsResponse } from '../../core/gen/comity/v1/monitor_service.js';
import { createLogger } from '../../core/log.js';
import { eventually, testKafka, testKafkaConfig, uniqueName, uniqueNetworkId } from '../support/kafka.js';
import { testKeys } from '../support/keys.js';
import { startComity, type ComityProcess } from '../support/processes.js';
import { sampleAdapter } from '../support/sample-adapter.js';

const K = { ab: 12, ac: 7, ba: 5 };

/** A native system's endpoint that keeps the headers of what it accepted. */
async function startHeaderEndpoint(): Promise<{ url: string; received: { eventId: string; traceparent?: string }[]; close(): Promise<void> }> {
  const received: { eventId: string; traceparent?: string }[] = [];
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received.push({ eventId: String(request.headers['idempotency-key'] ?? ''), traceparent: request.headers.traceparent as string | undefined });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `native-${received.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/inbox`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface MetricFamily {
  type: string;
  help: string;
  samples: { labels: Record<string, string>; value: number }[];
}

/** Prometheus text format: families by name (with their type and help), and every sample name. */
function parseMetrics(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const family = (name: string) => {
    let entry = families.get(name);
    if (!entry) families.set(name, (entry = { type: '', help: '', samples: [] }));
    return entry;
  };
  for (const line of text.split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') family(meta[2]!).type = meta[3]!;
      else family(meta[2]!).help = meta[3]!;
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!sample) continue;
    const labels = Object.fromEntries([...(sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((match) => [match[1]!, match[2]!]));
    family(sample[1]!).samples.push({ labels, value: Number(sample[3]) });
  }
  return families;
}

/** What breaks the Prometheus naming conventions in a scrape (empty when nothing does). */
function checkMetricNames(families: Map<string, MetricFamily>): string[] {
  const problems: string[] = [];
  for (const [name, family] of families) {
    if (!family.type) continue; // a sample of a histogram (_bucket, _sum, _count)
    if (!/^comity_[a-z0-9_]+$/.test(name)) problems.push(`${name}: not comity_<snake_case>`);
    if (!family.help) problems.push(`${name}: no help text`);
    if (family.type === 'counter' && !name.endsWith('_total')) problems.push(`${name}: a counter must end in _total`);
    if (family.type !== 'counter' && name.endsWith('_total') && !/^comity_nodejs_active_/.test(name)) problems.push(`${name}: only counters end in _total`);
    if (/(^|_)(ms|millis|milliseconds|minutes|hours|kb|mb|kilobytes|megabytes)(_|$)/.test(name)) problems.push(`${name}: not in base units`);
    if (/(^|_)(duration|latency|elapsed|delay|age)(_|$)/.test(name) && !/_seconds(_total)?$/.test(name)) problems.push(`${name}: a duration must be in _seconds`);
    if (/bytes/.test(name) && !/_bytes(_total)?$/.test(name)) problems.push(`${name}: a size must end in _bytes`);
  }
  return problems;
}

interface FlowsJson {
  catchUpMs?: number;
  networks: { network: string; counters: Record<string, number>; deadLettersByReason: Record<string, number> }[];
  pairs: { origin: string; destination: string; counters: Record<string, number>; latency: { count: number } }[];
  lag: { group: string; topic: string; lag: number }[];
}

describe('monitor (comity run monitor) with real processes', () => {
  const [a, b, c] = [uniqueNetworkId('ma'), uniqueNetworkId('mb'), uniqueNetworkId('mc')];
  const dir = mkdtempSync(join(tmpdir(), 'comity-monitor-'));
  const keys = testKeys([a, b, c]);
  const processes: ComityProcess[] = [];
  const adapters = new Map<string, RunningAdapter>();
  const endpoints = new Map<string, Awaited<ReturnType<typeof startHeaderEndpoint>>>();
  const logLines: string[] = [];
  let dashboard = '';
  let grpcPort = '';
  let router: ComityProcess;
  const statusPorts = new Map<string, number>();

  beforeAll(async () => {
    const kafka = testKafka();
    const federation = join(dir, 'federation.yaml');
    writeFileSync(
      federation,
      keys.federationYaml(
        [
          'version: 1',
          'networks:',
          `  - { id: ${a}, name: Network A, kind: judicial-network, role: member, languages: [en], members: [DE], membersVerified: true, accepts: [mutual-legal-assistance], sources: [test] }`,
          `  - { id: ${b}, name: Network B, kind: judicial-network, role: member, languages: [es], members: [CO], membersVerified: true, accepts: [mutual-legal-assistance], sources: [test] }`,
          `  - { id: ${c}, name: Network C, kind: judicial-network, role: member, languages: [pt], members: [BR], membersVerified: true, accepts: [mutual-legal-assistance], sources: [test] }`,
          '',
        ].join('\n'),
      ),
    );
    const run = uniqueName('mon');
    const routerGroup = `${run}-router`;
    const trackerGroup = `${run}-tracker`;
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const routerConfig = write(
      'router.yaml',
      `federation: ${federation}\nrouter:\n  instanceId: ${run}\n  groupId: ${routerGroup}\n  signingKey: ${JSON.stringify(keys.hubKeyConfig())}\n`,
    );
    const trackerConfig = write('tracker.yaml', `federation: ${federation}\ntracker:\n  instanceId: ${run}\n  groupId: ${trackerGroup}\n  grpcPort: 0\n`);
    const monitorConfig = write(
      'monitor.yaml',
      [
        `federation: ${federation}`,
        'monitor:',
        `  instanceId: ${run}`,
        '  port: 0',
        '  grpcPort: 0',
        '  updateIntervalMs: 300',
        '  lagIntervalMs: 1000',
        `  groups: { router: ${routerGroup}, tracker: ${trackerGroup} }`,
        '',
      ].join('\n'),
    );
    await keys.publishToDirectory(kafka);

    // The hub first: the router creates every network's topics.
    router = await startComity(['run', 'router', '--config', routerConfig], /router running \(status on port (\d+)/, { COMITY_LOG_LEVEL: 'info' });
    processes.push(router);
    statusPorts.set('router', Number(/router running \(status on port (\d+)/.exec(router.output())![1]));
    const tracker = await startComity(['run', 'tracker', '--config', trackerConfig], /tracker running \(gRPC on [^,]+, status on port (\d+)/);
    processes.push(tracker);
    statusPorts.set('tracker', Number(/status on port (\d+)/.exec(tracker.output())![1]));

    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) => logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    const logger = createLogger({ name: 'test.monitor', level: 'info', destination });
    for (const network of [a, b, c]) {
      const endpoint = await startHeaderEndpoint();
      endpoints.set(network, endpoint);
      const definition = sampleAdapter(network);
      const config = adapterConfigSchema(definition).parse({
        network,
        trust: keys.adapterTrust(network),
        kafka: testKafkaConfig(`adapter-${network}`),
        runtime: { stateDir: join(dir, 'state'), retry: { initialMs: 50, maxMs: 200 }, drainTimeoutMs: 5_000 },
        adapter: { listen: { port: 0 }, deliverTo: endpoint.url, timeoutMs: 2_000 },
      });
      const adapter = await startAdapter(definition, config, { logger });
      adapters.set(network, adapter);
      statusPorts.set(`adapter.${network}`, adapter.statusPort);
    }

    const monitor = await startComity(['run', 'monitor', '--config', monitorConfig], /monitor running \(dashboard on (http:\/\/[^,]+), gRPC on [^:]+:(\d+), status on port (\d+)/);
    processes.push(monitor);
    const ready = /monitor running \(dashboard on (http:\/\/[^,]+), gRPC on [^:]+:(\d+), status on port (\d+)/.exec(monitor.output())!;
    [dashboard, grpcPort] = [ready[1]!, ready[2]!];
    statusPorts.set('monitor', Number(ready[3]));
  });

  afterAll(async () => {
    for (const adapter of adapters.values()) await adapter.stop();
    for (const process of processes.reverse()) await process.stop();
    for (const endpoint of endpoints.values()) await endpoint.close();
  });

  const post = async (network: string, body: object, headers: Record<string, string> = {}) => {
    const port = (adapters.get(network)!.transport as HttpTransport).address()!.port;
    const response = await fetch(`http://127.0.0.1:${port}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(202);
    return (await response.json()) as { eventIds: string[]; requestIds: string[] };
  };
  const flows = async (): Promise<FlowsJson> => (await (await fetch(`${dashboard}/api/flows`)).json()) as FlowsJson;
  const networkCounters = (snapshot: FlowsJson, id: string) => snapshot.networks.find((entry) => entry.network === id)?.counters;
  const pairCounters = (snapshot: FlowsJson, from: string, to: string) =>
    snapshot.pairs.find((pair) => pair.origin === from && pair.destination === to)?.counters;

  it('counts what was sent, per network and per pair, and streams it over gRPC', async () => {
    const client = new MonitorServiceClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
    const updates: WatchFlowsResponse[] = [];
    const stream = client.watchFlows({ $type: 'comity.v1.WatchFlowsRequest', networks: [a, b, c], intervalSeconds: 1 });
    stream.on('data', (update: WatchFlowsResponse) => updates.push(update));
    stream.on('error', () => undefined);

    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const sent: string[] = [];
    const started = Date.now();
    for (let i = 0; i < K.ab; i += 1) {
      const headers: Record<string, string> = i === 0 ? { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } : {};
      sent.push(...(await post(a, { reference: `AB-${i}`, kind: 'request', to: 'CO' }, headers)).eventIds);
    }
    for (let i = 0; i < K.ac; i += 1) await post(a, { reference: `AC-${i}`, kind: 'request', to: 'BR' });
    for (let i = 0; i < K.ba; i += 1) await post(b, { reference: `BA-${i}`, kind: 'request', to: 'DE' });
    const nowhere = await post(a, { reference: 'NOWHERE', kind: 'request', to: 'JP' });

    let snapshot = await flows();
    const expected = () =>
      pairCounters(snapshot, a, b)?.delivered === K.ab &&
      pairCounters(snapshot, a, c)?.delivered === K.ac &&
      pairCounters(snapshot, b, a)?.delivered === K.ba &&
      networkCounters(snapshot, a)?.rejected === 2;
    const deadline = Date.now() + 90_000;
    while (!expected() && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      snapshot = await flows();
    }
    process.stderr.write(`monitor: ${K.ab + K.ac + K.ba + 1} requests counted as delivered in ${Date.now() - started} ms\n`);

    // A's dead letters: the unroutable request (the router), and the router's notice about it,
    // which the sample network's system cannot take (its adapter).
    expect(networkCounters(snapshot, a)).toEqual({ received: K.ab + K.ac + 1, routed: K.ba, delivered: K.ba, rejected: 2, queued: 0 });
    expect(networkCounters(snapshot, b)).toEqual({ received: K.ba, routed: K.ab, delivered: K.ab, rejected: 0, queued: 0 });
    expect(networkCounters(snapshot, c)).toEqual({ received: 0, routed: K.ac, delivered: K.ac, rejected: 0, queued: 0 });
    expect(pairCounters(snapshot, a, b)).toEqual({ received: K.ab, routed: K.ab, delivered: K.ab, rejected: 0, queued: 0 });
    expect(pairCounters(snapshot, a, c)).toEqual({ received: K.ac, routed: K.ac, delivered: K.ac, rejected: 0, queued: 0 });
    expect(pairCounters(snapshot, b, a)).toEqual({ received: K.ba, routed: K.ba, delivered: K.ba, rejected: 0, queued: 0 });
    expect(snapshot.pairs.find((pair) => pair.origin === a && pair.destination === b)!.latency.count).toBe(K.ab);
    expect(networkCounters(snapshot, a)).toBeDefined();
    expect(snapshot.networks.find((entry) => entry.network === a)!.deadLettersByReason).toEqual({ NO_ROUTE: 1, UNSUPPORTED_TYPE: 1 });

    // The dead-lettered request, in the DLQ view the dashboard uses.
    const letters = (await (await fetch(`${dashboard}/api/dead-letters?network=${a}&reason=NO_ROUTE`)).json()) as {
      deadLetters: { requestId: string; code: string; stage: string; eventId: string }[];
    };
    expect(letters.deadLetters).toEqual([expect.objectContaining({ requestId: nowhere.requestIds[0], code: 'NO_ROUTE', stage: 'route', eventId: nowhere.eventIds[0] })]);

    // The gRPC stream has pushed the counters as they grew.
    await eventually(
      () => updates.some((update) => update.snapshot?.pairs.some((pair) => pair.originNetwork === a && pair.destinationNetwork === b && pair.counters?.delivered === K.ab)),
      'a WatchFlows update with every A→B delivery',
      15_000,
    );
    expect(updates.length).toBeGreaterThanOrEqual(2);
    const last = updates.at(-1)!.snapshot!;
    expect(last.networks.map((entry) => entry.network).sort()).toEqual([a, b, c].sort());
    expect(last.networks.find((entry) => entry.network === a)!.deadLetters).toBe(2);
    stream.cancel();
    client.close();

    // Lag of the adapters' groups on their outbound topics is measured, and nothing is left (the
    // commit markers that end a transactional topic do not count).
    await until(async () => (snapshot = await flows()).lag.some((entry) => entry.group === `comity-adapter-${b}` && entry.lag === 0), 'no lag of the B adapter');
    expect(snapshot.lag.filter((entry) => entry.group === `comity-adapter-${b}`)).toEqual([expect.objectContaining({ topic: `comity.outbound.${b}`, lag: 0 })]);

    // W3C trace context: from A's native system to B's, and in the log lines about the event.
    const first = sent[0]!;
    const atB = endpoints.get(b)!.received.find((entry) => entry.eventId === first);
    expect(atB?.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    for (const entry of endpoints.get(b)!.received) expect(entry.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/);
    const aboutFirst = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.eventId === first);
    expect(aboutFirst.map((line) => line.msg)).toEqual(expect.arrayContaining(['published', 'delivered']));
    for (const line of aboutFirst) {
      expect(String(line.traceparent)).toContain(traceId);
      expect(line.requestId).toBe(`${a}:AB-0`);
    }
    const routed = router
      .output()
      .split('\n')
      .filter((line) => line.includes(first))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const routedLine = routed.find((line) => line.msg === 'routed');
    expect(String(routedLine?.traceparent)).toContain(traceId);
    expect(routedLine?.requestId).toBe(`${a}:AB-0`);
  }, 180_000);

  it('serves Prometheus metrics named by the conventions from every process', async () => {
    const scraped = new Map<string, ReturnType<typeof parseMetrics>>();
    for (const [name, port] of statusPorts) {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status, name).toBe(200);
      const metrics = parseMetrics(await response.text());
      expect(checkMetricNames(metrics), name).toEqual([]);
      scraped.set(name, metrics);
    }
    const value = (process: string, metric: string, labels: Record<string, string>) =>
      scraped
        .get(process)!
        .get(metric)
        ?.samples.find((sample) => Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted))?.value;
    expect(value('monitor', 'comity_monitor_flow_events_total', { origin_network: a, destination_network: b, outcome: 'delivered' })).toBe(K.ab);
    expect(value('monitor', 'comity_monitor_network_events_total', { network: a, outcome: 'rejected' })).toBe(2);
    expect(scraped.get('monitor')!.get('comity_monitor_delivery_latency_seconds')?.type).toBe('histogram');
    expect(value('monitor', 'comity_monitor_delivery_latency_seconds_count', { origin_network: b, destination_network: a })).toBe(K.ba);
    expect(value(`adapter.${b}`, 'comity_adapter_messages_total', { network: b, outcome: 'delivered' })).toBe(K.ab);
    expect(value('router', 'comity_router_events_total', { from: a, to: c, outcome: 'routed' })).toBe(K.ac);
    expect(scraped.get('tracker')!.get('comity_tracker_events_total')?.type).toBe('counter');
  });
});
