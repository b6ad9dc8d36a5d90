/**
 * The statistics published on `comity.stats`: the hub's monthly reports and the reports of
 * centres of excellence the router put there. Readers (the CLI, the dashboard, the export, the
 * stats service at start) want the latest revision of each report.
 */
import { HUB_ORIGIN, eventFromRecord } from '../../core/events/codec.js';
import { decodeBody } from '../../core/events/create.js';
import { ComityError } from '../../core/errors.js';
import { StatisticsSource, type StatisticsReport } from '../../core/gen/comity/v1/stats.js';
import { topics, type IncomingRecord, type KafkaClient } from '../../core/kafka/index.js';

export interface PublishedReport {
  readonly report: StatisticsReport;
  readonly eventId: string;
  /** The network whose report it is (`hub` for the hub's own). */
  readonly originNetwork: string;
}

/**
 * The latest revision of each report among `records` (by origin network and report id).
 * Records that are not statistics reports are skipped. A network's report that claims to be
 * computed by the hub is read as submitted by that network: only the hub computes.
 */
export function latestReports(records: readonly IncomingRecord[]): PublishedReport[] {
  const latest = new Map<string, PublishedReport>();
  for (const record of records) {
    if (record.value === null) continue;
    let published: PublishedReport;
    try {
      const event = eventFromRecord(record);
      if (event.type !== 'comity.v1.StatisticsReport') continue;
      const body = decodeBody(event);
      if (body.$type !== 'comity.v1.StatisticsReport') continue;
      const report =
        event.originNetwork !== HUB_ORIGIN && body.source === StatisticsSource.STATISTICS_SOURCE_HUB_COMPUTED
          ? { ...body, source: StatisticsSource.STATISTICS_SOURCE_NETWORK_SUBMITTED }
          : body;
      published = { report, eventId: event.id, originNetwork: event.originNetwork };
    } catch (error) {
      if (error instanceof ComityError) continue;
      throw error;
    }
    const key = `${published.originNetwork}\u0000${published.report.reportId}`;
    const before = latest.get(key);
    if (!before || before.report.revision <= published.report.revision) latest.set(key, published);
  }
  return [...latest.values()];
}

/** Everything on comity.stats now, latest revisions only. */
export async function readPublishedReports(kafka: KafkaClient): Promise<PublishedReport[]> {
  return latestReports(await kafka.readToEnd(topics.stats));
}

/** Whether a report's period overlaps a `YYYY-MM` month (a quarter overlaps its three months). */
export function overlapsMonth(report: StatisticsReport, start: Date, end: Date): boolean {
  if (!report.periodStart || !report.periodEnd) return false;
  return report.periodStart.getTime() < end.getTime() && report.periodEnd.getTime() > start.getTime();
}
