import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventToRecord, HUB_ORIGIN } from '../../core/events/codec.js';
import { createEvent } from '../../core/events/create.js';
import {
  type DeepPartial,
  DirectoryEntryKind,
  DirectoryEntryRemoved,
  DirectoryEntryUpdated,
  FederationRole,
  KeyPurpose,
  LegalTradition,
  MembershipStatus,
  NetworkKind,
} from '../../core/gen/comity/v1/directory.js';
import { RequestType } from '../../core/gen/comity/v1/request.js';
import type { IncomingRecord, OutgoingRecord } from '../../core/kafka/records.js';
import {
  DIRECTORY_SOURCE,
  diffDirectory,
  directoryEntries,
  directoryView,
  entryBytes,
  kindOfKey,
  publishedEntries,
  trustedPublicKeys,
  type PublishedEntry,
} from './entries.js';
import { federationKeyring, loadFederation, type Federation } from './federation.js';
import { directoryRecords } from './service.js';
import { buildKeyring } from '../../core/crypto/keyring.js';
import { generateKey } from '../../core/crypto/keys.js';

const signingKey = '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=';

function federation(...networks: string[]): Federation {
  return loadFederation('federation.yaml', ['version: 1', 'networks:', ...networks, ''].join('\n'));
}

const ejn = [
  '  - id: ejn',
  '    name: European Judicial Network',
  '    kind: judicial-network',
  '    role: member',
  '    secretariat: The Hague',
  '    legalBasis: Council Decision 2008/976/JHA',
  '    url: https://ejn-crimjust.europa.eu/',
  '    languages: [en, fr]',
  '    legalTraditions: [civil, common]',
  '    members: [ES, FR]',
  '    observers: [NO, ES]',
  '    membersVerified: true',
  '    accepts: [mutual-legal-assistance, european-arrest-warrant]',
  '    contactPoints:',
  '      - { id: es/3, state: ES, role: contact point, authority: Fiscalía General del Estado, email: cp@fiscal.es, languages: [es] }',
  '    publicKeys:',
  `      - { keyId: ejn-2026, purpose: signing, publicKey: "${signingKey}", notBefore: 2026-01-01, notAfter: "2027-01-01T00:00:00Z" }`,
  '    sources: [test]',
].join('\n');
const unodc =
  '  - { id: unodc, name: UNODC, kind: agency, role: observer, languages: [en], membersVerified: false, members: [AT], sources: [test] }';

/** What the topic holds after `records` were written, as the service reads it back. */
function incoming(records: readonly OutgoingRecord[]): IncomingRecord[] {
  return records.map((record, offset) => ({
    topic: 'comity.directory',
    partition: 0,
    offset: String(offset),
    key: Buffer.from(record.key),
    value: record.value,
    headers: record.headers,
    timestamp: 0,
  }));
}

function updateRecord(key: string, update: DeepPartial<DirectoryEntryUpdated>, source = DIRECTORY_SOURCE): OutgoingRecord {
  return eventToRecord(
    createEvent(DirectoryEntryUpdated.fromPartial(update), { subject: key, source, originNetwork: HUB_ORIGIN }),
  );
}

describe('services/directory/entries: the federation as directory entries', () => {
  it('gives each network, State membership, contact point and public key its own key', () => {
    const entries = directoryEntries(federation(ejn, unodc));
    expect([...entries.keys()]).toEqual([
      'network/ejn',
      'state-membership/ejn/ES',
      'state-membership/ejn/FR',
      'state-membership/ejn/NO',
      'contact-point/ejn/es/3',
      'network-public-key/ejn/ejn-2026',
      'network/unodc',
      'state-membership/unodc/AT',
    ]);
    expect(entries.get('contact-point/ejn/es/3')?.kind).toBe(DirectoryEntryKind.DIRECTORY_ENTRY_KIND_CONTACT_POINT);
  });

  it('maps the federation names to the schema enums', () => {
    const entries = directoryEntries(federation(ejn, unodc));
    expect(entries.get('network/ejn')?.update.network).toEqual({
      $type: 'comity.v1.Network',
      id: 'ejn',
      name: 'European Judicial Network',
      kind: NetworkKind.NETWORK_KIND_JUDICIAL_NETWORK,
      role: FederationRole.FEDERATION_ROLE_MEMBER,
      secretariat: 'The Hague',
      legalBasis: 'Council Decision 2008/976/JHA',
      url: 'https://ejn-crimjust.europa.eu/',
      languages: ['en', 'fr'],
      legalTraditions: [LegalTradition.LEGAL_TRADITION_CIVIL_LAW, LegalTradition.LEGAL_TRADITION_COMMON_LAW],
      memberStates: ['ES', 'FR'],
      acceptedRequestTypes: [RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE, RequestType.REQUEST_TYPE_EUROPEAN_ARREST_WARRANT],
    });
    expect(entries.get('network/unodc')?.update.network).toMatchObject({
      kind: NetworkKind.NETWORK_KIND_AGENCY,
      role: FederationRole.FEDERATION_ROLE_OBSERVER,
      url: '',
      acceptedRequestTypes: [],
    });
  });

  it('makes members members and observers observers; a State listed as both is a member', () => {
    const entries = directoryEntries(federation(ejn, unodc));
    expect(entries.get('state-membership/ejn/ES')?.update.stateMembership).toMatchObject({
      state: 'ES',
      network: 'ejn',
      status: MembershipStatus.MEMBERSHIP_STATUS_MEMBER,
      note: '',
    });
    expect(entries.get('state-membership/ejn/NO')?.update.stateMembership?.status).toBe(MembershipStatus.MEMBERSHIP_STATUS_OBSERVER);
    expect(entries.get('state-membership/unodc/AT')?.update.stateMembership?.note).toContain('not verified');
  });

  it('carries contact points (institutions only) and raw public keys with their window', () => {
    const entries = directoryEntries(federation(ejn));
    expect(entries.get('contact-point/ejn/es/3')?.update.contactPoint).toMatchObject({
      id: 'ejn/es/3',
      network: 'ejn',
      state: 'ES',
      name: 'Fiscalía General del Estado',
      email: 'cp@fiscal.es',
      languages: ['es'],
      role: 'contact point',
    });
    const key = entries.get('network-public-key/ejn/ejn-2026')?.update.networkPublicKey;
    expect(key).toMatchObject({ network: 'ejn', keyId: 'ejn-2026', purpose: KeyPurpose.KEY_PURPOSE_SIGNING });
    expect(key?.publicKey.toString('hex')).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    expect(key?.notBefore?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(key?.notAfter?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('converts deploy/config/federation.yaml: every network, every member and observer State', () => {
    const real = loadFederation(fileURLToPath(new URL('../../deploy/config/federation.yaml', import.meta.url)));
    const entries = directoryEntries(real);
    const memberships = real.networks.reduce((sum, n) => sum + new Set([...n.members, ...n.observers]).size, 0);
    const kinds = [...entries.values()].map((entry) => entry.kind);
    expect(kinds.filter((kind) => kind === DirectoryEntryKind.DIRECTORY_ENTRY_KIND_NETWORK)).toHaveLength(real.networks.length);
    expect(kinds.filter((kind) => kind === DirectoryEntryKind.DIRECTORY_ENTRY_KIND_STATE_MEMBERSHIP)).toHaveLength(memberships);
    expect(entries.get('state-membership/eurojust/DK')?.update.stateMembership?.status).toBe(MembershipStatus.MEMBERSHIP_STATUS_OBSERVER);
    expect(entries.get('network/carin')?.update.network?.acceptedRequestTypes).toContain(RequestType.REQUEST_TYPE_ASSET_TRACING);
  });

  it('names the kind of any directory key by its prefix', () => {
    expect(kindOfKey('network/ejn')).toBe(DirectoryEntryKind.DIRECTORY_ENTRY_KIND_NETWORK);
    expect(kindOfKey('state-membership/ejn/ES')).toBe(DirectoryEntryKind.DIRECTORY_ENTRY_KIND_STATE_MEMBERSHIP);
    expect(kindOfKey('competent-authority/es/fiscalia')).toBe(DirectoryEntryKind.DIRECTORY_ENTRY_KIND_COMPETENT_AUTHORITY);
    expect(kindOfKey('network-public-key/ejn/k1')).toBe(DirectoryEntryKind.DIRECTORY_ENTRY_KIND_NETWORK_PUBLIC_KEY);
    expect(kindOfKey('req-2026-1')).toBe(DirectoryEntryKind.DIRECTORY_ENTRY_KIND_UNSPECIFIED);
  });
});

describe('services/directory/entries: what the topic holds', () => {
  it('replays updates, removals and tombstones in order, and survives the encode/decode round trip', () => {
    const entries = directoryEntries(federation(ejn));
    const records = [...entries.values()].map((entry) => updateRecord(entry.key, entry.update));
    const removed = eventToRecord(
      createEvent(DirectoryEntryRemoved.fromPartial({ key: 'state-membership/ejn/FR' }), {
        subject: 'state-membership/ejn/FR',
        source: DIRECTORY_SOURCE,
        originNetwork: HUB_ORIGIN,
      }),
    );
    const tombstone: OutgoingRecord = { key: 'state-membership/ejn/NO', value: null, headers: {} };
    const { entries: published, skipped } = publishedEntries(incoming([...records, removed, tombstone]));
    expect(skipped).toBe(0);
    expect([...published.keys()]).toEqual(['network/ejn', 'state-membership/ejn/ES', 'contact-point/ejn/es/3', 'network-public-key/ejn/ejn-2026']);
    // Decoded from the topic, an unchanged entry compares equal to the one made from the file.
    for (const [key, entry] of published) expect(entry.bytes.equals(entryBytes(entries.get(key)!.update)), key).toBe(true);
  });

  it('skips records that are not directory events instead of failing', () => {
    const junk: OutgoingRecord = { key: 'network/x', value: Buffer.from('not an event'), headers: {} };
    const { entries, skipped } = publishedEntries(incoming([junk, updateRecord('network/ejn', { network: { id: 'ejn' } })]));
    expect(skipped).toBe(1);
    expect([...entries.keys()]).toEqual(['network/ejn']);
  });
});

describe('services/directory/entries: diffDirectory', () => {
  const published = (wanted: ReturnType<typeof directoryEntries>, source = DIRECTORY_SOURCE) =>
    new Map<string, PublishedEntry>([...wanted].map(([key, entry]) => [key, { kind: entry.kind, bytes: entryBytes(entry.update), source }]));

  it('publishes everything to an empty topic and nothing when the topic already agrees', () => {
    const wanted = directoryEntries(federation(ejn, unodc));
    expect(diffDirectory(new Map(), wanted).updated).toHaveLength(wanted.size);
    expect(diffDirectory(published(wanted), wanted)).toEqual({ updated: [], removed: [] });
  });

  it('publishes a changed entry and a new one, and removes what the file no longer has', () => {
    const before = directoryEntries(federation(ejn, unodc));
    const after = directoryEntries(federation(ejn.replace('members: [ES, FR]', 'members: [ES, FR, PT]').replace('languages: [en, fr]', 'languages: [en]')));
    const diff = diffDirectory(published(before), after);
    expect(diff.updated.map((entry) => entry.key)).toEqual(['network/ejn', 'state-membership/ejn/PT']);
    expect(diff.removed).toEqual([
      { key: 'network/unodc', kind: DirectoryEntryKind.DIRECTORY_ENTRY_KIND_NETWORK },
      { key: 'state-membership/unodc/AT', kind: DirectoryEntryKind.DIRECTORY_ENTRY_KIND_STATE_MEMBERSHIP },
    ]);
  });

  it('ignores the change note and never removes entries another source wrote', () => {
    const wanted = directoryEntries(federation(ejn));
    const noted = new Map([...published(wanted)].map(([key, entry]) => [key, entry]));
    const withNote = entryBytes(DirectoryEntryUpdated.fromPartial({ ...wanted.get('network/ejn')!.update, changeNote: 'edited' }));
    noted.set('network/ejn', { kind: DirectoryEntryKind.DIRECTORY_ENTRY_KIND_NETWORK, bytes: withNote, source: DIRECTORY_SOURCE });
    expect(diffDirectory(noted, wanted).updated).toEqual([]);

    const foreign = new Map(published(directoryEntries(federation(unodc)), 'comity://networks/unodc/keys'));
    expect(diffDirectory(foreign, wanted).removed).toEqual([]);
  });
});

describe('services/directory/entries: directoryView', () => {
  it('looks networks up by id and memberships by network and by State', () => {
    const view = directoryView(directoryEntries(federation(unodc, ejn)).values());
    expect(view.networks.map((network) => network.id)).toEqual(['ejn', 'unodc']);
    expect(view.network('ejn')?.name).toBe('European Judicial Network');
    expect(view.network('nope')).toBeUndefined();
    expect(view.membershipsOfNetwork('ejn').map((m) => m.state)).toEqual(['ES', 'FR', 'NO']);
    expect(view.membershipsOfState('ES').map((m) => m.network)).toEqual(['ejn']);
    expect(view.contactPointsOfNetwork('ejn').map((c) => c.id)).toEqual(['ejn/es/3']);
    expect(view.publicKeysOfNetwork('ejn').map((k) => k.keyId)).toEqual(['ejn-2026']);
    expect(view.publicKeysOfNetwork('unodc')).toEqual([]);
  });
});

describe('services/directory/entries: keys', () => {
  const hubKey = generateKey('signing', 'hub:signing:1');
  const hubKeyring = buildKeyring([{ owner: 'hub', keyId: hubKey.keyId, purpose: 'signing', publicKey: hubKey.publicKey }]);
  const keyFederation = loadFederation(
    'federation.yaml',
    [
      'version: 1',
      'hub:',
      `  publicKeys: [{ keyId: "${hubKey.keyId}", purpose: signing, publicKey: "${hubKey.publicKey.toString('base64')}" }]`,
      'networks:',
      `  - { id: ejn, name: EJN, kind: judicial-network, role: member, languages: [en], members: [ES], membersVerified: true, sources: [s], publicKeys: [{ keyId: ejn-1, purpose: signing, publicKey: "${signingKey}", notBefore: "2026-01-01", revokedAt: "2026-06-01T00:00:00Z" }] }`,
      '',
    ].join('\n'),
  );

  it('publishes the hub\'s keys under the owner "hub", with revocations', () => {
    const entries = directoryEntries(keyFederation);
    expect(entries.get(`network-public-key/hub/${hubKey.keyId}`)?.update.networkPublicKey).toMatchObject({ network: 'hub', keyId: hubKey.keyId });
    expect(entries.get('network-public-key/ejn/ejn-1')?.update.networkPublicKey?.revokedAt).toEqual(new Date('2026-06-01T00:00:00Z'));
    expect(federationKeyring(keyFederation).find('ejn', 'ejn-1')?.revokedAt).toEqual(new Date('2026-06-01T00:00:00Z'));
  });

  it('refuses "hub" as a network id', () => {
    expect(() => federation('  - { id: hub, name: H, kind: agency, role: member, languages: [en], membersVerified: false, sources: [s] }')).toThrow(/hub's own id/);
  });

  it('trusts only key entries the hub signed with a pinned key', () => {
    const records = directoryRecords(diffDirectory(new Map(), directoryEntries(keyFederation)), 'federation.yaml', hubKey);
    const forged = directoryRecords(
      diffDirectory(new Map(), directoryEntries(federation(`  - { id: iberred, name: I, kind: judicial-network, role: member, languages: [es], membersVerified: false, sources: [s], publicKeys: [{ keyId: ib-1, purpose: sealing, publicKey: "${signingKey}" }] }`))),
      'federation.yaml',
      generateKey('signing', hubKey.keyId),
    );
    const unsigned = directoryRecords(
      diffDirectory(new Map(), directoryEntries(federation(`  - { id: carin, name: C, kind: agency, role: member, languages: [en], membersVerified: false, sources: [s], publicKeys: [{ keyId: c-1, purpose: signing, publicKey: "${signingKey}" }] }`))),
      'federation.yaml',
    );
    const { keys, untrusted } = trustedPublicKeys(incoming([...records, ...forged, ...unsigned]), hubKeyring);
    expect(keys.map((key) => `${key.owner}/${key.keyId}/${key.purpose}`).sort()).toEqual([`ejn/ejn-1/signing`, `hub/${hubKey.keyId}/signing`]);
    expect(untrusted).toBe(2);
    // A tombstone removes a key.
    const removed = trustedPublicKeys(incoming([...records, { key: 'network-public-key/ejn/ejn-1', value: null, headers: {} }]), hubKeyring);
    expect(removed.keys.map((key) => key.keyId)).toEqual([hubKey.keyId]);
  });
});
