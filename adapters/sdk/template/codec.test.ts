import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEvent, decodeBody } from '../../core/events/create.js';
import { RequestRefused, RequestSubmitted } from '../../core/gen/comity/v1/lifecycle.js';
import { RequestType } from '../../core/gen/comity/v1/request.js';
import type { EventDraft, NativeMessage } from '../sdk/contract.js';
import { DecodeError, EncodeError } from '../sdk/errors.js';
import { __NETWORK_CAMEL__Codec as codec } from './codec.js';

function fixture(name: string): NativeMessage {
  return { body: readFileSync(new URL(`./fixtures/${name}`, import.meta.url)), contentType: 'application/json', attributes: {} };
}

function json(value: unknown): NativeMessage {
  return { body: Buffer.from(JSON.stringify(value)), contentType: 'application/json', attributes: {} };
}

/** The one draft a message decodes to. */
function decodeOne(native: NativeMessage): EventDraft {
  const drafts = codec.decode(native);
  expect(drafts).toHaveLength(1);
  return drafts[0] as EventDraft;
}

function decodeFailure(native: NativeMessage): DecodeError {
  try {
    codec.decode(native);
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
  throw new Error('expected a DecodeError');
}

/** An event from another network, on its way to __NETWORK__. */
const fromIberred = { source: 'comity://networks/iberred/adapter', originNetwork: 'iberred' };

describe('adapters/__NETWORK__/codec', () => {
  it('gives a new request the subject __NETWORK__:<native reference>', () => {
    const draft = decodeOne(fixture('request-mla.json'));
    expect(draft.subject).toBe('__NETWORK__:FECO-GT-2026-0142');
    expect(draft.body).toMatchObject({ request: { requestId: '__NETWORK__:FECO-GT-2026-0142', requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE } });
    expect(draft.targets).toEqual([{ state: 'ES' }]);
  });

  it('keeps unknown fields in extensions and writes them back', () => {
    const draft = decodeOne(fixture('request-mla.json'));
    expect(draft.extensions).toEqual({ '__NETWORK__.caseOfficer': '"Lcda. María Fernanda Ruiz"', '__NETWORK__.internalPriority': '2' });
    const event = createEvent(draft.body, { ...draft, source: 'comity://networks/__NETWORK__/adapter', originNetwork: '__NETWORK__' });
    const native = JSON.parse(codec.encode(event, decodeBody(event))!.body.toString('utf8')) as Record<string, unknown>;
    expect(native).toMatchObject({ caseOfficer: 'Lcda. María Fernanda Ruiz', internalPriority: 2 });
  });

  it('refuses a message with a missing field, naming the field', () => {
    const error = decodeFailure(fixture('malformed/missing-reference.json'));
    expect(error.code).toBe('MISSING_FIELD');
    expect(error.path).toBe('/reference');
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(decodeFailure({ ...json({}), body: Buffer.from([0x7b, 0xff, 0x7d]) }).code).toBe('NOT_JSON');
  });

  it('refuses unknown fields inside nested objects instead of dropping them', () => {
    const native = JSON.parse(fixture('request-asset-tracing.json').body.toString('utf8')) as { requestingAuthority: object };
    const error = decodeFailure(json({ ...native, requestingAuthority: { ...native.requestingAuthority, fax: '+353 1 000' } }));
    expect(error.code).toBe('INVALID_FIELD');
    expect(error.path).toBe('/requestingAuthority');
  });

  it('gives a request from another network its hub id, so answers can name it', () => {
    const body = RequestSubmitted.fromPartial({
      request: {
        requestId: 'iberred:DP-123/2026',
        nativeReference: 'DP-123/2026',
        requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
        issuedAt: new Date('2026-11-20T10:15:30.250Z'),
        requestingAuthority: { name: 'Fiscalía Provincial de Madrid', state: 'ES' },
        requestedState: 'PT',
        summaryOfFacts: 'Hechos.',
      },
    });
    const event = createEvent(body, { ...fromIberred, subject: 'iberred:DP-123/2026' });
    const native = JSON.parse(codec.encode(event, body)!.body.toString('utf8')) as Record<string, unknown>;
    expect(native).toMatchObject({ kind: 'request', reference: 'DP-123/2026', requestId: 'iberred:DP-123/2026', issuedAt: '2026-11-20T10:15:30Z' });
    // ...and the native system can send it back as it came.
    expect(decodeOne(json(native)).subject).toBe('iberred:DP-123/2026');
  });

  it('refuses to encode an event the network has no message for', () => {
    const event = createEvent(RequestRefused.fromPartial({}), { ...fromIberred, subject: 'iberred:DP-123/2026' });
    expect(() => codec.encode(event, decodeBody(event))).toThrow(EncodeError);
    expect(() => codec.encode(event, decodeBody(event))).toThrow(/no native message for comity.v1.RequestRefused/);
  });
});
