/**
 * The federation directory as `comity directory` shows it: networks, their State memberships
 * and contact points, read from the compacted `comity.directory` topic.
 */
import { ComityError } from '../../core/errors.js';
import { ContactPoint, DirectoryEntryUpdated, Network, StateMembership } from '../../core/gen/comity/v1/directory.js';
import { topics, type KafkaClient } from '../../core/kafka/index.js';
import { publishedEntries, type PublishedEntry } from '../directory/entries.js';
import { listTopics } from './dlq.js';

/** One network in the proto3 JSON mapping: the Network, its State memberships and contact points. */
export interface DirectoryNetworkView {
  readonly network: Record<string, unknown>;
  readonly stateMemberships: readonly Record<string, unknown>[];
  readonly contactPoints: readonly Record<string, unknown>[];
}

/** Networks in id order, each with its entries; memberships by State, contact points by id. */
export function directoryNetworks(entries: ReadonlyMap<string, PublishedEntry>): DirectoryNetworkView[] {
  const networks = new Map<string, Network>();
  const memberships = new Map<string, StateMembership[]>();
  const contacts = new Map<string, ContactPoint[]>();
  for (const entry of entries.values()) {
    const update = DirectoryEntryUpdated.decode(entry.bytes);
    if (update.network) networks.set(update.network.id, update.network);
    if (update.stateMembership) push(memberships, update.stateMembership.network, update.stateMembership);
    if (update.contactPoint) push(contacts, update.contactPoint.network, update.contactPoint);
  }
  return [...networks.values()]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((network) => ({
      network: Network.toJSON(network) as Record<string, unknown>,
      stateMemberships: (memberships.get(network.id) ?? [])
        .sort((a, b) => a.state.localeCompare(b.state))
        .map((membership) => StateMembership.toJSON(membership) as Record<string, unknown>),
      contactPoints: (contacts.get(network.id) ?? [])
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((contact) => ContactPoint.toJSON(contact) as Record<string, unknown>),
    }));
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  map.set(key, [...(map.get(key) ?? []), value]);
}

/** Throws ComityError UNKNOWN_NETWORK when `network` is given and not in the directory. */
export async function readDirectory(kafka: KafkaClient, options: { network?: string } = {}): Promise<DirectoryNetworkView[]> {
  if (!(await listTopics(kafka)).includes(topics.directory)) {
    throw new ComityError('DIRECTORY_EMPTY', `${topics.directory} does not exist yet: start the directory service (comity run directory)`);
  }
  const { entries } = publishedEntries(await kafka.readToEnd(topics.directory));
  const networks = directoryNetworks(entries);
  if (options.network === undefined) return networks;
  const one = networks.filter((view) => view.network.id === options.network);
  if (one.length === 0) throw new ComityError('UNKNOWN_NETWORK', `no network "${options.network}" in ${topics.directory}`);
  return one;
}
