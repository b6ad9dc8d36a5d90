/**
 * The dashboard in a real browser (Debian's Chromium, driven by playwright-core) against a
 * running hub with traffic: router, tracker and monitor as `comity run …` processes, two
 * sample networks' adapters (the real runtime and HTTP transport) in this process. The page's
 * counters equal what was sent; a request found by id (keyboard: `/`) shows its timeline; a
 * request stuck in B's dead-letter topic (B's native system was down) is redriven from the page
 * and then delivered. A screenshot is kept in test-results/ as an artifact.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterConfigSchema, startAdapter, type RunningAdapter } from '../../adapters/sdk/runtime.js';
import type { HttpTransport } from '../../adapters/sdk/transports/http.js';
import { createLogger } from '../../core/log.js';
import { testKafka, testKafkaConfig, uniqueName, uniqueNetworkId } from '../support/kafka.js';
import { testKeys } from '../support/keys.js';
import { startComity, type ComityProcess } from '../support/processes.js';
import { sampleAdapter } from '../support/sample-adapter.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve('test-results');
const K = { ab: 8, ba: 4 };

interface NativeSystem {
  readonly url: string;
  readonly accepted: string[];
  down: boolean;
  close(): Promise<void>;
}

/** A native system's endpoint that can be down (503). */
async function startNativeSystem(): Promise<NativeSystem> {
  const system = { accepted: [] as string[], down: false, url: '', close: async () => {} };
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (system.down) return void response.writeHead(503).end('down for maintenance');
      system.accepted.push(String(request.headers['idempotency-key'] ?? ''));
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `native-${system.accepted.length}` }));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  system.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/inbox`;
  system.close = () => new Promise<void>((done) => server.close(() => done()));
  return system;
}

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 250));
  }
}

describe('dashboard in Chromium', () => {
  const [a, b] = [uniqueNetworkId('da'), uniqueNetworkId('db')];
  const dir = mkdtempSync(join(tmpdir(), 'comity-dashboard-'));
  const keys = testKeys([a, b]);
  const processes: ComityProcess[] = [];
  const adapters = new Map<string, RunningAdapter>();
  const natives = new Map<string, NativeSystem>();
  let dashboard = '';
  let browser: BrowserContext;
  let page: Page;
  let stuckRequest = '';
  let stuckEvent = '';
  let firstRequest = '';

  const post = async (network: string, body: object) => {
    const port = (adapters.get(network)!.transport as HttpTransport).address()!.port;
    const response = await fetch(`http://127.0.0.1:${port}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(response.status).toBe(202);
    return (await response.json()) as { eventIds: string[]; requestIds: string[] };
  };
  const flows = async () =>
    (await (await fetch(`${dashboard}/api/flows`)).json()) as {
      pairs: { origin: string; destination: string; counters: Record<string, number> }[];
      networks: { network: string; deadLettersByReason: Record<string, number> }[];
    };

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} (Debian's chromium package; .ci/run installs it)`).toBe(true);
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
          '',
        ].join('\n'),
      ),
    );
    const run = uniqueName('dash');
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const routerConfig = write('router.yaml', `federation: ${federation}\nrouter:\n  instanceId: ${run}\n  groupId: ${run}-router\n  signingKey: ${JSON.stringify(keys.hubKeyConfig())}\n`);
    const trackerConfig = write('tracker.yaml', `federation: ${federation}\ntracker:\n  instanceId: ${run}\n  groupId: ${run}-tracker\n  grpcPort: 0\n`);
    const monitorConfig = write(
      'monitor.yaml',
      `federation: ${federation}\nmonitor:\n  instanceId: ${run}\n  port: 0\n  grpcPort: 0\n  updateIntervalMs: 300\n  lagIntervalMs: 1000\n  groups: { router: ${run}-router, tracker: ${run}-tracker }\n`,
    );
    await keys.publishToDirectory(kafka);
    processes.push(await startComity(['run', 'router', '--config', routerConfig], /router running/));
    processes.push(await startComity(['run', 'tracker', '--config', trackerConfig], /tracker running/));
    const logger = createLogger({ name: 'test.dashboard', level: process.env.COMITY_LOG_LEVEL ?? 'error' });
    for (const network of [a, b]) {
      const native = await startNativeSystem();
      natives.set(network, native);
      const definition = sampleAdapter(network);
      const config = adapterConfigSchema(definition).parse({
        network,
        trust: keys.adapterTrust(network),
        kafka: testKafkaConfig(`adapter-${network}`),
        // B gives up on a delivery after 2 s, so that the stuck request lands in its DLQ.
        runtime: { stateDir: join(dir, 'state'), retry: { initialMs: 100, maxMs: 300, giveUpAfterMs: 2_000 }, drainTimeoutMs: 5_000 },
        adapter: { listen: { port: 0 }, deliverTo: native.url, timeoutMs: 2_000 },
      });
      adapters.set(network, await startAdapter(definition, config, { logger }));
    }
    const monitor = await startComity(['run', 'monitor', '--config', monitorConfig], /monitor running \(dashboard on (http:\/\/[^,]+),/);
    processes.push(monitor);
    dashboard = /monitor running \(dashboard on (http:\/\/[^,]+),/.exec(monitor.output())![1]!;

    // Traffic: one request while B's native system is down (it ends in B's DLQ), then the rest.
    natives.get(b)!.down = true;
    const stuck = await post(a, { reference: 'STUCK', kind: 'request', to: 'CO' });
    [stuckRequest, stuckEvent] = [stuck.requestIds[0]!, stuck.eventIds[0]!];
    await until(async () => ((await flows()).networks.find((entry) => entry.network === b)?.deadLettersByReason.DELIVERY_GAVE_UP ?? 0) === 1, 'the stuck request in B\'s DLQ');
    natives.get(b)!.down = false;
    for (let i = 0; i < K.ab; i += 1) {
      const sent = await post(a, { reference: `AB-${i}`, kind: 'request', to: 'CO' });
      if (i === 0) firstRequest = sent.requestIds[0]!;
    }
    for (let i = 0; i < K.ba; i += 1) await post(b, { reference: `BA-${i}`, kind: 'request', to: 'DE' });
    await until(async () => (await flows()).pairs.find((pair) => pair.origin === a && pair.destination === b)?.counters.delivered === K.ab, 'every A→B delivery');
    await until(async () => (await flows()).pairs.find((pair) => pair.origin === b && pair.destination === a)?.counters.delivered === K.ba, 'every B→A delivery');

    browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'comity-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1440, height: 1000 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    // Nothing but the monitor itself: any other request fails the test.
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(dashboard)) foreign.push(request.url());
    });
    page.on('close', () => expect(foreign).toEqual([]));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    for (const adapter of adapters.values()) await adapter.stop();
    for (const process of processes.reverse()) await process.stop();
    for (const native of natives.values()) await native.close();
  });

  const cell = (selector: string, counter: string) => page.locator(`${selector} td[data-counter="${counter}"]`);

  it('shows the counters that were sent, per network and per pair', async () => {
    const started = Date.now();
    await page.goto(dashboard);
    await page.locator(`#pair-table tr[data-pair="${a}>${b}"]`).waitFor();
    process.stderr.write(`dashboard: counters on screen ${Date.now() - started} ms after navigation\n`);
    await expect.poll(() => cell(`#pair-table tr[data-pair="${a}>${b}"]`, 'delivered').textContent()).toBe(String(K.ab));
    expect(await cell(`#pair-table tr[data-pair="${a}>${b}"]`, 'routed').textContent()).toBe(String(K.ab + 1));
    expect(await cell(`#pair-table tr[data-pair="${a}>${b}"]`, 'rejected').textContent()).toBe('1');
    expect(await cell(`#pair-table tr[data-pair="${b}>${a}"]`, 'delivered').textContent()).toBe(String(K.ba));
    expect(await cell(`#network-table tr[data-network="${a}"]`, 'received').textContent()).toBe(String(K.ab + 1));
    expect(await cell(`#network-table tr[data-network="${b}"]`, 'received').textContent()).toBe(String(K.ba));
    expect(await cell(`#network-table tr[data-network="${b}"]`, 'delivered').textContent()).toBe(String(K.ab));
    // The picture: one weighted arrow per direction, focusable, labelled with its counters.
    const edge = page.locator(`#flow-graph path.edge[data-pair="${a}>${b}"]`);
    expect(await edge.getAttribute('aria-label')).toContain(`${K.ab + 1} routed, ${K.ab} delivered`);
    expect(await page.locator(`#flow-graph path.edge[data-pair="${b}>${a}"]`).count()).toBe(1);
    expect(await page.locator('#live-state').textContent()).toBe('live');
  });

  it('finds a request by id from the keyboard and shows its timeline', async () => {
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('/');
    expect(await page.locator(':focus').getAttribute('id')).toBe('request-search');
    await page.keyboard.type(firstRequest);
    await page.keyboard.press('Enter');
    await page.locator('#request-section:not([hidden])').waitFor();
    await expect.poll(() => page.locator('#request-title').textContent()).toBe(`Request ${firstRequest}`);
    expect(await page.locator(':focus').getAttribute('id')).toBe('request-title');
    const types = await Promise.all((await page.locator('#request-timeline tbody tr').all()).map((row) => row.getAttribute('data-type')));
    expect(types).toEqual(expect.arrayContaining(['comity.v1.RequestSubmitted', 'comity.v1.RequestRelayed', 'comity.v1.RequestDelivered']));
    expect(await page.locator('#request-timeline tr[data-type="comity.v1.RequestDelivered"]').getAttribute('data-layer')).toBe('transport');
    expect(await page.locator('#request-summary dd[data-fact="Transport"]').textContent()).toBe('delivered');
    expect(await page.locator('#request-summary dd[data-fact="From network"]').textContent()).toBe(a);
    expect(await page.locator(`#request-receipts tr[data-receipt="${b}"] td`).last().textContent()).not.toBe('awaited');
  });

  it('finds the stuck request in the DLQ and redrives it from the page', async () => {
    await page.locator(`#dlq-summary tr[data-dlq="${b}/DELIVERY_GAVE_UP"] button`).click();
    const row = page.locator('#dlq-letters tbody tr', { hasText: stuckRequest });
    await row.waitFor();
    expect(await row.locator('td').nth(1).textContent()).toBe('outbound-deliver');
    await row.getByRole('button', { name: /Redrive dead letter/ }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#dlq-message').textContent(), { timeout: 30_000 }).toContain('Redriven: 1.');
    await expect.poll(() => row.locator('td[data-state]').textContent(), { timeout: 30_000 }).toBe('redriven');
    // Back in its flow: B's native system gets it, and the page counts it as delivered.
    await until(() => natives.get(b)!.accepted.includes(stuckEvent), 'the redriven request at B', 60_000);
    await expect.poll(() => cell(`#pair-table tr[data-pair="${a}>${b}"]`, 'delivered').textContent(), { timeout: 30_000 }).toBe(String(K.ab + 1));
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect(existsSync(join(ARTIFACTS, 'dashboard.png'))).toBe(true);
  });
});
