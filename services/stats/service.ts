/**
 * The stats service: keeps monthly statistics of the requests the hub tracks and publishes
 * them as StatisticsReport events on `comity.stats`.
 *
 * It reads the tracker's records on the compacted `comity.requests` topic (each request's
 * lifecycle: type, networks, outcome, times, receipts) and, for the ICCS codes of the offences,
 * the submissions on the members' inbound topics (sealed submissions stay unread: their
 * offences count as unknown). On start it reads all three topics to their end, so its first
 * reports are complete; then it follows them.
 *
 * A month is recomputed when a record of one of its requests changes (a late decision, a
 * receipt) and published again only when its figures changed, as the next revision. Each
 * revision's event id is derived from the month and the revision, and the service reads what
 * it published before at start: a restart publishes nothing new, and a month whose figures did
 * not change is not published twice. By default only months that have ended are published.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { z } from 'zod';
import { HUB_ORIGIN, eventFromRecord, eventToRecord } from '../../core/events/codec.js';
import { decodeBody } from '../../core/events/create.js';
import { ComityError } from '../../core/errors.js';
import type { StatisticsReport } from '../../core/gen/comity/v1/stats.js';
import { kafkaConfigSchema, parseTopic, topics, topicSpec, type IncomingRecord, type KafkaClient, type RecordConsumer, type RecordProducer } from '../../core/kafka/index.js';
import type { Logger } from '../../core/log.js';
import { createMetricsRegistry, startStatusServer, type StatusServer } from '../../core/status.js';
import type { FederationIndex } from '../directory/federation.js';
import { factsOf, monthlyObservations, type RequestFacts } from './aggregate.js';
import { latestReports } from './published.js';
import { hubReport, HUB_REPORTER, monthPeriod, reportEvent, sameFigures } from './report.js';
import { DEFAULT_SUPPRESSION_THRESHOLD } from './suppression.js';

export const statsConfigSchema = z.object({
  kafka: kafkaConfigSchema,
  federation: z.string().default('deploy/config/federation.yaml').describe('The federation file: whose requests are counted and whose inbound topics are read.'),
  stats: z
    .object({
      groupId: z.string().min(1).default('comity-stats').describe('Consumer group of the stats service.'),
      threshold: z.number().int().min(1).max(1000).default(DEFAULT_SUPPRESSION_THRESHOLD).describe('Counts above zero and below this are withheld (and durations over fewer cases).'),
      publishIntervalMs: z.number().int().positive().default(60_000).describe('How often changed months are recomputed and published.'),
      includeOpenMonth: z.boolean().default(false).describe('Also publish the month still running (revised as it fills); by default only months that have ended.'),
      methodologyUri: z.string().default('').describe('Link to the published method, put in every report.'),
      statusHost: z.string().default('127.0.0.1'),
      statusPort: z.number().int().min(0).max(65535).default(0).describe('Port of /healthz, /readyz and /metrics; 0 picks one.'),
    })
    .prefault({}),
});
export type StatsConfig = z.output<typeof statsConfigSchema>;

export interface RunningStats {
  readonly statusPort: number;
  /** Recomputes the changed months now and publishes those whose figures changed; returns their report ids. */
  publishNow(): Promise<string[]>;
  /** The latest report of each month published by this hub. */
  reports(): StatisticsReport[];
  /** Requests counted, all months. */
  requests(): number;
  stop(): Promise<void>;
}

export async function startStatsService(options: {
  readonly kafka: KafkaClient;
  readonly federation: () => FederationIndex;
  readonly logger: Logger;
  readonly groupId?: string;
  readonly threshold?: number;
  readonly publishIntervalMs?: number;
  readonly includeOpenMonth?: boolean;
  readonly methodologyUri?: string;
  readonly statusHost?: string;
  readonly statusPort?: number;
  readonly registry?: Registry;
  readonly now?: () => Date;
}): Promise<RunningStats> {
  const logger = options.logger.child({ component: 'stats' });
  const now = options.now ?? (() => new Date());
  const threshold = options.threshold ?? DEFAULT_SUPPRESSION_THRESHOLD;
  const registry = options.registry ?? createMetricsRegistry({ process: 'stats' });
  const publishedTotal = new Counter({ name: 'comity_stats_reports_published_total', help: 'Monthly reports (revisions) published on comity.stats.', registers: [registry] });
  const aggregation = new Histogram({
    name: 'comity_stats_aggregation_seconds',
    help: 'Time to aggregate and suppress one month.',
    buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  const counted = new Gauge({ name: 'comity_stats_requests', help: 'Requests the statistics count, all months.', registers: [registry] });

  const { kafka } = options;
  const members = options.federation().federation.networks.filter((network) => network.role === 'member');
  const inboundTopics = members.map((network) => topics.inbound(network.id));
  const admin = await kafka.admin();
  try {
    // Published statistics are kept for good, like the audit log.
    await admin.ensureTopics([topicSpec(topics.stats), topicSpec(topics.requests), ...inboundTopics.map((topic) => topicSpec(topic))]);
  } finally {
    await admin.disconnect();
  }

  /** month → request id → facts. */
  const byMonth = new Map<string, Map<string, RequestFacts>>();
  const monthOfRequest = new Map<string, string>();
  const iccs = new Map<string, string[]>();
  const dirty = new Set<string>();
  const published = new Map<string, StatisticsReport>();

  const forget = (requestId: string) => {
    const month = monthOfRequest.get(requestId);
    if (month === undefined) return;
    byMonth.get(month)?.delete(requestId);
    monthOfRequest.delete(requestId);
    dirty.add(month);
  };
  const onTracked = (record: IncomingRecord) => {
    const requestId = record.key?.toString('utf8') ?? '';
    if (record.value === null) return forget(requestId);
    const body = decodeBody(eventFromRecord(record));
    if (body.$type !== 'comity.v1.RequestTracked') return;
    const facts = factsOf(body);
    // Only the requests of this federation's networks (the tracker's other federations, in tests, share the topic).
    if (!facts || !options.federation().network(facts.originNetwork)) return;
    if (monthOfRequest.get(facts.requestId) !== facts.month) forget(facts.requestId);
    const month = byMonth.get(facts.month) ?? new Map<string, RequestFacts>();
    month.set(facts.requestId, facts);
    byMonth.set(facts.month, month);
    monthOfRequest.set(facts.requestId, facts.month);
    dirty.add(facts.month);
  };
  const onInbound = (record: IncomingRecord) => {
    const event = eventFromRecord(record);
    if (event.type !== 'comity.v1.RequestSubmitted' || event.seal) return;
    const body = decodeBody(event);
    if (body.$type !== 'comity.v1.RequestSubmitted') return;
    iccs.set(event.subject, (body.request?.offences ?? []).map((offence) => offence.iccsCode).filter(Boolean));
    const month = monthOfRequest.get(event.subject);
    if (month !== undefined) dirty.add(month);
  };
  const handle = async (record: IncomingRecord) => {
    try {
      if (parseTopic(record.topic)?.kind === 'requests') onTracked(record);
      else onInbound(record);
    } catch (error) {
      // Not an event, or a body that does not decode: the router dead-letters those; nothing to count.
      if (!(error instanceof ComityError)) throw error;
    }
  };

  for (const { report, originNetwork } of latestReports(await kafka.readToEnd(topics.stats))) {
    if (originNetwork === HUB_ORIGIN && report.reporter === HUB_REPORTER) published.set(report.period, report);
  }
  for (const topic of [topics.requests, ...inboundTopics]) for (const record of await kafka.readToEnd(topic)) await handle(record);
  counted.set(monthOfRequest.size);
  logger.info({ requests: monthOfRequest.size, months: byMonth.size, published: published.size }, 'requests and published reports loaded');

  const producer: RecordProducer = await kafka.producer();
  let publishing: Promise<string[]> = Promise.resolve([]);
  const publishChanged = async (): Promise<string[]> => {
    const done: string[] = [];
    const at = now();
    for (const month of [...dirty].sort()) {
      if (!options.includeOpenMonth && monthPeriod(month).end.getTime() > at.getTime()) continue;
      dirty.delete(month);
      const started = process.hrtime.bigint();
      const requests = byMonth.get(month) ?? new Map<string, RequestFacts>();
      const observations = monthlyObservations(requests.values(), (id) => iccs.get(id), threshold);
      aggregation.observe(Number(process.hrtime.bigint() - started) / 1e9);
      const before = published.get(month);
      const report = hubReport({ month, revision: (before?.revision ?? 0) + 1, observations, threshold, generatedAt: at, methodologyUri: options.methodologyUri });
      if (before && sameFigures(before, report)) continue;
      if (!before && requests.size === 0) continue;
      await producer.send(topics.stats, [eventToRecord(reportEvent(report))]);
      published.set(month, report);
      publishedTotal.inc();
      done.push(report.reportId);
      logger.info({ reportId: report.reportId, revision: report.revision, requests: requests.size, observations: observations.length }, 'statistics published');
    }
    counted.set(monthOfRequest.size);
    return done;
  };
  const publishNow = () => {
    publishing = publishing.catch(() => []).then(publishChanged);
    return publishing;
  };
  await publishNow();

  const consumer: RecordConsumer = await kafka.consumer({ groupId: options.groupId ?? 'comity-stats', topics: [topics.requests, ...inboundTopics] });
  await consumer.run(handle);
  const timer = setInterval(() => {
    publishNow().catch((error: unknown) => logger.error({ err: error }, 'publishing statistics failed; will retry'));
  }, options.publishIntervalMs ?? 60_000);
  timer.unref();

  let running = true;
  const status: StatusServer = await startStatusServer({
    host: options.statusHost,
    port: options.statusPort ?? 0,
    registry,
    readiness: { consumer: () => running || 'stopped' },
  });
  logger.info({ statusPort: status.port }, 'stats service started');

  return {
    statusPort: status.port,
    publishNow,
    reports: () => [...published.values()],
    requests: () => monthOfRequest.size,
    async stop() {
      if (!running) return;
      running = false;
      clearInterval(timer);
      await publishing.catch(() => []);
      await consumer.disconnect();
      await producer.disconnect();
      await status.close();
      logger.info('stats service stopped');
    },
  };
}
