import { describe, expect, it } from 'vitest';
import { Classification, Event } from '../gen/comity/v1/event.js';
import { EventDecodeError, EventEncodeError } from '../errors.js';
import type { IncomingRecord } from '../kafka/records.js';
import { eventFromRecord, eventToRecord } from './codec.js';
import { Header } from './headers.js';

const event = Event.fromPartial({
  id: '0193a6f2-7c1e-7a10-8a00-000000000001',
  source: 'comity://networks/iberred/adapter',
  type: 'comity.v1.RequestSubmitted',
  time: new Date('2026-11-27T10:00:00.000Z'),
  subject: 'req-2026-000042',
  originNetwork: 'iberred',
  targets: [{ state: 'ES', network: 'ejn' }, { state: 'PT' }],
  causationId: '',
  classification: Classification.CLASSIFICATION_CONFIDENTIAL,
  language: 'es',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  data: Buffer.from([1, 2, 3]),
});

function incoming(overrides: Partial<IncomingRecord> = {}): IncomingRecord {
  const record = eventToRecord(event);
  return {
    topic: 'comity.inbound.iberred',
    partition: 0,
    offset: '7',
    key: Buffer.from(record.key),
    value: record.value,
    headers: record.headers,
    timestamp: 0,
    ...overrides,
  };
}

function decodeFailure(record: IncomingRecord): EventDecodeError {
  try {
    eventFromRecord(record);
  } catch (error) {
    if (error instanceof EventDecodeError) return error;
    throw error;
  }
  throw new Error('expected an EventDecodeError');
}

describe('core/events/codec', () => {
  it('keys by subject and mirrors the envelope as CloudEvents binary-mode headers', () => {
    const record = eventToRecord(event);
    expect(record.key).toBe('req-2026-000042');
    const headers = Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, v.toString()]));
    expect(headers).toEqual({
      ce_specversion: '1.0',
      ce_id: event.id,
      ce_source: 'comity://networks/iberred/adapter',
      ce_type: 'comity.v1.RequestSubmitted',
      ce_time: '2026-11-27T10:00:00.000Z',
      ce_subject: 'req-2026-000042',
      'content-type': 'application/protobuf',
      ce_traceparent: event.traceparent,
      ce_comityorigin: 'iberred',
      ce_comitytargets: 'ES/ejn,PT',
      ce_comityclass: 'confidential',
      ce_comitylang: 'es',
    });
  });

  it('reads back the same event', () => {
    expect(eventFromRecord(incoming())).toEqual(event);
  });

  it('refuses incomplete envelopes on write', () => {
    expect(() => eventToRecord({ ...event, subject: '' })).toThrow(EventEncodeError);
    expect(() => eventToRecord({ ...event, type: 'RequestSubmitted' })).toThrow(/fully qualified/);
    expect(() => eventToRecord({ ...event, originNetwork: 'Not A Network' })).toThrow(/origin network/);
  });

  it('gives a typed, coded error for every kind of bad record', () => {
    expect(decodeFailure(incoming({ value: null })).code).toBe('EVENT_MALFORMED');
    expect(decodeFailure(incoming({ value: Buffer.from('{"json":"not protobuf"}') })).code).toBe('EVENT_MALFORMED');
    expect(decodeFailure(incoming({ value: Buffer.from(Event.encode({ ...event, time: undefined }).finish()) })).code).toBe(
      'EVENT_INVALID',
    );
    expect(decodeFailure(incoming({ headers: { ...incoming().headers, [Header.type]: Buffer.from('comity.v1.Other') } })).code).toBe(
      'EVENT_HEADER_MISMATCH',
    );
    const { [Header.specVersion]: _dropped, ...noSpec } = incoming().headers;
    expect(decodeFailure(incoming({ headers: noSpec })).code).toBe('EVENT_HEADER_MISMATCH');
    expect(decodeFailure(incoming({ key: Buffer.from('another-request') })).code).toBe('EVENT_HEADER_MISMATCH');
    expect(decodeFailure(incoming({ value: null })).retriable).toBe(false);
  });
});
