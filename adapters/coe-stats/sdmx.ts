/**
 * Comity's SDMX data structure for criminal-justice cooperation statistics, as the codec uses
 * it: the columns of an SDMX-CSV file, their code lists and the reference periods. Pure data
 * and pure functions. FORMAT.md describes the same structure for people; where they differ,
 * this module is right and FORMAT.md is a bug (a unit test checks that every code is listed).
 *
 * The structure mirrors `comity.v1.Observation` (proto/comity/v1/stats.proto): one dimension
 * per field of the observation, the report's period as TIME_PERIOD, the value as OBS_VALUE.
 * `_T` (total, "all values") is the SDMX code for the schema's empty string / UNSPECIFIED;
 * `_Z` (not applicable) is the INTERVAL of a count.
 */
import { CriminalJusticeStage, DurationInterval, FlowDirection, StatisticMeasure, StatisticOutcome, StatisticsSource } from '../../core/gen/comity/v1/stats.js';
import { RequestType } from '../../core/gen/comity/v1/request.js';

/** The one dataflow this adapter reads and writes: agency COMITY, id CJ_COOPERATION, version 1.0. */
export const DATAFLOW = 'COMITY:CJ_COOPERATION(1.0)';

export const TOTAL = '_T';
export const NOT_APPLICABLE = '_Z';

/** Dimensions in the order of the data structure (the order Comity writes them in). */
export const DIMENSIONS = [
  'REF_AREA',
  'COUNTERPART_AREA',
  'FLOW',
  'ORIGIN_NETWORK',
  'DEST_NETWORK',
  'REQUEST_TYPE',
  'ICCS',
  'CJ_STAGE',
  'OUTCOME',
  'MEASURE',
  'INTERVAL',
  'TIME_PERIOD',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Attributes attached to each observation. */
export const OBSERVATION_ATTRIBUTES = ['OBS_STATUS', 'CONF_STATUS', 'UNIT_MULT', 'DECIMALS', 'COMMENT'] as const;
export type ObservationAttribute = (typeof OBSERVATION_ATTRIBUTES)[number];

/**
 * Attributes of the whole report. SDMX-CSV has no header block, so, as SDMX-CSV does for any
 * attribute attached above the observation, their value is repeated on every row (and must be
 * the same on every row).
 */
export const REPORT_ATTRIBUTES = ['REPORT_ID', 'REVISION', 'REPORTER', 'SOURCE', 'SUPPRESSION_THRESHOLD', 'METHODOLOGY', 'PREPARED'] as const;
export type ReportAttribute = (typeof REPORT_ATTRIBUTES)[number];

export const MEASURE_COLUMN = 'OBS_VALUE';

/** Columns a file must have. The other dimensions, when absent, are `_T` (`_Z` for INTERVAL). */
export const REQUIRED_COLUMNS = ['DATAFLOW', 'REF_AREA', 'TIME_PERIOD', 'ICCS', 'CJ_STAGE', 'MEASURE', MEASURE_COLUMN] as const;

/** The columns the structure defines, in the order Comity writes them. */
export const KNOWN_COLUMNS: readonly string[] = ['DATAFLOW', ...DIMENSIONS, MEASURE_COLUMN, ...OBSERVATION_ATTRIBUTES, ...REPORT_ATTRIBUTES];

/** An SDMX component id, as a column header: `REF_AREA`, `OBS_STATUS`, `NOTE_ES`. */
export const COLUMN_ID = /^[A-Z][A-Z0-9_]{0,49}$/;

/** A code list: SDMX code ⇄ value of the schema's enum. */
export interface CodeList<E extends number> {
  readonly column: string;
  valueOf(code: string): E | undefined;
  codeOf(value: E): string | undefined;
  readonly codes: readonly string[];
}

function codeList<E extends number>(column: string, entries: Readonly<Record<string, E>>): CodeList<E> {
  const byCode = new Map<string, E>(Object.entries(entries));
  const byValue = new Map<E, string>(Object.entries(entries).map(([code, value]) => [value, code]));
  return {
    column,
    valueOf: (code) => byCode.get(code),
    codeOf: (value) => byValue.get(value),
    codes: [...byCode.keys()],
  };
}

export const FLOW = codeList('FLOW', {
  OUTGOING: FlowDirection.FLOW_DIRECTION_OUTGOING,
  INCOMING: FlowDirection.FLOW_DIRECTION_INCOMING,
  [TOTAL]: FlowDirection.FLOW_DIRECTION_UNSPECIFIED,
});

export const REQUEST_TYPE = codeList('REQUEST_TYPE', {
  MUTUAL_LEGAL_ASSISTANCE: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
  EXTRADITION: RequestType.REQUEST_TYPE_EXTRADITION,
  EUROPEAN_INVESTIGATION_ORDER: RequestType.REQUEST_TYPE_EUROPEAN_INVESTIGATION_ORDER,
  EUROPEAN_ARREST_WARRANT: RequestType.REQUEST_TYPE_EUROPEAN_ARREST_WARRANT,
  FREEZING_OR_CONFISCATION: RequestType.REQUEST_TYPE_FREEZING_OR_CONFISCATION,
  JOINT_INVESTIGATION_TEAM: RequestType.REQUEST_TYPE_JOINT_INVESTIGATION_TEAM,
  TRANSFER_OF_PROCEEDINGS: RequestType.REQUEST_TYPE_TRANSFER_OF_PROCEEDINGS,
  TRANSFER_OF_SENTENCED_PERSONS: RequestType.REQUEST_TYPE_TRANSFER_OF_SENTENCED_PERSONS,
  SPONTANEOUS_INFORMATION: RequestType.REQUEST_TYPE_SPONTANEOUS_INFORMATION,
  ASSET_TRACING: RequestType.REQUEST_TYPE_ASSET_TRACING,
  [TOTAL]: RequestType.REQUEST_TYPE_UNSPECIFIED,
});

export const CJ_STAGE = codeList('CJ_STAGE', {
  POLICE: CriminalJusticeStage.CRIMINAL_JUSTICE_STAGE_POLICE,
  PROSECUTION: CriminalJusticeStage.CRIMINAL_JUSTICE_STAGE_PROSECUTION,
  COURTS: CriminalJusticeStage.CRIMINAL_JUSTICE_STAGE_COURTS,
  PRISONS: CriminalJusticeStage.CRIMINAL_JUSTICE_STAGE_PRISONS,
  [TOTAL]: CriminalJusticeStage.CRIMINAL_JUSTICE_STAGE_UNSPECIFIED,
});

export const OUTCOME = codeList('OUTCOME', {
  PENDING: StatisticOutcome.STATISTIC_OUTCOME_PENDING,
  EXECUTED: StatisticOutcome.STATISTIC_OUTCOME_EXECUTED,
  PARTIALLY_EXECUTED: StatisticOutcome.STATISTIC_OUTCOME_PARTIALLY_EXECUTED,
  REFUSED: StatisticOutcome.STATISTIC_OUTCOME_REFUSED,
  WITHDRAWN: StatisticOutcome.STATISTIC_OUTCOME_WITHDRAWN,
  NOT_DELIVERED: StatisticOutcome.STATISTIC_OUTCOME_NOT_DELIVERED,
  [TOTAL]: StatisticOutcome.STATISTIC_OUTCOME_UNSPECIFIED,
});

/** What OBS_VALUE is. No total: numbers of requests and durations never add up. */
export const MEASURE = codeList('MEASURE', {
  COUNT: StatisticMeasure.STATISTIC_MEASURE_COUNT,
  MEDIAN_DAYS: StatisticMeasure.STATISTIC_MEASURE_MEDIAN_DAYS,
  P90_DAYS: StatisticMeasure.STATISTIC_MEASURE_P90_DAYS,
  MEAN_DAYS: StatisticMeasure.STATISTIC_MEASURE_MEAN_DAYS,
  OFFENCES_RECORDED: StatisticMeasure.STATISTIC_MEASURE_OFFENCES_RECORDED,
  PERSONS_SUSPECTED: StatisticMeasure.STATISTIC_MEASURE_PERSONS_SUSPECTED,
  PERSONS_PROSECUTED: StatisticMeasure.STATISTIC_MEASURE_PERSONS_PROSECUTED,
  PERSONS_CONVICTED: StatisticMeasure.STATISTIC_MEASURE_PERSONS_CONVICTED,
  PERSONS_DETAINED: StatisticMeasure.STATISTIC_MEASURE_PERSONS_DETAINED,
  VICTIMS: StatisticMeasure.STATISTIC_MEASURE_VICTIMS,
});

/**
 * Crime and criminal justice measures (offences recorded, persons prosecuted…): counts about
 * one country's system, not about a flow between States. Their flow dimensions are `_T`.
 */
export const CRIME_MEASURES: ReadonlySet<StatisticMeasure> = new Set([
  StatisticMeasure.STATISTIC_MEASURE_OFFENCES_RECORDED,
  StatisticMeasure.STATISTIC_MEASURE_PERSONS_SUSPECTED,
  StatisticMeasure.STATISTIC_MEASURE_PERSONS_PROSECUTED,
  StatisticMeasure.STATISTIC_MEASURE_PERSONS_CONVICTED,
  StatisticMeasure.STATISTIC_MEASURE_PERSONS_DETAINED,
  StatisticMeasure.STATISTIC_MEASURE_VICTIMS,
]);

/** The dimensions that describe a flow between two States: `_T` for a crime measure. */
export const FLOW_DIMENSIONS = ['COUNTERPART_AREA', 'FLOW', 'ORIGIN_NETWORK', 'DEST_NETWORK', 'REQUEST_TYPE', 'OUTCOME'] as const;

/** Between which steps a duration is measured; `_Z` (not applicable) for a count. */
export const INTERVAL = codeList('INTERVAL', {
  SUBMITTED_TO_DELIVERED: DurationInterval.DURATION_INTERVAL_SUBMITTED_TO_DELIVERED,
  SUBMITTED_TO_ACKNOWLEDGED: DurationInterval.DURATION_INTERVAL_SUBMITTED_TO_ACKNOWLEDGED,
  SUBMITTED_TO_DECIDED: DurationInterval.DURATION_INTERVAL_SUBMITTED_TO_DECIDED,
  SUBMITTED_TO_CLOSED: DurationInterval.DURATION_INTERVAL_SUBMITTED_TO_CLOSED,
  [NOT_APPLICABLE]: DurationInterval.DURATION_INTERVAL_UNSPECIFIED,
});

/** SOURCE, for the files Comity writes; a centre's own file may only say CENTRE_SUBMITTED. */
export const SOURCE = codeList('SOURCE', {
  HUB_COMPUTED: StatisticsSource.STATISTICS_SOURCE_HUB_COMPUTED,
  NETWORK_SUBMITTED: StatisticsSource.STATISTICS_SOURCE_NETWORK_SUBMITTED,
  CENTRE_SUBMITTED: StatisticsSource.STATISTICS_SOURCE_CENTRE_SUBMITTED,
});

/** A network id, as in the federation (`iberred`, `central-america-coe`); same rule as core/kafka's. */
export const NETWORK_ID = /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/;

/** Largest count accepted: no criminal-justice count of one report comes near a billion. */
export const MAX_COUNT = 1_000_000_000;
/** Longest duration accepted, in days: a hundred years. */
export const MAX_DAYS = 36_525;

// ---- Reference periods -------------------------------------------------------------------

/** A reference period: the text as SDMX writes it and the instants it covers (end exclusive, UTC). */
export interface Period {
  readonly text: string;
  readonly start: Date;
  readonly end: Date;
}

const MIN_YEAR = 1900;
const MAX_YEAR = 2099;

/**
 * Reads a reference period: `2025` (year), `2025-S1` (half-year), `2025-Q3` (quarter),
 * `2025-07` (month) or `2025-W27` (ISO 8601 week). Years 1900 to 2099. Undefined otherwise.
 */
export function parsePeriod(text: string): Period | undefined {
  const match = /^(\d{4})(?:-(?:S([12])|Q([1-4])|(0[1-9]|1[0-2])|W(0[1-9]|[1-4]\d|5[0-3])))?$/.exec(text);
  if (!match) return undefined;
  const year = Number(match[1]);
  if (year < MIN_YEAR || year > MAX_YEAR) return undefined;
  const [, , half, quarter, month, week] = match;
  const utc = (y: number, m: number, d = 1) => new Date(Date.UTC(y, m, d));
  if (half) return { text, start: utc(year, (Number(half) - 1) * 6), end: utc(year, Number(half) * 6) };
  if (quarter) return { text, start: utc(year, (Number(quarter) - 1) * 3), end: utc(year, Number(quarter) * 3) };
  if (month) return { text, start: utc(year, Number(month) - 1), end: utc(year, Number(month)) };
  if (week) {
    const number = Number(week);
    if (number > isoWeeksIn(year)) return undefined;
    const start = new Date(isoWeekOneMonday(year).getTime() + (number - 1) * 7 * DAY_MS);
    return { text, start, end: new Date(start.getTime() + 7 * DAY_MS) };
  }
  return { text, start: utc(year, 0), end: utc(year + 1, 0) };
}

const DAY_MS = 86_400_000;

/** Monday of ISO week 1: the week that holds 4 January. */
function isoWeekOneMonday(year: number): Date {
  const january4 = Date.UTC(year, 0, 4);
  const weekday = (new Date(january4).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return new Date(january4 - weekday * DAY_MS);
}

/** 52 or 53. */
function isoWeeksIn(year: number): number {
  return (isoWeekOneMonday(year + 1).getTime() - isoWeekOneMonday(year).getTime()) / (7 * DAY_MS);
}
