/**
 * Exactly once under failure, with real processes on a real broker of this test's own (so it
 * can be restarted): N requests (COMITY_FAULTS_REQUESTS, default 50,000) enter as EJN e-CODEX
 * XML over HTTP and must reach Colombia's authority behind the IberRed adapter, while
 *
 *   - the router and the adapters are killed with SIGKILL, again and again, and restarted;
 *   - the broker is stopped and started again half way;
 *   - the IberRed authority's endpoint is down (503) for 30 s;
 *   - a few deliberately poisoned requests (unroutable, not XML) are mixed in.
 *
 * The sender behaves like a real connector: a request that was not answered 202 is sent again,
 * the same bytes. Then: every request arrived exactly once (counted by request id and
 * Idempotency-Key at the native side: one event per request, however often it was redelivered),
 * no consumer group has anything left to read (nothing in flight between router and adapters),
 * and the DLQs hold the poisoned requests and nothing else.
 *
 * docs/benchmarks.md gives the run times: the CI size is set with COMITY_FAULTS_REQUESTS.
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DlqHeader } from '../../core/dlq.js';
import { createKafkaClient, topics, type KafkaClient, type KafkaConfig } from '../../core/kafka/index.js';
import { createLogger } from '../../core/log.js';
import { freePort, startLocalBroker, type LocalBroker } from '../../deploy/kafka/local-broker.js';
import { testKeys } from '../support/keys.js';
import { eventually } from '../support/kafka.js';
import { startComity, type ComityProcess } from '../support/processes.js';

const REQUESTS = Number(process.env.COMITY_FAULTS_REQUESTS ?? 50_000);
const UNROUTABLE = 10;
const NOT_XML = 10;
const SENDERS = 16;
/** Requests sent but not yet delivered, at most: keeps the run in flight while the faults happen. */
const WINDOW = 300;
const ENDPOINT_DOWN_MS = 30_000;
const KILLS = 8;
/** When the broker is restarted, as the fraction of requests delivered (COMITY_FAULTS_BROKER_RESTART_AT). */
const BROKER_RESTART_AT = Number(process.env.COMITY_FAULTS_BROKER_RESTART_AT ?? 0.5);
const FEDERATION = resolve('deploy/config/federation.yaml');
const MLA = readFileSync(resolve('adapters/ejn-ecodex/fixtures/mla-de-co-untoc.xml'), 'utf8')
  // A confidential request would be sealed to a network the EJN message does not name.
  .replace('confidential="true"', 'confidential="false"');

const READY_TIMEOUT_MS = 120_000;
/** No new delivery for this long (the endpoint being up) fails the run instead of hanging it. */
const STALL_MS = 300_000;

/** Processes of this test whose command line has `argument` (a config file in this test's own directory). */
function pidsWithArgument(argument: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(argument);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Colombia's authority behind IberRed: counts what it accepted by request id and by Idempotency-Key. */
interface Authority {
  readonly url: string;
  /** Idempotency-Keys (event ids) accepted, by request id. */
  readonly byRequest: Map<string, Set<string>>;
  /** Deliveries of an Idempotency-Key already accepted (answered 200, not counted again). */
  redeliveries: number;
  down: boolean;
  close(): Promise<void>;
}

async function startAuthority(): Promise<Authority> {
  const state = { redeliveries: 0, down: false };
  const byRequest = new Map<string, Set<string>>();
  const seen = new Set<string>();
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (state.down) return void response.writeHead(503).end('{"error":"down"}');
      const key = String(request.headers['idempotency-key'] ?? '');
      const requestId = String(request.headers['x-comity-request-id'] ?? '');
      if (seen.has(key)) state.redeliveries += 1;
      else {
        seen.add(key);
        byRequest.set(requestId, (byRequest.get(requestId) ?? new Set()).add(key));
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(`{"id":"co-${seen.size}"}`);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/solicitudes`,
    byRequest,
    close: () => new Promise<void>((done) => (server.close(() => done()), server.closeAllConnections())),
  });
}

describe('exactly once under kill -9, a broker restart and a native endpoint down', () => {
  const dir = mkdtempSync(join(tmpdir(), 'comity-faults-'));
  const run = randomBytes(3).toString('hex');
  const log: string[] = [];
  const note = (line: string) => {
    log.push(`${new Date().toISOString()} ${line}`);
    process.stderr.write(`faults: ${line}\n`);
  };
  let broker: LocalBroker;
  let kafka: KafkaClient;
  let kafkaConfig: KafkaConfig;
  let authority: Authority;
  let connector: Server;
  let env: NodeJS.ProcessEnv;
  let ejnPort: number;
  /** The Comity processes by name, restarted by a supervisor when they die unasked. */
  const processes = new Map<string, { config: string; start: () => Promise<ComityProcess>; current?: ComityProcess; unexpectedExits: number; restarting?: boolean }>();
  let supervising = true;
  /** Processes the watchdog had to kill: neither ready nor exited in time (must stay 0). */
  let hung = 0;

  const launch = async (name: string): Promise<void> => {
    const entry = processes.get(name)!;
    for (;;) {
      // A process that is not ready in time is killed and started again, as a supervisor would,
      // and counted: a process must become ready or exit (seen before the fix: a router started
      // while the broker went away did neither, kept alive by its federation-file watcher).
      const watchdog = setTimeout(() => {
        hung += 1;
        note(`${name} not ready after ${READY_TIMEOUT_MS / 1000} s; kill -9`);
        for (const pid of pidsWithArgument(entry.config)) process.kill(pid, 'SIGKILL');
      }, READY_TIMEOUT_MS);
      try {
        const process = await entry.start();
        clearTimeout(watchdog);
        entry.current = process;
        // Each process's log (its stdout) is kept in the test's directory, for a failed run.
        process.child.once('exit', () => appendFileSync(join(dir, `${name}.log`), process.output()));
        process.child.once('exit', (code, signal) => {
          if (!supervising || entry.current !== process || signal === 'SIGKILL') return;
          entry.unexpectedExits += 1;
          note(`${name} exited by itself (${code ?? signal}); restarting`);
          void launch(name);
        });
        return;
      } catch (error) {
        clearTimeout(watchdog);
        if (!supervising) return;
        note(`${name} did not start (${(error as Error).message.split('\n')[0]}); again in 1 s`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };

  const killAndRestart = async (name: string): Promise<void> => {
    const entry = processes.get(name)!;
    note(`kill -9 ${name}`);
    entry.restarting = true;
    await entry.current?.stop('SIGKILL');
    await launch(name);
    entry.restarting = false;
    note(`${name} restarted`);
  };

  beforeAll(async () => {
    broker = await startLocalBroker({ dataDir: join(dir, 'kafka'), port: 0 });
    // This broker is the test's own (it is restarted), not the run's: clients and processes get its address and admin here.
    kafkaConfig = { brokers: broker.brokers, clientId: `faults-${run}`, sasl: broker.admin, ssl: false, connectionTimeoutMs: 3000, requestTimeoutMs: 30000 };
    kafka = createKafkaClient(kafkaConfig, createLogger({ name: 'faults', level: 'error' }));
    env = {
      KAFKA_BROKERS: broker.brokers.join(','),
      COMITY_KAFKA__SASL__MECHANISM: broker.admin.mechanism,
      COMITY_KAFKA__SASL__USERNAME: broker.admin.username,
      COMITY_KAFKA__SASL__PASSWORD: broker.admin.password,
    };
    authority = await startAuthority();
    connector = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(200).end('{}'));
    });
    await new Promise<void>((done) => connector.listen(0, '127.0.0.1', done));
    const connectorUrl = `http://127.0.0.1:${(connector.address() as AddressInfo).port}/connector`;

    const keys = testKeys(['ejn', 'iberred']);
    writeFileSync(join(dir, 'federation.yaml'), keys.federationYaml(readFileSync(FEDERATION, 'utf8')));
    await keys.publishToDirectory(kafka);
    const write = (name: string, lines: string[]) => {
      writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
      return join(dir, name);
    };
    const router = write('router.yaml', [`federation: ${join(dir, 'federation.yaml')}`, 'router:', `  signingKey: ${JSON.stringify(keys.hubKeyConfig())}`]);
    [ejnPort] = [await freePort()];
    const iberredPort = await freePort();
    const adapter = (network: string, port: number, deliverTo: string, extra: string[] = []) =>
      write(`${network}.yaml`, [
        `network: ${network}`,
        `runtime: { stateDir: ${join(dir, 'state')}, retry: { initialMs: 200, maxMs: 2000 } }`,
        `trust: ${JSON.stringify(keys.adapterTrust(network))}`,
        'adapter:',
        `  http: { listen: { port: ${port} }, deliverTo: "${deliverTo}" }`,
        ...extra,
      ]);
    const ejn = adapter('ejn', ejnPort, connectorUrl, ['  party: EJN-COMITY']);
    const iberred = adapter('iberred', iberredPort, authority.url);
    processes.set('router', { config: router, start: () => startComity(['run', 'router', '--config', router], /router running/, env), unexpectedExits: 0 });
    processes.set('adapter-ejn', { config: ejn, start: () => startComity(['run', 'adapter', 'ejn', '--config', ejn], /adapter ejn running/, env), unexpectedExits: 0 });
    processes.set('adapter-iberred', { config: iberred, start: () => startComity(['run', 'adapter', 'iberred', '--config', iberred], /adapter iberred running/, env), unexpectedExits: 0 });
    for (const name of processes.keys()) await launch(name);
  }, 300_000);

  afterAll(async () => {
    supervising = false;
    for (const entry of processes.values()) await entry.current?.stop();
    await authority?.close();
    await new Promise<void>((done) => (connector ? connector.close(() => done()) : done()));
    await broker?.stop();
    process.stderr.write(`faults timeline:\n  ${log.join('\n  ')}\nprocess logs: ${dir}/<name>.log\n`);
  }, 120_000);

  it(`${REQUESTS} requests: each delivered exactly once, nothing in flight, only the poisoned ones dead-lettered`, async () => {
    const started = Date.now();
    const requestId = (index: number) => `ejn:FAULTS-${run}-${index}`;
    const xmlOf = (index: number) => {
      const xml = MLA.replaceAll('DE-STA-F-2026-RH-0088', `FAULTS-${run}-${index}`);
      if (index >= REQUESTS && index < REQUESTS + UNROUTABLE) return xml.replace('requestedState="CO"', 'requestedState="AQ"').replaceAll('state="CO"', 'state="AQ"');
      if (index >= REQUESTS + UNROUTABLE) return xml.slice(0, 1500);
      return xml;
    };
    // The poisoned requests are spread through the run.
    const order = Array.from({ length: REQUESTS }, (_, i) => i);
    for (let p = 0; p < UNROUTABLE + NOT_XML; p += 1) order.splice(Math.floor(((p + 1) * REQUESTS) / (UNROUTABLE + NOT_XML + 1)), 0, REQUESTS + p);
    const unroutableEventIds = new Set<string>();
    const notXmlKeys = new Set<string>();
    let sent = 0;
    let resends = 0;
    let next = 0;

    const send = async (index: number): Promise<void> => {
      const body = xmlOf(index);
      for (;;) {
        try {
          const response = await fetch(`http://127.0.0.1:${ejnPort}/messages`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body });
          const answer = (await response.json()) as { eventIds?: string[]; code?: string };
          if (response.status === 202) {
            if (index >= REQUESTS) unroutableEventIds.add(answer.eventIds![0]!);
            return;
          }
          if (response.status === 422 && index >= REQUESTS + UNROUTABLE) {
            notXmlKeys.add(`sha256:${createHash('sha256').update(body).digest('hex')}`);
            return;
          }
        } catch {
          // The adapter is down or was killed mid-request: send the same bytes again.
        }
        resends += 1;
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    const senders = Array.from({ length: SENDERS }, async () => {
      for (;;) {
        while (next - authority.byRequest.size > WINDOW) await new Promise((r) => setTimeout(r, 50));
        if (next >= order.length) return;
        await send(order[next++]!);
        sent += 1;
      }
    });

    // Faults, by progress: kill -9 in turn the router, an adapter, the other adapter; the broker
    // restarted at one half; the authority down for 30 s at two thirds.
    const delivered = () => authority.byRequest.size;
    const victims = ['router', 'adapter-iberred', 'adapter-ejn'];
    let faultsDone = { kills: 0, brokerRestarted: false, endpointDowned: false };
    const faults = (async () => {
      let kills = 0;
      let brokerRestarted = false;
      let endpointDowned = false;
      let lastReport = 0;
      let lastCount = 0;
      let lastProgressAt = Date.now();
      while (delivered() < REQUESTS) {
        const progress = delivered() / REQUESTS;
        if (delivered() !== lastCount || authority.down) [lastCount, lastProgressAt] = [delivered(), Date.now()];
        // Seen before the fix (a consumer heartbeating while its handler retries): after the
        // endpoint outage the IberRed adapter stopped consuming for good. Fail, do not hang.
        if (Date.now() - lastProgressAt > STALL_MS) {
          const running = [...processes].filter(([, entry]) => entry.current?.child.exitCode === null).map(([name]) => name);
          throw new Error(`no delivery for ${STALL_MS / 1000} s at ${delivered()}/${REQUESTS} (processes running: ${running.join(', ')}): a stage is stuck`);
        }
        if (Date.now() - lastReport > 10_000) {
          lastReport = Date.now();
          note(`sent ${sent}/${order.length}, delivered ${delivered()}/${REQUESTS}, resends ${resends}, redeliveries ${authority.redeliveries}`);
        }
        if (kills < KILLS && progress >= (kills + 1) / (KILLS + 2)) {
          // Not awaited: the run goes on while the process restarts (it waits for its group).
          const victim = victims.find((_, i) => !processes.get(victims[(kills + i) % victims.length]!)!.restarting);
          if (victim) {
            void killAndRestart(victims[(kills + victims.indexOf(victim)) % victims.length]!);
            kills += 1;
          }
        } else if (!brokerRestarted && progress >= BROKER_RESTART_AT) {
          brokerRestarted = true;
          note('stopping the broker');
          await broker.stop();
          broker = await startLocalBroker({ dataDir: join(dir, 'kafka'), port: 0 });
          note('broker started again');
        } else if (!endpointDowned && progress >= 2 / 3) {
          endpointDowned = true;
          authority.down = true;
          note('IberRed authority down');
          await new Promise((r) => setTimeout(r, ENDPOINT_DOWN_MS));
          authority.down = false;
          note('IberRed authority up');
        } else if (Date.now() - started > 6 * 3600_000) {
          return;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      faultsDone = { kills, brokerRestarted, endpointDowned };
    })();
    // A stall detected by the fault loop fails the test at once, even with senders still waiting.
    await Promise.all([Promise.all(senders), faults]);
    note(`all delivered after ${Math.round((Date.now() - started) / 1000)} s; resends ${resends}, redeliveries ${authority.redeliveries}`);

    // Every fault happened while requests were in flight (a run too small for them fails here).
    expect(faultsDone).toEqual({ kills: KILLS, brokerRestarted: true, endpointDowned: true });
    expect(hung, 'processes that neither became ready nor exited').toBe(0);
    for (const entry of processes.values()) await eventually(() => entry.current?.child.exitCode === null, 'every process running again', 120_000);

    // Exactly once: every request, one event id each.
    const missing = Array.from({ length: REQUESTS }, (_, i) => requestId(i)).filter((id) => !authority.byRequest.has(id));
    expect(missing).toEqual([]);
    const twice = [...authority.byRequest].filter(([, keys]) => keys.size !== 1).map(([id, keys]) => `${id}: ${keys.size} events`);
    expect(twice).toEqual([]);
    expect(authority.byRequest.size).toBe(REQUESTS);

    // Nothing in flight: every group has committed past the last record of its topics (receipts
    // still travel back to EJN: wait for them). Counted from the records, not the end offsets:
    // the router writes the outbound topics in transactions, whose commit markers are offsets too.
    const inFlight = async () => {
      const admin = await kafka.admin();
      try {
        const groups: [string, string][] = [
          ['comity-router', topics.inbound('ejn')],
          ['comity-router', topics.inbound('iberred')],
          ['comity-adapter-ejn', topics.outbound('ejn')],
          ['comity-adapter-iberred', topics.outbound('iberred')],
        ];
        const left: string[] = [];
        for (const [group, topic] of groups) {
          const committed = new Map((await admin.consumerLag(group, [topic])).map((p) => [p.partition, BigInt(p.committed)]));
          const waiting = (await kafka.readToEnd(topic)).filter((record) => BigInt(record.offset) >= (committed.get(record.partition) ?? 0n));
          if (waiting.length > 0) left.push(`${group} ${topic}: ${waiting.length}`);
        }
        return left;
      } finally {
        await admin.disconnect();
      }
    };
    let left = await inFlight();
    for (let i = 0; left.length > 0 && i < 60; i += 1) {
      await new Promise((r) => setTimeout(r, 2000));
      left = await inFlight();
    }
    expect(left, 'records not yet consumed by the router or an adapter').toEqual([]);

    // The DLQs: the poisoned requests, nothing else.
    const letters = [...(await kafka.readToEnd(topics.dlq('ejn'))), ...(await kafka.readToEnd(topics.dlq('iberred')))];
    const described = letters.map((letter) => ({
      code: letter.headers[DlqHeader.code]?.toString(),
      id: letter.headers.ce_id?.toString() ?? letter.key?.toString() ?? '',
    }));
    const unexpected = described.filter(({ code, id }) => !((code === 'NO_ROUTE' && unroutableEventIds.has(id)) || (code === 'XML_MALFORMED' && notXmlKeys.has(id))));
    expect(unexpected).toEqual([]);
    expect(described.filter(({ code }) => code === 'NO_ROUTE')).toHaveLength(UNROUTABLE);
    expect(described.filter(({ code }) => code === 'XML_MALFORMED')).toHaveLength(NOT_XML);

    const exits = [...processes].map(([name, entry]) => `${name} ${entry.unexpectedExits}`).join(', ');
    note(`done in ${Math.round((Date.now() - started) / 1000)} s: ${REQUESTS} delivered once each, ${authority.redeliveries} redeliveries of an accepted event, ${resends} resends, ${letters.length} dead letters; unasked exits: ${exits}`);
  }, 8 * 3600_000);
});
