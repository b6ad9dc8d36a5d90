import { describe, expect, it } from 'vitest';
import { DurationInterval, Observation, StatisticMeasure, StatisticOutcome, Suppression } from '../../core/gen/comity/v1/stats.js';
import { relationsOf } from './cube.js';
import { suppressSmallCounts } from './suppression.js';

const count = (value: number, dims: Partial<Observation> = {}) => Observation.fromPartial({ measure: StatisticMeasure.STATISTIC_MEASURE_COUNT, value, ...dims });
const outcome = (outcome: StatisticOutcome, value: number, dims: Partial<Observation> = {}) => count(value, { outcome, ...dims });
const { STATISTIC_OUTCOME_EXECUTED: EXECUTED, STATISTIC_OUTCOME_REFUSED: REFUSED, STATISTIC_OUTCOME_PENDING: PENDING, STATISTIC_OUTCOME_WITHDRAWN: WITHDRAWN } = StatisticOutcome;

/** Every relation keeps the rule: 0 or ≥ 2 withheld, and what the parts withhold is 0 or ≥ threshold. */
function expectNothingRecoverable(cells: Observation[], threshold: number) {
  for (const relation of relationsOf(cells)) {
    const total = cells[relation.total]!;
    const parts = relation.parts.map((index) => cells[index]!);
    const withheld = [total, ...parts].filter((cell) => cell.suppressed).length;
    expect(withheld === 0 || withheld >= 2).toBe(true);
    if (!total.suppressed && withheld > 0) {
      const hidden = total.value - parts.reduce((sum, part) => sum + (part.suppressed ? 0 : part.value), 0);
      expect(hidden === 0 || hidden >= threshold).toBe(true);
    }
  }
  for (const cell of cells) if (!cell.suppressed && cell.measure === StatisticMeasure.STATISTIC_MEASURE_COUNT) expect(cell.value === 0 || cell.value >= threshold).toBe(true);
}

describe('services/stats/suppression', () => {
  it('withholds counts from 1 to threshold − 1, publishes 0 and the threshold itself', () => {
    const cells = suppressSmallCounts([count(0), count(1, { originNetwork: 'a' }), count(4, { originNetwork: 'b' }), count(5, { originNetwork: 'c' })], 5);
    expect(cells.map((cell) => [cell.suppressed, cell.value, cell.suppression])).toEqual([
      [false, 0, Suppression.SUPPRESSION_UNSPECIFIED],
      [true, 0, Suppression.SUPPRESSION_PRIMARY],
      [true, 0, Suppression.SUPPRESSION_PRIMARY],
      [false, 5, Suppression.SUPPRESSION_UNSPECIFIED],
    ]);
  });

  it('withholds a second part when one small part could be recovered from the total', () => {
    // 20 = 3 + 7 + 10: publishing 20, 7 and 10 gives away the 3.
    const cells = suppressSmallCounts([count(20), outcome(REFUSED, 3), outcome(EXECUTED, 10), outcome(PENDING, 7)], 5);
    expect(cells.find((cell) => cell.outcome === REFUSED)).toMatchObject({ suppressed: true, suppression: Suppression.SUPPRESSION_PRIMARY });
    expect(cells.find((cell) => cell.outcome === PENDING)).toMatchObject({ suppressed: true, suppression: Suppression.SUPPRESSION_SECONDARY, value: 0 });
    expect(cells.find((cell) => cell.outcome === EXECUTED)).toMatchObject({ suppressed: false, value: 10 });
    expect(cells[0]).toMatchObject({ suppressed: false, value: 20 });
    expectNothingRecoverable(cells, 5);
  });

  it('withholds more when two small parts together are still small', () => {
    // 1 + 2 = 3 would be known from 20 − 17.
    const cells = suppressSmallCounts([count(20), outcome(REFUSED, 1), outcome(WITHDRAWN, 2), outcome(EXECUTED, 17)], 5);
    expect(cells.find((cell) => cell.outcome === EXECUTED)).toMatchObject({ suppressed: true, suppression: Suppression.SUPPRESSION_SECONDARY });
    expectNothingRecoverable(cells, 5);
  });

  it('withholds the total when the small count is its only part', () => {
    const cells = suppressSmallCounts([count(3), outcome(EXECUTED, 3)], 5);
    expect(cells.every((cell) => cell.suppressed)).toBe(true);
    const alone = suppressSmallCounts([count(12, { originNetwork: 'a' }), count(12, { originNetwork: 'a', destinationNetwork: 'b' }), count(30), count(18, { originNetwork: 'c' })], 5);
    expect(alone.filter((cell) => cell.suppressed)).toHaveLength(0);
  });

  it('carries withholding up and across two-way tables until nothing can be worked out', () => {
    const cells: Observation[] = [count(40)];
    const table: Record<string, Partial<Record<StatisticOutcome, number>>> = { a: { [EXECUTED]: 12, [REFUSED]: 2, [PENDING]: 6 }, b: { [EXECUTED]: 9, [REFUSED]: 6, [PENDING]: 5 } };
    for (const [network, row] of Object.entries(table)) {
      cells.push(count(Object.values(row).reduce((a, b) => a + b, 0), { originNetwork: network }));
      for (const [o, value] of Object.entries(row)) cells.push(outcome(Number(o), value, { originNetwork: network }));
    }
    for (const o of [EXECUTED, REFUSED, PENDING]) cells.push(outcome(o, (table.a![o] ?? 0) + (table.b![o] ?? 0)));
    const suppressed = suppressSmallCounts(cells, 5);
    expectNothingRecoverable(suppressed, 5);
    expect(suppressed.filter((cell) => cell.suppression === Suppression.SUPPRESSION_PRIMARY)).toHaveLength(1);
    expect(suppressed.filter((cell) => cell.suppression === Suppression.SUPPRESSION_SECONDARY).length).toBeGreaterThanOrEqual(3);
  });

  it('follows the ICCS hierarchy: a level-2 code is a part of its section', () => {
    const cells = suppressSmallCounts([count(30, { iccsCode: '06' }), count(2, { iccsCode: '0601' }), count(28, { iccsCode: '0602' })], 5);
    expect(cells.filter((cell) => cell.suppressed)).toHaveLength(2);
  });

  it('keeps what a sender already withheld, passes durations and zero thresholds through', () => {
    const duration = Observation.fromPartial({ measure: StatisticMeasure.STATISTIC_MEASURE_MEDIAN_DAYS, interval: DurationInterval.DURATION_INTERVAL_SUBMITTED_TO_CLOSED, value: 2.5 });
    const crime = count(1, { reportingCountry: 'GT', measure: StatisticMeasure.STATISTIC_MEASURE_PERSONS_CONVICTED });
    const cells = suppressSmallCounts([count(0, { suppressed: true }), duration, crime], 0);
    expect(cells[0]!.suppressed).toBe(true);
    expect(cells[1]).toMatchObject({ value: 2.5, suppressed: false });
    expect(cells[2]).toMatchObject({ value: 1, suppressed: false });
    expect(suppressSmallCounts([crime], 5)[0]).toMatchObject({ suppressed: true, suppression: Suppression.SUPPRESSION_PRIMARY });
    // The only part of a total its sender withheld would give the total away.
    expect(suppressSmallCounts([count(0, { suppressed: true }), count(9, { originNetwork: 'x' })], 5)[1]).toMatchObject({ suppressed: true, suppression: Suppression.SUPPRESSION_SECONDARY });
    expect(suppressSmallCounts([], 5)).toEqual([]);
  });

  it('gives the same cells for the same input (reports compare equal when recomputed)', () => {
    const cells = [count(20), outcome(REFUSED, 3), outcome(EXECUTED, 7), outcome(PENDING, 7), outcome(WITHDRAWN, 3)];
    expect(suppressSmallCounts(cells, 5)).toEqual(suppressSmallCounts(cells, 5));
  });
});
