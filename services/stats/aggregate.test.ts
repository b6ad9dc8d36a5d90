import { describe, expect, it } from 'vitest';
import { RequestType } from '../../core/gen/comity/v1/request.js';
import { DurationInterval, StatisticMeasure, StatisticOutcome, Suppression, type Observation } from '../../core/gen/comity/v1/stats.js';
import { TimelineEntry, type RequestTracked } from '../../core/gen/comity/v1/tracking.js';
import { track } from '../tracker/lifecycle.js';
import { aggregateMonth, factsOf, iccsSections, monthlyObservations, quantile, roundDays, type RequestFacts } from './aggregate.js';

const DAY = 86_400_000;
const t0 = Date.UTC(2026, 9, 5, 9, 0, 0);

/** A request's record as the tracker builds it, from (type, time) steps. */
function tracked(requestId: string, steps: readonly [string, number, Partial<TimelineEntry>?][], submission: { requestType?: RequestType } = {}): RequestTracked {
  let record: RequestTracked | undefined;
  steps.forEach(([type, at, extra], index) => {
    const entry = TimelineEntry.fromPartial({ eventId: `${requestId}-${index}`, type, time: new Date(at), originNetwork: 'ejn', ...extra });
    record = track(record, entry, { requestId, requestType: submission.requestType ?? RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE });
  });
  return record!;
}

const relayedTo = (network: string, regarding: string): Partial<TimelineEntry> => ({ regardingEventId: regarding, targets: [{ $type: 'comity.v1.Target', state: '', network, authority: '' }], originNetwork: 'hub' });

function facts(overrides: Partial<RequestFacts> & { requestId: string }): RequestFacts {
  return {
    month: '2026-10',
    originNetwork: 'ejn',
    destinationNetworks: ['iberred'],
    requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
    outcome: StatisticOutcome.STATISTIC_OUTCOME_PENDING,
    ...overrides,
  };
}

const cell = (observations: Observation[], match: Partial<Observation>) =>
  observations.filter((o) => Object.entries({ originNetwork: '', destinationNetwork: '', requestType: 0, iccsCode: '', outcome: 0, measure: StatisticMeasure.STATISTIC_MEASURE_COUNT, ...match }).every(([k, v]) => o[k as keyof Observation] === v));

describe('services/stats/aggregate', () => {
  it('reads a tracked request: month of submission, destinations of its submission, outcome and turnaround', () => {
    const record = tracked('r1', [
      ['comity.v1.RequestSubmitted', t0],
      ['comity.v1.RequestRelayed', t0 + 1000, relayedTo('iberred', 'r1-0')],
      ['comity.v1.RequestAcknowledged', t0 + DAY],
      ['comity.v1.RequestExecuted', t0 + 10.5 * DAY],
      // A reply's relay names the origin network: not a destination.
      ['comity.v1.RequestRelayed', t0 + 10.5 * DAY + 1000, relayedTo('ejn', 'r1-3')],
    ]);
    expect(factsOf(record)).toEqual({
      requestId: 'r1',
      month: '2026-10',
      originNetwork: 'ejn',
      destinationNetworks: ['iberred'],
      requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
      outcome: StatisticOutcome.STATISTIC_OUTCOME_EXECUTED,
      turnaroundSeconds: 10.5 * 86_400,
    });
  });

  it('counts a flagged (late) decision neither as the outcome nor in the turnaround', () => {
    const record = tracked('r2', [
      ['comity.v1.RequestSubmitted', t0],
      ['comity.v1.RequestWithdrawn', t0 + 3 * DAY],
      ['comity.v1.RequestExecuted', t0 + 9 * DAY],
    ]);
    expect(factsOf(record)).toMatchObject({ outcome: StatisticOutcome.STATISTIC_OUTCOME_WITHDRAWN, turnaroundSeconds: 3 * 86_400, destinationNetworks: [] });
  });

  it('says not delivered when delivery failed for good, pending otherwise, nothing without a submission', () => {
    const failed = tracked('r3', [
      ['comity.v1.RequestSubmitted', t0],
      ['comity.v1.RequestNotDelivered', t0 + 1000, { regardingEventId: 'r3-0', final: true }],
    ]);
    expect(factsOf(failed)).toMatchObject({ outcome: StatisticOutcome.STATISTIC_OUTCOME_NOT_DELIVERED, turnaroundSeconds: undefined });
    expect(factsOf(tracked('r4', [['comity.v1.RequestSubmitted', t0], ['comity.v1.RequestAcknowledged', t0 + DAY]]))).toMatchObject({ outcome: StatisticOutcome.STATISTIC_OUTCOME_PENDING });
    expect(factsOf(tracked('r5', [['comity.v1.RequestAcknowledged', t0]]))).toBeUndefined();
  });

  it('takes ICCS sections from the offences, _U when none is known', () => {
    expect(iccsSections(['0601', '06011', '0703', ''])).toEqual(['06', '07']);
    expect(iccsSections(['not-a-code'])).toEqual(['_U']);
    expect(iccsSections(undefined)).toEqual(['_U']);
  });

  it('computes quantiles by linear interpolation (R type 7)', () => {
    expect(quantile([3, 1, 2], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1);
    expect(quantile([7], 0.9)).toBe(7);
    expect(() => quantile([], 0.5)).toThrow(RangeError);
    expect(roundDays(86_400 * 1.23456)).toBe(1.23);
  });

  it('counts each request once per cell, once in totals over destinations and sections', () => {
    const month = [
      facts({ requestId: 'a', destinationNetworks: ['iberred', 'oas-hemispheric'] }),
      facts({ requestId: 'b', outcome: StatisticOutcome.STATISTIC_OUTCOME_EXECUTED, turnaroundSeconds: 86_400 }),
      facts({ requestId: 'c', destinationNetworks: [] }),
    ];
    const iccs: Record<string, string[]> = { a: ['0601', '0703'], b: ['0601'] };
    const observations = aggregateMonth(month, (id) => iccs[id], 5);
    expect(cell(observations, {})[0]?.value).toBe(3);
    expect(cell(observations, { originNetwork: 'ejn' })[0]?.value).toBe(3);
    expect(cell(observations, { originNetwork: 'ejn', destinationNetwork: 'iberred' })[0]?.value).toBe(2);
    expect(cell(observations, { originNetwork: 'ejn', destinationNetwork: 'oas-hemispheric' })[0]?.value).toBe(1);
    expect(cell(observations, { originNetwork: 'ejn', destinationNetwork: '_Z' })[0]?.value).toBe(1);
    expect(cell(observations, { iccsCode: '06' })[0]?.value).toBe(2);
    expect(cell(observations, { iccsCode: '07' })[0]?.value).toBe(1);
    expect(cell(observations, { iccsCode: '_U' })[0]?.value).toBe(1);
    expect(cell(observations, { outcome: StatisticOutcome.STATISTIC_OUTCOME_PENDING })[0]?.value).toBe(2);
    // One closed request: its turnaround is withheld (fewer cases than the threshold).
    const median = cell(observations, { measure: StatisticMeasure.STATISTIC_MEASURE_MEDIAN_DAYS, interval: DurationInterval.DURATION_INTERVAL_SUBMITTED_TO_CLOSED });
    expect(median[0]).toMatchObject({ suppressed: true, suppression: Suppression.SUPPRESSION_PRIMARY, value: 0 });
    // Nothing but codes and numbers: no request id anywhere.
    expect(JSON.stringify(observations)).not.toMatch(/"[abc]"/);
  });

  it('publishes turnaround over enough cases, and suppresses the small counts', () => {
    const month = Array.from({ length: 10 }, (_, i) =>
      facts({ requestId: `r${i}`, outcome: i < 8 ? StatisticOutcome.STATISTIC_OUTCOME_EXECUTED : StatisticOutcome.STATISTIC_OUTCOME_REFUSED, turnaroundSeconds: (i + 1) * 86_400 }),
    );
    const observations = monthlyObservations(month, () => ['0601'], 5);
    expect(cell(observations, { measure: StatisticMeasure.STATISTIC_MEASURE_MEDIAN_DAYS, interval: DurationInterval.DURATION_INTERVAL_SUBMITTED_TO_CLOSED })[0]).toMatchObject({ value: 5.5, suppressed: false });
    expect(cell(observations, { measure: StatisticMeasure.STATISTIC_MEASURE_P90_DAYS, interval: DurationInterval.DURATION_INTERVAL_SUBMITTED_TO_CLOSED })[0]).toMatchObject({ value: 9.1 });
    expect(cell(observations, { outcome: StatisticOutcome.STATISTIC_OUTCOME_REFUSED })[0]).toMatchObject({ suppressed: true, suppression: Suppression.SUPPRESSION_PRIMARY });
    expect(cell(observations, { outcome: StatisticOutcome.STATISTIC_OUTCOME_EXECUTED })[0]).toMatchObject({ suppressed: true, suppression: Suppression.SUPPRESSION_SECONDARY });
    for (const o of observations) if (!o.suppressed && o.measure === StatisticMeasure.STATISTIC_MEASURE_COUNT) expect(o.value).toBeGreaterThanOrEqual(5);
  });

  it('aggregates a month of 10 000 requests in seconds, not minutes', () => {
    const networks = ['ejn', 'iberred', 'oas-hemispheric', 'wacap', 'carin', 'seepag'];
    const outcomes = [StatisticOutcome.STATISTIC_OUTCOME_EXECUTED, StatisticOutcome.STATISTIC_OUTCOME_REFUSED, StatisticOutcome.STATISTIC_OUTCOME_PENDING, StatisticOutcome.STATISTIC_OUTCOME_PARTIALLY_EXECUTED];
    const month = Array.from({ length: 10_000 }, (_, i) =>
      facts({
        requestId: `r${i}`,
        originNetwork: networks[i % 6]!,
        destinationNetworks: [networks[(i * 7 + 1) % 6]!],
        requestType: (i % 10) + 1,
        outcome: outcomes[i % 4]!,
        turnaroundSeconds: i % 4 === 2 ? undefined : (i % 97) * 86_400,
      }),
    );
    const started = performance.now();
    const observations = monthlyObservations(month, (id) => [`0${(Number(id.slice(1)) % 9) + 1}01`], 5);
    const ms = performance.now() - started;
    console.info(`aggregated 10 000 requests into ${observations.length} observations in ${ms.toFixed(0)} ms`);
    expect(observations.length).toBeGreaterThan(200);
    // About 0.3 s on an idle machine; the bound leaves room for a loaded CI runner.
    expect(ms).toBeLessThan(30_000);
  });
});
