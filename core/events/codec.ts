/**
 * Event ⇄ Kafka record. Key = subject (the request id), value = the `comity.v1.Event` in
 * protobuf, headers = the CloudEvents binary-mode mirror of the envelope (see ./headers.ts).
 *
 * Decoding never throws anything but {@link EventDecodeError}: a record that is not a Comity
 * event — empty, not protobuf, missing attributes, headers that disagree with the envelope —
 * gets a stable code that the caller can put in a DLQ reason header.
 */
import { Event } from '../gen/comity/v1/event.js';
import { EventDecodeError, EventEncodeError } from '../errors.js';
import type { IncomingRecord, ValueRecord } from '../kafka/records.js';
import { isNetworkId } from '../kafka/topics.js';
import { CLOUDEVENTS_SPEC_VERSION, Header, headersFor, readHeaders } from './headers.js';

/** Fully qualified protobuf message name, e.g. `comity.v1.RequestSubmitted`. */
const TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\.[A-Z][A-Za-z0-9]*$/;
/** `hub` is the origin of events the hub's own services create. */
export const HUB_ORIGIN = 'hub';

export function eventToRecord(event: Event): ValueRecord {
  const problem = envelopeProblem(event);
  if (problem) throw new EventEncodeError(`event ${event.id || '(no id)'} cannot be written: ${problem}`);
  return {
    key: event.subject,
    value: Buffer.from(Event.encode(event).finish()),
    headers: headersFor(event),
  };
}

export function eventFromRecord(record: IncomingRecord): Event {
  const where = `${record.topic}/${record.partition}@${record.offset}`;
  if (record.value === null || record.value.length === 0) {
    throw new EventDecodeError('EVENT_MALFORMED', `record ${where} has no value`);
  }
  let event: Event;
  try {
    event = Event.decode(record.value);
  } catch (cause) {
    throw new EventDecodeError('EVENT_MALFORMED', `record ${where} is not a comity.v1.Event: ${(cause as Error).message}`, {
      cause,
    });
  }
  const problem = envelopeProblem(event);
  if (problem) throw new EventDecodeError('EVENT_INVALID', `record ${where}: ${problem}`);

  const headers = readHeaders(record.headers);
  if (headers[Header.specVersion] !== CLOUDEVENTS_SPEC_VERSION) {
    throw new EventDecodeError(
      'EVENT_HEADER_MISMATCH',
      `record ${where}: header ${Header.specVersion} is ${JSON.stringify(headers[Header.specVersion] ?? null)}, expected "${CLOUDEVENTS_SPEC_VERSION}"`,
    );
  }
  const expected = readHeaders(headersFor(event));
  for (const name of [Header.id, Header.type, Header.source, Header.subject, Header.origin] as const) {
    if (headers[name] !== expected[name]) {
      throw new EventDecodeError(
        'EVENT_HEADER_MISMATCH',
        `record ${where}: header ${name}=${JSON.stringify(headers[name] ?? null)} disagrees with the event (${JSON.stringify(expected[name] ?? null)})`,
      );
    }
  }
  const key = record.key?.toString('utf8') ?? '';
  if (key !== event.subject) {
    throw new EventDecodeError('EVENT_HEADER_MISMATCH', `record ${where}: key "${key}" is not the event subject "${event.subject}"`);
  }
  return event;
}

/** What makes an envelope unusable, or undefined when it is complete. */
export function envelopeProblem(event: Event): string | undefined {
  if (!event.id) return 'id is empty';
  if (!TYPE_PATTERN.test(event.type)) return `type "${event.type}" is not a fully qualified message name`;
  if (!event.source.startsWith('comity://')) return `source "${event.source}" is not a comity:// URI`;
  if (!event.subject) return 'subject (the request id) is empty';
  if (!event.time) return 'time is missing';
  if (event.originNetwork !== HUB_ORIGIN && !isNetworkId(event.originNetwork)) {
    return `origin network "${event.originNetwork}" is not a network id`;
  }
  return undefined;
}
