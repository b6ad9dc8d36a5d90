/** `comity dlq list|show|redrive`: a network's dead letters, and putting them back into their flow. */
import type { Command } from 'commander';
import { DlqStage } from '../../../core/dlq.js';
import {
  listDeadLetters,
  redriveDeadLetters,
  showDeadLetter,
  stringField,
  type DeadLetterSummary,
} from '../../ops/index.js';
import {
  clip,
  collectValues,
  nonNegativeInteger,
  opsKafka,
  printJson,
  printTable,
  progressBar,
  withJsonOption,
  withKafkaOptions,
  withProgressOption,
  type KafkaOptions,
} from './output.js';

const STAGES = Object.values(DlqStage).join(', ');

/** Exit code of `dlq redrive` when some selected dead letters were not redriven. */
export const EXIT_PARTIAL = 3;

export function registerDlqCommands(program: Command): void {
  const dlq = program
    .command('dlq')
    .description("a network's dead-letter topic (comity.dlq.<network>): what could not be decoded, routed, encoded or delivered (docs/cli.md)");

  const list = dlq
    .command('list')
    .description('list dead letters, oldest first: offset, stage, reason code, event or native message, whether already redriven')
    .requiredOption('-n, --network <network>', 'network id, e.g. ejn')
    .option('-r, --reason <code>', 'only this reason code, e.g. NO_ROUTE, DELIVERY_GAVE_UP, INVALID_MESSAGE')
    .option('--stage <stage>', `only this stage: ${STAGES}`)
    .option('--limit <n>', 'only the most recent n', nonNegativeInteger);
  withKafkaOptions(list);
  withJsonOption(list, 'the dead letters');
  list.action(async (options: KafkaOptions & { network: string; reason?: string; stage?: string; limit?: number; json: boolean }) => {
    const { kafka } = opsKafka(options);
    const letters = await listDeadLetters(kafka, { network: options.network, reason: options.reason, stage: options.stage, limit: options.limit });
    if (options.json) return printJson(letters);
    if (letters.length === 0) {
      process.stdout.write(`no dead letters in comity.dlq.${options.network}${options.reason ? ` with reason ${options.reason}` : ''}\n`);
      return;
    }
    printTable(
      ['offset', 'failed at', 'stage', 'code', 'what', 'redriven', 'reason'],
      letters.map((letter) => [
        `${letter.partition}:${letter.offset}`,
        letter.failedAt || letter.timestamp,
        letter.stage,
        letter.code,
        what(letter),
        letter.redrive ? `${letter.redrive.state} → ${letter.redrive.target}` : letter.redriveTarget ? '' : 'cannot',
        clip(letter.reason),
      ]),
    );
  });

  const show = dlq
    .command('show')
    .description('one dead letter in full: reason headers, original topic and offset, the decoded event or a summary of the native bytes')
    .requiredOption('-n, --network <network>', 'network id, e.g. ejn')
    .argument('<offset>', 'the dead letter: <partition>:<offset> as `dlq list` shows it, a bare <offset> if only one partition has it, or comity.dlq.<network>/<partition>/<offset>');
  withKafkaOptions(show);
  withJsonOption(show, 'the dead letter');
  show.action(async (offset: string, options: KafkaOptions & { network: string; json: boolean }) => {
    const { kafka } = opsKafka(options);
    const detail = await showDeadLetter(kafka, { network: options.network, offset });
    if (options.json) return printJson(detail);
    const { summary, record } = detail;
    const lines: [string, string][] = [
      ['dead letter', summary.id],
      ['stage', summary.stage],
      ['code', `${summary.code}${summary.retriable ? ' (retriable)' : ''}`],
      ['reason', summary.reason],
      ['failed by', summary.failedBy],
      ['failed at', summary.failedAt],
    ];
    if (summary.attempts !== undefined) lines.push(['attempts', String(summary.attempts)]);
    if (summary.original) lines.push(['original', `${summary.original.topic}/${summary.original.partition}/${summary.original.offset}`]);
    lines.push(['key', summary.key]);
    lines.push(['redrive', summary.redrive ? `${summary.redrive.state} → ${summary.redrive.target} at ${summary.redrive.at} by ${summary.redrive.by}` : summary.redriveTarget ? `would go to ${summary.redriveTarget}` : `not possible: ${summary.redriveProblem}`]);
    if (record.event) {
      lines.push(['event', `${stringField(record.event, 'type')} ${stringField(record.event, 'id')}`]);
      lines.push(['request', stringField(record.event, 'subject')]);
      lines.push(['origin', `${stringField(record.event, 'originNetwork')} (${stringField(record.event, 'source')})`]);
      if (record.sealed) lines.push(['body', `sealed (${record.dataBytes} bytes)`]);
    }
    if (record.native) {
      lines.push(['native', `${record.native.contentType}, ${record.native.bytes} bytes, sha256 ${record.native.sha256}`]);
    }
    if (record.error) lines.push(['decode error', `${record.error.code}: ${record.error.message}`]);
    const width = Math.max(...lines.map(([label]) => label.length));
    for (const [label, value] of lines) process.stdout.write(`${label.padEnd(width)}  ${value}\n`);
    if (record.event) {
      process.stdout.write(`\nenvelope:\n${JSON.stringify(record.event, null, 2)}\n`);
      if (record.body !== undefined) process.stdout.write(`\nbody:\n${JSON.stringify(record.body, null, 2)}\n`);
    } else if (record.native) {
      process.stdout.write(`\n${record.native.text ? 'first characters' : 'first bytes (hex)'}:\n${record.native.preview}\n`);
    }
  });

  const redrive = dlq
    .command('redrive')
    .description(
      'put dead letters back where they can succeed once the cause is fixed: router refusals to comity.inbound.<network>, ' +
        'outbound failures to comity.outbound.<network>, native messages that failed to decode to comity.redrive.<network> ' +
        '(the adapter decodes them again). Each dead letter is redriven once: comity.redrive-log remembers it.',
    )
    .requiredOption('-n, --network <network>', 'network id, e.g. ejn')
    .option('-r, --reason <code>', 'only dead letters with this reason code')
    .option('--stage <stage>', `only this stage: ${STAGES}`)
    .option('-o, --offset <offset...>', 'only these dead letters (<partition>:<offset> as `dlq list` shows them; repeatable)', collectValues)
    .option('--dry-run', 'show what would be redriven, write nothing', false);
  withKafkaOptions(redrive);
  withJsonOption(redrive, 'the report');
  withProgressOption(redrive);
  redrive.action(
    async (
      options: KafkaOptions & { network: string; reason?: string; stage?: string; offset?: string[]; dryRun: boolean; json: boolean; progress?: boolean },
    ) => {
      const { kafka, principal } = opsKafka(options);
      const bar = progressBar('redrive', options.progress);
      const report = await redriveDeadLetters(kafka, {
        network: options.network,
        reason: options.reason,
        stage: options.stage,
        offsets: options.offset?.flatMap((value) => value.split(',')).filter(Boolean),
        dryRun: options.dryRun,
        by: principal,
        onProgress: ({ done, total }) => bar.update(done, total),
      }).finally(() => bar.stop());
      if (report.skipped.length > 0) process.exitCode = EXIT_PARTIAL;
      if (options.json) return printJson(report);
      const verb = report.dryRun ? 'would redrive' : 'redriven';
      if (report.redriven.length > 0) {
        printTable(
          ['dead letter', 'stage', 'code', report.dryRun ? 'would go to' : 'sent to'],
          report.redriven.map((entry) => [entry.id, entry.stage, entry.code, entry.target]),
        );
      }
      for (const skip of report.skipped) process.stdout.write(`not redriven: ${skip.id}: ${skip.code}: ${skip.reason}\n`);
      process.stdout.write(`${verb}: ${report.redriven.length}, not redriven: ${report.skipped.length} (${report.durationMs} ms)\n`);
    },
  );
}

function what(letter: DeadLetterSummary): string {
  if (letter.eventType) return `${letter.eventType.replace(/^comity\.v1\./, '')} ${letter.requestId ?? ''}`.trim();
  if (letter.nativeContentType) return `native ${letter.nativeContentType}, ${letter.bytes} B`;
  return `${letter.bytes} B`;
}
