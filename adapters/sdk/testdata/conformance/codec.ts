/**
 * A tiny, correct codec for the conformance kit's own tests. Wire: one JSON object
 * `{ "reference": string, "state": string, "note"?: string }` ⇄ `RequestSubmitted`.
 */
import type { Event } from '../../../../core/gen/comity/v1/event.js';
import { RequestSubmitted } from '../../../../core/gen/comity/v1/lifecycle.js';
import type { EventBody } from '../../../../core/events/bodies.js';
import type { Codec, EventDraft, NativeMessage } from '../../contract.js';
import { DecodeError, EncodeError } from '../../errors.js';

export const KIT_NETWORK = 'kit-test';

export const noteCodec: Codec = {
  decode(native: NativeMessage): EventDraft[] {
    let parsed: unknown;
    try {
      parsed = JSON.parse(native.body.toString('utf8'));
    } catch (cause) {
      throw new DecodeError('NOT_JSON', 'the message is not JSON', undefined, { cause });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new DecodeError('NOT_AN_OBJECT', 'the message is not a JSON object');
    }
    const { reference, state, note } = parsed as Record<string, unknown>;
    if (typeof reference !== 'string' || reference === '') throw new DecodeError('MISSING_FIELD', 'reference is required', '/reference');
    if (typeof state !== 'string' || state === '') throw new DecodeError('MISSING_FIELD', 'state is required', '/state');
    if (note !== undefined && typeof note !== 'string') throw new DecodeError('INVALID_FIELD', 'note must be a string', '/note');
    const subject = `${KIT_NETWORK}:${reference}`;
    const body = RequestSubmitted.fromPartial({
      request: { requestId: subject, nativeReference: reference, requestedState: state, summaryOfFacts: note ?? '' },
    });
    return [{ subject, body, targets: [{ state }], nativeId: reference }];
  },

  encode(_event: Event, body: EventBody): NativeMessage {
    if (body.$type !== 'comity.v1.RequestSubmitted' || !body.request) {
      throw new EncodeError('UNSUPPORTED_EVENT', `${body.$type} has no native form`);
    }
    const { nativeReference, requestedState, summaryOfFacts } = body.request;
    const native = { reference: nativeReference, state: requestedState, ...(summaryOfFacts ? { note: summaryOfFacts } : {}) };
    return { body: Buffer.from(JSON.stringify(native)), contentType: 'application/json', attributes: {} };
  },

  normalize(native: NativeMessage): unknown {
    return JSON.parse(native.body.toString('utf8'));
  },
};
