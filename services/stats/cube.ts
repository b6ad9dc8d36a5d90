/**
 * Observations as cells of a table: their key, which dimensions add up, and which cell is the
 * total of which others. Pure functions over `comity.v1.Observation`.
 *
 * A dimension whose value is "all values" (the schema's empty string or UNSPECIFIED, SDMX `_T`)
 * makes the cell a total over that dimension. A cell with a value in dimension `d` is a part of
 * the cell that is identical except for `d` set to the next level up: `_T` for most
 * dimensions, the parent code for an ICCS code (`0601` is part of `06`, `06` of `_T`).
 * Together, a total and its parts form a *relation*: total = sum of the parts (exactly when each
 * unit is counted in one part, at least when a unit can fall in several — a request with
 * offences in two ICCS sections). Suppression (./suppression.ts) works on these relations.
 */
import { StatisticMeasure, type Observation } from '../../core/gen/comity/v1/stats.js';

/** SDMX special codes the hub writes into string dimensions. */
export const UNKNOWN = '_U';
export const NOT_APPLICABLE = '_Z';

/** The dimensions a count can be broken down by, in the order of the data structure. */
export const BREAKDOWN_DIMENSIONS = [
  'reportingCountry',
  'counterpartCountry',
  'direction',
  'originNetwork',
  'destinationNetwork',
  'requestType',
  'iccsCode',
  'stage',
  'outcome',
] as const satisfies readonly (keyof Observation)[];
export type BreakdownDimension = (typeof BREAKDOWN_DIMENSIONS)[number];

const COUNT_MEASURES = new Set<StatisticMeasure>([
  StatisticMeasure.STATISTIC_MEASURE_COUNT,
  StatisticMeasure.STATISTIC_MEASURE_OFFENCES_RECORDED,
  StatisticMeasure.STATISTIC_MEASURE_PERSONS_SUSPECTED,
  StatisticMeasure.STATISTIC_MEASURE_PERSONS_PROSECUTED,
  StatisticMeasure.STATISTIC_MEASURE_PERSONS_CONVICTED,
  StatisticMeasure.STATISTIC_MEASURE_PERSONS_DETAINED,
  StatisticMeasure.STATISTIC_MEASURE_VICTIMS,
]);

/** Counts of units (requests, offences, persons): the measures that add up and are suppressed when small. */
export function isCountMeasure(measure: StatisticMeasure): boolean {
  return COUNT_MEASURES.has(measure);
}

/** The cell's identity: measure, interval and every dimension. Two observations with one key are one cell. */
export function cellKey(observation: Observation): string {
  return JSON.stringify([observation.measure, observation.interval, ...BREAKDOWN_DIMENSIONS.map((dimension) => observation[dimension])]);
}

/** The value one level up in `dimension`, or undefined when the cell is already the total over it. */
export function parentValue(dimension: BreakdownDimension, value: string | number): string | number | undefined {
  if (typeof value === 'number') return value === 0 ? undefined : 0;
  if (value === '') return undefined;
  if (dimension !== 'iccsCode') return '';
  // ICCS: 6 → 5 → 4 → 2 digits → all offences. `_U` (unknown) is a part of all offences.
  if (!/^\d+$/.test(value) || value.length <= 2) return '';
  return value.slice(0, value.length === 4 ? 2 : value.length - 1);
}

/** A total and the cells that are its parts in one dimension. */
export interface Relation {
  readonly dimension: BreakdownDimension;
  readonly total: number;
  readonly parts: readonly number[];
}

/**
 * Every relation among the count cells of `observations` whose total is among them (indexes
 * into `observations`), in a stable order: the order of the totals, then of the dimensions.
 */
export function relationsOf(observations: readonly Observation[]): Relation[] {
  const indexByKey = new Map<string, number>();
  observations.forEach((observation, index) => {
    if (isCountMeasure(observation.measure)) indexByKey.set(cellKey(observation), index);
  });
  const grouped = new Map<string, { dimension: BreakdownDimension; total: number; parts: number[] }>();
  observations.forEach((observation, index) => {
    if (!isCountMeasure(observation.measure)) return;
    for (const dimension of BREAKDOWN_DIMENSIONS) {
      const up = parentValue(dimension, observation[dimension]);
      if (up === undefined) continue;
      const totalKey = cellKey({ ...observation, [dimension]: up });
      const total = indexByKey.get(totalKey);
      if (total === undefined) continue;
      const id = `${dimension}\u0000${totalKey}`;
      const relation = grouped.get(id) ?? { dimension, total, parts: [] };
      relation.parts.push(index);
      grouped.set(id, relation);
    }
  });
  return [...grouped.values()].sort((a, b) => a.total - b.total || BREAKDOWN_DIMENSIONS.indexOf(a.dimension) - BREAKDOWN_DIMENSIONS.indexOf(b.dimension));
}
