/**
 * The hub's monthly StatisticsReport and its event: ids, revisions, and when two reports say
 * the same thing. Pure.
 *
 * Report id `hub/<YYYY-MM>`; the event id is derived from the month and the revision, so the
 * same revision is always the same event (a restart, or a second instance, produces nothing
 * new that consumers could count twice), and a changed month gets the next revision.
 */
import { HUB_ORIGIN } from '../../core/events/codec.js';
import { createEvent } from '../../core/events/create.js';
import { derivedEventId } from '../../core/events/ids.js';
import { Classification, type Event } from '../../core/gen/comity/v1/event.js';
import { Observation, StatisticsReport, StatisticsSource } from '../../core/gen/comity/v1/stats.js';
import { ComityError } from '../../core/errors.js';

export const HUB_REPORTER = 'hub';
export const STATS_SOURCE = 'comity://hub/stats';
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(value: string): boolean {
  return MONTH.test(value);
}

/** The instants a `YYYY-MM` month covers (start inclusive, end exclusive, UTC). */
export function monthPeriod(month: string): { start: Date; end: Date } {
  const match = MONTH.exec(month);
  if (!match) throw new ComityError('INVALID_MONTH', `"${month}" is not a month like 2026-10`);
  const year = Number(match[1]);
  const index = Number(match[2]) - 1;
  return { start: new Date(Date.UTC(year, index, 1)), end: new Date(Date.UTC(year, index + 1, 1)) };
}

export function hubReportId(month: string): string {
  return `${HUB_REPORTER}/${month}`;
}

/** The event id of revision `revision` of a month's report: the same every time. */
export function reportEventId(month: string, revision: number): string {
  // A UUIDv7-shaped seed whose timestamp is the month's start, so ids sort by month.
  const ms = monthPeriod(month).start.getTime().toString(16).padStart(12, '0');
  const seed = `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7000-8000-000000000000`;
  return derivedEventId(seed, `stats:${hubReportId(month)}:${revision}`);
}

export function hubReport(options: {
  readonly month: string;
  readonly revision: number;
  readonly observations: readonly Observation[];
  readonly threshold: number;
  readonly generatedAt: Date;
  readonly methodologyUri?: string;
}): StatisticsReport {
  const period = monthPeriod(options.month);
  return StatisticsReport.fromPartial({
    reportId: hubReportId(options.month),
    revision: options.revision,
    reporter: HUB_REPORTER,
    source: StatisticsSource.STATISTICS_SOURCE_HUB_COMPUTED,
    period: options.month,
    periodStart: period.start,
    periodEnd: period.end,
    generatedAt: options.generatedAt,
    observations: [...options.observations],
    suppressionThreshold: options.threshold,
    methodologyUri: options.methodologyUri ?? '',
  });
}

export function reportEvent(report: StatisticsReport): Event {
  return createEvent(report, {
    id: reportEventId(report.period, report.revision),
    subject: report.reportId,
    source: STATS_SOURCE,
    originNetwork: HUB_ORIGIN,
    classification: Classification.CLASSIFICATION_PUBLIC,
    time: report.generatedAt,
  });
}

/** Whether two reports publish the same figures (revision and generation time aside). */
export function sameFigures(a: StatisticsReport, b: StatisticsReport): boolean {
  return (
    a.suppressionThreshold === b.suppressionThreshold &&
    a.methodologyUri === b.methodologyUri &&
    a.observations.length === b.observations.length &&
    JSON.stringify(a.observations.map((o) => Observation.toJSON(o))) === JSON.stringify(b.observations.map((o) => Observation.toJSON(o)))
  );
}
