/** `comity tail`: events as they flow on a network's topics, decoded and filtered. */
import type { Command } from 'commander';
import { formatTailLine, tailRecords, tailTopicsFor } from '../../ops/index.js';
import { nonNegativeInteger, opsKafka, withKafkaOptions, type KafkaOptions } from './output.js';

export function registerTailCommand(program: Command): void {
  const tail = program
    .command('tail')
    .description(
      "print the records of a network's inbound, outbound and DLQ topics (or of one topic) as they arrive, decoded: " +
        'envelope, headers, the body when it is not sealed, dead-letter reasons; follows until Ctrl-C',
    )
    .argument('<network|topic>', 'a network id (its comity.inbound/outbound/dlq topics), or a topic name such as comity.requests')
    .option('-t, --type <type>', 'only events of this body type: RequestSubmitted or comity.v1.RequestSubmitted')
    .option('-s, --subject <request-id>', 'only events about this request (the event subject, i.e. the record key)')
    .option('--from-beginning', 'start at the beginning of the topics, not at their current end', false)
    .option('--no-follow', 'read what the topics hold now (from the beginning) and exit, instead of following')
    .option('--limit <n>', 'exit after n matching records', nonNegativeInteger)
    .option('--json', 'one JSON object per record and line (JSON Lines), with headers, envelope and body', false);
  withKafkaOptions(tail);
  tail.action(
    async (
      target: string,
      options: KafkaOptions & { type?: string; subject?: string; fromBeginning: boolean; follow: boolean; limit?: number; json: boolean },
    ) => {
      const topicList = tailTopicsFor(target);
      const { kafka } = opsKafka(options);
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await tailRecords(kafka, {
          topics: topicList,
          type: options.type,
          subject: options.subject,
          fromBeginning: options.fromBeginning,
          follow: options.follow,
          limit: options.limit,
          signal: stop.signal,
          onRecord: (record) => process.stdout.write(options.json ? `${JSON.stringify(record)}\n` : `${formatTailLine(record)}\n`),
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    },
  );
}
