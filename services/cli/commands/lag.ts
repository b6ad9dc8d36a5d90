/** `comity lag`: how far each consumer group is behind, per topic. */
import type { Command } from 'commander';
import { loadFederation } from '../../directory/federation.js';
import { consumerLags, hubConsumerGroups, type ConsumerGroupSpec } from '../../ops/index.js';
import { collectValues, opsKafka, printJson, printTable, withJsonOption, withKafkaOptions, type KafkaOptions } from './output.js';

export function registerLagCommand(program: Command): void {
  const lag = program
    .command('lag')
    .description(
      'consumer lag (records not yet processed) per group and topic. Without --group: the groups of the hub processes and adapters ' +
        'of the federation file (comity-router, comity-tracker, comity-adapter-<network>, comity-adapter-<network>-redrive)',
    )
    .option('-g, --group <group...>', 'only these consumer groups (repeatable); their topics are found among the comity.* topics', collectValues)
    .option('--federation <file>', 'federation file that names the networks, for the default groups', 'deploy/config/federation.yaml');
  withKafkaOptions(lag);
  withJsonOption(lag, 'the lag per group and topic');
  lag.action(async (options: KafkaOptions & { group?: string[]; federation: string; json: boolean }) => {
    const groups: ConsumerGroupSpec[] = options.group
      ? options.group.flatMap((value) => value.split(',')).filter(Boolean).map((group) => ({ group }))
      : hubConsumerGroups(loadFederation(options.federation).networks);
    const { kafka } = opsKafka(options);
    const lags = await consumerLags(kafka, groups);
    if (options.json) return printJson(lags);
    if (lags.length === 0) {
      process.stdout.write('no committed offsets for these groups\n');
      return;
    }
    printTable(
      ['group', 'topic', 'lag', 'partitions (committed/end)'],
      lags.map((entry) => [
        entry.group,
        entry.topic,
        String(entry.lag),
        entry.partitions.map((p) => `${p.partition}:${p.committed === '-1' ? '-' : p.committed}/${p.end}`).join(' '),
      ]),
    );
  });
}
