/**
 * The Comity topic names, in one place. Topic access is least-privilege by construction:
 * `comity.inbound.<network>` is written only by that network's adapter, `comity.outbound.<network>`
 * read only by it, `comity.dlq.<network>` holds what could not be translated or delivered.
 */

/** Network ids are lower-case slugs (`ejn`, `iberred`, `arin-ap`) so they are safe in topic names. */
export const NETWORK_ID_PATTERN = /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/;

export const TOPIC_PREFIX = 'comity';

export const topics = {
  inbound: (network: string): string => `${TOPIC_PREFIX}.inbound.${checkedNetworkId(network)}`,
  outbound: (network: string): string => `${TOPIC_PREFIX}.outbound.${checkedNetworkId(network)}`,
  dlq: (network: string): string => `${TOPIC_PREFIX}.dlq.${checkedNetworkId(network)}`,
  /**
   * Native messages an operator redrove from the network's DLQ (they had failed to decode):
   * read only by that network's adapter, which decodes them again (`comity dlq redrive`).
   */
  redrive: (network: string): string => `${TOPIC_PREFIX}.redrive.${checkedNetworkId(network)}`,
  /**
   * Which dead letters were redriven, keyed by `<dlq topic>/<partition>/<offset>`; compacted.
   * Written by `comity dlq redrive` so that a dead letter is not redriven twice by accident.
   */
  redriveLog: `${TOPIC_PREFIX}.redrive-log`,
  /** The federation's networks, states, contact points and keys; compacted, keyed by entry id. */
  directory: `${TOPIC_PREFIX}.directory`,
  /** Each request's current state; compacted, keyed by request id. */
  requests: `${TOPIC_PREFIX}.requests`,
  /**
   * The router's memory of each request's parties: the `RequestRelayed` event of its
   * submission, keyed by request id; compacted. Written in the same transaction as the routed
   * events, so it always agrees with what was routed.
   */
  routes: `${TOPIC_PREFIX}.routes`,
  /** Hash-chained log of routing decisions and disclosures. */
  audit: `${TOPIC_PREFIX}.audit`,
  /** Statistics reports. */
  stats: `${TOPIC_PREFIX}.stats`,
} as const;

/** Every inbound topic, for a consumer that reads all networks (the router). */
export const INBOUND_TOPICS_PATTERN = /^comity\.inbound\.[a-z0-9-]+$/;

export function isNetworkId(value: string): boolean {
  return NETWORK_ID_PATTERN.test(value);
}

function checkedNetworkId(network: string): string {
  if (!isNetworkId(network)) {
    throw new RangeError(`"${network}" is not a network id (lower-case letters, digits and '-', 3 to 32 characters)`);
  }
  return network;
}

export type TopicKind =
  | 'inbound'
  | 'outbound'
  | 'dlq'
  | 'redrive'
  | 'directory'
  | 'requests'
  | 'routes'
  | 'redrive-log'
  | 'audit'
  | 'stats';

/** What a topic name means: its kind and, for per-network topics, the network. */
export function parseTopic(topic: string): { kind: TopicKind; network?: string } | undefined {
  const match = /^comity\.(inbound|outbound|dlq|redrive)\.([a-z0-9-]+)$/.exec(topic);
  if (match) return { kind: match[1] as TopicKind, network: match[2] as string };
  const shared = /^comity\.(directory|requests|routes|redrive-log|audit|stats)$/.exec(topic);
  return shared ? { kind: shared[1] as TopicKind } : undefined;
}

/**
 * Largest record on a network's topics: native messages (and so their events and dead letters)
 * of several MiB must fit, Kafka's default of 1 MiB would refuse them. Adapters keep their own
 * limits below this.
 */
export const MAX_NETWORK_RECORD_BYTES = 16 * 1024 * 1024;

/** Per-topic settings for creation: compacted state topics, retention for logs. */
export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: Readonly<Record<string, string>>;
}

export function topicSpec(topic: string, options: { partitions?: number; replicationFactor?: number } = {}): TopicSpec {
  const kind = parseTopic(topic)?.kind;
  const compacted = kind === 'directory' || kind === 'requests' || kind === 'routes' || kind === 'redrive-log';
  return {
    topic,
    // The audit log is one totally ordered chain: one partition.
    partitions: kind === 'audit' ? 1 : (options.partitions ?? 3),
    replicationFactor: options.replicationFactor ?? 1,
    config: compacted
      ? { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '60000' }
      : kind === 'audit' || kind === 'stats'
        ? // The audit chain and the published statistics are kept for ever.
          { 'cleanup.policy': 'delete', 'retention.ms': '-1' }
        : kind === 'inbound' || kind === 'outbound' || kind === 'dlq' || kind === 'redrive'
          ? { 'max.message.bytes': String(MAX_NETWORK_RECORD_BYTES) }
          : {},
  };
}
