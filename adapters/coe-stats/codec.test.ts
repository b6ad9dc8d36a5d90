import { readFileSync, readdirSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { EventBody } from '../../core/events/bodies.js';
import { createEvent, decodeBody, type EventAttributes } from '../../core/events/create.js';
import { Classification, Event } from '../../core/gen/comity/v1/event.js';
import { ExperienceShared } from '../../core/gen/comity/v1/experience.js';
import { RequestDelivered, RequestSubmitted } from '../../core/gen/comity/v1/lifecycle.js';
import { RequestType } from '../../core/gen/comity/v1/request.js';
import {
  CriminalJusticeStage,
  DurationInterval,
  FlowDirection,
  StatisticMeasure,
  StatisticOutcome,
  StatisticsReport,
  StatisticsSource,
  type DeepPartial,
} from '../../core/gen/comity/v1/stats.js';
import { MAX_NETWORK_RECORD_BYTES } from '../../core/kafka/topics.js';
import type { EventDraft, NativeMessage } from '../sdk/contract.js';
import { DecodeError, EncodeError } from '../sdk/errors.js';
import { ATTRIBUTES, DEFAULT_LIMITS, EXTENSIONS, NETWORK, coeStatsCodec as codec } from './codec.js';
import { CJ_STAGE, DATAFLOW, FLOW, INTERVAL, MEASURE, OUTCOME, REQUEST_TYPE, SOURCE, parsePeriod, type CodeList } from './sdmx.js';
import { coeStatsConfig } from './spec.js';

const HEADER = 'DATAFLOW,REF_AREA,COUNTERPART_AREA,FLOW,REQUEST_TYPE,ICCS,CJ_STAGE,MEASURE,TIME_PERIOD,OBS_VALUE,REPORT_ID';

function row(overrides: Partial<Record<'ref' | 'counterpart' | 'flow' | 'iccs' | 'stage' | 'measure' | 'period' | 'value' | 'id', string>> = {}): string {
  const v = { ref: 'GT', counterpart: 'US', flow: 'OUTGOING', iccs: '0601', stage: 'PROSECUTION', measure: 'COUNT', period: '2025-Q3', value: '12', id: 'GT-TEST-1', ...overrides };
  return [DATAFLOW, v.ref, v.counterpart, v.flow, 'MUTUAL_LEGAL_ASSISTANCE', v.iccs, v.stage, v.measure, v.period, v.value, v.id].join(',');
}

function csv(text: string, attributes: Record<string, string> = {}, contentType = 'text/csv'): NativeMessage {
  return { body: Buffer.from(text, 'utf8'), contentType, attributes };
}

function fixture(name: string): NativeMessage {
  return csv(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
}

function decodeOne(native: NativeMessage): EventDraft & { body: StatisticsReport } {
  const drafts = codec.decode(native);
  expect(drafts).toHaveLength(1);
  return drafts[0] as EventDraft & { body: StatisticsReport };
}

function decodeFailure(native: NativeMessage): DecodeError {
  try {
    codec.decode(native);
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
  throw new Error('expected a DecodeError');
}

function eventOf(body: EventBody, attributes: Partial<EventAttributes> = {}): Event {
  // Through protobuf, as the runtime hands events to encode.
  return Event.decode(Event.encode(createEvent(body, { subject: 'hub/2025-Q3', source: 'comity://hub/stats', originNetwork: 'hub', ...attributes })).finish());
}

function encodeFailure(event: Event): EncodeError {
  try {
    codec.encode(event, decodeBody(event));
  } catch (error) {
    if (error instanceof EncodeError) return error;
    throw error;
  }
  throw new Error('expected an EncodeError');
}

function table(native: NativeMessage): Record<string, string>[] {
  return parse<Record<string, string>>(native.body.toString('utf8'), { columns: true });
}

/** A report the hub's stats service could compute. */
function hubReport(overrides: DeepPartial<StatisticsReport> = {}): StatisticsReport {
  const mla = {
    reportingCountry: 'GT',
    counterpartCountry: 'ES',
    direction: FlowDirection.FLOW_DIRECTION_OUTGOING,
    originNetwork: 'iberred',
    destinationNetwork: 'ejn',
    requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
    iccsCode: '0704',
    stage: CriminalJusticeStage.CRIMINAL_JUSTICE_STAGE_PROSECUTION,
  };
  return StatisticsReport.fromPartial({
    reportId: 'hub/2025-Q3',
    revision: 1,
    reporter: 'hub',
    source: StatisticsSource.STATISTICS_SOURCE_HUB_COMPUTED,
    period: '2025-Q3',
    periodStart: new Date('2025-07-01T00:00:00Z'),
    periodEnd: new Date('2025-10-01T00:00:00Z'),
    generatedAt: new Date('2025-10-02T06:00:00.250Z'),
    suppressionThreshold: 5,
    methodologyUri: 'https://comity.example.org/stats/method',
    observations: [
      { ...mla, outcome: StatisticOutcome.STATISTIC_OUTCOME_EXECUTED, measure: StatisticMeasure.STATISTIC_MEASURE_COUNT, value: 17 },
      { ...mla, outcome: StatisticOutcome.STATISTIC_OUTCOME_REFUSED, measure: StatisticMeasure.STATISTIC_MEASURE_COUNT, suppressed: true },
      { ...mla, measure: StatisticMeasure.STATISTIC_MEASURE_MEDIAN_DAYS, interval: DurationInterval.DURATION_INTERVAL_SUBMITTED_TO_DELIVERED, value: 0.5 },
    ],
    ...overrides,
  });
}

describe('adapters/coe-stats/codec', () => {
  describe('fixtures', () => {
    const files = readdirSync(new URL('./fixtures/', import.meta.url)).filter((name) => name.endsWith('.csv'));

    it('has at least 12 realistic files: the six host States, the four stages, every kind of period', () => {
      expect(files.length).toBeGreaterThanOrEqual(12);
      const reports = files.map((name) => decodeOne(fixture(name)).body);
      const countries = new Set(reports.flatMap((report) => report.observations.map((observation) => observation.reportingCountry)));
      for (const state of ['GT', 'HN', 'SV', 'CR', 'PA', 'DO']) expect(countries).toContain(state);
      const stages = new Set(reports.flatMap((report) => report.observations.map((observation) => observation.stage)));
      for (const stage of [1, 2, 3, 4]) expect(stages).toContain(stage);
      const periods = reports.map((report) => report.period);
      for (const shape of [/^\d{4}$/, /^\d{4}-S\d$/, /^\d{4}-Q\d$/, /^\d{4}-\d{2}$/, /^\d{4}-W\d{2}$/]) expect(periods.some((period) => shape.test(period))).toBe(true);
    });

    it('every malformed fixture names its code in expected-codes.json', () => {
      const dir = new URL('./fixtures/malformed/', import.meta.url);
      const codes = JSON.parse(readFileSync(new URL('expected-codes.json', dir), 'utf8')) as Record<string, string>;
      const cases = readdirSync(dir).filter((name) => name.endsWith('.csv'));
      expect(cases.length).toBeGreaterThanOrEqual(12);
      expect(Object.keys(codes).sort()).toEqual(cases.sort());
    });
  });

  describe('decode', () => {
    it('turns a file into one public StatisticsReport from the centre, subject central-america-coe:<REPORT_ID>', () => {
      const draft = decodeOne(fixture('gt-mp-2025-q3-asistencia.csv'));
      expect(draft.subject).toBe('central-america-coe:GT-MP-UAI-2025-Q3');
      expect(draft.classification).toBe(Classification.CLASSIFICATION_PUBLIC);
      expect(draft.nativeId).toBe('GT-MP-UAI-2025-Q3');
      expect(draft.body).toMatchObject({
        reportId: 'GT-MP-UAI-2025-Q3',
        revision: 1,
        reporter: NETWORK,
        source: StatisticsSource.STATISTICS_SOURCE_CENTRE_SUBMITTED,
        period: '2025-Q3',
        periodStart: new Date('2025-07-01T00:00:00Z'),
        periodEnd: new Date('2025-10-01T00:00:00Z'),
      });
      expect(draft.body.observations).toHaveLength(7);
      expect(draft.body.observations[3]).toMatchObject({
        reportingCountry: 'GT',
        counterpartCountry: 'SV',
        direction: FlowDirection.FLOW_DIRECTION_INCOMING,
        iccsCode: '0101',
        stage: CriminalJusticeStage.CRIMINAL_JUSTICE_STAGE_PROSECUTION,
        outcome: StatisticOutcome.STATISTIC_OUTCOME_PENDING,
        measure: StatisticMeasure.STATISTIC_MEASURE_COUNT,
        value: 9,
      });
      // _T is "all values": empty strings and UNSPECIFIED in the schema.
      expect(draft.body.observations[6]).toMatchObject({ counterpartCountry: '', direction: FlowDirection.FLOW_DIRECTION_UNSPECIFIED, iccsCode: '', value: 187 });
      expect(JSON.parse(draft.extensions?.[`${EXTENSIONS.attributePrefix}OBS_STATUS`] ?? '[]')).toEqual(['A', 'A', 'A', 'P', 'A', 'A', 'A']);
    });

    it('derives the report id from the period and the file\'s SHA-256 when there is no REPORT_ID, the same every time', () => {
      const first = decodeOne(fixture('hn-dpi-2025-w27-semanal.csv'));
      expect(first.body.reportId).toMatch(/^2025-W27-[0-9a-f]{16}$/);
      expect(decodeOne(fixture('hn-dpi-2025-w27-semanal.csv')).subject).toBe(first.subject);
      expect(first.body.periodStart).toEqual(new Date('2025-06-30T00:00:00Z'));
    });

    it('reads a BOM, CRLF line ends, quoted values, blank lines and the SDMX media type', () => {
      const excel = decodeOne(fixture('gt-mp-2025-07-excel.csv'));
      expect(excel.body.observations.map((observation) => observation.value)).toEqual([5, 3, 11]);
      const blank = decodeOne(csv(`${HEADER}\r\n${row()}\r\n\r\n${row({ counterpart: 'MX' })}\r\n\r\n`, {}, 'application/vnd.sdmx.data+csv; version=1.0.0'));
      expect(blank.body.observations).toHaveLength(2);
    });

    it('marks confidential values suppressed, with value 0', () => {
      const draft = decodeOne(fixture('sv-pnc-2025-10-policia.csv'));
      expect(draft.body.suppressionThreshold).toBe(5);
      expect(draft.body.observations[2]).toMatchObject({ suppressed: true, value: 0 });
      expect(draft.body.observations.filter((observation) => observation.suppressed)).toHaveLength(1);
    });

    it('accepts ICCS codes of the table, deeper codes under a known level-2 category, and _T; refuses the rest', () => {
      const iccs = (code: string) => decodeOne(csv(`${HEADER}\n${row({ iccs: code })}\n`)).body.observations[0]?.iccsCode;
      expect(iccs('0601')).toBe('0601');
      expect(iccs('06011')).toBe('06011'); // not in the table; its category 0601 is
      expect(iccs('060111')).toBe('060111');
      expect(iccs('_T')).toBe('');
      expect(iccs('07')).toBe('07'); // a section
      for (const code of ['0108', '0199', '12', '6', '1', 'ICCS0101', '0601 ']) {
        expect(decodeFailure(csv(`${HEADER}\n${row({ iccs: code })}\n`)).code, code).toBe('UNKNOWN_ICCS_CODE');
      }
    });
  });

  describe('refusals name the line and the column', () => {
    const failure = (text: string, attributes: Record<string, string> = {}) => decodeFailure(csv(text, attributes));

    it.each([
      ['an unknown ICCS code', `${HEADER}\n${row()}\n${row({ iccs: '0199' })}\n`, 'UNKNOWN_ICCS_CODE', 'line 3, column ICCS'],
      ['a country that is not ISO 3166-1', `${HEADER}\n${row()}\n${row({ counterpart: 'UK' })}\n`, 'UNKNOWN_COUNTRY', 'line 3, column COUNTERPART_AREA'],
      ['a negative count', `${HEADER}\n${row({ value: '-3' })}\n`, 'NEGATIVE_VALUE', 'line 2, column OBS_VALUE'],
      ['a formula', `${HEADER}\n${row()}\n${row({ counterpart: 'MX', value: '=SUM(A1:A9)' })}\n`, 'CSV_INJECTION', 'line 3, column OBS_VALUE'],
      ['a duplicate', `${HEADER}\n${row()}\n${row({ counterpart: 'MX' })}\n${row({ value: '4' })}\n`, 'DUPLICATE_OBSERVATION', 'line 4'],
      ['an invalid period', `${HEADER}\n${row({ period: '2025-Q5' })}\n`, 'INVALID_PERIOD', 'line 2, column TIME_PERIOD'],
      ['a second period', `${HEADER}\n${row()}\n${row({ period: '2025-Q4' })}\n`, 'MIXED_PERIODS', 'line 3, column TIME_PERIOD'],
      ['a missing column', `${HEADER.replace(',CJ_STAGE', '')}\n${row().replace(',PROSECUTION', '')}\n`, 'MISSING_COLUMN', 'line 1'],
      ['semicolons', `${HEADER.replaceAll(',', ';')}\n${row().replaceAll(',', ';')}\n`, 'WRONG_DELIMITER', 'line 1, column 1'],
    ])('%s', (_what, text, code, path) => {
      const error = failure(text);
      expect(error.code).toBe(code);
      expect(error.path).toBe(path);
      expect(error.message).toContain(`(at ${path})`);
      expect(error.retriable).toBe(false);
    });

    it('counts lines as a text editor does: blank lines and a BOM do not shift them', () => {
      const error = failure(`\ufeff${HEADER}\r\n${row()}\r\n\r\n${row({ counterpart: 'MX' })}\r\n${row({ counterpart: 'SV', iccs: '99' })}\r\n`);
      expect(error.path).toBe('line 5, column ICCS');
    });

    it('says which line a duplicate repeats', () => {
      expect(failure(`${HEADER}\n${row()}\n${row({ counterpart: 'MX' })}\n${row({ value: '4' })}\n`).message).toContain('repeats the dimensions of line 2');
    });

    it('gives the byte and line of invalid UTF-8', () => {
      const body = Buffer.concat([Buffer.from(`${HEADER},COMMENT\n${row()},Secci`), Buffer.from([0xf3]), Buffer.from('n\n')]);
      const error = decodeFailure({ body, contentType: 'text/csv', attributes: {} });
      expect(error.code).toBe('NOT_UTF8');
      expect(error.path).toBe(`line 2, byte ${body.indexOf(0xf3)}`);
    });

    it('reads crime statistics about one country, and refuses them on a flow between two', () => {
      const error = failure(`${HEADER}\n${row({ measure: 'PERSONS_CONVICTED' })}\n`);
      expect(error.code).toBe('CRIME_MEASURE_WITH_FLOW');
      expect(error.message).toContain('COUNTERPART_AREA must be _T');
      const unknown = failure(`${HEADER}\n${row({ measure: 'PERSONS_ARRESTED' })}\n`);
      expect(unknown.code).toBe('UNKNOWN_MEASURE');
      expect(unknown.message).toContain('PERSONS_SUSPECTED');
      const report = decodeOne(fixture('gt-mp-2025-estadistica-criminal.csv')).body;
      expect(report.observations.map((observation) => observation.measure)).toEqual([
        StatisticMeasure.STATISTIC_MEASURE_OFFENCES_RECORDED,
        StatisticMeasure.STATISTIC_MEASURE_VICTIMS,
        StatisticMeasure.STATISTIC_MEASURE_PERSONS_PROSECUTED,
        StatisticMeasure.STATISTIC_MEASURE_PERSONS_CONVICTED,
        StatisticMeasure.STATISTIC_MEASURE_PERSONS_SUSPECTED,
        StatisticMeasure.STATISTIC_MEASURE_PERSONS_DETAINED,
        StatisticMeasure.STATISTIC_MEASURE_PERSONS_CONVICTED,
      ]);
      expect(report.observations.at(-1)).toMatchObject({ suppressed: true, value: 0 });
      expect(report.observations[0]).toMatchObject({ reportingCountry: 'GT', counterpartCountry: '', iccsCode: '0101', value: 3012 });
    });

    it('refuses impossible numbers', () => {
      expect(failure(`${HEADER}\n${row({ value: '1000000001' })}\n`).code).toBe('VALUE_TOO_LARGE');
      expect(failure(`${HEADER},INTERVAL\n${row({ measure: 'MEDIAN_DAYS', value: '40000' })},SUBMITTED_TO_CLOSED\n`).code).toBe('VALUE_TOO_LARGE');
      expect(failure(`${HEADER}\n${row({ value: '1e6' })}\n`).code).toBe('NOT_A_NUMBER');
      expect(failure(`${HEADER}\n${row({ value: 'Infinity' })}\n`).code).toBe('NOT_A_NUMBER');
      expect(failure(`${HEADER}\n${row({ value: '0x10' })}\n`).code).toBe('NOT_A_NUMBER');
      expect(failure(`${HEADER}\n${row({ value: ' 12' })}\n`).code).toBe('NOT_A_NUMBER');
      expect(decodeOne(csv(`${HEADER}\n${row({ value: '1000000000' })}\n`)).body.observations[0]?.value).toBe(1_000_000_000);
    });

    it('refuses formulas in any column, also behind blanks, and lets negative numbers reach the number check', () => {
      for (const value of ['=1+1', '+A1', '@SUM(A1)', '  =cmd|\' /C calc\'!A0', '-2+3+cmd|\' /C calc\'!A0']) {
        expect(failure(`${HEADER},COMMENT\n${row()},"${value.replaceAll('"', '""')}"\n`).code, value).toBe('CSV_INJECTION');
      }
      expect(failure(`${HEADER}\n${row({ value: '-5' })}\n`).code).toBe('NEGATIVE_VALUE');
    });

    it('refuses control and invisible characters', () => {
      for (const hidden of ['\u0000', '\u0007', '\u202e', '\u200b', '\u2028', '\u0085']) {
        expect(failure(`${HEADER},COMMENT\n${row()},"a${hidden}b"\n`).code, JSON.stringify(hidden)).toBe('CONTROL_CHARACTER');
      }
    });

    it('refuses a file that claims to be someone else\'s (an outbox file dropped back into the inbox)', () => {
      const written = codec.encode(eventOf(hubReport()), hubReport()) as NativeMessage;
      expect(decodeFailure(written).code).toBe('FOREIGN_REPORT');
    });
  });

  describe('hostile sizes', () => {
    it('refuses a file over the byte limit before reading it, with the real size from the transport', () => {
      const huge = Buffer.alloc(DEFAULT_LIMITS.maxBytes + 1, 'a');
      expect(decodeFailure({ body: huge, contentType: 'text/csv', attributes: {} }).code).toBe('TOO_LARGE');
      const head = csv(`${HEADER}\n${row()}\n`, { [ATTRIBUTES.receivedBytes]: String(2 ** 31) });
      const error = decodeFailure(head);
      expect(error.code).toBe('TOO_LARGE');
      expect(error.message).toContain(String(2 ** 31));
    });

    it('refuses more rows than the limit, at the first row too many', () => {
      const rows = Array.from({ length: 6 }, (_, index) => row({ counterpart: ['US', 'MX', 'SV', 'HN', 'CR', 'PA'][index] as string }));
      const error = decodeFailure(csv(`${HEADER}\n${rows.join('\n')}\n`, { [ATTRIBUTES.maxRows]: '5' }));
      expect(error).toMatchObject({ code: 'TOO_MANY_ROWS', path: 'line 7' });
    });

    it('refuses a 100 001-row file quickly, without building its report', () => {
      const rows = Array.from({ length: DEFAULT_LIMITS.maxRows + 1 }, () => `${DATAFLOW},GT,US,O,M,0601,P,C,2025,1,X`);
      const body = Buffer.from(`${HEADER}\n${rows.join('\n')}\n`);
      const started = Date.now();
      expect(decodeFailure({ body, contentType: 'text/csv', attributes: { [ATTRIBUTES.maxBytes]: String(8 * 1024 * 1024) } }).code).toBe('TOO_MANY_ROWS');
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('refuses one enormous line, a header of a thousand columns, a file of quotes', () => {
      expect(decodeFailure(csv(`${HEADER},COMMENT\n${row()},${'x'.repeat(70_000)}\n`)).code).toBe('RECORD_TOO_LARGE');
      expect(decodeFailure(csv(`${HEADER},COMMENT\n${row()},${'x'.repeat(1_001)}\n`)).code).toBe('CELL_TOO_LONG');
      const wide = Array.from({ length: 1000 }, (_, index) => `C${index}`).join(',');
      expect(decodeFailure(csv(`${HEADER},${wide}\n`)).code).toBe('TOO_MANY_COLUMNS');
      expect(decodeFailure(csv(`DATAFLOW,${'"'.repeat(200_000)}`)).code).toBe('RECORD_TOO_LARGE');
      expect(decodeFailure(csv(`DATAFLOW,${'"'.repeat(999)}`)).code).toBe('MALFORMED_CSV');
    });

    it('decodes a 5 MiB file of real-looking rows into an event that fits in a Kafka record', () => {
      const counterparts = ['US', 'MX', 'SV', 'HN', 'CR', 'PA', 'DO', 'CO', 'ES', 'NI', 'BZ', 'AR'];
      const codes = ['0101', '0201', '0204', '0301', '0401', '0501', '0502', '0601', '0701', '0703', '0704', '0903'];
      const lines = [`${HEADER},OUTCOME,OBS_STATUS`];
      let size = 0;
      outer: for (const counterpart of counterparts) {
        for (const flow of ['OUTGOING', 'INCOMING', '_T']) {
          for (const stage of ['POLICE', 'PROSECUTION', 'COURTS', 'PRISONS', '_T']) {
            for (const outcome of ['PENDING', 'EXECUTED', 'REFUSED', 'WITHDRAWN', '_T']) {
              for (const iccs of codes) {
                for (const ref of ['GT', 'HN', 'SV', 'CR', 'PA', 'DO']) {
                  if (ref === counterpart) continue;
                  const line = `${row({ ref, counterpart, flow, stage, iccs, value: String(lines.length % 997), id: 'SICA-2025' })},${outcome},A`;
                  if (size + line.length + 1 > DEFAULT_LIMITS.maxBytes - 1024) break outer;
                  size += line.length + 1;
                  lines.push(line);
                }
              }
            }
          }
        }
      }
      const body = Buffer.from(`${lines.join('\n')}\n`);
      expect(body.length).toBeLessThanOrEqual(DEFAULT_LIMITS.maxBytes);
      const draft = decodeOne({ body, contentType: 'text/csv', attributes: {} });
      const event = createEvent(draft.body, { ...draft, source: 'comity://networks/central-america-coe/adapter', originNetwork: NETWORK });
      expect(Event.encode(event).finish().length).toBeLessThan(MAX_NETWORK_RECORD_BYTES);
    }, 30_000);
  });

  describe('encode', () => {
    it('writes a hub report as SDMX-CSV with every dimension, its attributes, and withheld values empty', () => {
      const report = hubReport();
      const native = codec.encode(eventOf(report), report) as NativeMessage;
      expect(native.contentType).toBe('text/csv; charset=utf-8');
      expect(native.attributes).toEqual({ [ATTRIBUTES.reportId]: 'hub/2025-Q3', [ATTRIBUTES.revision]: '1' });
      expect(native.body.toString('utf8').split('\r\n')[0]).toBe(
        'DATAFLOW,REF_AREA,COUNTERPART_AREA,FLOW,ORIGIN_NETWORK,DEST_NETWORK,REQUEST_TYPE,ICCS,CJ_STAGE,OUTCOME,MEASURE,INTERVAL,TIME_PERIOD,OBS_VALUE,CONF_STATUS,REPORT_ID,REVISION,REPORTER,SOURCE,SUPPRESSION_THRESHOLD,METHODOLOGY,PREPARED',
      );
      const rows = table(native);
      expect(rows).toHaveLength(3);
      expect(rows[0]).toMatchObject({
        DATAFLOW,
        REF_AREA: 'GT',
        COUNTERPART_AREA: 'ES',
        FLOW: 'OUTGOING',
        ORIGIN_NETWORK: 'iberred',
        DEST_NETWORK: 'ejn',
        REQUEST_TYPE: 'MUTUAL_LEGAL_ASSISTANCE',
        ICCS: '0704',
        CJ_STAGE: 'PROSECUTION',
        OUTCOME: 'EXECUTED',
        MEASURE: 'COUNT',
        INTERVAL: '_Z',
        TIME_PERIOD: '2025-Q3',
        OBS_VALUE: '17',
        CONF_STATUS: '',
        REPORT_ID: 'hub/2025-Q3',
        REVISION: '1',
        REPORTER: 'hub',
        SOURCE: 'HUB_COMPUTED',
        SUPPRESSION_THRESHOLD: '5',
        METHODOLOGY: 'https://comity.example.org/stats/method',
        PREPARED: '2025-10-02T06:00:00Z',
      });
      expect(rows[1]).toMatchObject({ OUTCOME: 'REFUSED', OBS_VALUE: '', CONF_STATUS: 'C' });
      expect(rows[2]).toMatchObject({ MEASURE: 'MEDIAN_DAYS', INTERVAL: 'SUBMITTED_TO_DELIVERED', OBS_VALUE: '0.5', OUTCOME: '_T' });
    });

    it('writes the rows in the order of the report, the same bytes every time', () => {
      const report = hubReport();
      const first = codec.encode(eventOf(report), report) as NativeMessage;
      const second = codec.encode(eventOf(report), report) as NativeMessage;
      expect(second.body.equals(first.body)).toBe(true);
    });

    it('gives a file decoded from a centre back as it was, with its columns, footnotes and extra columns', () => {
      for (const name of ['cr-oij-2025-s1-semestral.csv', 'pa-sng-2025-q3-columnas-propias.csv', 'do-pgr-2025-q2-revision.csv']) {
        const native = fixture(name);
        const draft = decodeOne(native);
        const event = eventOf(draft.body, { ...draft, subject: draft.subject });
        const again = codec.encode(event, decodeBody(event)) as NativeMessage;
        expect(codec.normalize?.(again), name).toEqual(codec.normalize?.(native));
      }
    });

    it('has no SDMX-CSV for other events: requests, receipts and experience are acknowledged without a file', () => {
      const cases: EventBody[] = [
        RequestSubmitted.fromPartial({ request: { requestId: 'iberred:1', requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE } }),
        RequestDelivered.fromPartial({ regardingEventId: '0193a6f2-7c1e-7a10-8a00-000000000001', network: NETWORK }),
        ExperienceShared.fromPartial({}),
      ];
      for (const body of cases) expect(codec.encode(eventOf(body), body), body.$type).toBeNull();
    });

    it('refuses reports it could not write as a valid file, rather than writing one a centre would refuse', () => {
      expect(encodeFailure(eventOf(hubReport({ reportId: '' }))).code).toBe('MISSING_FIELD');
      expect(encodeFailure(eventOf(hubReport({ period: '' }))).code).toBe('MISSING_FIELD');
      expect(encodeFailure(eventOf(hubReport({ observations: [] }))).code).toBe('MISSING_FIELD');
      const small = hubReport({ observations: [{ reportingCountry: 'GT', measure: StatisticMeasure.STATISTIC_MEASURE_COUNT, value: 2 }] });
      const error = encodeFailure(eventOf(small));
      expect(error.code).toBe('INVALID_REPORT');
      expect(error.message).toContain('SUPPRESSION_THRESHOLD');
      const twice = hubReport({ observations: [{ reportingCountry: 'GT', measure: StatisticMeasure.STATISTIC_MEASURE_COUNT, value: 9 }, { reportingCountry: 'GT', measure: StatisticMeasure.STATISTIC_MEASURE_COUNT, value: 9 }] });
      expect(encodeFailure(eventOf(twice)).code).toBe('INVALID_REPORT');
      const badIccs = hubReport({ observations: [{ reportingCountry: 'GT', iccsCode: '0199', measure: StatisticMeasure.STATISTIC_MEASURE_COUNT, value: 9 }] });
      expect(encodeFailure(eventOf(badIccs)).code).toBe('INVALID_REPORT');
      const unknown = hubReport({ observations: [{ reportingCountry: 'GT', stage: 99 as CriminalJusticeStage, measure: StatisticMeasure.STATISTIC_MEASURE_COUNT, value: 9 }] });
      expect(encodeFailure(eventOf(unknown)).code).toBe('UNSUPPORTED_VALUE');
    });

    it('never writes a formula, even one smuggled in an extension', () => {
      const report = hubReport();
      const event = eventOf(report, { extensions: { [`${EXTENSIONS.attributePrefix}COMMENT`]: JSON.stringify(['ok', '=HYPERLINK("http://x")', 'ok']) } });
      expect(encodeFailure(event).code).toBe('INVALID_REPORT');
      expect(encodeFailure(event).message).toContain('formula');
    });

    it('refuses stale or broken extensions', () => {
      const report = hubReport();
      expect(encodeFailure(eventOf(report, { extensions: { [`${EXTENSIONS.attributePrefix}COMMENT`]: '["only one"]' } })).code).toBe('INVALID_EXTENSION');
      expect(encodeFailure(eventOf(report, { extensions: { [`${EXTENSIONS.attributePrefix}COMMENT`]: 'not json' } })).code).toBe('INVALID_EXTENSION');
      expect(encodeFailure(eventOf(report, { extensions: { [EXTENSIONS.columns]: 'DATAFLOW,REF_AREA' } })).code).toBe('INVALID_EXTENSION');
    });

    it('adds the columns a changed report needs to the file\'s own header, and keeps a confidentiality flag only where it still holds', () => {
      const draft = decodeOne(fixture('sv-pnc-2025-10-policia.csv'));
      const report = StatisticsReport.fromPartial({ ...draft.body, observations: draft.body.observations.map((observation, index) => (index === 2 ? { ...observation, suppressed: false, value: 6 } : observation)) });
      const native = codec.encode(eventOf(report, { extensions: draft.extensions }), report) as NativeMessage;
      const rows = table(native);
      expect(rows[2]).toMatchObject({ OBS_VALUE: '6', CONF_STATUS: '' });
      expect(rows[0]).toMatchObject({ CONF_STATUS: 'F' });

      const withOutcome = StatisticsReport.fromPartial({ ...draft.body, observations: draft.body.observations.map((observation) => ({ ...observation, outcome: StatisticOutcome.STATISTIC_OUTCOME_EXECUTED })) });
      const header = (codec.encode(eventOf(withOutcome, { extensions: draft.extensions }), withOutcome) as NativeMessage).body.toString('utf8').split('\r\n')[0];
      expect(header?.endsWith(',OUTCOME')).toBe(true);
    });
  });

  describe('the structure', () => {
    const lists: [string, CodeList<number>, Record<string, number | string>][] = [
      ['FLOW', FLOW, FlowDirection],
      ['REQUEST_TYPE', REQUEST_TYPE, RequestType],
      ['CJ_STAGE', CJ_STAGE, CriminalJusticeStage],
      ['OUTCOME', OUTCOME, StatisticOutcome],
      ['INTERVAL', INTERVAL, DurationInterval],
      ['SOURCE', SOURCE, StatisticsSource],
      ['MEASURE', MEASURE, StatisticMeasure],
    ];

    it.each(lists)('%s has a code for every value of the schema\'s enum', (_name, list, values) => {
      const numbers = Object.values(values).filter((value): value is number => typeof value === 'number' && value >= 0);
      // MEASURE and SOURCE have no "all values": UNSPECIFIED is not a measure or a source.
      const wanted = list === MEASURE || list === SOURCE ? numbers.filter((value) => value !== 0) : numbers;
      for (const value of wanted) expect(list.codeOf(value), `${list.column} ${value}`).toBeDefined();
    });

    it('FORMAT.md lists every code and every column', () => {
      const format = readFileSync(new URL('./FORMAT.md', import.meta.url), 'utf8');
      for (const [, list] of lists) for (const code of list.codes) expect(format, `${list.column} ${code}`).toContain(`\`${code}\``);
      for (const column of ['DATAFLOW', 'REF_AREA', 'COUNTERPART_AREA', 'ORIGIN_NETWORK', 'DEST_NETWORK', 'ICCS', 'TIME_PERIOD', 'OBS_VALUE', 'OBS_STATUS', 'CONF_STATUS', 'UNIT_MULT', 'DECIMALS', 'COMMENT', 'REPORT_ID', 'REVISION', 'REPORTER', 'SUPPRESSION_THRESHOLD', 'METHODOLOGY', 'PREPARED']) {
        expect(format).toContain(`\`${column}\``);
      }
    });

    it('reads reference periods as SDMX writes them, into UTC instants', () => {
      const span = (text: string) => {
        const period = parsePeriod(text);
        return period && [period.start.toISOString().slice(0, 10), period.end.toISOString().slice(0, 10)];
      };
      expect(span('2025')).toEqual(['2025-01-01', '2026-01-01']);
      expect(span('2025-S2')).toEqual(['2025-07-01', '2026-01-01']);
      expect(span('2025-Q4')).toEqual(['2025-10-01', '2026-01-01']);
      expect(span('2025-02')).toEqual(['2025-02-01', '2025-03-01']);
      expect(span('2025-W01')).toEqual(['2024-12-30', '2025-01-06']);
      expect(span('2020-W53')).toEqual(['2020-12-28', '2021-01-04']);
      for (const text of ['2025-W53', '2025-W00', '2025-13', '2025-Q0', '1899', '2100', '25', '2025-M01', '2025-01-01', ' 2025']) {
        expect(parsePeriod(text), text).toBeUndefined();
      }
    });
  });

  describe('config', () => {
    const outbox = { dir: '/srv/coe/salida' };

    it('needs a folder or an upload port, and fills in the defaults', () => {
      expect(coeStatsConfig.safeParse({ outbox }).success).toBe(false);
      const config = coeStatsConfig.parse({ inbox: { dir: '/srv/coe/entrada' }, outbox });
      expect(config.inbox).toMatchObject({ pollIntervalMs: 2000, settleMs: 2000 });
      expect(config.limits).toEqual({ maxBytes: 5 * 1024 * 1024, maxRows: 100_000, deadLetterHeadBytes: 64 * 1024 });
      expect(coeStatsConfig.parse({ http: { listen: { port: 8490 } }, outbox }).http).toMatchObject({ listen: { host: '127.0.0.1', port: 8490, path: '/messages' } });
    });

    it('refuses an upload limit below the file limit, shared folders, and unknown keys', () => {
      expect(coeStatsConfig.safeParse({ http: { listen: { port: 0 }, maxBodyBytes: 1024 }, outbox }).success).toBe(false);
      expect(coeStatsConfig.safeParse({ inbox: { dir: '/srv/coe' }, outbox: { dir: '/srv/coe' } }).success).toBe(false);
      expect(coeStatsConfig.safeParse({ inbox: { dir: '/srv/coe', processedDir: '/srv/coe' }, outbox }).success).toBe(false);
      expect(coeStatsConfig.safeParse({ inbox: { dir: '/srv/coe', pollInterval: 5 }, outbox }).success).toBe(false);
    });
  });
});
