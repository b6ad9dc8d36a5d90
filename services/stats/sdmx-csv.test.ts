import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { RequestType } from '../../core/gen/comity/v1/request.js';
import { CriminalJusticeStage, FlowDirection, StatisticMeasure, StatisticOutcome, StatisticsReport, StatisticsSource } from '../../core/gen/comity/v1/stats.js';
import { isEventId } from '../../core/events/ids.js';
import { monthlyObservations, type RequestFacts } from './aggregate.js';
import { hubReport, reportEvent, reportEventId, sameFigures } from './report.js';
import { PUBLICATION_DATAFLOW, publicationStructure, toSdmxCsv } from './sdmx-csv.js';

const networks = ['ejn', 'iberred', 'oas-hemispheric'];
const month: RequestFacts[] = Array.from({ length: 40 }, (_, i) => ({
  requestId: `r${i}`,
  month: '2026-10',
  originNetwork: networks[i % 3]!,
  destinationNetworks: i % 13 === 0 ? [] : [networks[(i + 1) % 3]!],
  requestType: i % 5 === 0 ? RequestType.REQUEST_TYPE_EXTRADITION : RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
  outcome: [StatisticOutcome.STATISTIC_OUTCOME_EXECUTED, StatisticOutcome.STATISTIC_OUTCOME_PENDING, StatisticOutcome.STATISTIC_OUTCOME_REFUSED][i % 3]!,
  turnaroundSeconds: i % 3 === 1 ? undefined : (i + 1) * 43_200,
}));
const hub = hubReport({
  month: '2026-10',
  revision: 2,
  observations: monthlyObservations(month, (id) => (Number(id.slice(1)) % 4 === 0 ? ['0601'] : ['0703', '02011']), 5),
  threshold: 5,
  generatedAt: new Date('2026-11-01T00:10:00Z'),
});
const centre = StatisticsReport.fromPartial({
  reportId: 'HN-CSJ-EXT-2025',
  revision: 1,
  reporter: 'central-america-coe',
  source: StatisticsSource.STATISTICS_SOURCE_CENTRE_SUBMITTED,
  period: '2025',
  periodStart: new Date('2025-01-01T00:00:00Z'),
  periodEnd: new Date('2026-01-01T00:00:00Z'),
  suppressionThreshold: 0,
  observations: [
    { reportingCountry: 'HN', counterpartCountry: 'US', direction: FlowDirection.FLOW_DIRECTION_INCOMING, requestType: RequestType.REQUEST_TYPE_EXTRADITION, iccsCode: '0601', stage: CriminalJusticeStage.CRIMINAL_JUSTICE_STAGE_COURTS, measure: StatisticMeasure.STATISTIC_MEASURE_COUNT, value: 27 },
    { reportingCountry: 'HN', counterpartCountry: 'US', direction: FlowDirection.FLOW_DIRECTION_INCOMING, requestType: RequestType.REQUEST_TYPE_EXTRADITION, iccsCode: '0601', stage: CriminalJusticeStage.CRIMINAL_JUSTICE_STAGE_COURTS, outcome: StatisticOutcome.STATISTIC_OUTCOME_EXECUTED, measure: StatisticMeasure.STATISTIC_MEASURE_COUNT, value: 25 },
    { reportingCountry: 'HN', counterpartCountry: 'US', direction: FlowDirection.FLOW_DIRECTION_INCOMING, requestType: RequestType.REQUEST_TYPE_EXTRADITION, iccsCode: '0601', stage: CriminalJusticeStage.CRIMINAL_JUSTICE_STAGE_COURTS, outcome: StatisticOutcome.STATISTIC_OUTCOME_REFUSED, measure: StatisticMeasure.STATISTIC_MEASURE_COUNT, value: 2 },
    { reportingCountry: 'GT', iccsCode: '0101', stage: CriminalJusticeStage.CRIMINAL_JUSTICE_STAGE_POLICE, measure: StatisticMeasure.STATISTIC_MEASURE_OFFENCES_RECORDED, value: 3012 },
  ],
});

describe('services/stats/sdmx-csv', () => {
  const exported = toSdmxCsv([hub, centre], { threshold: 5 });
  const rows = parse<Record<string, string>>(exported.csv, { columns: true, skip_empty_lines: true });
  const structure = publicationStructure(networks);

  it('writes the declared columns, one row per observation, every value in its code list', () => {
    const header = exported.csv.slice(0, exported.csv.indexOf('\r\n')).split(',');
    expect(header).toEqual(structure.map((component) => component.id));
    expect(rows).toHaveLength(hub.observations.length + centre.observations.length);
    expect(exported.rows).toBe(rows.length);
    for (const row of rows) {
      expect(row.DATAFLOW).toBe(PUBLICATION_DATAFLOW);
      for (const component of structure) expect(component.accepts(row[component.id] ?? '<missing>'), `${component.id}=${row[component.id]}`).toBe(true);
    }
    expect(exported.csv.endsWith('\r\n')).toBe(true);
    expect(exported.csv.charCodeAt(0)).not.toBe(0xfeff);
  });

  it('never shows a count below the threshold: withheld cells are empty and marked', () => {
    const counts = rows.filter((row) => ['COUNT', 'OFFENCES_RECORDED'].includes(row.MEASURE!));
    expect(counts.some((row) => row.CONF_STATUS === 'C')).toBe(true);
    expect(counts.some((row) => row.CONF_STATUS === 'D')).toBe(true);
    for (const row of rows) {
      if (row.OBS_VALUE === '') {
        expect(row.OBS_STATUS).toBe('Q');
        expect(['C', 'D']).toContain(row.CONF_STATUS);
      } else {
        expect([row.OBS_STATUS, row.CONF_STATUS]).toEqual(['A', 'F']);
      }
    }
    for (const row of counts) if (row.OBS_VALUE !== '') expect(Number(row.OBS_VALUE) === 0 || Number(row.OBS_VALUE) >= 5).toBe(true);
  });

  it("keeps the centre's figures apart, suppressed with the hub's threshold and its complement", () => {
    const fromCentre = rows.filter((row) => row.SOURCE === 'CENTRE_SUBMITTED');
    expect(fromCentre.map((row) => [row.OUTCOME, row.OBS_VALUE, row.CONF_STATUS])).toEqual([
      ['_T', '27', 'F'],
      ['EXECUTED', '', 'D'],
      ['REFUSED', '', 'C'],
      ['_T', '3012', 'F'],
    ]);
    expect(fromCentre.every((row) => row.REPORTER === 'central-america-coe' && row.TIME_PERIOD === '2025' && row.SUPPRESSION_THRESHOLD === '5')).toBe(true);
    const fromHub = rows.filter((row) => row.SOURCE === 'HUB_COMPUTED');
    expect(fromHub.every((row) => row.REPORT_ID === 'hub/2026-10' && row.REVISION === '2' && row.PREPARED === '2026-11-01T00:10:00Z')).toBe(true);
    expect(fromHub.some((row) => row.DEST_NETWORK === '_Z')).toBe(true);
    expect(fromHub.some((row) => row.MEASURE === 'P90_DAYS' && row.INTERVAL === 'SUBMITTED_TO_CLOSED' && row.OBS_VALUE !== '')).toBe(true);
  });

  it('lets the later of two reports of one source win a cell both give, and counts it', () => {
    const later = StatisticsReport.fromPartial({ ...centre, reportId: 'HN-CSJ-EXT-2025-B', generatedAt: new Date('2026-02-01T00:00:00Z'), observations: [{ ...centre.observations[0]!, value: 30 }] });
    const twice = toSdmxCsv([later, centre], { threshold: 5 });
    expect(twice.conflicts).toBe(1);
    const kept = parse<Record<string, string>>(twice.csv, { columns: true }).filter((row) => row.SOURCE === 'CENTRE_SUBMITTED' && row.OUTCOME === '_T' && row.MEASURE === 'COUNT');
    expect(kept.map((row) => [row.OBS_VALUE, row.REPORT_ID])).toEqual([['30', 'HN-CSJ-EXT-2025-B']]);
  });
});

describe('services/stats/report', () => {
  it('derives one event id per month and revision, the same every time', () => {
    expect(reportEventId('2026-10', 2)).toBe(reportEventId('2026-10', 2));
    expect(reportEventId('2026-10', 3)).not.toBe(reportEventId('2026-10', 2));
    expect(reportEventId('2026-11', 2)).not.toBe(reportEventId('2026-10', 2));
    expect(isEventId(reportEventId('2026-10', 2))).toBe(true);
    expect(reportEventId('2026-09', 9) < reportEventId('2026-10', 1)).toBe(true);
    const event = reportEvent(hub);
    expect(event).toMatchObject({ id: reportEventId('2026-10', 2), subject: 'hub/2026-10', originNetwork: 'hub', type: 'comity.v1.StatisticsReport' });
  });

  it('compares figures, not revisions or times', () => {
    const again = hubReport({ month: '2026-10', revision: 3, observations: hub.observations, threshold: 5, generatedAt: new Date() });
    expect(sameFigures(hub, again)).toBe(true);
    expect(sameFigures(hub, { ...again, observations: again.observations.slice(1) })).toBe(false);
    expect(() => hubReport({ month: '2026-13', revision: 1, observations: [], threshold: 5, generatedAt: new Date() })).toThrow(/not a month/);
  });
});
