import { describe, expect, it } from 'vitest';
import { DlqStage, deadLetterForNative, deadLetterForRecord } from '../../core/dlq.js';
import { eventToRecord } from '../../core/events/codec.js';
import { createEvent } from '../../core/events/create.js';
import { Seal } from '../../core/gen/comity/v1/event.js';
import { RequestAcknowledged, RequestSubmitted } from '../../core/gen/comity/v1/lifecycle.js';
import type { IncomingRecord, OutgoingRecord } from '../../core/kafka/index.js';
import { decodeRecord, formatTailLine, matchesTailFilter, summarizeNative } from './decode.js';

const submitted = createEvent(RequestSubmitted.fromPartial({ request: { requestId: 'iberred:7', summaryOfFacts: 'fraude' } }), {
  subject: 'iberred:7',
  source: 'comity://networks/iberred/adapter',
  originNetwork: 'iberred',
  targets: [{ state: 'CO' }],
});

function incoming(record: OutgoingRecord, topic = 'comity.inbound.iberred', offset = '3'): IncomingRecord {
  return { topic, partition: 0, offset, key: Buffer.from(record.key), value: record.value, headers: record.headers, timestamp: Date.parse('2026-11-27T10:00:00Z') };
}

describe('services/ops/decode', () => {
  it('decodes an event: envelope without data, body in the JSON mapping, headers as strings', () => {
    const decoded = decodeRecord(incoming(eventToRecord(submitted)));
    expect(decoded.kind).toBe('event');
    expect(decoded.event).toMatchObject({ id: submitted.id, type: 'comity.v1.RequestSubmitted', subject: 'iberred:7', originNetwork: 'iberred' });
    expect(decoded.event).not.toHaveProperty('data');
    expect(decoded.dataBytes).toBe(submitted.data.length);
    expect(decoded.body).toMatchObject({ request: { requestId: 'iberred:7', summaryOfFacts: 'fraude' } });
    expect(decoded.headers.ce_type).toBe('comity.v1.RequestSubmitted');
    expect(JSON.parse(JSON.stringify(decoded))).toEqual(decoded);
    expect(formatTailLine(decoded)).toContain('comity.inbound.iberred/0@3  RequestSubmitted  iberred:7  iberred → CO');
  });

  it('never opens a sealed body', () => {
    const sealed = { ...submitted, seal: Seal.fromPartial({ algorithm: 'X25519-HKDF-SHA256-AES-256-GCM', recipientNetwork: 'ejn' }) };
    const decoded = decodeRecord(incoming(eventToRecord(sealed)));
    expect(decoded.sealed).toBe(true);
    expect(decoded.body).toBeUndefined();
    expect(formatTailLine(decoded)).toContain('[sealed]');
  });

  it('shows a dead letter with its reason, and native bytes as a summary', () => {
    const routed = deadLetterForRecord(incoming(eventToRecord(submitted)), {
      code: 'NO_ROUTE', reason: 'nobody serves CO', stage: DlqStage.route, retriable: false, failedBy: 'router',
    });
    const decoded = decodeRecord(incoming(routed, 'comity.dlq.iberred'));
    expect(decoded).toMatchObject({ kind: 'event', deadLetter: { code: 'NO_ROUTE', stage: 'route', originalTopic: 'comity.inbound.iberred', originalPartition: 0, originalOffset: '3' } });
    expect(formatTailLine(decoded)).toContain('DLQ route NO_ROUTE: nobody serves CO');

    const native = deadLetterForNative({ body: Buffer.from('{"tipo": 1'), contentType: 'application/json', attributes: {} }, '00'.repeat(32), {
      code: 'NOT_JSON', reason: 'bad', stage: DlqStage.inboundDecode, retriable: false, failedBy: 'adapter.iberred',
    });
    const nativeDecoded = decodeRecord(incoming(native, 'comity.dlq.iberred'));
    expect(nativeDecoded).toMatchObject({ kind: 'native', native: { contentType: 'application/json', bytes: 10, preview: '{"tipo": 1', text: true } });
  });

  it('reports what is not an event instead of throwing', () => {
    const decoded = decodeRecord(incoming({ key: 'x', value: Buffer.from([0xff, 0x00, 0x01]), headers: {} }));
    expect(decoded.kind).toBe('other');
    expect(decoded.error?.code).toBe('EVENT_MALFORMED');
    expect(decoded.native).toMatchObject({ text: false, preview: 'ff0001' });
    expect(decodeRecord(incoming({ key: 'x', value: null, headers: {} })).kind).toBe('tombstone');
    expect(summarizeNative(Buffer.from('é'.repeat(300)), 'text/plain').preview).toHaveLength(240);
  });

  it('filters on headers by full or short type and by subject', () => {
    const record = incoming(eventToRecord(submitted));
    expect(matchesTailFilter(record, { type: 'RequestSubmitted' })).toBe(true);
    expect(matchesTailFilter(record, { type: 'comity.v1.RequestSubmitted', subject: 'iberred:7' })).toBe(true);
    expect(matchesTailFilter(record, { type: 'Submitted' })).toBe(false);
    expect(matchesTailFilter(record, { subject: 'iberred:8' })).toBe(false);
    const ack = createEvent(RequestAcknowledged.fromPartial({}), { subject: 'iberred:7', source: 'comity://networks/ejn/adapter', originNetwork: 'ejn' });
    expect(matchesTailFilter(incoming(eventToRecord(ack)), { type: 'RequestSubmitted' })).toBe(false);
  });
});
