/**
 * Small-count suppression, so that no statistic singles out a case.
 *
 * Primary: a count above zero and below the threshold is withheld (`suppressed`, value 0,
 * `SUPPRESSION_PRIMARY`). Zero is published: it says nothing about any case.
 *
 * Secondary (complementary): a withheld count must not be recoverable from the cells that are
 * published. For every relation total = Σ parts (./cube.ts) the rule is:
 * - no member withheld, or at least two (one withheld member is the total minus the others);
 * - when the total is published, what is withheld among the parts (the total minus the
 *   published parts, which anyone can compute) is zero or at least the threshold.
 * Where a relation breaks the rule, the smallest published part is withheld too
 * (`SUPPRESSION_SECONDARY`), or the total when no part is left; repeated until every relation
 * keeps the rule. The result depends only on the input order, so recomputing a report gives
 * the same cells.
 *
 * What this does not guarantee: bounds. A reader can still work out that two withheld parts
 * hold, together, exactly the amount withheld, and from several relations narrow each one down
 * to an interval. docs/statistics.md says so.
 */
import { type StatisticMeasure, Suppression, type Observation } from '../../core/gen/comity/v1/stats.js';
import { isCountMeasure, relationsOf } from './cube.js';

export const DEFAULT_SUPPRESSION_THRESHOLD = 5;

/**
 * The observations with small counts withheld and the complementary cells withheld so that
 * none can be recovered. Observations already withheld (a centre's file) stay withheld; values
 * of other measures (durations) pass unchanged.
 */
export function suppressSmallCounts(observations: readonly Observation[], threshold: number): Observation[] {
  const cells = observations.map((observation) => ({ ...observation }));
  const withhold = (cell: Observation, why: Suppression) => {
    cell.suppressed = true;
    cell.value = 0;
    cell.suppression = why;
  };
  for (const cell of cells) {
    if (!isCountMeasure(cell.measure) || cell.suppressed) continue;
    if (cell.value > 0 && cell.value < threshold) withhold(cell, Suppression.SUPPRESSION_PRIMARY);
  }
  const relations = relationsOf(cells);
  for (let changed = true; changed; ) {
    changed = false;
    for (const relation of relations) {
      const total = cells[relation.total] as Observation;
      const parts = relation.parts.map((index) => cells[index] as Observation);
      const withheld = [total, ...parts].filter((cell) => cell.suppressed).length;
      if (withheld === 0) continue;
      let unsafe = withheld === 1;
      if (!unsafe && !total.suppressed) {
        const hidden = total.value - parts.reduce((sum, part) => sum + (part.suppressed ? 0 : part.value), 0);
        unsafe = hidden > 0 && hidden < threshold;
      }
      if (!unsafe) continue;
      const candidate = parts
        .filter((part) => !part.suppressed && part.value > 0)
        .reduce<Observation | undefined>((smallest, part) => (smallest && smallest.value <= part.value ? smallest : part), undefined);
      const next = candidate ?? (total.suppressed ? undefined : total);
      if (!next) continue;
      withhold(next, Suppression.SUPPRESSION_SECONDARY);
      changed = true;
    }
  }
  return cells;
}

/**
 * A duration statistic over `cases` requests: withheld (primary) when fewer than the threshold,
 * since a median of two cases is nearly one case's own duration.
 */
export function durationObservation(base: Partial<Observation>, measure: StatisticMeasure, days: number, cases: number, threshold: number): Partial<Observation> {
  return cases < threshold
    ? { ...base, measure, value: 0, suppressed: true, suppression: Suppression.SUPPRESSION_PRIMARY }
    : { ...base, measure, value: days, suppressed: false, suppression: Suppression.SUPPRESSION_UNSPECIFIED };
}
