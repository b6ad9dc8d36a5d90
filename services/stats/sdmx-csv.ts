/**
 * SDMX-CSV export of the statistics Comity holds — the hub's own monthly reports and the
 * reports the centres of excellence sent — in one dataset, dataflow
 * `COMITY:CJ_COOPERATION_PUB(1.0)`. docs/statistics.md describes the structure for people.
 *
 * The structure is that of `COMITY:CJ_COOPERATION(1.0)` (the centres' exchange format,
 * adapters/coe-stats/FORMAT.md) with the source of each figure as the first dimension, so
 * that figures from different sources stand side by side and never collide, and suppression
 * marked on every withheld cell (CONF_STATUS `C` primary / `D` secondary, OBS_STATUS `Q`,
 * OBS_VALUE empty). Codes are the same code lists (adapters/coe-stats/sdmx.ts).
 *
 * Every report is suppressed again with the hub's threshold (or the report's own, if higher)
 * before it is written: a centre that publishes counts from 3 up is published here from 5 up.
 */
import { stringify } from 'csv-stringify/sync';
import {
  CJ_STAGE,
  FLOW,
  INTERVAL,
  MEASURE,
  NOT_APPLICABLE,
  OUTCOME,
  REQUEST_TYPE,
  SOURCE,
  TOTAL,
  parsePeriod,
  type CodeList,
} from '../../adapters/coe-stats/sdmx.js';
import { ICCS } from '../../core/reference/iccs.js';
import { isCountryCode } from '../../core/reference/iso3166.js';
import { type StatisticMeasure, type StatisticsSource, Suppression, type Observation, type StatisticsReport } from '../../core/gen/comity/v1/stats.js';
import { cellKey, UNKNOWN } from './cube.js';
import { compareObservations } from './aggregate.js';
import { DEFAULT_SUPPRESSION_THRESHOLD, suppressSmallCounts } from './suppression.js';

export const PUBLICATION_DATAFLOW = 'COMITY:CJ_COOPERATION_PUB(1.0)';

/** One column of the export: a dimension, the measure, or an attribute, with what it may hold. */
export interface Component {
  readonly id: string;
  readonly role: 'dimension' | 'measure' | 'attribute';
  readonly description: string;
  /** The code list, when the values are codes (for ICCS: the table's codes; see `accepts`). */
  readonly codes?: readonly string[];
  /** Whether a value is allowed in this column. */
  accepts(value: string): boolean;
}

const inList = (codes: readonly string[]) => (value: string) => codes.includes(value);
const ICCS_CODES = ICCS.map((entry) => entry.code);
const ICCS_LEVEL2 = new Set(ICCS.filter((entry) => entry.level === 2).map((entry) => entry.code));

/** The data structure of the export, in column order. `networkIds`: the federation's networks. */
export function publicationStructure(networkIds: readonly string[]): readonly Component[] {
  const networks = [...networkIds, TOTAL, NOT_APPLICABLE];
  const coded = (id: string, list: CodeList<number>, description: string): Component => ({ id, role: 'dimension', description, codes: list.codes, accepts: inList(list.codes) });
  return [
    { id: 'DATAFLOW', role: 'attribute', description: 'the dataflow, always ' + PUBLICATION_DATAFLOW, codes: [PUBLICATION_DATAFLOW], accepts: inList([PUBLICATION_DATAFLOW]) },
    { id: 'SOURCE', role: 'dimension', description: 'who produced the figure', codes: SOURCE.codes, accepts: inList(SOURCE.codes) },
    { id: 'REF_AREA', role: 'dimension', description: 'State the figure is about (ISO 3166-1 alpha-2), _T all', accepts: (v) => v === TOTAL || isCountryCode(v) },
    { id: 'COUNTERPART_AREA', role: 'dimension', description: 'the other State of the flow, _T all', accepts: (v) => v === TOTAL || isCountryCode(v) },
    coded('FLOW', FLOW, 'requests sent (OUTGOING) or received (INCOMING) by REF_AREA'),
    { id: 'ORIGIN_NETWORK', role: 'dimension', description: 'network the request came from', codes: networks, accepts: inList(networks) },
    { id: 'DEST_NETWORK', role: 'dimension', description: 'network the hub relayed it to; _Z routed nowhere', codes: networks, accepts: inList(networks) },
    coded('REQUEST_TYPE', REQUEST_TYPE, 'form of cooperation'),
    {
      id: 'ICCS',
      role: 'dimension',
      description: 'ICCS code (section for the hub), _U unknown, _T all',
      codes: [...ICCS_CODES, UNKNOWN, TOTAL],
      accepts: (v) => v === TOTAL || v === UNKNOWN || ICCS_CODES.includes(v) || (/^\d{5,6}$/.test(v) && ICCS_LEVEL2.has(v.slice(0, 4))),
    },
    coded('CJ_STAGE', CJ_STAGE, 'stage of the criminal justice process'),
    coded('OUTCOME', OUTCOME, 'how the requests ended, or PENDING'),
    { id: 'MEASURE', role: 'dimension', description: 'what OBS_VALUE is', codes: MEASURE.codes, accepts: inList(MEASURE.codes) },
    coded('INTERVAL', INTERVAL, 'for durations, between which steps; _Z for counts'),
    { id: 'TIME_PERIOD', role: 'dimension', description: 'reference period: 2026, 2026-S1, 2026-Q3, 2026-10, 2026-W41', accepts: (v) => parsePeriod(v) !== undefined },
    { id: 'OBS_VALUE', role: 'measure', description: 'the number; empty when withheld', accepts: (v) => v === '' || /^\d+(\.\d+)?$/.test(v) },
    { id: 'OBS_STATUS', role: 'attribute', description: 'A normal value, Q missing value: suppressed', codes: ['A', 'Q'], accepts: inList(['A', 'Q']) },
    { id: 'CONF_STATUS', role: 'attribute', description: 'F free, C confidential (small count), D secondary confidentiality', codes: ['F', 'C', 'D'], accepts: inList(['F', 'C', 'D']) },
    { id: 'REPORTER', role: 'attribute', description: 'network (or hub) that reported the figure', accepts: (v) => /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/.test(v) },
    { id: 'REPORT_ID', role: 'attribute', description: 'the report the figure comes from', accepts: (v) => /^[A-Za-z0-9._:/-]{1,160}$/.test(v) },
    { id: 'REVISION', role: 'attribute', description: 'revision of that report', accepts: (v) => /^\d+$/.test(v) },
    { id: 'SUPPRESSION_THRESHOLD', role: 'attribute', description: 'counts below it are withheld', accepts: (v) => /^\d+$/.test(v) },
    { id: 'PREPARED', role: 'attribute', description: 'when the report was computed, UTC', accepts: (v) => v === '' || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(v) },
  ];
}

export interface SdmxCsvExport {
  readonly csv: string;
  readonly rows: number;
  /** Observations left out because another report of the same source gave the same cell (the later report wins). */
  readonly conflicts: number;
}

/**
 * The reports as one SDMX-CSV 1.0 file (header + one row per observation, CRLF, UTF-8 without
 * BOM). Give the latest revision of each report (./published.ts).
 */
export function toSdmxCsv(reports: readonly StatisticsReport[], options: { threshold?: number } = {}): SdmxCsvExport {
  const hubThreshold = options.threshold ?? DEFAULT_SUPPRESSION_THRESHOLD;
  // The later report wins a cell two reports of one source both give.
  const ordered = [...reports].sort((a, b) => (a.generatedAt?.getTime() ?? 0) - (b.generatedAt?.getTime() ?? 0) || a.reportId.localeCompare(b.reportId));
  const rows = new Map<string, { report: StatisticsReport; observation: Observation }>();
  let conflicts = 0;
  for (const report of ordered) {
    const threshold = Math.max(hubThreshold, report.suppressionThreshold);
    for (const observation of suppressSmallCounts(report.observations, threshold)) {
      const key = `${report.source}\u0000${report.period}\u0000${cellKey(observation)}`;
      if (rows.has(key)) conflicts += 1;
      rows.set(key, { report, observation });
    }
  }
  const body = [...rows.values()]
    .sort((a, b) => a.report.source - b.report.source || a.report.period.localeCompare(b.report.period) || a.report.reportId.localeCompare(b.report.reportId) || compareObservations(a.observation, b.observation))
    .map(({ report, observation }) => rowOf(report, observation, Math.max(hubThreshold, report.suppressionThreshold)));
  const header = publicationStructure([]).map((component) => component.id);
  const csv = stringify([header, ...body], { record_delimiter: '\r\n' });
  return { csv, rows: body.length, conflicts };
}

function rowOf(report: StatisticsReport, o: Observation, threshold: number): string[] {
  const code = (list: CodeList<number>, value: number) => list.codeOf(value) ?? TOTAL;
  const text = (value: string) => value || TOTAL;
  const secondary = o.suppression === Suppression.SUPPRESSION_SECONDARY;
  return [
    PUBLICATION_DATAFLOW,
    (SOURCE as CodeList<StatisticsSource>).codeOf(report.source) ?? 'NETWORK_SUBMITTED',
    text(o.reportingCountry),
    text(o.counterpartCountry),
    code(FLOW, o.direction),
    text(o.originNetwork),
    text(o.destinationNetwork),
    code(REQUEST_TYPE, o.requestType),
    text(o.iccsCode),
    code(CJ_STAGE, o.stage),
    code(OUTCOME, o.outcome),
    (MEASURE as CodeList<StatisticMeasure>).codeOf(o.measure) ?? '',
    code(INTERVAL, o.interval),
    report.period,
    o.suppressed ? '' : String(o.value),
    o.suppressed ? 'Q' : 'A',
    o.suppressed ? (secondary ? 'D' : 'C') : 'F',
    report.reporter,
    report.reportId,
    String(report.revision),
    String(threshold),
    report.generatedAt ? report.generatedAt.toISOString().replace(/\.\d{3}Z$/, 'Z') : '',
  ];
}
