/**
 * Monthly statistics from the tracker's request records, as pure functions.
 *
 * What is counted: requests *submitted* in the month (UTC), each with its outcome as the hub
 * knows it when the report is computed — a later decision changes the month's figures, and the
 * month's report is published again with a higher revision. Only codes and counts leave this
 * module: request ids are used to count each request once and are dropped.
 *
 * - pair of networks: the request's origin network → each network the hub relayed its
 *   submission to (`_Z` when the hub routed it nowhere). A request sent to two networks counts
 *   once in each pair, and once in any total over destinations.
 * - request type: from the submission's envelope.
 * - ICCS section: the first two digits of each offence's ICCS code; a request counts once in
 *   each section its offences fall into, once in the total; `_U` when no offence has a code or
 *   the submission was sealed (the hub cannot read it).
 * - outcome: executed, partially executed, refused, withdrawn (the final legal status); else
 *   not delivered (delivery failed for good, or the hub refused to route it); else pending.
 * - turnaround: days from the submission to the event that gave the final legal status, for
 *   requests that have one; median and 90th percentile (linear interpolation between closest
 *   ranks, numpy's default, R type 7).
 */
import { RequestType } from '../../core/gen/comity/v1/request.js';
import { DurationInterval, StatisticMeasure, StatisticOutcome, type Observation } from '../../core/gen/comity/v1/stats.js';
import { LegalStatus, TransportStatus, type RequestTracked } from '../../core/gen/comity/v1/tracking.js';
import { isIccsCode } from '../../core/reference/iccs.js';
import { NOT_APPLICABLE, UNKNOWN } from './cube.js';
import { durationObservation, suppressSmallCounts } from './suppression.js';

/** What the statistics need to know about one request: codes, times, no names. */
export interface RequestFacts {
  /** Only to count the request once; never published. */
  readonly requestId: string;
  /** `YYYY-MM` of the submission, UTC. */
  readonly month: string;
  readonly originNetwork: string;
  /** Networks its submission was relayed to; empty when it was routed nowhere. */
  readonly destinationNetworks: readonly string[];
  readonly requestType: RequestType;
  readonly outcome: StatisticOutcome;
  /** Seconds from submission to the final legal outcome, for closed requests. */
  readonly turnaroundSeconds?: number;
}

const CLOSING_TYPES: Readonly<Partial<Record<LegalStatus, { type: string; outcome: StatisticOutcome }>>> = {
  [LegalStatus.LEGAL_STATUS_EXECUTED]: { type: 'comity.v1.RequestExecuted', outcome: StatisticOutcome.STATISTIC_OUTCOME_EXECUTED },
  [LegalStatus.LEGAL_STATUS_PARTIALLY_EXECUTED]: { type: 'comity.v1.RequestPartiallyExecuted', outcome: StatisticOutcome.STATISTIC_OUTCOME_PARTIALLY_EXECUTED },
  [LegalStatus.LEGAL_STATUS_REFUSED]: { type: 'comity.v1.RequestRefused', outcome: StatisticOutcome.STATISTIC_OUTCOME_REFUSED },
  [LegalStatus.LEGAL_STATUS_WITHDRAWN]: { type: 'comity.v1.RequestWithdrawn', outcome: StatisticOutcome.STATISTIC_OUTCOME_WITHDRAWN },
};

/** `YYYY-MM` of an instant, UTC. */
export function monthOf(time: Date): string {
  return time.toISOString().slice(0, 7);
}

/** The facts of a tracked request, or undefined when its submission has not been seen. */
export function factsOf(record: RequestTracked): RequestFacts | undefined {
  const summary = record.summary;
  const submitted = record.timeline.find((entry) => entry.type === 'comity.v1.RequestSubmitted');
  if (!summary || !submitted || !summary.submittedAt || !summary.originNetwork) return undefined;
  const destinations = new Set<string>();
  for (const entry of record.timeline) {
    if (entry.type !== 'comity.v1.RequestRelayed' || entry.regardingEventId !== submitted.eventId) continue;
    for (const target of entry.targets) if (target.network) destinations.add(target.network);
  }
  const closing = CLOSING_TYPES[summary.legalStatus];
  let outcome = closing?.outcome ?? StatisticOutcome.STATISTIC_OUTCOME_PENDING;
  let turnaroundSeconds: number | undefined;
  if (closing) {
    const flagged = new Set(record.flags.map((flag) => flag.eventId));
    const closedBy = record.timeline.find((entry) => entry.type === closing.type && !flagged.has(entry.eventId));
    if (closedBy?.time) turnaroundSeconds = Math.max(0, (closedBy.time.getTime() - summary.submittedAt.getTime()) / 1000);
  } else if (summary.transportStatus === TransportStatus.TRANSPORT_STATUS_NOT_DELIVERED) {
    outcome = StatisticOutcome.STATISTIC_OUTCOME_NOT_DELIVERED;
  }
  return {
    requestId: summary.requestId,
    month: monthOf(summary.submittedAt),
    originNetwork: summary.originNetwork,
    destinationNetworks: [...destinations].sort(),
    requestType: summary.requestType,
    outcome,
    turnaroundSeconds,
  };
}

/** Distinct ICCS sections of a request's offences' codes, sorted; `_U` when none is known. */
export function iccsSections(codes: readonly string[] | undefined): string[] {
  const sections = new Set((codes ?? []).filter((code) => isIccsCode(code)).map((code) => code.slice(0, 2)));
  return sections.size > 0 ? [...sections].sort() : [UNKNOWN];
}

/**
 * The `p` quantile (0..1) of `values` by linear interpolation between closest ranks (R type 7,
 * numpy's default): for sorted x of length n, h = (n − 1)·p, x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
 */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('no values');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile ${p} outside 0..1`);
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * p;
  const low = Math.floor(h);
  const lower = sorted[low] as number;
  const upper = sorted[Math.min(low + 1, sorted.length - 1)] as number;
  return lower + (h - low) * (upper - lower);
}

/** Days with two decimals, the precision durations are published with. */
export function roundDays(seconds: number): number {
  return Math.round((seconds / 86_400) * 100) / 100;
}

type CellDimension = 'originNetwork' | 'destinationNetwork' | 'requestType' | 'iccsCode' | 'outcome';

/**
 * The tables the hub publishes: counts broken down by each of these dimension sets and every
 * subset of them (their margins, down to the grand total).
 */
export const COUNT_TABLES: readonly (readonly CellDimension[])[] = [
  ['originNetwork', 'destinationNetwork', 'outcome'],
  ['originNetwork', 'destinationNetwork', 'requestType'],
  ['originNetwork', 'destinationNetwork', 'iccsCode'],
  ['requestType', 'outcome'],
  ['requestType', 'iccsCode'],
  ['iccsCode', 'outcome'],
];
/** Turnaround (median, 90th percentile) by each of these and every subset. */
export const DURATION_TABLES: readonly (readonly CellDimension[])[] = [['originNetwork', 'destinationNetwork'], ['requestType'], ['iccsCode'], ['outcome']];

function closure(tables: readonly (readonly CellDimension[])[]): CellDimension[][] {
  const seen = new Map<string, CellDimension[]>();
  for (const table of tables) {
    for (let mask = 0; mask < 1 << table.length; mask += 1) {
      const subset = table.filter((_, bit) => mask & (1 << bit));
      seen.set([...subset].sort().join(','), subset);
    }
  }
  return [...seen.values()];
}
const COUNT_CELLS = closure(COUNT_TABLES);
const DURATION_CELLS = closure(DURATION_TABLES);

interface Cell {
  readonly dimensions: Readonly<Partial<Record<CellDimension, string | number>>>;
  readonly requests: Set<string>;
  readonly durations: Map<string, number>;
}

/** The values a request takes in each dimension (several for destinations and ICCS sections). */
function valuesOf(facts: RequestFacts, sections: readonly string[]): Record<CellDimension, readonly (string | number)[]> {
  return {
    originNetwork: [facts.originNetwork],
    destinationNetwork: facts.destinationNetworks.length > 0 ? facts.destinationNetworks : [NOT_APPLICABLE],
    requestType: [facts.requestType],
    iccsCode: sections,
    outcome: [facts.outcome],
  };
}

/** Calls `visit` with each combination of one value per dimension, as a key and a getter for the cell's dimensions. */
function eachCombination(
  dimensions: readonly CellDimension[],
  values: Record<CellDimension, readonly (string | number)[]>,
  visit: (key: string, cell: () => Partial<Record<CellDimension, string | number>>) => void,
): void {
  const chosen: (string | number)[] = [];
  const walk = (depth: number, key: string) => {
    if (depth === dimensions.length) {
      visit(key, () => Object.fromEntries(dimensions.map((dimension, i) => [dimension, chosen[i] as string | number])));
      return;
    }
    for (const value of values[dimensions[depth] as CellDimension]) {
      chosen[depth] = value;
      walk(depth + 1, `${key}\u0000${value}`);
    }
  };
  walk(0, dimensions.join(','));
}

/**
 * The observations of one month, before suppression: counts of requests in every cell of the
 * published tables that holds at least one, and the turnaround in every cell with a closed
 * request (withheld, as primary suppression, below `threshold` cases). `iccsOf` gives a
 * request's offences' ICCS codes (undefined when unknown).
 */
export function aggregateMonth(
  facts: Iterable<RequestFacts>,
  iccsOf: (requestId: string) => readonly string[] | undefined,
  threshold: number,
): Observation[] {
  const counts = new Map<string, Cell>();
  const durations = new Map<string, Cell>();
  for (const request of facts) {
    const values = valuesOf(request, iccsSections(iccsOf(request.requestId)));
    const add = (into: Map<string, Cell>) => (key: string, dimensions: () => Cell['dimensions']) => {
      let cell = into.get(key);
      if (!cell) into.set(key, (cell = { dimensions: dimensions(), requests: new Set<string>(), durations: new Map<string, number>() }));
      cell.requests.add(request.requestId);
      if (request.turnaroundSeconds !== undefined) cell.durations.set(request.requestId, request.turnaroundSeconds);
    };
    for (const dimensions of COUNT_CELLS) eachCombination(dimensions, values, add(counts));
    if (request.turnaroundSeconds === undefined) continue;
    for (const dimensions of DURATION_CELLS) eachCombination(dimensions, values, add(durations));
  }

  const observations: Observation[] = [];
  const base = (dimensions: Cell['dimensions']): Observation => ({
    $type: 'comity.v1.Observation',
    reportingCountry: '',
    counterpartCountry: '',
    direction: 0,
    originNetwork: (dimensions.originNetwork as string | undefined) ?? '',
    destinationNetwork: (dimensions.destinationNetwork as string | undefined) ?? '',
    requestType: (dimensions.requestType as RequestType | undefined) ?? RequestType.REQUEST_TYPE_UNSPECIFIED,
    iccsCode: (dimensions.iccsCode as string | undefined) ?? '',
    stage: 0,
    outcome: (dimensions.outcome as StatisticOutcome | undefined) ?? StatisticOutcome.STATISTIC_OUTCOME_UNSPECIFIED,
    measure: StatisticMeasure.STATISTIC_MEASURE_COUNT,
    interval: DurationInterval.DURATION_INTERVAL_UNSPECIFIED,
    value: 0,
    suppressed: false,
    suppression: 0,
  });
  for (const cell of counts.values()) observations.push({ ...base(cell.dimensions), value: cell.requests.size });
  for (const cell of durations.values()) {
    const seconds = [...cell.durations.values()];
    const interval = { ...base(cell.dimensions), interval: DurationInterval.DURATION_INTERVAL_SUBMITTED_TO_CLOSED };
    observations.push({ ...interval, ...durationObservation(interval, StatisticMeasure.STATISTIC_MEASURE_MEDIAN_DAYS, roundDays(quantile(seconds, 0.5)), seconds.length, threshold) });
    observations.push({ ...interval, ...durationObservation(interval, StatisticMeasure.STATISTIC_MEASURE_P90_DAYS, roundDays(quantile(seconds, 0.9)), seconds.length, threshold) });
  }
  return observations.sort(compareObservations);
}

/** The month's observations, aggregated and suppressed: what the hub publishes. */
export function monthlyObservations(
  facts: Iterable<RequestFacts>,
  iccsOf: (requestId: string) => readonly string[] | undefined,
  threshold: number,
): Observation[] {
  return suppressSmallCounts(aggregateMonth(facts, iccsOf, threshold), threshold);
}

/** A stable order: totals before parts, so reports read top-down and compare equal when equal. */
export function compareObservations(a: Observation, b: Observation): number {
  return (
    a.measure - b.measure ||
    a.interval - b.interval ||
    compareCode(a.originNetwork, b.originNetwork) ||
    compareCode(a.destinationNetwork, b.destinationNetwork) ||
    a.requestType - b.requestType ||
    compareCode(a.iccsCode, b.iccsCode) ||
    a.outcome - b.outcome ||
    compareCode(a.reportingCountry, b.reportingCountry) ||
    compareCode(a.counterpartCountry, b.counterpartCountry) ||
    a.direction - b.direction ||
    a.stage - b.stage
  );
}

function compareCode(a: string, b: string): number {
  return a === b ? 0 : a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1;
}
