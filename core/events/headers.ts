/**
 * CloudEvents Kafka protocol binding, binary mode: the event attributes are mirrored as record
 * headers so that kcat, Kafka UIs and CloudEvents SDKs can filter and route without decoding
 * the value. This file is the only place where those headers are written and read.
 *
 * The record value is the whole `comity.v1.Event` in protobuf; `ce_type` names the body type
 * inside it. Comity's own attributes use CloudEvents extension names (lower-case letters and
 * digits only), prefixed `ce_` like the core ones. See docs/events.md for the table.
 */
import { Classification, classificationToJSON } from '../gen/comity/v1/event.js';
import type { Event, Target } from '../gen/comity/v1/event.js';
import { RequestType, requestTypeToJSON } from '../gen/comity/v1/request.js';
import type { RecordHeaders } from '../kafka/records.js';

export const CLOUDEVENTS_SPEC_VERSION = '1.0';
export const EVENT_CONTENT_TYPE = 'application/protobuf';

/** Header names, as constants: never spell them anywhere else. */
export const Header = {
  specVersion: 'ce_specversion',
  id: 'ce_id',
  source: 'ce_source',
  type: 'ce_type',
  time: 'ce_time',
  subject: 'ce_subject',
  contentType: 'content-type',
  /** W3C trace context, as in the CloudEvents distributed-tracing extension. */
  traceparent: 'ce_traceparent',
  origin: 'ce_comityorigin',
  /** ISO 3166-1 alpha-2 State of the requesting or answering authority. */
  originState: 'ce_comityoriginstate',
  /** Targets as `STATE[/network[/authority]]`, comma-separated. */
  targets: 'ce_comitytargets',
  classification: 'ce_comityclass',
  causation: 'ce_comitycausation',
  language: 'ce_comitylang',
  /** Request type in lower snake case without prefix, e.g. `european_investigation_order`. */
  requestType: 'ce_comityreqtype',
  /** Present with value `true` when the body is sealed to the recipient. */
  sealed: 'ce_comitysealed',
} as const;

export type HeaderName = (typeof Header)[keyof typeof Header];

/** The attributes an envelope exposes as headers, in their header string form. */
export function headersFor(event: Event): RecordHeaders {
  const headers: Record<string, string> = {
    [Header.specVersion]: CLOUDEVENTS_SPEC_VERSION,
    [Header.id]: event.id,
    [Header.source]: event.source,
    [Header.type]: event.type,
    [Header.contentType]: EVENT_CONTENT_TYPE,
    [Header.origin]: event.originNetwork,
  };
  if (event.time) headers[Header.time] = event.time.toISOString();
  if (event.subject) headers[Header.subject] = event.subject;
  if (event.originState) headers[Header.originState] = event.originState;
  if (event.traceparent) headers[Header.traceparent] = event.traceparent;
  if (event.targets.length > 0) headers[Header.targets] = event.targets.map(formatTarget).join(',');
  if (event.classification !== Classification.CLASSIFICATION_UNSPECIFIED) {
    headers[Header.classification] = classificationToJSON(event.classification)
      .replace(/^CLASSIFICATION_/, '')
      .toLowerCase();
  }
  if (event.causationId) headers[Header.causation] = event.causationId;
  if (event.language) headers[Header.language] = event.language;
  if (event.requestType !== RequestType.REQUEST_TYPE_UNSPECIFIED) {
    headers[Header.requestType] = requestTypeToJSON(event.requestType).replace(/^REQUEST_TYPE_/, '').toLowerCase();
  }
  if (event.seal) headers[Header.sealed] = 'true';
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Buffer.from(value, 'utf8')]));
}

/** Headers as strings; values that are not valid UTF-8 are kept as decoded (replacement chars). */
export function readHeaders(headers: RecordHeaders): Partial<Record<HeaderName, string>> {
  const result: Partial<Record<HeaderName, string>> = {};
  for (const name of Object.values(Header)) {
    const value = headers[name];
    if (value !== undefined) result[name] = value.toString('utf8');
  }
  return result;
}

export function formatTarget(target: Target): string {
  return [target.state, target.network, target.authority].join('/').replace(/\/+$/, '');
}
