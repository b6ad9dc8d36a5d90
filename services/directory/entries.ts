/**
 * The federation as directory entries, and what must be published to make the compacted
 * `comity.directory` topic say the same. Pure: no Kafka, no files, no clock.
 *
 * Entry keys are the Event `subject` and the record key (directory.proto):
 *   network/<network>                    Network
 *   state-membership/<network>/<STATE>   StateMembership (member or observer)
 *   contact-point/<network>/<id>         ContactPoint (id as in the federation file)
 *   network-public-key/<network>/<keyId> NetworkPublicKey
 */
import type { Keyring, PublicKeyEntry } from '../../core/crypto/keyring.js';
import { verifyEventSignature } from '../../core/crypto/signing.js';
import { eventFromRecord } from '../../core/events/codec.js';
import { decodeBody } from '../../core/events/create.js';
import {
  type ContactPoint,
  type DeepPartial,
  DirectoryEntryKind,
  DirectoryEntryUpdated,
  FederationRole,
  KeyPurpose,
  LegalTradition,
  MembershipStatus,
  type Network,
  NetworkKind,
  type NetworkPublicKey,
  type StateMembership,
} from '../../core/gen/comity/v1/directory.js';
import type { IncomingRecord } from '../../core/kafka/records.js';
import { HUB_OWNER, publicKeyBytes, REQUEST_TYPE_NAMES, type Federation, type FederationNetwork, type FederationPublicKey } from './federation.js';

/** `source` of the events the directory service writes; it removes only entries it wrote. */
export const DIRECTORY_SOURCE = 'comity://hub/directory';

const NETWORK_KINDS: Readonly<Record<FederationNetwork['kind'], NetworkKind>> = {
  'judicial-network': NetworkKind.NETWORK_KIND_JUDICIAL_NETWORK,
  agency: NetworkKind.NETWORK_KIND_AGENCY,
  'asset-recovery-network': NetworkKind.NETWORK_KIND_ASSET_RECOVERY_NETWORK,
  'centre-of-excellence': NetworkKind.NETWORK_KIND_CENTRE_OF_EXCELLENCE,
  observer: NetworkKind.NETWORK_KIND_OBSERVER,
};

const ROLES: Readonly<Record<FederationNetwork['role'], FederationRole>> = {
  member: FederationRole.FEDERATION_ROLE_MEMBER,
  observer: FederationRole.FEDERATION_ROLE_OBSERVER,
};

const LEGAL_TRADITIONS: Readonly<Record<FederationNetwork['legalTraditions'][number], LegalTradition>> = {
  civil: LegalTradition.LEGAL_TRADITION_CIVIL_LAW,
  common: LegalTradition.LEGAL_TRADITION_COMMON_LAW,
  mixed: LegalTradition.LEGAL_TRADITION_MIXED,
  customary: LegalTradition.LEGAL_TRADITION_CUSTOMARY_LAW,
  islamic: LegalTradition.LEGAL_TRADITION_ISLAMIC_LAW,
};

const KEY_PURPOSES: Readonly<Record<FederationNetwork['publicKeys'][number]['purpose'], KeyPurpose>> = {
  signing: KeyPurpose.KEY_PURPOSE_SIGNING,
  sealing: KeyPurpose.KEY_PURPOSE_SEALING,
};

/** Key prefixes, by entry kind. */
const KEY_PREFIXES: ReadonlyMap<string, DirectoryEntryKind> = new Map([
  ['network', DirectoryEntryKind.DIRECTORY_ENTRY_KIND_NETWORK],
  ['state-membership', DirectoryEntryKind.DIRECTORY_ENTRY_KIND_STATE_MEMBERSHIP],
  ['contact-point', DirectoryEntryKind.DIRECTORY_ENTRY_KIND_CONTACT_POINT],
  ['competent-authority', DirectoryEntryKind.DIRECTORY_ENTRY_KIND_COMPETENT_AUTHORITY],
  ['network-public-key', DirectoryEntryKind.DIRECTORY_ENTRY_KIND_NETWORK_PUBLIC_KEY],
]);

export const directoryKey = {
  network: (network: string): string => `network/${network}`,
  stateMembership: (network: string, state: string): string => `state-membership/${network}/${state}`,
  contactPoint: (network: string, id: string): string => `contact-point/${network}/${id}`,
  networkPublicKey: (network: string, keyId: string): string => `network-public-key/${network}/${keyId}`,
};

/** The kind of entry a key names, from its prefix; UNSPECIFIED for a key of no known kind. */
export function kindOfKey(key: string): DirectoryEntryKind {
  return KEY_PREFIXES.get(key.split('/', 1)[0] ?? '') ?? DirectoryEntryKind.DIRECTORY_ENTRY_KIND_UNSPECIFIED;
}

/** One directory entry: its key and the update that carries it (`change_note` left empty). */
export interface DirectoryEntry {
  readonly key: string;
  readonly kind: DirectoryEntryKind;
  readonly update: DirectoryEntryUpdated;
}

/**
 * The entries of a federation, keyed, in file order: per network its Network, then its State
 * memberships (members, then observers), contact points and public keys. A State listed both as
 * member and as observer is a member.
 */
export function directoryEntries(federation: Federation): Map<string, DirectoryEntry> {
  const entries = new Map<string, DirectoryEntry>();
  const add = (key: string, update: DeepPartial<DirectoryEntryUpdated>) => {
    entries.set(key, { key, kind: kindOfKey(key), update: DirectoryEntryUpdated.fromPartial(update) });
  };
  for (const network of federation.networks) {
    add(directoryKey.network(network.id), { network: networkMessage(network) });
    const note = network.membersVerified ? '' : 'member list not verified in a cited source';
    const statuses = new Map<string, MembershipStatus>();
    for (const state of network.members) statuses.set(state, MembershipStatus.MEMBERSHIP_STATUS_MEMBER);
    for (const state of network.observers) if (!statuses.has(state)) statuses.set(state, MembershipStatus.MEMBERSHIP_STATUS_OBSERVER);
    for (const [state, status] of statuses) {
      add(directoryKey.stateMembership(network.id, state), {
        stateMembership: { state, network: network.id, status, since: '', note },
      });
    }
    for (const contact of network.contactPoints) {
      add(directoryKey.contactPoint(network.id, contact.id), {
        contactPoint: {
          id: `${network.id}/${contact.id}`,
          network: network.id,
          state: contact.state,
          // The federation names institutions, never people.
          name: contact.authority,
          authorityId: '',
          email: contact.email ?? '',
          phone: '',
          languages: [...contact.languages],
          role: contact.role,
        },
      });
    }
    for (const key of network.publicKeys) add(directoryKey.networkPublicKey(network.id, key.keyId), { networkPublicKey: publicKeyMessage(network.id, key) });
  }
  // The hub's keys, under the owner `hub`: published so anyone can check receipts and entries.
  for (const key of federation.hub.publicKeys) add(directoryKey.networkPublicKey(HUB_OWNER, key.keyId), { networkPublicKey: publicKeyMessage(HUB_OWNER, key) });
  return entries;
}

function publicKeyMessage(owner: string, key: FederationPublicKey): DeepPartial<NetworkPublicKey> {
  return {
    network: owner,
    keyId: key.keyId,
    purpose: KEY_PURPOSES[key.purpose],
    publicKey: publicKeyBytes(key.publicKey),
    notBefore: key.notBefore === undefined ? undefined : new Date(key.notBefore),
    notAfter: key.notAfter === undefined ? undefined : new Date(key.notAfter),
    revokedAt: key.revokedAt === undefined ? undefined : new Date(key.revokedAt),
  };
}

function networkMessage(network: FederationNetwork): DeepPartial<Network> {
  return {
    id: network.id,
    name: network.name,
    kind: NETWORK_KINDS[network.kind],
    role: ROLES[network.role],
    secretariat: network.secretariat,
    legalBasis: network.legalBasis,
    url: network.url ?? '',
    languages: [...network.languages],
    legalTraditions: network.legalTraditions.map((tradition) => LEGAL_TRADITIONS[tradition]),
    memberStates: [...network.members],
    acceptedRequestTypes: network.accepts.map((name) => REQUEST_TYPE_NAMES[name]),
  };
}

/** The bytes two versions of an entry are compared by: the update without its change note. */
export function entryBytes(update: DirectoryEntryUpdated): Buffer {
  return Buffer.from(DirectoryEntryUpdated.encode({ ...update, changeNote: '' }).finish());
}

/** An entry as the topic holds it now: the latest DirectoryEntryUpdated for its key. */
export interface PublishedEntry {
  readonly kind: DirectoryEntryKind;
  readonly bytes: Buffer;
  /** `source` of the event that wrote it. */
  readonly source: string;
}

/**
 * The directory as a topic's records say it is, replayed in order: an update sets its key, a
 * DirectoryEntryRemoved or a tombstone (null value) clears it. Records that are not directory
 * events are skipped and counted.
 */
export function publishedEntries(records: readonly IncomingRecord[]): { entries: Map<string, PublishedEntry>; skipped: number } {
  const entries = new Map<string, PublishedEntry>();
  let skipped = 0;
  for (const record of records) {
    const key = record.key?.toString('utf8');
    if (!key) {
      skipped += 1;
      continue;
    }
    if (record.value === null) {
      entries.delete(key);
      continue;
    }
    let body;
    let source;
    try {
      const event = eventFromRecord(record);
      body = decodeBody(event);
      source = event.source;
    } catch {
      skipped += 1;
      continue;
    }
    if (body.$type === 'comity.v1.DirectoryEntryUpdated') {
      entries.set(key, { kind: kindOfKey(key), bytes: entryBytes(body), source });
    } else if (body.$type === 'comity.v1.DirectoryEntryRemoved') {
      entries.delete(key);
    } else {
      skipped += 1;
    }
  }
  return { entries, skipped };
}

export interface DirectoryDiff {
  /** Entries that are new or differ from the published version. */
  readonly updated: readonly DirectoryEntry[];
  /** Published entries (written by `owner`) that the federation no longer has. */
  readonly removed: readonly { readonly key: string; readonly kind: DirectoryEntryKind }[];
}

/**
 * What to publish so the topic holds `wanted`. Entries written by another source are never
 * removed: the directory service answers only for what it published.
 */
export function diffDirectory(
  published: ReadonlyMap<string, PublishedEntry>,
  wanted: ReadonlyMap<string, DirectoryEntry>,
  owner = DIRECTORY_SOURCE,
): DirectoryDiff {
  const updated = [...wanted.values()].filter((entry) => {
    const current = published.get(entry.key);
    return current === undefined || !current.bytes.equals(entryBytes(entry.update));
  });
  const removed = [...published]
    .filter(([key, entry]) => entry.source === owner && !wanted.has(key))
    .map(([key, entry]) => ({ key, kind: entry.kind }));
  return { updated, removed };
}

/** Read-side lookups over one version of the directory, as the gRPC service answers them. */
export interface DirectoryView {
  /** Every network, by id. */
  readonly networks: readonly Network[];
  network(id: string): Network | undefined;
  membershipsOfNetwork(id: string): readonly StateMembership[];
  membershipsOfState(state: string): readonly StateMembership[];
  contactPointsOfNetwork(id: string): readonly ContactPoint[];
  publicKeysOfNetwork(id: string): readonly NetworkPublicKey[];
}

export function directoryView(entries: Iterable<DirectoryEntry>): DirectoryView {
  const networks = new Map<string, Network>();
  const byNetwork = new Map<string, StateMembership[]>();
  const byState = new Map<string, StateMembership[]>();
  const contactPoints = new Map<string, ContactPoint[]>();
  const keys = new Map<string, NetworkPublicKey[]>();
  const push = <T>(map: Map<string, T[]>, id: string, value: T) => map.set(id, [...(map.get(id) ?? []), value]);
  for (const { update } of entries) {
    if (update.network) networks.set(update.network.id, update.network);
    if (update.stateMembership) {
      push(byNetwork, update.stateMembership.network, update.stateMembership);
      push(byState, update.stateMembership.state, update.stateMembership);
    }
    if (update.contactPoint) push(contactPoints, update.contactPoint.network, update.contactPoint);
    if (update.networkPublicKey) push(keys, update.networkPublicKey.network, update.networkPublicKey);
  }
  const sorted = [...networks.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    networks: sorted,
    network: (id) => networks.get(id),
    membershipsOfNetwork: (id) => byNetwork.get(id) ?? [],
    membershipsOfState: (state) => byState.get(state) ?? [],
    contactPointsOfNetwork: (id) => contactPoints.get(id) ?? [],
    publicKeysOfNetwork: (id) => keys.get(id) ?? [],
  };
}

/**
 * The public keys a `comity.directory` topic publishes, keeping only the entries signed by the
 * hub with a key of `hubKeyring` (the keys an adapter pins in its config): an entry anyone else
 * wrote, or one whose signature fails, is not trusted and is counted in `untrusted`. Replayed in
 * order: a signed DirectoryEntryRemoved or a tombstone removes a key.
 */
export function trustedPublicKeys(
  records: readonly IncomingRecord[],
  hubKeyring: Keyring,
  now = new Date(),
): { keys: PublicKeyEntry[]; untrusted: number } {
  const keys = new Map<string, PublicKeyEntry>();
  let untrusted = 0;
  for (const record of records) {
    const key = record.key?.toString('utf8') ?? '';
    if (kindOfKey(key) !== DirectoryEntryKind.DIRECTORY_ENTRY_KIND_NETWORK_PUBLIC_KEY) continue;
    if (record.value === null) {
      keys.delete(key);
      continue;
    }
    let body;
    try {
      const event = eventFromRecord(record);
      if (event.originNetwork !== HUB_OWNER) throw new Error('not a hub event');
      verifyEventSignature(event, hubKeyring, now);
      body = decodeBody(event);
    } catch {
      untrusted += 1;
      continue;
    }
    if (body.$type === 'comity.v1.DirectoryEntryRemoved') keys.delete(key);
    const published = body.$type === 'comity.v1.DirectoryEntryUpdated' ? body.networkPublicKey : undefined;
    const purpose = published?.purpose === KeyPurpose.KEY_PURPOSE_SIGNING ? 'signing' : published?.purpose === KeyPurpose.KEY_PURPOSE_SEALING ? 'sealing' : undefined;
    if (!published || !purpose || published.publicKey.length !== 32) continue;
    keys.set(key, {
      owner: published.network,
      keyId: published.keyId,
      purpose,
      publicKey: Buffer.from(published.publicKey),
      notBefore: published.notBefore,
      notAfter: published.notAfter,
      revokedAt: published.revokedAt,
    });
  }
  return { keys: [...keys.values()], untrusted };
}
