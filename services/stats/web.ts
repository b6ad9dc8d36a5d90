/**
 * The statistics page's data (`GET /api/stats` on the dashboard, services/monitor/http.ts):
 * the reports published on comity.stats, latest revisions only, read at most every few seconds.
 *
 *   GET /api/stats                     {"months": [...], "reports": [...]} (proto3 JSON reports)
 *   GET /api/stats?month=2026-10       only reports whose period overlaps that month
 *   GET /api/stats?month=…&format=sdmx-csv   the same as an SDMX-CSV download (docs/statistics.md)
 *
 * Everything served here is aggregated; every report (a centre's too) is suppressed again with
 * the hub's threshold, as `comity stats --export` does, so the page shows no small count.
 */
import { StatisticsReport } from '../../core/gen/comity/v1/stats.js';
import type { KafkaClient } from '../../core/kafka/index.js';
import { overlapsMonth, readPublishedReports, type PublishedReport } from './published.js';
import { HUB_REPORTER, isMonth, monthPeriod } from './report.js';
import { toSdmxCsv } from './sdmx-csv.js';
import { DEFAULT_SUPPRESSION_THRESHOLD, suppressSmallCounts } from './suppression.js';

export interface StatisticsResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export function statisticsApi(kafka: KafkaClient, options: { cacheMs?: number; threshold?: number } = {}): (query: URLSearchParams) => Promise<StatisticsResponse> {
  let cached: { at: number; reports: Promise<PublishedReport[]> } | undefined;
  const reports = () => {
    if (!cached || Date.now() - cached.at > (options.cacheMs ?? 5_000)) {
      const loading = readPublishedReports(kafka);
      cached = { at: Date.now(), reports: loading };
      loading.catch(() => (cached = undefined));
    }
    return cached.reports;
  };
  return async (query) => {
    const month = query.get('month') ?? '';
    if (month && !isMonth(month)) return problem(400, 'INVALID_MONTH', `"${month}" is not a month like 2026-10`);
    const format = query.get('format') ?? 'json';
    const threshold = options.threshold ?? DEFAULT_SUPPRESSION_THRESHOLD;
    if (format !== 'json' && format !== 'sdmx-csv') return problem(400, 'INVALID_FORMAT', 'format is json or sdmx-csv');
    const all = await reports();
    const period = month ? monthPeriod(month) : undefined;
    const selected = all.filter((published) => !period || overlapsMonth(published.report, period.start, period.end));
    if (format === 'sdmx-csv') {
      const { csv } = toSdmxCsv(selected.map((published) => published.report), { threshold });
      return { status: 200, contentType: 'text/csv; charset=utf-8', body: csv, headers: { 'content-disposition': `attachment; filename="comity-statistics${month ? `-${month}` : ''}.csv"` } };
    }
    const months = [...new Set(all.filter((published) => published.report.reporter === HUB_REPORTER).map((published) => published.report.period))].sort().reverse();
    return {
      status: 200,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({
        months,
        reports: selected.map((published) => ({ originNetwork: published.originNetwork, report: StatisticsReport.toJSON(withheld(published.report, threshold)) })),
      }),
    };
  };
}

/** A report as the page may show it: suppressed again with the hub's threshold (or its own, if higher). */
function withheld(report: StatisticsReport, threshold: number): StatisticsReport {
  const applied = Math.max(threshold, report.suppressionThreshold);
  return { ...report, suppressionThreshold: applied, observations: suppressSmallCounts(report.observations, applied) };
}

function problem(status: number, code: string, reason: string): StatisticsResponse {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ code, reason }) };
}
