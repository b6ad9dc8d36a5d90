import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { eventFromRecord } from '../../core/events/codec.js';
import { decodeBody } from '../../core/events/create.js';
import { DirectoryEntryKind } from '../../core/gen/comity/v1/directory.js';
import { Classification } from '../../core/gen/comity/v1/event.js';
import type { IncomingRecord, OutgoingRecord } from '../../core/kafka/records.js';
import { DIRECTORY_SOURCE, diffDirectory, directoryEntries } from './entries.js';
import { loadFederation } from './federation.js';
import { directoryConfigSchema, directoryRecords } from './service.js';

function asIncoming(record: OutgoingRecord, offset: number): IncomingRecord {
  return { topic: 'comity.directory', partition: 0, offset: String(offset), key: Buffer.from(record.key), value: record.value, headers: record.headers, timestamp: 0 };
}

describe('services/directory/service: directoryRecords', () => {
  const wanted = directoryEntries(
    loadFederation(
      'federation.yaml',
      'version: 1\nnetworks:\n  - { id: ejn, name: EJN, kind: judicial-network, role: member, languages: [en], members: [ES], membersVerified: true, sources: [test] }\n',
    ),
  );

  it('writes each update as a public hub event keyed by the entry key', () => {
    const records = directoryRecords(diffDirectory(new Map(), wanted), 'federation.yaml');
    expect(records.map((record) => record.key)).toEqual(['network/ejn', 'state-membership/ejn/ES']);
    const event = eventFromRecord(asIncoming(records[0]!, 0));
    expect(event).toMatchObject({
      subject: 'network/ejn',
      source: DIRECTORY_SOURCE,
      originNetwork: 'hub',
      classification: Classification.CLASSIFICATION_PUBLIC,
      type: 'comity.v1.DirectoryEntryUpdated',
    });
    expect(decodeBody(event)).toMatchObject({ network: { id: 'ejn' }, changeNote: 'federation file federation.yaml' });
  });

  it('writes a removal as DirectoryEntryRemoved followed by a tombstone for the same key', () => {
    const records = directoryRecords(
      { updated: [], removed: [{ key: 'state-membership/ejn/FR', kind: DirectoryEntryKind.DIRECTORY_ENTRY_KIND_STATE_MEMBERSHIP }] },
      'federation.yaml',
    );
    expect(records.map((record) => [record.key, record.value === null])).toEqual([
      ['state-membership/ejn/FR', false],
      ['state-membership/ejn/FR', true],
    ]);
    expect(decodeBody(eventFromRecord(asIncoming(records[0]!, 0)))).toMatchObject({
      $type: 'comity.v1.DirectoryEntryRemoved',
      key: 'state-membership/ejn/FR',
      kind: DirectoryEntryKind.DIRECTORY_ENTRY_KIND_STATE_MEMBERSHIP,
    });
    // Readers that decode every record meet the tombstone as a malformed event, never as an event.
    expect(() => eventFromRecord(asIncoming(records[1]!, 1))).toThrow(expect.objectContaining({ code: 'EVENT_MALFORMED' }));
  });
});

describe('services/directory/service: directoryConfigSchema', () => {
  it('defaults to the repository federation and gRPC on 127.0.0.1:50051', () => {
    const config = loadConfig(directoryConfigSchema, { text: 'kafka:\n  brokers: [127.0.0.1:9092]\n', env: {} });
    expect(config.federation).toBe('deploy/config/federation.yaml');
    expect(config.directory).toEqual({ grpcHost: '127.0.0.1', grpcPort: 50051, statusHost: '127.0.0.1', statusPort: 0 });
  });

  it('takes overrides from the environment', () => {
    const config = loadConfig(directoryConfigSchema, { env: { KAFKA_BROKERS: 'k:9092', COMITY_DIRECTORY__GRPC_HOST: '0.0.0.0' } });
    expect(config.kafka.brokers).toEqual(['k:9092']);
    expect(config.directory.grpcHost).toBe('0.0.0.0');
  });
});
