import { describe, expect, it } from 'vitest';
import { eventToRecord, HUB_ORIGIN } from '../../core/events/codec.js';
import { createEvent } from '../../core/events/create.js';
import { DirectoryEntryUpdated, NetworkKind } from '../../core/gen/comity/v1/directory.js';
import { LegalStatus, RequestTracked } from '../../core/gen/comity/v1/tracking.js';
import { topics, type IncomingRecord, type OutgoingRecord } from '../../core/kafka/index.js';
import { publishedEntries } from '../directory/entries.js';
import { directoryNetworks } from './directory.js';
import { latestRequestRecord, requestView } from './requests.js';

function incoming(record: OutgoingRecord, topic: string, offset: number): IncomingRecord {
  return { topic, partition: 0, offset: String(offset), key: Buffer.from(record.key), value: record.value, headers: record.headers, timestamp: 0 };
}

const tracked = (requestId: string, legalStatus: LegalStatus, due?: Date) =>
  eventToRecord(
    createEvent(
      RequestTracked.fromPartial({
        summary: { requestId, originNetwork: 'ejn', legalStatus },
        timeline: [{ eventId: 'e1', type: 'comity.v1.RequestSubmitted', time: new Date('2026-11-01T00:00:00Z') }],
        deadlines: due ? [{ name: 'execution', basis: 'request', due }] : [],
      }),
      { subject: requestId, source: 'comity://hub/tracker', originNetwork: HUB_ORIGIN },
    ),
  );

describe('services/ops/requests', () => {
  it('takes the latest record of the request; a tombstone forgets it', () => {
    const records = [
      tracked('ejn:1', LegalStatus.LEGAL_STATUS_AWAITING_ACKNOWLEDGEMENT),
      tracked('ejn:2', LegalStatus.LEGAL_STATUS_AWAITING_ACKNOWLEDGEMENT),
      tracked('ejn:1', LegalStatus.LEGAL_STATUS_EXECUTED),
      { key: 'ejn:2', value: null, headers: {} },
    ].map((record, index) => incoming(record, topics.requests, index));
    expect(latestRequestRecord(records, 'ejn:1')?.summary?.legalStatus).toBe(LegalStatus.LEGAL_STATUS_EXECUTED);
    expect(latestRequestRecord(records, 'ejn:2')).toBeUndefined();
    expect(latestRequestRecord(records, 'ejn:3')).toBeUndefined();
  });

  it('shows the record in the JSON mapping with overdue and alerts judged now', () => {
    const record = latestRequestRecord([incoming(tracked('ejn:1', LegalStatus.LEGAL_STATUS_ACKNOWLEDGED, new Date('2026-11-20T00:00:00Z')), topics.requests, 0)], 'ejn:1')!;
    const before = requestView(record, new Date('2026-11-19T00:00:00Z'));
    expect(before.summary).toMatchObject({ requestId: 'ejn:1', legalStatus: 'LEGAL_STATUS_ACKNOWLEDGED', overdue: false });
    expect(before.timeline).toEqual([expect.objectContaining({ eventId: 'e1', time: '2026-11-01T00:00:00.000Z' })]);
    const after = requestView(record, new Date('2026-11-21T00:00:00Z'));
    expect(after.summary.overdue).toBe(true);
    expect(after.alerts.map((alert) => alert.kind)).toEqual(['deadline-overdue']);
  });
});

describe('services/ops/directory', () => {
  it('groups entries by network, in id order', () => {
    const entry = (key: string, update: Parameters<typeof DirectoryEntryUpdated.fromPartial>[0]) =>
      eventToRecord(createEvent(DirectoryEntryUpdated.fromPartial(update), { subject: key, source: 'comity://hub/directory', originNetwork: HUB_ORIGIN }));
    const records = [
      entry('network/wacap', { network: { id: 'wacap', name: 'WACAP', kind: NetworkKind.NETWORK_KIND_JUDICIAL_NETWORK } }),
      entry('network/ejn', { network: { id: 'ejn', name: 'EJN' } }),
      entry('state-membership/ejn/PT', { stateMembership: { network: 'ejn', state: 'PT' } }),
      entry('state-membership/ejn/ES', { stateMembership: { network: 'ejn', state: 'ES' } }),
      entry('contact-point/wacap/sn-1', { contactPoint: { id: 'wacap/sn-1', network: 'wacap', state: 'SN', name: 'Ministère de la Justice' } }),
    ].map((record, index) => incoming(record, topics.directory, index));
    const networks = directoryNetworks(publishedEntries(records).entries);
    expect(networks.map((view) => view.network.id)).toEqual(['ejn', 'wacap']);
    expect(networks[0]!.stateMemberships.map((m) => m.state)).toEqual(['ES', 'PT']);
    expect(networks[1]!.network.kind).toBe('NETWORK_KIND_JUDICIAL_NETWORK');
    expect(networks[1]!.contactPoints).toEqual([expect.objectContaining({ id: 'wacap/sn-1', state: 'SN', name: 'Ministère de la Justice' })]);
  });
});
