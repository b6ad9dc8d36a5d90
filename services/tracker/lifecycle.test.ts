import { describe, expect, it } from 'vitest';
import { LegalStatus, TimelineEntry, TransportStatus } from '../../core/gen/comity/v1/tracking.js';
import { RequestType } from '../../core/gen/comity/v1/request.js';
import type { RequestTracked } from '../../core/gen/comity/v1/tracking.js';
import type { DeepPartial } from '../../core/gen/typeRegistry.js';
import { alertsAt, summaryAt, track } from './lifecycle.js';

const DAY = 24 * 3600 * 1000;
const t0 = Date.UTC(2026, 0, 10, 9, 0, 0);
const at = (days: number, minutes = 0) => new Date(t0 + days * DAY + minutes * 60_000);

function entry(id: string, type: string, when: Date, extra: DeepPartial<TimelineEntry> = {}): TimelineEntry {
  return TimelineEntry.fromPartial({ eventId: id, type: `comity.v1.${type}`, time: when, recordedAt: when, originNetwork: 'iberred', ...extra });
}

const submission = { requestId: 'ejn:1', requestType: RequestType.REQUEST_TYPE_EUROPEAN_INVESTIGATION_ORDER, requestedStates: ['ES'] };

function replayAll(entries: TimelineEntry[]): RequestTracked {
  let record: RequestTracked | undefined;
  for (const e of entries) record = track(record, e, submission);
  return record!;
}

const happyPath = [
  entry('s', 'RequestSubmitted', at(0), { originNetwork: 'ejn' }),
  entry('r', 'RequestRelayed', at(0, 1), { originNetwork: 'hub', regardingEventId: 's', targets: [{ network: 'iberred' }] }),
  entry('d', 'RequestDelivered', at(0, 2), { regardingEventId: 's' }),
  entry('a', 'RequestAcknowledged', at(1)),
  entry('q', 'AdditionalInformationRequested', at(3)),
  entry('p', 'AdditionalInformationProvided', at(5), { originNetwork: 'ejn' }),
  entry('g', 'RequestRecognised', at(10)),
  entry('x', 'RequestExecuted', at(40)),
];

describe('services/tracker/lifecycle', () => {
  it('follows both layers through a whole request', () => {
    const record = replayAll(happyPath);
    expect(record.summary).toMatchObject({
      requestId: 'ejn:1',
      originNetwork: 'ejn',
      networks: ['iberred'],
      transportStatus: TransportStatus.TRANSPORT_STATUS_DELIVERED,
      legalStatus: LegalStatus.LEGAL_STATUS_EXECUTED,
    });
    expect(record.flags).toEqual([]);
    expect(record.timeline.map((e) => e.eventId)).toEqual(['s', 'r', 'd', 'a', 'q', 'p', 'g', 'x']);
  });

  it('gives the same record whatever order the events are read in', () => {
    const inOrder = replayAll(happyPath);
    const shuffled = replayAll([happyPath[6]!, happyPath[2]!, happyPath[7]!, happyPath[0]!, happyPath[4]!, happyPath[1]!, happyPath[5]!, happyPath[3]!]);
    expect(shuffled.summary).toEqual(inOrder.summary);
    expect(shuffled.timeline).toEqual(inOrder.timeline);
    expect(shuffled.deadlines).toEqual(inOrder.deadlines);
  });

  it('ignores an event it already has', () => {
    const record = replayAll(happyPath);
    expect(track(record, happyPath[3]!, submission)).toBe(record);
  });

  it('flags impossible transitions instead of applying them', () => {
    const record = replayAll([
      entry('s', 'RequestSubmitted', at(0), { originNetwork: 'ejn' }),
      entry('w', 'RequestWithdrawn', at(1), { originNetwork: 'ejn' }),
      entry('x', 'RequestExecuted', at(2)),
      entry('p', 'AdditionalInformationProvided', at(3), { originNetwork: 'ejn' }),
    ]);
    expect(record.summary!.legalStatus).toBe(LegalStatus.LEGAL_STATUS_WITHDRAWN);
    expect(record.flags.map((f) => [f.eventId, f.fromStatus, f.problem])).toEqual([
      ['x', LegalStatus.LEGAL_STATUS_WITHDRAWN, 'the request was already closed'],
      ['p', LegalStatus.LEGAL_STATUS_WITHDRAWN, 'additional information provided, but none was requested'],
    ]);
  });

  it('moves transport forward only, and tells retrying from given up', () => {
    const base = [entry('s', 'RequestSubmitted', at(0), { originNetwork: 'ejn' })];
    const retrying = replayAll([...base, entry('n', 'RequestNotDelivered', at(0, 1), { regardingEventId: 's' })]);
    expect(retrying.summary!.transportStatus).toBe(TransportStatus.TRANSPORT_STATUS_DELIVERY_RETRYING);
    const givenUp = replayAll([...base, entry('n', 'RequestNotDelivered', at(0, 1), { regardingEventId: 's', final: true })]);
    expect(givenUp.summary!.transportStatus).toBe(TransportStatus.TRANSPORT_STATUS_NOT_DELIVERED);
    const lateRelay = replayAll([...base, entry('d', 'RequestDelivered', at(0, 3), { regardingEventId: 's' }), entry('r', 'RequestRelayed', at(0, 1), { regardingEventId: 's' })]);
    expect(lateRelay.summary!.transportStatus).toBe(TransportStatus.TRANSPORT_STATUS_DELIVERED);
  });

  it("runs the EIO's deadlines: recognition 30 days from delivery, execution 90 days from recognition", () => {
    const upToRecognition = replayAll(happyPath.slice(0, 7));
    expect(upToRecognition.deadlines.map((d) => [d.name, d.due?.toISOString(), d.metAt?.toISOString()])).toEqual([
      ['recognition', at(30, 2).toISOString(), at(10).toISOString()],
      ['execution', at(100).toISOString(), undefined],
    ]);
    expect(alertsAt(upToRecognition, at(99))).toEqual([]);
    expect(alertsAt(upToRecognition, at(101))).toEqual([expect.objectContaining({ kind: 'deadline-overdue', subject: 'execution' })]);
    expect(summaryAt(upToRecognition, at(101)).overdue).toBe(true);
    expect(summaryAt(replayAll(happyPath), at(400)).overdue).toBe(false);
  });

  it("keeps the requesting authority's deadline and notices a missing receipt", () => {
    let record = track(undefined, entry('s', 'RequestSubmitted', at(0), { originNetwork: 'ejn' }), {
      requestId: 'ejn:2',
      requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
      deadline: at(20),
    });
    record = track(record, entry('r', 'RequestRelayed', at(0, 1), { originNetwork: 'hub', regardingEventId: 's', targets: [{ network: 'iberred' }] }), { requestId: 'ejn:2' });
    expect(record.deadlines.map((d) => d.name)).toEqual(['requesting-authority']);
    expect(alertsAt(record, at(0, 5))).toEqual([]);
    expect(alertsAt(record, at(0, 30)).map((a) => a.kind)).toEqual(['receipt-missing']);
    expect(alertsAt(record, at(21)).map((a) => a.kind).sort()).toEqual(['deadline-overdue', 'receipt-missing']);
    record = track(record, entry('d', 'RequestDelivered', at(0, 40), { regardingEventId: 's' }), { requestId: 'ejn:2' });
    expect(alertsAt(record, at(1)).map((a) => a.kind)).toEqual([]);
  });
});
