/**
 * Consumer lag per group and topic (`comity lag`, the dashboard). Kafka has no list of what a
 * group reads, so the hub's own groups come with their topics ({@link hubConsumerGroups});
 * any other group is looked up on every `comity.*` topic and shown where it has committed.
 */
import { topics, type KafkaClient, type PartitionLag } from '../../core/kafka/index.js';
import { listTopics } from './dlq.js';

export interface GroupTopicLag {
  readonly group: string;
  readonly topic: string;
  /** Records not yet processed, summed over partitions. */
  readonly lag: number;
  readonly partitions: readonly PartitionLag[];
}

export interface ConsumerGroupSpec {
  readonly group: string;
  /** Topics the group reads; unset: every `comity.*` topic, kept where the group has committed. */
  readonly topics?: readonly string[];
}

/**
 * The groups Comity's processes use by default, for a federation's networks: router
 * (`comity-router`: members' inbound topics), tracker (`comity-tracker`: members' inbound,
 * outbound and DLQ topics), each member's adapter (`comity-adapter-<network>`: its outbound
 * topic; `comity-adapter-<network>-redrive`: its redrive topic).
 */
export function hubConsumerGroups(networks: readonly { readonly id: string; readonly role: string }[]): ConsumerGroupSpec[] {
  const members = networks.filter((network) => network.role === 'member').map((network) => network.id);
  return [
    { group: 'comity-router', topics: members.map((id) => topics.inbound(id)) },
    { group: 'comity-tracker', topics: members.flatMap((id) => [topics.inbound(id), topics.outbound(id), topics.dlq(id)]) },
    ...members.flatMap((id) => [
      { group: `comity-adapter-${id}`, topics: [topics.outbound(id)] },
      { group: `comity-adapter-${id}-redrive`, topics: [topics.redrive(id)] },
    ]),
  ];
}

/** Sums partitions per topic; topics where the group never committed are left out. */
export function lagByTopic(group: string, partitions: readonly PartitionLag[]): GroupTopicLag[] {
  const byTopic = new Map<string, PartitionLag[]>();
  for (const partition of partitions) byTopic.set(partition.topic, [...(byTopic.get(partition.topic) ?? []), partition]);
  return [...byTopic]
    .filter(([, list]) => list.some((partition) => partition.committed !== '-1'))
    .map(([topic, list]) => ({
      group,
      topic,
      lag: list.reduce((sum, partition) => sum + partition.lag, 0),
      partitions: [...list].sort((a, b) => a.partition - b.partition),
    }))
    .sort((a, b) => a.topic.localeCompare(b.topic));
}

export async function consumerLags(kafka: KafkaClient, groups: readonly ConsumerGroupSpec[]): Promise<GroupTopicLag[]> {
  const existing = await listTopics(kafka);
  const comityTopics = existing.filter((topic) => topic.startsWith('comity.')).sort();
  const present = new Set(existing);
  const admin = await kafka.admin();
  try {
    // Groups are independent requests (each to its coordinator): asked at the same time.
    const perGroup = await Promise.all(
      groups.map(async (spec) => {
        const wanted = (spec.topics ?? comityTopics).filter((topic) => present.has(topic));
        return wanted.length === 0 ? [] : lagByTopic(spec.group, await admin.consumerLag(spec.group, wanted));
      }),
    );
    return perGroup.flat();
  } finally {
    await admin.disconnect();
  }
}
