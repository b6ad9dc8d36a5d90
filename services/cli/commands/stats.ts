/**
 * `comity stats`: the statistics published on comity.stats — the hub's monthly reports and the
 * reports of the centres of excellence — as a table, JSON or an SDMX-CSV file.
 * `comity run stats`: the service that computes and publishes the hub's reports.
 */
import { writeFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../../core/config.js';
import { ComityError } from '../../../core/errors.js';
import { CriminalJusticeStage, StatisticMeasure, StatisticOutcome, StatisticsReport, Suppression, type Observation } from '../../../core/gen/comity/v1/stats.js';
import { RequestType } from '../../../core/gen/comity/v1/request.js';
import { createKafkaClient } from '../../../core/kafka/index.js';
import { createLogger } from '../../../core/log.js';
import { watchFederation } from '../../directory/federation.js';
import { overlapsMonth, readPublishedReports, type PublishedReport } from '../../stats/published.js';
import { HUB_REPORTER, isMonth, monthPeriod } from '../../stats/report.js';
import { toSdmxCsv } from '../../stats/sdmx-csv.js';
import { startStatsService, statsConfigSchema } from '../../stats/service.js';
import { DEFAULT_SUPPRESSION_THRESHOLD } from '../../stats/suppression.js';
import { opsKafka, printJson, printTable, withJsonOption, withKafkaOptions, type KafkaOptions } from './output.js';

interface StatsOptions extends KafkaOptions {
  readonly month?: string;
  readonly pair?: { origin: string; destination: string };
  readonly export?: 'sdmx-csv';
  readonly out?: string;
  readonly threshold: number;
  readonly json: boolean;
}

export function registerStatsCommand(program: Command): void {
  const stats = program
    .command('stats')
    .description(
      'statistics on cooperation between networks, as published on comity.stats: requests by pair of networks, outcome and turnaround ' +
        '(the hub\'s monthly reports), and the figures the centres of excellence sent (docs/statistics.md). Withheld counts show as "<N" ' +
        '(below the threshold N) or "x" (withheld so that a small count cannot be worked out)',
    )
    .option('-m, --month <YYYY-MM>', 'only this month (reports of longer periods that overlap it are exported too)', parseMonth)
    .option('-p, --pair <origin:destination>', 'only the flow from one network to another (network ids; _T for all)', parsePair)
    .option('--export <format>', 'write the figures as a file instead of printing them; the one format is sdmx-csv', parseFormat)
    .option('-o, --out <file>', 'file the export is written to (default: standard output)')
    .option('--threshold <n>', 'suppression threshold applied to every source in the export', parseThreshold, DEFAULT_SUPPRESSION_THRESHOLD);
  withKafkaOptions(stats);
  withJsonOption(stats, 'the selected reports (proto3 JSON of comity.v1.StatisticsReport)');
  stats.action(async (options: StatsOptions) => {
    if (options.out && !options.export) throw new ComityError('EXPORT_FORMAT_MISSING', '--out needs --export sdmx-csv');
    const { kafka } = opsKafka(options);
    const selected = select(await readPublishedReports(kafka), options);
    if (options.export) {
      const exported = toSdmxCsv(selected.map((published) => published.report), { threshold: options.threshold });
      if (options.out) {
        writeFileSync(options.out, exported.csv);
        process.stderr.write(`comity: ${exported.rows} observations from ${selected.length} reports written to ${options.out}${exported.conflicts ? ` (${exported.conflicts} given twice by one source: the later report kept)` : ''}\n`);
      } else {
        process.stdout.write(exported.csv);
      }
      return;
    }
    if (options.json) return printJson(selected.map((published) => ({ originNetwork: published.originNetwork, eventId: published.eventId, report: StatisticsReport.toJSON(published.report) })));
    const hub = selected.filter((published) => published.report.reporter === HUB_REPORTER).sort((a, b) => a.report.period.localeCompare(b.report.period));
    if (hub.length === 0) process.stdout.write('no hub statistics published for this selection\n');
    for (const { report } of hub) {
      process.stdout.write(`${report.reportId} revision ${report.revision}, computed ${report.generatedAt?.toISOString() ?? '?'}; counts below ${report.suppressionThreshold} withheld\n`);
      printTable(
        ['origin → destination', 'requests', 'executed', 'partly', 'refused', 'withdrawn', 'not delivered', 'pending', 'median days', 'p90 days'],
        pairRows(report.observations, report.suppressionThreshold, options.pair),
      );
      process.stdout.write('\n');
    }
    const others = selected.length - hub.length;
    if (others > 0) process.stdout.write(`${others} report(s) from centres of excellence or networks: see --json or --export sdmx-csv\n`);
  });
}

/** `comity run stats`: registered beside the other services in commands/run.ts. */
export function registerStatsRunCommand(run: Command, stopOnSignal: (stop: () => Promise<void>) => Promise<void>): void {
  run
    .command('stats')
    .description('compute monthly statistics of the requests the hub tracks and publish them on comity.stats (suppressed, no personal data)')
    .option('-c, --config <file>', 'YAML config file (docs/statistics.md); KAFKA_BROKERS and COMITY_* override it')
    .action(async (options: { config?: string }) => {
      const config = loadConfig(statsConfigSchema, { file: options.config });
      const logger = createLogger({ name: 'stats' });
      const federation = watchFederation(config.federation, {
        onReload: () => logger.info({ file: config.federation }, 'federation reloaded'),
        onError: (error) => logger.error({ err: error }, 'federation file refused; keeping the previous version'),
      });
      const service = await startStatsService({
        kafka: createKafkaClient({ ...config.kafka, clientId: 'comity-stats' }, logger),
        federation: federation.current,
        logger,
        groupId: config.stats.groupId,
        threshold: config.stats.threshold,
        publishIntervalMs: config.stats.publishIntervalMs,
        includeOpenMonth: config.stats.includeOpenMonth,
        methodologyUri: config.stats.methodologyUri,
        statusHost: config.stats.statusHost,
        statusPort: config.stats.statusPort,
      });
      process.stdout.write(`comity: stats running (status on port ${service.statusPort})\n`);
      await stopOnSignal(async () => {
        await service.stop();
        federation.close();
      });
    });
}

function select(reports: readonly PublishedReport[], options: StatsOptions): PublishedReport[] {
  const period = options.month ? monthPeriod(options.month) : undefined;
  return reports
    .filter((published) => !period || overlapsMonth(published.report, period.start, period.end))
    .map((published) => (options.pair ? { ...published, report: { ...published.report, observations: published.report.observations.filter((o) => matchesPair(o, options.pair!)) } } : published));
}

function matchesPair(observation: Observation, pair: { origin: string; destination: string }): boolean {
  const code = (value: string) => value || '_T';
  return code(observation.originNetwork) === pair.origin && code(observation.destinationNetwork) === pair.destination;
}

const COLUMNS: readonly StatisticOutcome[] = [
  StatisticOutcome.STATISTIC_OUTCOME_EXECUTED,
  StatisticOutcome.STATISTIC_OUTCOME_PARTIALLY_EXECUTED,
  StatisticOutcome.STATISTIC_OUTCOME_REFUSED,
  StatisticOutcome.STATISTIC_OUTCOME_WITHDRAWN,
  StatisticOutcome.STATISTIC_OUTCOME_NOT_DELIVERED,
  StatisticOutcome.STATISTIC_OUTCOME_PENDING,
];

/** One row per pair of networks (totals included): requests by outcome, turnaround. */
function pairRows(observations: readonly Observation[], threshold: number, pair?: { origin: string; destination: string }): string[][] {
  const isPairCell = (o: Observation) =>
    o.requestType === RequestType.REQUEST_TYPE_UNSPECIFIED && o.iccsCode === '' && o.reportingCountry === '' && o.stage === CriminalJusticeStage.CRIMINAL_JUSTICE_STAGE_UNSPECIFIED;
  const pairs = new Map<string, Observation[]>();
  for (const o of observations) {
    if (!isPairCell(o)) continue;
    const key = `${o.originNetwork || '_T'} → ${o.destinationNetwork || '_T'}`;
    pairs.set(key, [...(pairs.get(key) ?? []), o]);
  }
  // A count withheld as small shows as "<threshold"; one withheld to protect another as "x";
  // a turnaround over too few cases as "-" like a cell with none.
  const show = (o: Observation | undefined, isCount: boolean) =>
    !o ? (isCount ? '0' : '-') : !o.suppressed ? String(o.value) : !isCount ? '-' : o.suppression === Suppression.SUPPRESSION_SECONDARY ? 'x' : `<${threshold}`;
  return [...pairs.entries()]
    .filter(([key]) => !pair || key === `${pair.origin} → ${pair.destination}`)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, cells]) => {
      const count = (outcome: StatisticOutcome) => cells.find((o) => o.measure === StatisticMeasure.STATISTIC_MEASURE_COUNT && o.outcome === outcome);
      const duration = (measure: StatisticMeasure) => cells.find((o) => o.measure === measure && o.outcome === StatisticOutcome.STATISTIC_OUTCOME_UNSPECIFIED);
      return [
        key,
        show(count(StatisticOutcome.STATISTIC_OUTCOME_UNSPECIFIED), true),
        ...COLUMNS.map((outcome) => show(count(outcome), true)),
        show(duration(StatisticMeasure.STATISTIC_MEASURE_MEDIAN_DAYS), false),
        show(duration(StatisticMeasure.STATISTIC_MEASURE_P90_DAYS), false),
      ];
    });
}

function parseMonth(value: string): string {
  if (!isMonth(value)) throw new InvalidArgumentError('expected a month like 2026-10');
  return value;
}

function parsePair(value: string): { origin: string; destination: string } {
  const match = /^([a-z0-9-]+|_T|_Z):([a-z0-9-]+|_T|_Z)$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected <origin network>:<destination network>, e.g. ejn:iberred');
  return { origin: match[1]!, destination: match[2]! };
}

function parseFormat(value: string): 'sdmx-csv' {
  if (value !== 'sdmx-csv') throw new InvalidArgumentError('the one export format is sdmx-csv');
  return value;
}

function parseThreshold(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('expected a whole number from 1 to 1000');
  return n;
}
