/**
 * The operations commands as an operator runs them (`node bin/comity.js …`) against a real
 * broker, a real router and two sample adapters in a federation of their own:
 *
 *   - dead letters of every stage are listed by network and reason: a native message the codec
 *     refused (inbound-decode), a refusal notice the sample network cannot express
 *     (outbound-encode), a request to a State no network served (route), a delivery given up
 *     while the native endpoint was down (outbound-deliver);
 *   - each is redriven after its cause is fixed and gets through: the native message is decoded
 *     again, the request is routed, the event is delivered; a second redrive redrives nothing;
 *   - a large redrive shows its progress bar; `tail`, `request`, `directory` and `lag` print
 *     what the topics hold, as tables and as `--json`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineAdapter, type NativeMessage } from '../../adapters/sdk/contract.js';
import { DecodeError } from '../../adapters/sdk/errors.js';
import { adapterConfigSchema, startAdapter, type RunningAdapter } from '../../adapters/sdk/runtime.js';
import type { HttpTransport } from '../../adapters/sdk/transports/http.js';
import { DlqStage, deadLetterForRecord, readDeadLetterReason } from '../../core/dlq.js';
import { eventFromRecord, eventToRecord, HUB_ORIGIN } from '../../core/events/codec.js';
import { createEvent } from '../../core/events/create.js';
import { DirectoryEntryUpdated, NetworkKind } from '../../core/gen/comity/v1/directory.js';
import { RequestSubmitted } from '../../core/gen/comity/v1/lifecycle.js';
import { topics, topicSpec, type IncomingRecord, type KafkaClient, type RecordProducer } from '../../core/kafka/index.js';
import { createLogger } from '../../core/log.js';
import type { DeadLetterSummary, DecodedRecord, DirectoryNetworkView, GroupTopicLag, RedriveReport, RequestView } from '../../services/ops/index.js';
import { latestRequestRecord, RedriveHeader } from '../../services/ops/index.js';
import { collect, comityEnv, createTopics, eventually, testKafka, testKafkaConfig, uniqueName, uniqueNetworkId, type Collector } from '../support/kafka.js';
import { testKeys } from '../support/keys.js';
import { startNativeEndpoint, type NativeEndpoint } from '../support/native-endpoint.js';
import { startComity, type ComityProcess } from '../support/processes.js';
import { sampleAdapter } from '../support/sample-adapter.js';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `comity <args>` to completion, on the run's broker. */
function comity(args: readonly string[], timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/comity.js', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, COMITY_LOG_LEVEL: 'error', ...comityEnv() },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`comity ${args.join(' ')} did not finish in ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function comityJson<T>(args: readonly string[], expectedCode = 0): Promise<T> {
  const run = await comity([...args, '--json']);
  expect(run.code, `comity ${args.join(' ')}: ${run.stderr}`).toBe(expectedCode);
  return JSON.parse(run.stdout) as T;
}

const logger = createLogger({ name: 'test.cli', level: process.env.COMITY_LOG_LEVEL ?? 'error' });

describe('comity tail | dlq | request | directory | lag with a real broker', () => {
  const a = uniqueNetworkId('cla');
  const b = uniqueNetworkId('clb');
  const dir = mkdtempSync(join(tmpdir(), 'comity-cli-'));
  const federationFile = join(dir, 'federation.yaml');
  const keys = testKeys([a, b]);
  const federation = (bStates: string) =>
    keys.federationYaml(
      [
        'version: 1',
        'routing:',
        `  preference: [${a}, ${b}]`,
        'networks:',
        `  - { id: ${a}, name: CLI A, kind: judicial-network, role: member, languages: [en], members: [DE], membersVerified: true, accepts: [mutual-legal-assistance], sources: [test] }`,
        `  - { id: ${b}, name: CLI B, kind: judicial-network, role: member, languages: [en], members: [${bStates}], membersVerified: true, accepts: [mutual-legal-assistance], sources: [test] }`,
        '',
      ].join('\n'),
    );
  const processes: ComityProcess[] = [];
  const adapters: RunningAdapter[] = [];
  const collectors: Collector[] = [];
  let kafka: KafkaClient;
  let producer: RecordProducer;
  let endpointA: NativeEndpoint;
  let endpointB: NativeEndpoint;
  let adapterA: RunningAdapter;
  /** The "fix" for A's codec: until it is set, A refuses messages whose summary says `later`. */
  let codecFixed = false;

  const post = async (adapter: RunningAdapter, body: object) => {
    const port = (adapter.transport as HttpTransport).address()?.port;
    const response = await fetch(`http://127.0.0.1:${port}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, json: (await response.json()) as { eventIds?: string[]; code?: string } };
  };
  const events = (collector: Collector) =>
    collector.records.flatMap((record) => {
      try {
        return [{ record, event: eventFromRecord(record) }];
      } catch {
        return [];
      }
    });

  beforeAll(async () => {
    kafka = testKafka();
    producer = await kafka.producer();
    [endpointA, endpointB] = await Promise.all([startNativeEndpoint(), startNativeEndpoint()]);
    writeFileSync(federationFile, federation('ES'));
    const routerConfig = join(dir, 'router.yaml');
    writeFileSync(
      routerConfig,
      `federation: ${federationFile}\nrouter:\n  instanceId: ${uniqueName('cli')}\n  groupId: ${uniqueName('cli-router')}\n  signingKey: ${JSON.stringify(keys.hubKeyConfig())}\n`,
    );
    const trackerConfig = join(dir, 'tracker.yaml');
    writeFileSync(trackerConfig, `federation: ${federationFile}\ntracker:\n  instanceId: ${uniqueName('cli')}\n  groupId: ${uniqueName('cli-tracker')}\n  grpcPort: 0\n`);
    await createTopics(kafka, [a, b].flatMap((n) => [topics.inbound(n), topics.outbound(n), topics.dlq(n)]));
    await keys.publishToDirectory(kafka);
    processes.push(await startComity(['run', 'router', '--config', routerConfig], /router running/));
    processes.push(await startComity(['run', 'tracker', '--config', trackerConfig], /tracker running/));

    const sample = sampleAdapter(a);
    const definitionA = defineAdapter({
      ...sample,
      codec: {
        ...sample.codec,
        decode(native: NativeMessage) {
          if (!codecFixed && native.body.toString('utf8').includes('"later"')) throw new DecodeError('NOT_YET_MAPPED', 'this summary is not mapped yet');
          return sample.codec.decode(native);
        },
      },
    });
    const config = (network: string, endpoint: NativeEndpoint, giveUpAfterMs: number) => ({
      network,
      kafka: testKafkaConfig(`adapter-${network}`),
      trust: keys.adapterTrust(network),
      runtime: { stateDir: join(dir, 'state'), retry: { initialMs: 50, maxMs: 200, giveUpAfterMs }, drainTimeoutMs: 5_000 },
      adapter: { listen: { port: 0 }, deliverTo: endpoint.url, timeoutMs: 2_000 },
    });
    adapterA = await startAdapter(definitionA, adapterConfigSchema(definitionA).parse(config(a, endpointA, 60_000)), { logger });
    adapters.push(adapterA);
    const definitionB = sampleAdapter(b);
    adapters.push(await startAdapter(definitionB, adapterConfigSchema(definitionB).parse(config(b, endpointB, 1_500)), { logger }));
  }, 180_000);

  afterAll(async () => {
    for (const collector of collectors) await collector.stop();
    for (const adapter of adapters) await adapter.stop();
    for (const process of processes.reverse()) await process.stop();
    await producer?.disconnect();
    await endpointA?.close();
    await endpointB?.close();
  });

  it('lists dead letters of every stage by network and reason, redrives each once its cause is fixed, and never twice', async () => {
    const inboundA = await collect(kafka, topics.inbound(a));
    const outboundB = await collect(kafka, topics.outbound(b));
    const dlqA = await collect(kafka, topics.dlq(a));
    const dlqB = await collect(kafka, topics.dlq(b));
    collectors.push(inboundA, outboundB, dlqA, dlqB);

    // inbound-decode: A's codec does not map this message yet.
    const refused = await post(adapterA, { reference: 'LATER-1', kind: 'request', to: 'ES', summary: 'later' });
    expect(refused.status).toBe(422);
    // outbound-deliver: B's native system is down while a request for it is delivered.
    endpointB.down();
    const toB = await post(adapterA, { reference: 'DELIVER-1', kind: 'request', to: 'ES', summary: 'for B' });
    expect(toB.status).toBe(202);
    // route: nobody serves FR yet. The router also tells A, whose codec cannot express that
    // notice (outbound-encode).
    const toFrance = await post(adapterA, { reference: 'FR-1', kind: 'request', to: 'FR', summary: 'for France' });
    expect(toFrance.status).toBe(202);

    // Waiting is done in-process (each `comity` run costs a process start); then the CLI lists.
    const stageOf = (record: IncomingRecord) => readDeadLetterReason(record.headers)?.stage;
    await eventually(
      () =>
        ['inbound-decode', 'route', 'outbound-encode'].every((stage) => dlqA.records.some((record) => stageOf(record) === stage)) &&
        dlqB.records.some((record) => stageOf(record) === 'outbound-deliver'),
      'dead letters of every stage',
      60_000,
    );
    const lettersA = await comityJson<DeadLetterSummary[]>(['dlq', 'list', '--network', a]);
    const lettersB = await comityJson<DeadLetterSummary[]>(['dlq', 'list', '--network', b]);
    expect(new Set(lettersA.map((letter) => letter.stage))).toEqual(new Set([DlqStage.inboundDecode, DlqStage.route, DlqStage.outboundEncode]));
    const decodeLetter = lettersA.find((letter) => letter.stage === 'inbound-decode')!;
    expect(decodeLetter).toMatchObject({ code: 'NOT_YET_MAPPED', nativeContentType: 'application/json', redriveTarget: topics.redrive(a) });
    const routeLetter = lettersA.find((letter) => letter.stage === 'route')!;
    expect(routeLetter).toMatchObject({ code: 'NO_ROUTE', requestId: `${a}:FR-1`, redriveTarget: topics.inbound(a), original: { topic: topics.inbound(a) } });
    expect(lettersA.find((letter) => letter.stage === 'outbound-encode')).toMatchObject({ code: 'UNSUPPORTED_TYPE', redriveTarget: topics.outbound(a) });
    const deliverLetter = lettersB.find((letter) => letter.stage === 'outbound-deliver')!;
    expect(deliverLetter).toMatchObject({ code: 'DELIVERY_GAVE_UP', requestId: `${a}:DELIVER-1`, redriveTarget: topics.outbound(b) });

    // By reason, as a table and as JSON.
    const byReason = await comityJson<DeadLetterSummary[]>(['dlq', 'list', '--network', a, '--reason', 'NO_ROUTE']);
    expect(byReason.map((letter) => letter.id)).toEqual([routeLetter.id]);
    const table = await comity(['dlq', 'list', '--network', a, '--reason', 'NOT_YET_MAPPED']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^offset\s+failed at\s+stage\s+code/);
    expect(table.stdout).toContain(`${decodeLetter.partition}:${decodeLetter.offset}`);
    expect(table.stdout).not.toContain('NO_ROUTE');

    // `show`: the native bytes of the decode failure, the decoded event of the refusal.
    const shown = await comityJson<{ summary: DeadLetterSummary; record: DecodedRecord }>(['dlq', 'show', '--network', a, `${decodeLetter.partition}:${decodeLetter.offset}`]);
    expect(shown.record.kind).toBe('native');
    expect(shown.record.native?.preview).toContain('LATER-1');
    const shownRoute = await comity(['dlq', 'show', '--network', a, routeLetter.id]);
    expect(shownRoute.code).toBe(0);
    expect(shownRoute.stdout).toContain(`original     ${topics.inbound(a)}/`);
    expect(shownRoute.stdout).toContain('"summaryOfFacts": "for France"');
    const missing = await comity(['dlq', 'show', '--network', a, '0:999999']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('[DEAD_LETTER_NOT_FOUND]');

    // Fix the causes: A's codec learns the mapping, B serves FR, B's endpoint is back.
    codecFixed = true;
    writeFileSync(federationFile, federation('ES, FR'));
    endpointB.up();
    // The router has reloaded the file once a new request for FR gets through (probes sent
    // before the reload are refused too, and redriven with the rest below).
    const probeIds: string[] = [];
    const probing = Date.now() + 30_000;
    while (!events(outboundB).some(({ event }) => probeIds.includes(event.id))) {
      if (Date.now() > probing) throw new Error('the router did not pick up the federation file');
      const probe = await post(adapterA, { reference: `FR-PROBE-${probeIds.length}`, kind: 'request', to: 'FR', summary: 'probe' });
      probeIds.push(probe.json.eventIds![0]!);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    }

    // A dry run writes nothing.
    const dry = await comityJson<RedriveReport>(['dlq', 'redrive', '--network', a, '--reason', 'NO_ROUTE', '--dry-run']);
    expect(dry.dryRun).toBe(true);
    expect(dry.redriven).toContainEqual({ id: routeLetter.id, target: topics.inbound(a), code: 'NO_ROUTE', stage: 'route' });
    expect(dry.redriven.every((entry) => entry.code === 'NO_ROUTE')).toBe(true);
    expect((await comityJson<DeadLetterSummary[]>(['dlq', 'list', '--network', a, '--reason', 'NO_ROUTE'])).every((letter) => letter.redrive === undefined)).toBe(true);

    // route → comity.inbound.A → routed to B this time, unchanged, with where it came from.
    const routeRedrive = await comityJson<RedriveReport>(['dlq', 'redrive', '--network', a, '--reason', 'NO_ROUTE']);
    expect(routeRedrive).toMatchObject({ dryRun: false, skipped: [] });
    expect(routeRedrive.redriven.map((entry) => entry.id)).toEqual(dry.redriven.map((entry) => entry.id));
    await eventually(() => events(outboundB).some(({ event }) => event.id === routeLetter.eventId), 'the redriven request routed to B', 30_000);
    const routed = events(outboundB).find(({ event }) => event.id === routeLetter.eventId)!;
    expect(routed.record.headers[RedriveHeader.of]?.toString()).toBe(routeLetter.id);

    // inbound-decode → comity.redrive.A → decoded again by A's adapter, published on comity.inbound.A.
    const nativeRedrive = await comityJson<RedriveReport>(['dlq', 'redrive', '--network', a, '--offset', `${decodeLetter.partition}:${decodeLetter.offset}`]);
    expect(nativeRedrive.redriven).toEqual([{ id: decodeLetter.id, target: topics.redrive(a), code: 'NOT_YET_MAPPED', stage: 'inbound-decode' }]);
    await eventually(() => events(inboundA).some(({ event }) => event.subject === `${a}:LATER-1`), 'the redriven native message decoded and published', 30_000);

    // outbound-deliver → comity.outbound.B → delivered to B's native system, once.
    const deliverRedrive = await comityJson<RedriveReport>(['dlq', 'redrive', '--network', b, '--offset', deliverLetter.id]);
    expect(deliverRedrive.redriven).toEqual([{ id: deliverLetter.id, target: topics.outbound(b), code: 'DELIVERY_GAVE_UP', stage: 'outbound-deliver' }]);
    await eventually(() => endpointB.acceptedCount(deliverLetter.eventId!) === 1, 'the redriven event delivered to B', 30_000);

    // Not twice: the same selection again redrives nothing and says why (exit code 3).
    const again = await comity(['dlq', 'redrive', '--network', a, '--reason', 'NO_ROUTE', '--json']);
    expect(again.code).toBe(3);
    const againReport = JSON.parse(again.stdout) as RedriveReport;
    expect(againReport.redriven).toEqual([]);
    expect(againReport.skipped).toContainEqual(expect.objectContaining({ id: routeLetter.id, code: 'ALREADY_REDRIVEN' }));
    const againB = await comity(['dlq', 'redrive', '--network', b, '--offset', deliverLetter.id]);
    expect(againB.code).toBe(3);
    expect(againB.stdout).toContain(`not redriven: ${deliverLetter.id}: ALREADY_REDRIVEN`);
    const listed = await comityJson<DeadLetterSummary[]>(['dlq', 'list', '--network', a, '--reason', 'NO_ROUTE']);
    expect(listed.find((letter) => letter.id === routeLetter.id)!.redrive).toMatchObject({ state: 'done', target: topics.inbound(a) });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(events(outboundB).filter(({ event }) => event.id === routeLetter.eventId)).toHaveLength(1);
    expect(endpointB.acceptedCount(deliverLetter.eventId!)).toBe(1);

    // The tracker's record of the redriven request: refused, then relayed, both layers.
    const relayedTracked = async () => {
      const record = latestRequestRecord(await kafka.readToEnd(topics.requests), `${a}:FR-1`);
      return record?.timeline.some((entry) => entry.type === 'comity.v1.RequestRelayed') ?? false;
    };
    const until = Date.now() + 30_000;
    while (!(await relayedTracked()) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 1_000));
    const view = await comityJson<RequestView>(['request', `${a}:FR-1`]);
    expect(view.summary).toMatchObject({ requestId: `${a}:FR-1`, originNetwork: a, requestedStates: ['FR'] });
    expect(view.timeline.map((entry) => entry.type)).toEqual(expect.arrayContaining(['comity.v1.RequestSubmitted', 'comity.v1.RequestRelayed']));
    const human = await comity(['request', `${a}:FR-1`]);
    expect(human.stdout).toMatch(/^request\s+.*:FR-1$/m);
    expect(human.stdout).toContain('timeline:');
    const unknown = await comity(['request', `${a}:NO-SUCH`]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('[REQUEST_NOT_FOUND]');
  }, 420_000);

  it('redrives a thousand dead letters with a progress bar, each exactly once', async () => {
    const c = uniqueNetworkId('clc');
    await createTopics(kafka, [topics.inbound(c), topics.dlq(c)]);
    const count = 1_000;
    const letters = Array.from({ length: count }, (_, i) => {
      const event = createEvent(RequestSubmitted.fromPartial({ request: { requestId: `${c}:${i}` } }), {
        subject: `${c}:${i}`,
        source: `comity://networks/${c}/adapter`,
        originNetwork: c,
        targets: [{ state: 'JP' }],
      });
      const record = eventToRecord(event);
      const original: IncomingRecord = { topic: topics.inbound(c), partition: 0, offset: String(i), key: Buffer.from(record.key), value: record.value, headers: record.headers, timestamp: Date.now() };
      return deadLetterForRecord(original, { code: 'NO_ROUTE', reason: 'no network serves JP', stage: DlqStage.route, retriable: false, failedBy: 'router' });
    });
    for (let i = 0; i < count; i += 250) await producer.send(topics.dlq(c), letters.slice(i, i + 250));
    const inboundC = await collect(kafka, topics.inbound(c));
    collectors.push(inboundC);

    const run = await comity(['dlq', 'redrive', '--network', c, '--reason', 'NO_ROUTE', '--progress', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as RedriveReport;
    expect(report.redriven).toHaveLength(count);
    expect(run.stderr).toMatch(/redrive \[[^\]]*\] 100% \| 1000\/1000/);
    process.stderr.write(`cli.test: redrove ${count} dead letters in ${report.durationMs} ms (${Math.round((count / report.durationMs) * 1000)}/s)\n`);
    await eventually(() => inboundC.records.length >= count, 'every redriven record on the inbound topic', 60_000);
    expect(new Set(inboundC.records.map((record) => record.headers[RedriveHeader.of]?.toString())).size).toBe(count);

    const again = await comityJson<RedriveReport>(['dlq', 'redrive', '--network', c, '--dry-run'], 3);
    expect(again.redriven).toHaveLength(0);
    expect(again.skipped.filter((skip) => skip.code === 'ALREADY_REDRIVEN')).toHaveLength(count);
  }, 300_000);

  it('tails a network decoded and filtered, and a topic as JSON lines', async () => {
    const json = await comity(['tail', a, '--from-beginning', '--type', 'RequestSubmitted', '--limit', '2', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const lines = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as DecodedRecord);
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line.kind).toBe('event');
      expect(line.event?.type).toBe('comity.v1.RequestSubmitted');
      expect(line.headers.ce_type).toBe('comity.v1.RequestSubmitted');
    }
    expect(lines[0]!.body).toHaveProperty('request');

    const human = await comity(['tail', a, '--no-follow', '--subject', `${a}:FR-1`]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(`RequestSubmitted  ${a}:FR-1  ${a} → FR`);
    expect(human.stdout).toContain('DLQ route NO_ROUTE');
    expect(human.stdout).not.toContain(`${a}:DELIVER-1`);
  }, 120_000);

  it('shows a directory entry and a consumer group’s lag', async () => {
    // A directory entry of our own (the directory service removes only what it wrote).
    const admin = await kafka.admin();
    await admin.ensureTopics([topicSpec(topics.directory)]);
    await admin.disconnect();
    const entry = createEvent(
      DirectoryEntryUpdated.fromPartial({ network: { id: a, name: 'CLI A', kind: NetworkKind.NETWORK_KIND_JUDICIAL_NETWORK, memberStates: ['DE'] } }),
      { subject: `network/${a}`, source: 'comity://hub/cli-test', originNetwork: HUB_ORIGIN },
    );
    await producer.send(topics.directory, [eventToRecord(entry)]);
    const networks = await comityJson<DirectoryNetworkView[]>(['directory', '--network', a]);
    expect(networks).toHaveLength(1);
    expect(networks[0]!.network).toMatchObject({ id: a, name: 'CLI A', kind: 'NETWORK_KIND_JUDICIAL_NETWORK', memberStates: ['DE'] });
    expect(networks[0]!.stateMemberships).toEqual([]);
    const table = await comity(['directory']);
    expect(table.stdout).toMatch(new RegExp(`^${a}\\s+CLI A\\s+judicial network`, 'm'));

    // A group that read 3 records of a topic, then 5 more arrived.
    const topic = topics.inbound(uniqueNetworkId('cll'));
    await createTopics(kafka, [topic], 1);
    const group = uniqueName('cli-lag');
    await producer.send(topic, [1, 2, 3].map((i) => ({ key: `k${i}`, value: Buffer.from(String(i)), headers: {} })));
    const consumer = await kafka.consumer({ groupId: group, topics: [topic] });
    let read = 0;
    await consumer.run(async () => void (read += 1));
    await eventually(() => read === 3, 'three records read');
    await consumer.disconnect();
    await producer.send(topic, [4, 5, 6, 7, 8].map((i) => ({ key: `k${i}`, value: Buffer.from(String(i)), headers: {} })));
    const lags = await comityJson<GroupTopicLag[]>(['lag', '--group', group]);
    expect(lags).toEqual([{ group, topic, lag: 5, partitions: [{ topic, partition: 0, committed: '3', end: '8', lag: 5 }] }]);
    const human = await comity(['lag', '--group', group]);
    expect(human.stdout).toMatch(new RegExp(`^${group}\\s+${topic.replaceAll('.', '\\.')}\\s+5\\s+0:3/8$`, 'm'));
  }, 120_000);

  it('has help for every command and option, and refuses bad input with a code', async () => {
    const help = await comity(['--help']);
    for (const command of ['tail', 'dlq', 'request', 'directory', 'lag']) expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    const redriveHelp = await comity(['dlq', 'redrive', '--help']);
    for (const option of ['--network', '--reason', '--offset', '--dry-run', '--json', '--progress', '--config']) expect(redriveHelp.stdout).toContain(option);
    const badNetwork = await comity(['dlq', 'list', '--network', 'NOT A NETWORK']);
    expect(badNetwork.code).toBe(2);
    expect(badNetwork.stderr).toContain('[INVALID_NETWORK]');
    const badLimit = await comity(['tail', a, '--limit', 'many']);
    expect(badLimit.code).toBe(1);
    expect(badLimit.stderr).toContain('not a non-negative integer');
  }, 120_000);
});
