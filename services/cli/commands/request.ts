/** `comity request <id>`: one request's summary and timeline, as the tracker recorded it. */
import type { Command } from 'commander';
import { findRequest } from '../../ops/index.js';
import { cellText, opsKafka, printJson, printTable, withJsonOption, withKafkaOptions, type KafkaOptions } from './output.js';

export function registerRequestCommand(program: Command): void {
  const request = program
    .command('request')
    .description(
      "one request's record from comity.requests (written by the tracker): summary, timeline of both lifecycle layers " +
        '(transport and legal), deadlines, expected receipts, flags and the alerts that hold now',
    )
    .argument('<request-id>', 'the hub-wide request id, e.g. ejn:DE-STA-F-2026-RH-0088');
  withKafkaOptions(request);
  withJsonOption(request, 'the record');
  request.action(async (requestId: string, options: KafkaOptions & { json: boolean }) => {
    const { kafka } = opsKafka(options);
    const view = await findRequest(kafka, requestId);
    if (options.json) return printJson(view);
    const summary = view.summary;
    const text = cellText;
    const enumName = (value: unknown, prefix: string) => text(value).replace(prefix, '').toLowerCase().replaceAll('_', ' ');
    const rows: [string, string][] = [
      ['request', text(summary.requestId)],
      ['type', enumName(summary.requestType, 'REQUEST_TYPE_')],
      ['origin', text(summary.originNetwork)],
      ['networks', text(summary.networks)],
      ['requested states', text(summary.requestedStates)],
      ['transport', enumName(summary.transportStatus, 'TRANSPORT_STATUS_')],
      ['legal', enumName(summary.legalStatus, 'LEGAL_STATUS_')],
      ['submitted at', text(summary.submittedAt)],
      ['last event at', text(summary.lastEventAt)],
      ['deadline', text(summary.deadline)],
      ['overdue', summary.overdue ? 'yes' : 'no'],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    for (const [label, value] of rows) process.stdout.write(`${label.padEnd(width)}  ${value}\n`);
    process.stdout.write('\ntimeline:\n');
    printTable(
      ['time', 'type', 'from', 'event', 'regarding', 'note'],
      view.timeline.map((entry) => [
        text(entry.time),
        text(entry.type).replace(/^comity\.v1\./, ''),
        text(entry.originNetwork),
        text(entry.eventId),
        text(entry.regardingEventId),
        [entry.sealed ? 'sealed' : '', entry.final ? 'final' : '', text(entry.note)].filter(Boolean).join('; '),
      ]),
    );
    if (view.deadlines.length > 0) {
      process.stdout.write('\ndeadlines:\n');
      printTable(['name', 'due', 'met at', 'basis'], view.deadlines.map((d) => [text(d.name), text(d.due), text(d.metAt) || '-', text(d.basis)]));
    }
    if (view.expectedReceipts.length > 0) {
      process.stdout.write('\nreceipts:\n');
      printTable(
        ['network', 'regarding', 'expected by', 'received at'],
        view.expectedReceipts.map((r) => [text(r.network), text(r.regardingEventId), text(r.expectedBy), text(r.receivedAt) || '-']),
      );
    }
    if (view.flags.length > 0) {
      process.stdout.write('\nflags:\n');
      printTable(['event', 'type', 'problem'], view.flags.map((f) => [text(f.eventId), text(f.type), text(f.problem)]));
    }
    if (view.alerts.length > 0) {
      process.stdout.write('\nalerts:\n');
      for (const alert of view.alerts) process.stdout.write(`${alert.kind}: ${alert.detail}\n`);
    }
  });
}
