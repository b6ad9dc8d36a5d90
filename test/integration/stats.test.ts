/**
 * The stats service on a real broker. A month of requests, as the tracker records them
 * (RequestTracked built with the tracker's own fold, services/tracker/lifecycle.ts) and as the
 * networks submitted them (RequestSubmitted with offences on the inbound topics), goes in; the
 * published StatisticsReport on comity.stats is compared with aggregates this test recomputes
 * on its own from the requests' events; a late decision gives a new revision; a restart
 * publishes nothing twice. A centre of excellence's report reaches comity.stats through the
 * router, and `comity stats --export sdmx-csv` writes both side by side in a file that parses
 * with its declared structure and shows no small count. Shared experience and training
 * announcements go to the chosen networks (or all) with their language.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventFromRecord, eventToRecord, HUB_ORIGIN } from '../../core/events/codec.js';
import { createEvent } from '../../core/events/create.js';
import { Classification } from '../../core/gen/comity/v1/event.js';
import { ExperienceKind, ExperienceShared, TrainingAnnounced } from '../../core/gen/comity/v1/experience.js';
import { RequestSubmitted } from '../../core/gen/comity/v1/lifecycle.js';
import { RequestType } from '../../core/gen/comity/v1/request.js';
import {
  CriminalJusticeStage,
  DurationInterval,
  StatisticMeasure,
  StatisticOutcome,
  StatisticsReport,
  StatisticsSource,
  Suppression,
  Observation,
} from '../../core/gen/comity/v1/stats.js';
import { TimelineEntry, type RequestTracked } from '../../core/gen/comity/v1/tracking.js';
import { topics, type IncomingRecord, type KafkaClient, type RecordProducer } from '../../core/kafka/index.js';
import { createLogger } from '../../core/log.js';
import { indexFederation, loadFederation, type FederationIndex } from '../../services/directory/federation.js';
import { startRouter, type RunningRouter } from '../../services/router/service.js';
import { relationsOf } from '../../services/stats/cube.js';
import { readPublishedReports } from '../../services/stats/published.js';
import { reportEventId } from '../../services/stats/report.js';
import { publicationStructure, PUBLICATION_DATAFLOW } from '../../services/stats/sdmx-csv.js';
import { startStatsService, type RunningStats } from '../../services/stats/service.js';
import { statisticsApi } from '../../services/stats/web.js';
import { track } from '../../services/tracker/lifecycle.js';
import { testKeys } from '../support/keys.js';
import { collect, comityEnv, createTopics, eventually, testKafka, uniqueName, uniqueNetworkId, type Collector } from '../support/kafka.js';

const logger = createLogger({ name: 'test.stats', level: process.env.COMITY_LOG_LEVEL ?? 'error' });
const run = promisify(execFile);
const DAY = 86_400_000;
const THRESHOLD = 5;

type Outcome = 'executed' | 'partially' | 'refused' | 'withdrawn' | 'pending' | 'not-delivered';
/** One request of the month, as the test plans it: the source of truth for the expected figures. */
interface Planned {
  readonly id: string;
  readonly origin: string;
  readonly destinations: readonly string[];
  readonly type: RequestType;
  readonly iccs: readonly string[];
  readonly submittedAt: number;
  outcome: Outcome;
  closedAt?: number;
}

const CLOSING: Record<Outcome, string | undefined> = {
  executed: 'comity.v1.RequestExecuted',
  partially: 'comity.v1.RequestPartiallyExecuted',
  refused: 'comity.v1.RequestRefused',
  withdrawn: 'comity.v1.RequestWithdrawn',
  pending: undefined,
  'not-delivered': undefined,
};
const OUTCOME_CODE: Record<Outcome, StatisticOutcome> = {
  executed: StatisticOutcome.STATISTIC_OUTCOME_EXECUTED,
  partially: StatisticOutcome.STATISTIC_OUTCOME_PARTIALLY_EXECUTED,
  refused: StatisticOutcome.STATISTIC_OUTCOME_REFUSED,
  withdrawn: StatisticOutcome.STATISTIC_OUTCOME_WITHDRAWN,
  pending: StatisticOutcome.STATISTIC_OUTCOME_PENDING,
  'not-delivered': StatisticOutcome.STATISTIC_OUTCOME_NOT_DELIVERED,
};

/** The tracker's record of a planned request: its events folded by the tracker's own code. */
function trackedRecord(p: Planned): RequestTracked {
  const entries: TimelineEntry[] = [];
  const at = (ms: number) => new Date(ms);
  const submittedId = `${p.id}/submitted`;
  entries.push(TimelineEntry.fromPartial({ eventId: submittedId, type: 'comity.v1.RequestSubmitted', time: at(p.submittedAt), originNetwork: p.origin }));
  if (p.destinations.length > 0) {
    entries.push(
      TimelineEntry.fromPartial({
        eventId: `${p.id}/relayed`,
        type: 'comity.v1.RequestRelayed',
        time: at(p.submittedAt + 1000),
        originNetwork: HUB_ORIGIN,
        regardingEventId: submittedId,
        targets: p.destinations.map((network) => ({ state: '', network })),
      }),
    );
    const [first] = p.destinations as [string];
    if (p.outcome === 'not-delivered') {
      entries.push(TimelineEntry.fromPartial({ eventId: `${p.id}/not-delivered`, type: 'comity.v1.RequestNotDelivered', time: at(p.submittedAt + 60_000), originNetwork: first, regardingEventId: submittedId, final: true }));
    } else {
      entries.push(TimelineEntry.fromPartial({ eventId: `${p.id}/delivered`, type: 'comity.v1.RequestDelivered', time: at(p.submittedAt + 5_000), originNetwork: first, regardingEventId: submittedId }));
      entries.push(TimelineEntry.fromPartial({ eventId: `${p.id}/ack`, type: 'comity.v1.RequestAcknowledged', time: at(p.submittedAt + DAY), originNetwork: first }));
      const closing = CLOSING[p.outcome];
      if (closing && p.closedAt !== undefined) entries.push(TimelineEntry.fromPartial({ eventId: `${p.id}/closed`, type: closing, time: at(p.closedAt), originNetwork: first }));
    }
  } else {
    entries.push(TimelineEntry.fromPartial({ eventId: `${p.id}/refused-by-hub`, type: 'comity.hub.RouteRefused', time: at(p.submittedAt), originNetwork: HUB_ORIGIN, regardingEventId: submittedId, final: true, note: 'NO_ROUTE: test' }));
  }
  let record: RequestTracked | undefined;
  for (const entry of entries) record = track(record, entry, { requestId: p.id, requestType: p.type });
  return record!;
}

function quantile7(values: number[], p: number): number {
  const x = [...values].sort((a, b) => a - b);
  const h = (x.length - 1) * p;
  const lo = Math.floor(h);
  return x[lo]! + (h - lo) * ((x[Math.min(lo + 1, x.length - 1)] ?? x[lo]!) - x[lo]!);
}

/** The requests a cell counts, computed from the plan without the stats service's code. */
function matching(plan: readonly Planned[], o: Observation): Planned[] {
  return plan.filter(
    (p) =>
      (o.originNetwork === '' || p.origin === o.originNetwork) &&
      (o.destinationNetwork === '' || (o.destinationNetwork === '_Z' ? p.destinations.length === 0 : p.destinations.includes(o.destinationNetwork))) &&
      (o.requestType === RequestType.REQUEST_TYPE_UNSPECIFIED || p.type === o.requestType) &&
      (o.iccsCode === '' || (o.iccsCode === '_U' ? p.iccs.length === 0 : p.iccs.some((code) => code.startsWith(o.iccsCode)))) &&
      (o.outcome === StatisticOutcome.STATISTIC_OUTCOME_UNSPECIFIED || OUTCOME_CODE[p.outcome] === o.outcome),
  );
}

/** Every figure of the report checked against the plan; returns how many cells were compared. */
function expectReportMatchesPlan(report: StatisticsReport, plan: readonly Planned[]): { counts: number; durations: number; suppressed: number } {
  let counts = 0;
  let durations = 0;
  let suppressed = 0;
  for (const o of report.observations) {
    expect([o.reportingCountry, o.counterpartCountry, o.direction, o.stage]).toEqual(['', '', 0, CriminalJusticeStage.CRIMINAL_JUSTICE_STAGE_UNSPECIFIED]);
    const requests = matching(plan, o);
    if (o.measure === StatisticMeasure.STATISTIC_MEASURE_COUNT) {
      counts += 1;
      expect(requests.length, `count cell ${JSON.stringify(Observation.toJSON(o))}`).toBeGreaterThan(0);
      if (o.suppressed) {
        suppressed += 1;
        expect(o.value).toBe(0);
        expect(o.suppression).toBe(requests.length < THRESHOLD ? Suppression.SUPPRESSION_PRIMARY : Suppression.SUPPRESSION_SECONDARY);
      } else {
        expect(o.value, `count cell ${JSON.stringify(Observation.toJSON(o))}`).toBe(requests.length);
        expect(o.value).toBeGreaterThanOrEqual(THRESHOLD);
      }
    } else {
      durations += 1;
      expect(o.interval).toBe(DurationInterval.DURATION_INTERVAL_SUBMITTED_TO_CLOSED);
      const days = requests.filter((p) => p.closedAt !== undefined && CLOSING[p.outcome]).map((p) => (p.closedAt! - p.submittedAt) / DAY);
      if (days.length < THRESHOLD) {
        expect(o.suppressed).toBe(true);
      } else {
        const q = o.measure === StatisticMeasure.STATISTIC_MEASURE_MEDIAN_DAYS ? 0.5 : 0.9;
        expect(o.value).toBeCloseTo(Math.round(quantile7(days, q) * 100) / 100, 2);
      }
    }
  }
  // Nothing left out: every pair of networks, with every outcome, that has a request is there.
  const pairs = new Set(plan.flatMap((p) => (p.destinations.length ? p.destinations : ['_Z']).map((d) => `${p.origin}|${d}|${p.outcome}`)));
  for (const key of pairs) {
    const [origin, destination, outcome] = key.split('|') as [string, string, Outcome];
    const cell = report.observations.find(
      (o) => o.measure === StatisticMeasure.STATISTIC_MEASURE_COUNT && o.originNetwork === origin && o.destinationNetwork === destination && o.outcome === OUTCOME_CODE[outcome] && o.requestType === RequestType.REQUEST_TYPE_UNSPECIFIED && o.iccsCode === '',
    );
    expect(cell, key).toBeDefined();
  }
  // No withheld count can be worked out from a total and the published parts.
  for (const relation of relationsOf(report.observations)) {
    const members = [relation.total, ...relation.parts].map((index) => report.observations[index]!);
    const withheld = members.filter((o) => o.suppressed).length;
    expect(withheld === 0 || withheld >= 2).toBe(true);
  }
  return { counts, durations, suppressed };
}

describe('stats service on a real broker', () => {
  const [alpha, beta, gamma] = [uniqueNetworkId('sa'), uniqueNetworkId('sb'), uniqueNetworkId('sc')];
  const centre = uniqueNetworkId('coe');
  const observer = uniqueNetworkId('obs');
  // A month of its own (in the past: only ended months are published), so reruns on a shared broker rarely meet.
  const year = 2001 + Math.floor(Math.random() * 19);
  const month = `${year}-${String(1 + Math.floor(Math.random() * 12)).padStart(2, '0')}`;
  const monthStart = Date.parse(`${month}-01T00:00:00Z`);
  const dir = mkdtempSync(join(tmpdir(), 'comity-stats-'));
  const keys = testKeys([alpha, beta, gamma, centre]);
  const groupId = uniqueName('stats');
  let federation: FederationIndex;
  let kafka: KafkaClient;
  let producer: RecordProducer;
  let stats: RunningStats | undefined;
  let router: RunningRouter | undefined;
  const plan: Planned[] = [];

  const startStats = () => startStatsService({ kafka, federation: () => federation, logger, groupId, threshold: THRESHOLD, publishIntervalMs: 300 });
  const published = async () => (await readPublishedReports(kafka)).find((p) => p.originNetwork === HUB_ORIGIN && p.report.reportId === `hub/${month}`);
  const recordsOfMonth = async () => (await kafka.readToEnd(topics.stats)).filter((record) => record.key?.toString('utf8') === `hub/${month}`);
  const publishRequest = async (p: Planned) => {
    await producer.send(topics.requests, [
      eventToRecord(createEvent(trackedRecord(p), { subject: p.id, source: 'comity://hub/tracker', originNetwork: HUB_ORIGIN, classification: Classification.CLASSIFICATION_RESTRICTED, requestType: p.type })),
    ]);
  };

  beforeAll(async () => {
    const file = join(dir, 'federation.yaml');
    const member = (id: string, kind: string, members: string) =>
      `  - { id: ${id}, name: ${id}, kind: ${kind}, role: member, languages: [es, en], members: [${members}], membersVerified: true, accepts: [mutual-legal-assistance, extradition, freezing-or-confiscation], sources: [test] }`;
    writeFileSync(
      file,
      keys.federationYaml(
        [
          'version: 1',
          'networks:',
          member(alpha, 'judicial-network', 'DE, ES'),
          member(beta, 'judicial-network', 'ES, CO'),
          member(gamma, 'judicial-network', 'CO, SN'),
          member(centre, 'centre-of-excellence', 'GT, HN'),
          `  - { id: ${observer}, name: Observer, kind: observer, role: observer, languages: [en], membersVerified: false, sources: [test] }`,
          '',
        ].join('\n'),
      ),
    );
    federation = indexFederation(loadFederation(file));
    kafka = testKafka();
    producer = await kafka.producer();
    // comity.requests and comity.stats too: on a fresh broker this may be the first test to use them.
    await createTopics(kafka, [...[alpha, beta, gamma, centre, observer].flatMap((n) => [topics.inbound(n), topics.outbound(n), topics.dlq(n)]), topics.requests, topics.stats]);

    // 90 requests: three networks, three request types, offences in several ICCS sections, every outcome.
    const networks = [alpha, beta, gamma];
    const outcomes: Outcome[] = ['executed', 'executed', 'executed', 'refused', 'pending', 'partially', 'executed', 'withdrawn', 'pending', 'not-delivered'];
    const offences = [['0601'], ['0703', '07041'], ['02011'], ['0101', '0601'], ['0704'], []];
    for (let i = 0; i < 90; i += 1) {
      const origin = networks[i % 3]!;
      const unrouted = i % 23 === 5;
      const destinations = unrouted ? [] : i % 17 === 0 ? [networks[(i + 1) % 3]!, networks[(i + 2) % 3]!] : [networks[(i + 1 + (i % 2)) % 3]!];
      const outcome = unrouted ? 'not-delivered' : outcomes[i % outcomes.length]!;
      const submittedAt = monthStart + (i % 27) * DAY + i * 60_000;
      plan.push({
        id: `${origin}:stats-${i}`,
        origin,
        destinations,
        type: [RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE, RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE, RequestType.REQUEST_TYPE_EXTRADITION, RequestType.REQUEST_TYPE_FREEZING_OR_CONFISCATION][i % 4]!,
        iccs: offences[i % offences.length]!,
        submittedAt,
        outcome,
        closedAt: CLOSING[outcome] ? submittedAt + ((i * 37) % 120) * DAY / 2 + 3_600_000 : undefined,
      });
    }
    for (const p of plan) {
      const submitted = createEvent(
        RequestSubmitted.fromPartial({ request: { requestId: p.id, requestType: p.type, offences: p.iccs.map((iccsCode, n) => ({ ref: `o${n}`, iccsCode, nativeLabel: 'x' })) } }),
        { subject: p.id, source: `comity://networks/${p.origin}/adapter`, originNetwork: p.origin, requestType: p.type, time: new Date(p.submittedAt), targets: [{ state: 'CO' }] },
      );
      await producer.send(topics.inbound(p.origin), [eventToRecord(submitted)]);
      await publishRequest(p);
    }
  }, 120_000);

  afterAll(async () => {
    await stats?.stop();
    await router?.stop();
    await producer?.disconnect();
  });

  it('publishes the month with figures an independent recount confirms, then revises it when a late decision comes', async () => {
    const started = Date.now();
    stats = await startStats();
    await eventually(() => stats!.reports().some((report) => report.period === month), `hub/${month} published`, 60_000);
    const first = await published();
    expect(first).toBeDefined();
    console.info(`stats: ${plan.length} requests loaded and published in ${Date.now() - started} ms; ${first!.report.observations.length} observations`);
    expect(first!.eventId).toBe(reportEventId(month, first!.report.revision));
    expect(first!.report).toMatchObject({ reporter: 'hub', source: StatisticsSource.STATISTICS_SOURCE_HUB_COMPUTED, period: month, suppressionThreshold: THRESHOLD });
    const checked = expectReportMatchesPlan(first!.report, plan);
    expect(checked.counts).toBeGreaterThan(100);
    expect(checked.durations).toBeGreaterThan(10);
    expect(checked.suppressed).toBeGreaterThan(0);
    const total = first!.report.observations.find((o) => o.measure === StatisticMeasure.STATISTIC_MEASURE_COUNT && o.originNetwork === '' && o.destinationNetwork === '' && o.requestType === RequestType.REQUEST_TYPE_UNSPECIFIED && o.iccsCode === '' && o.outcome === StatisticOutcome.STATISTIC_OUTCOME_UNSPECIFIED);
    expect(total).toMatchObject({ value: plan.length, suppressed: false });
    // No request id, no free text: codes and numbers only.
    expect(JSON.stringify(StatisticsReport.toJSON(first!.report))).not.toContain('stats-');

    // A request pending at the first count is executed later: the month is recomputed and revised.
    const late = plan.find((p) => p.outcome === 'pending')!;
    late.outcome = 'executed';
    late.closedAt = late.submittedAt + 40 * DAY;
    await publishRequest(late);
    await eventually(() => (stats!.reports().find((report) => report.period === month)?.revision ?? 0) > first!.report.revision, 'a new revision', 60_000);
    const second = await published();
    expect(second!.report.revision).toBe(first!.report.revision + 1);
    expect(second!.eventId).toBe(reportEventId(month, second!.report.revision));
    expectReportMatchesPlan(second!.report, plan);
  }, 180_000);

  it('publishes nothing again after a restart when nothing changed', async () => {
    const before = await recordsOfMonth();
    await stats!.stop();
    stats = await startStats();
    expect(await stats.publishNow()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = await recordsOfMonth();
    expect(after.map((record) => eventFromRecord(record).id)).toEqual(before.map((record) => eventFromRecord(record).id));
  }, 120_000);

  it("puts a centre of excellence's report on comity.stats through the router, and exports both sources as SDMX-CSV", async () => {
    router = await startRouter({ kafka, federation: () => federation, logger, signer: keys.hub.key, instanceId: uniqueName('router'), groupId: uniqueName('router') });
    const report = StatisticsReport.fromPartial({
      reportId: `GT-MP-${month}`,
      revision: 1,
      reporter: centre,
      source: StatisticsSource.STATISTICS_SOURCE_CENTRE_SUBMITTED,
      period: String(year),
      periodStart: new Date(Date.UTC(year, 0, 1)),
      periodEnd: new Date(Date.UTC(year + 1, 0, 1)),
      generatedAt: new Date(),
      suppressionThreshold: 0,
      observations: [
        { reportingCountry: 'GT', counterpartCountry: 'US', direction: 1, requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE, iccsCode: '0601', stage: 2, measure: StatisticMeasure.STATISTIC_MEASURE_COUNT, value: 38 },
        { reportingCountry: 'GT', counterpartCountry: 'US', direction: 1, requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE, iccsCode: '0601', stage: 2, outcome: StatisticOutcome.STATISTIC_OUTCOME_EXECUTED, measure: StatisticMeasure.STATISTIC_MEASURE_COUNT, value: 35 },
        { reportingCountry: 'GT', counterpartCountry: 'US', direction: 1, requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE, iccsCode: '0601', stage: 2, outcome: StatisticOutcome.STATISTIC_OUTCOME_REFUSED, measure: StatisticMeasure.STATISTIC_MEASURE_COUNT, value: 3 },
        { reportingCountry: 'GT', iccsCode: '0101', stage: 1, measure: StatisticMeasure.STATISTIC_MEASURE_OFFENCES_RECORDED, value: 3012 },
      ],
    });
    const event = createEvent(report, { subject: `${centre}:${report.reportId}`, source: `comity://networks/${centre}/adapter`, originNetwork: centre, classification: Classification.CLASSIFICATION_PUBLIC });
    await producer.send(topics.inbound(centre), [keys.record(event)]);
    let onStats: IncomingRecord[] = [];
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      onStats = (await kafka.readToEnd(topics.stats)).filter((record) => record.key?.toString('utf8') === event.subject);
      if (onStats.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(onStats.map((record) => eventFromRecord(record).id)).toEqual([event.id]);

    const out = join(dir, 'export.csv');
    await run(process.execPath, ['bin/comity.js', 'stats', '--month', month, '--export', 'sdmx-csv', '--out', out], { env: { ...process.env, COMITY_LOG_LEVEL: 'error', ...comityEnv() } });
    const text = readFileSync(out, 'utf8');
    const rows = parse<Record<string, string>>(text, { columns: true });
    const structure = publicationStructure(federation.federation.networks.map((network) => network.id));
    expect(text.slice(0, text.indexOf('\r\n')).split(',')).toEqual(structure.map((component) => component.id));
    const ours = rows.filter((row) => (row.REPORT_ID === `hub/${month}` && [alpha, beta, gamma].includes(row.ORIGIN_NETWORK!)) || row.REPORT_ID === report.reportId);
    for (const row of ours) {
      expect(row.DATAFLOW).toBe(PUBLICATION_DATAFLOW);
      for (const component of structure) expect(component.accepts(row[component.id]!), `${component.id}=${row[component.id]}`).toBe(true);
      if (row.OBS_VALUE === '') expect([row.OBS_STATUS, ['C', 'D'].includes(row.CONF_STATUS!)]).toEqual(['Q', true]);
      else if (['COUNT', 'OFFENCES_RECORDED'].includes(row.MEASURE!)) expect(Number(row.OBS_VALUE)).toBeGreaterThanOrEqual(THRESHOLD);
    }
    const centreRows = rows.filter((row) => row.REPORT_ID === report.reportId);
    expect(centreRows.map((row) => [row.SOURCE, row.REPORTER, row.OUTCOME, row.OBS_VALUE, row.CONF_STATUS])).toEqual([
      ['CENTRE_SUBMITTED', centre, '_T', '38', 'F'],
      ['CENTRE_SUBMITTED', centre, 'EXECUTED', '', 'D'],
      ['CENTRE_SUBMITTED', centre, 'REFUSED', '', 'C'],
      ['CENTRE_SUBMITTED', centre, '_T', '3012', 'F'],
    ]);
    expect(rows.filter((row) => row.REPORT_ID === `hub/${month}`).every((row) => row.SOURCE === 'HUB_COMPUTED')).toBe(true);

    // The dashboard's statistics page reads the same through GET /api/stats.
    const api = statisticsApi(kafka, { cacheMs: 0 });
    const page = await api(new URLSearchParams({ month }));
    const body = JSON.parse(page.body) as { months: string[]; reports: { originNetwork: string; report: { period: string } }[] };
    expect(page.status).toBe(200);
    expect(body.months).toContain(month);
    expect(body.reports.filter((entry) => entry.originNetwork === HUB_ORIGIN && entry.report.period === month)).toHaveLength(1);
    expect(body.reports.filter((entry) => entry.originNetwork === centre)).toHaveLength(1);
    const download = await api(new URLSearchParams({ month, format: 'sdmx-csv' }));
    expect([download.status, download.contentType, download.body.split('\r\n')[0]]).toEqual([200, 'text/csv; charset=utf-8', structure.map((c) => c.id).join(',')]);
    expect((await api(new URLSearchParams({ month: '2026-13' }))).status).toBe(400);

    const { stdout } = await run(process.execPath, ['bin/comity.js', 'stats', '--month', month, '--pair', `${alpha}:_T`], { env: { ...process.env, COMITY_LOG_LEVEL: 'error', ...comityEnv() } });
    const expected = plan.filter((p) => p.origin === alpha).length;
    expect(stdout).toMatch(new RegExp(`${alpha} → _T\\s+${expected}\\s`));
  }, 180_000);

  it('routes shared experience to every other network, and a training announcement to the chosen ones, with their languages', async () => {
    router ??= await startRouter({ kafka, federation: () => federation, logger, signer: keys.hub.key, instanceId: uniqueName('router'), groupId: uniqueName('router') });
    const inboxes = new Map<string, Collector>();
    for (const network of [alpha, beta, gamma, centre, observer]) inboxes.set(network, await collect(kafka, topics.outbound(network)));
    try {
      const experience = createEvent(
        ExperienceShared.fromPartial({ id: 'exp-1', kind: ExperienceKind.EXPERIENCE_KIND_BEST_PRACTICE, title: 'Obtener datos de abonados en una semana', language: 'es' }),
        { subject: `${beta}:experience-1`, source: `comity://networks/${beta}/adapter`, originNetwork: beta, classification: Classification.CLASSIFICATION_PUBLIC, language: 'es' },
      );
      const training = createEvent(
        TrainingAnnounced.fromPartial({ id: 'tr-1', title: 'Recouvrement des avoirs', languages: ['fr', 'en'], audienceNetworks: [gamma, centre] }),
        { subject: `${alpha}:training-1`, source: `comity://networks/${alpha}/adapter`, originNetwork: alpha, classification: Classification.CLASSIFICATION_PUBLIC, language: 'fr', targets: [{ network: gamma }, { network: centre }] },
      );
      await producer.send(topics.inbound(beta), [keys.record(experience)]);
      await producer.send(topics.inbound(alpha), [keys.record(training)]);
      const ids = (network: string) => inboxes.get(network)!.records.map((record) => eventFromRecord(record)).filter((e) => e.id === experience.id || e.id === training.id);
      await eventually(() => [alpha, gamma, centre, observer].every((n) => ids(n).some((e) => e.id === experience.id)) && [gamma, centre].every((n) => ids(n).some((e) => e.id === training.id)), 'experience and training delivered', 60_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(ids(beta).map((e) => e.id)).toEqual([]);
      expect(ids(alpha).map((e) => e.id)).toEqual([experience.id]);
      expect(ids(observer).map((e) => e.id)).toEqual([experience.id]);
      for (const network of [gamma, centre]) {
        const received = ids(network);
        expect(received.map((e) => e.id).sort()).toEqual([experience.id, training.id].sort());
        expect(received.find((e) => e.id === training.id)?.language).toBe('fr');
        expect(received.find((e) => e.id === experience.id)?.language).toBe('es');
        const header = inboxes.get(network)!.records.find((record) => eventFromRecord(record).id === training.id)?.headers.ce_comitylang?.toString();
        expect(header).toBe('fr');
      }
    } finally {
      for (const inbox of inboxes.values()) await inbox.stop();
    }
  }, 120_000);
});
