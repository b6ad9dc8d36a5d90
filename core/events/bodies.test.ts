import { describe, expect, it } from 'vitest';
import { Seal } from '../gen/comity/v1/event.js';
import { RequestAcknowledged, RequestSubmitted } from '../gen/comity/v1/lifecycle.js';
import { RequestType } from '../gen/comity/v1/request.js';
import { markedEventBodies } from '../schema.js';
import { EVENT_BODY_TYPES, bodyMessageType, isEventBodyType } from './bodies.js';
import { createEvent, decodeBody } from './create.js';
import { isEventId } from './ids.js';
import { EventDecodeError } from '../errors.js';

describe('core/events/bodies', () => {
  it('registers exactly the messages the schema marks as event bodies', () => {
    expect([...EVENT_BODY_TYPES].sort()).toEqual(markedEventBodies().sort());
    expect(EVENT_BODY_TYPES.length).toBeGreaterThanOrEqual(20);
  });

  it('knows bodies from parts', () => {
    expect(isEventBodyType('comity.v1.RequestRefused')).toBe(true);
    expect(isEventBodyType('comity.v1.Request')).toBe(false);
    expect(() => bodyMessageType('comity.v1.Offence')).toThrow(/not an event body/);
  });
});

describe('core/events/create', () => {
  const attributes = { subject: 'req-1', source: 'comity://networks/ejn/adapter', originNetwork: 'ejn' };

  it('derives type and data from the body, and stamps a UUIDv7 id and the time', () => {
    const body = RequestSubmitted.fromPartial({
      request: { requestId: 'req-1', requestType: RequestType.REQUEST_TYPE_EUROPEAN_INVESTIGATION_ORDER },
    });
    const before = Date.now();
    const event = createEvent(body, attributes);
    expect(event.type).toBe('comity.v1.RequestSubmitted');
    expect(isEventId(event.id)).toBe(true);
    expect(event.time!.getTime()).toBeGreaterThanOrEqual(before);
    expect(decodeBody(event)).toEqual(body);
  });

  it('refuses to read a body of an unknown type or with broken bytes', () => {
    const event = createEvent(RequestAcknowledged.fromPartial({}), attributes);
    const unknown = () => decodeBody({ ...event, type: 'comity.v1.Nope' });
    expect(unknown).toThrow(EventDecodeError);
    expect(unknown).toThrow(expect.objectContaining({ code: 'EVENT_UNKNOWN_TYPE' }));
    expect(() => decodeBody({ ...event, data: Buffer.from([0x0a, 0xff, 0xff]) })).toThrow(
      expect.objectContaining({ code: 'EVENT_BODY_MALFORMED' }),
    );
  });

  it('will not open a sealed body', () => {
    const event = createEvent(RequestAcknowledged.fromPartial({}), attributes);
    const sealed = { ...event, seal: Seal.fromPartial({ algorithm: 'X25519-HKDF-SHA256-AES-256-GCM', recipientNetwork: 'iberred' }) };
    expect(() => decodeBody(sealed)).toThrow(
      expect.objectContaining({ code: 'EVENT_SEALED' }),
    );
  });
});
