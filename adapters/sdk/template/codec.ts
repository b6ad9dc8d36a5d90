/**
 * __NETWORK__ native JSON ⇄ canonical events. Pure: no I/O, no clock, no randomness (the
 * conformance kit checks the imports).
 *
 * Wire: one UTF-8 JSON object per message; `kind` says what it is.
 *   kind "request"          ⇄ RequestSubmitted     a new request from an authority of the network
 *   kind "acknowledgement"  ⇄ RequestAcknowledged  the competent authority confirms receipt
 * Timestamps are RFC 3339 in UTC with whole seconds (`2026-11-20T09:30:00Z`). Top-level fields
 * this codec does not know are kept in the event's extensions as `__NETWORK__.<field>` (their
 * JSON text) and written back by encode, so nothing the native system sent is lost. Unknown
 * fields inside nested objects are refused rather than silently dropped.
 */
import { z } from 'zod';
import type { EventBody } from '../../core/events/bodies.js';
import { TRANSPORT_RECEIPT_TYPES } from '../../core/events/receipts.js';
import { Classification, type Event } from '../../core/gen/comity/v1/event.js';
import { RequestAcknowledged, RequestSubmitted } from '../../core/gen/comity/v1/lifecycle.js';
import type { Authority } from '../../core/gen/comity/v1/offence.js';
import {
  MeasureKind,
  RequestType,
  Urgency,
  requestTypeToJSON,
  urgencyToJSON,
  type Request,
} from '../../core/gen/comity/v1/request.js';
import { isIccsCode } from '../../core/reference/iccs.js';
import type { Codec, EventDraft, NativeMessage } from '../sdk/contract.js';
import { DecodeError, EncodeError } from '../sdk/errors.js';

const NETWORK = '__NETWORK__';
const EXTENSION_PREFIX = `${NETWORK}.`;

// ---- The native format ------------------------------------------------------------------

/** Native code ⇄ canonical enum, one table per enum, read in both directions. */
const REQUEST_TYPES = new Map<string, RequestType>([
  ['mla', RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE],
  ['asset-tracing', RequestType.REQUEST_TYPE_ASSET_TRACING],
]);
const CLASSIFICATIONS = new Map<string, Classification>([
  ['public', Classification.CLASSIFICATION_PUBLIC],
  ['restricted', Classification.CLASSIFICATION_RESTRICTED],
  ['confidential', Classification.CLASSIFICATION_CONFIDENTIAL],
]);
const URGENCIES = new Map<string, Urgency>([
  ['normal', Urgency.URGENCY_NORMAL],
  ['urgent', Urgency.URGENCY_URGENT],
  ['immediate', Urgency.URGENCY_IMMEDIATE],
]);
const MEASURE_KINDS = new Map<string, MeasureKind>([
  ['taking-evidence', MeasureKind.MEASURE_KIND_TAKING_EVIDENCE],
  ['service-of-documents', MeasureKind.MEASURE_KIND_SERVICE_OF_DOCUMENTS],
  ['search-and-seizure', MeasureKind.MEASURE_KIND_SEARCH_AND_SEIZURE],
  ['freezing', MeasureKind.MEASURE_KIND_FREEZING],
  ['bank-information', MeasureKind.MEASURE_KIND_BANK_INFORMATION],
  ['other', MeasureKind.MEASURE_KIND_OTHER],
]);

const codes = (table: ReadonlyMap<string, unknown>) => [...table.keys()] as [string, ...string[]];
/** Optional strings are absent or non-empty, so that "" and absent cannot both round-trip to "". */
const text = z.string().min(1);
const state = z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 code');
const timestamp = z.iso.datetime({ precision: 0 });

const authority = z.strictObject({ name: text, state, email: text.optional() });

const requestMessage = z.looseObject({
  kind: z.literal('request'),
  /** The requesting authority's file number. */
  reference: text,
  /** Only on requests that reached this network through Comity: the hub's request id. */
  requestId: text.optional(),
  type: z.enum(codes(REQUEST_TYPES)),
  issuedAt: timestamp,
  classification: z.enum(codes(CLASSIFICATIONS)),
  language: text.optional(),
  legalBasis: z.strictObject({ instrument: text, article: text.optional() }).optional(),
  requestingAuthority: authority,
  requestedState: state,
  urgency: z.enum(codes(URGENCIES)).optional(),
  facts: text,
  offences: z
    .array(z.strictObject({ scheme: text, code: text, label: text, iccs: z.string().refine(isIccsCode, 'expected an ICCS v1.0 code').optional() }))
    .min(1)
    .optional(),
  measures: z.array(z.strictObject({ kind: z.enum(codes(MEASURE_KINDS)), description: text })).min(1).optional(),
});

const acknowledgementMessage = z.looseObject({
  kind: z.literal('acknowledgement'),
  /** The hub's request id, as this network received it with the request. */
  requestId: text,
  /** The event id of the request being acknowledged. */
  inReplyTo: text.optional(),
  classification: z.enum(codes(CLASSIFICATIONS)),
  language: text.optional(),
  executingReference: text,
  receivedAt: timestamp,
  authority,
  note: text.optional(),
});

const nativeMessage = z.discriminatedUnion('kind', [requestMessage, acknowledgementMessage]);
type RequestMessage = z.output<typeof requestMessage>;
type AcknowledgementMessage = z.output<typeof acknowledgementMessage>;
type NativeAuthority = z.output<typeof authority>;

// ---- Decode: native → canonical ----------------------------------------------------------

function decode(native: NativeMessage): EventDraft[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(native.body));
  } catch (cause) {
    throw new DecodeError('NOT_JSON', 'the message is not UTF-8 JSON', undefined, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DecodeError('NOT_AN_OBJECT', 'the message is not a JSON object');
  }
  const result = nativeMessage.safeParse(parsed);
  if (!result.success) throw decodeErrorFrom(result.error.issues, parsed);
  const message = result.data;
  return message.kind === 'request' ? [decodeRequest(message)] : [decodeAcknowledgement(message)];
}

function decodeRequest(message: RequestMessage): EventDraft {
  // A new request's id is derived from its native reference: the same request, the same id.
  const subject = message.requestId ?? `${NETWORK}:${message.reference}`;
  const requestType = REQUEST_TYPES.get(message.type) as RequestType;
  const request = {
    requestId: subject,
    nativeReference: message.reference,
    requestType,
    issuedAt: new Date(message.issuedAt),
    requestingAuthority: decodeAuthority(message.requestingAuthority),
    requestedState: message.requestedState,
    urgency: message.urgency ? URGENCIES.get(message.urgency) : Urgency.URGENCY_UNSPECIFIED,
    summaryOfFacts: message.facts,
    offences: (message.offences ?? []).map((offence, index) => ({
      ref: `o${index + 1}`,
      nativeScheme: offence.scheme,
      nativeCode: offence.code,
      nativeLabel: offence.label,
      // ICCS is the neutral pivot; only the native system may classify, never the codec.
      iccsCode: offence.iccs ?? '',
    })),
    measures: (message.measures ?? []).map((measure, index) => ({
      ref: `m${index + 1}`,
      kind: MEASURE_KINDS.get(measure.kind),
      description: measure.description,
    })),
    // Exactly one instrument-specific branch, matching the request type.
    ...(requestType === RequestType.REQUEST_TYPE_ASSET_TRACING ? { assetTracing: { informal: true } } : { mutualLegalAssistance: {} }),
  };
  return {
    subject,
    body: RequestSubmitted.fromPartial({ request }),
    originState: message.requestingAuthority.state,
    targets: [{ state: message.requestedState }],
    classification: CLASSIFICATIONS.get(message.classification),
    ...(message.legalBasis ? { legalBasis: { instrument: message.legalBasis.instrument, article: message.legalBasis.article ?? '' } } : {}),
    ...(message.language ? { language: message.language } : {}),
    requestType,
    extensions: unknownFields(message, requestMessage.shape),
    nativeId: message.reference,
  };
}

function decodeAcknowledgement(message: AcknowledgementMessage): EventDraft {
  return {
    // An answer is about a request that already has its id.
    subject: message.requestId,
    body: RequestAcknowledged.fromPartial({
      competentAuthority: decodeAuthority(message.authority),
      executingReference: message.executingReference,
      receivedAt: new Date(message.receivedAt),
      note: message.note ?? '',
    }),
    originState: message.authority.state,
    ...(message.inReplyTo ? { causationId: message.inReplyTo } : {}),
    classification: CLASSIFICATIONS.get(message.classification),
    ...(message.language ? { language: message.language } : {}),
    extensions: unknownFields(message, acknowledgementMessage.shape),
    nativeId: message.executingReference,
  };
}

function decodeAuthority(native: NativeAuthority): Partial<Authority> {
  return { name: native.name, state: native.state, email: native.email ?? '' };
}

/** Top-level fields the schema does not name, as `__NETWORK__.<field>` → JSON text. */
function unknownFields(message: Record<string, unknown>, shape: Record<string, unknown>): Record<string, string> {
  const extensions: Record<string, string> = {};
  for (const [field, value] of Object.entries(message)) {
    if (!(field in shape)) extensions[EXTENSION_PREFIX + field] = JSON.stringify(value);
  }
  return extensions;
}

/** A DecodeError with a stable code from the first schema problem, and where it is. */
function decodeErrorFrom(issues: readonly z.core.$ZodIssue[], input: unknown): DecodeError {
  const issue = issues[0] as z.core.$ZodIssue;
  const path = `/${issue.path.map(String).join('/')}`;
  const value = issue.path.reduce<unknown>(
    (node, key) => (typeof node === 'object' && node !== null ? (node as Record<PropertyKey, unknown>)[key] : undefined),
    input,
  );
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem(s))` : '';
  if (value === undefined) return new DecodeError('MISSING_FIELD', `a required field is missing${more}`, path);
  if (issue.path.length === 1 && issue.path[0] === 'kind') {
    return new DecodeError('UNKNOWN_KIND', `kind ${JSON.stringify(value)} is not one this network sends${more}`, path);
  }
  return new DecodeError('INVALID_FIELD', `${issue.message}${more}`, path);
}

// ---- Encode: canonical → native ----------------------------------------------------------


function encode(event: Event, body: EventBody): NativeMessage | null {
  // Transport receipts about our own messages: this network's system has no message for them.
  if (TRANSPORT_RECEIPT_TYPES.has(body.$type)) return null;
  let native: Record<string, unknown>;
  switch (body.$type) {
    case 'comity.v1.RequestSubmitted':
      native = encodeRequest(event, required(body.request, 'request'));
      break;
    case 'comity.v1.RequestAcknowledged':
      native = encodeAcknowledgement(event, body);
      break;
    default:
      throw new EncodeError('UNSUPPORTED_EVENT', `${NETWORK} has no native message for ${body.$type}`);
  }
  const withExtensions = { ...extensionFields(event), ...native };
  return { body: Buffer.from(JSON.stringify(withExtensions)), contentType: 'application/json', attributes: {} };
}

function encodeRequest(event: Event, request: Request): Record<string, unknown> {
  const reference = required(request.nativeReference, 'request.nativeReference');
  const type = nativeCode(REQUEST_TYPES, request.requestType, 'UNSUPPORTED_REQUEST_TYPE', requestTypeToJSON(request.requestType));
  const urgency =
    request.urgency === Urgency.URGENCY_UNSPECIFIED ? undefined : nativeCode(URGENCIES, request.urgency, 'UNSUPPORTED_URGENCY', urgencyToJSON(request.urgency));
  return {
    kind: 'request',
    reference,
    // A request from another network keeps its hub id, so this network's answers can name it.
    ...(event.subject !== `${NETWORK}:${reference}` ? { requestId: event.subject } : {}),
    type,
    issuedAt: formatTimestamp(required(request.issuedAt, 'request.issuedAt')),
    classification: nativeClassification(event.classification),
    ...optional('language', event.language),
    ...(event.legalBasis?.instrument
      ? { legalBasis: { instrument: event.legalBasis.instrument, ...optional('article', event.legalBasis.article) } }
      : {}),
    requestingAuthority: encodeAuthority(required(request.requestingAuthority, 'request.requestingAuthority')),
    requestedState: required(request.requestedState, 'request.requestedState'),
    ...optional('urgency', urgency),
    facts: required(request.summaryOfFacts, 'request.summaryOfFacts'),
    ...(request.offences.length > 0
      ? {
          offences: request.offences.map((offence, index) => ({
            scheme: required(offence.nativeScheme, `request.offences.${index}.nativeScheme`),
            code: required(offence.nativeCode, `request.offences.${index}.nativeCode`),
            label: required(offence.nativeLabel, `request.offences.${index}.nativeLabel`),
            ...optional('iccs', offence.iccsCode),
          })),
        }
      : {}),
    ...(request.measures.length > 0
      ? {
          measures: request.measures.map((measure, index) => ({
            // A kind this network has no code for still arrives, as "other" with its description.
            kind: nativeCodeOr(MEASURE_KINDS, measure.kind, 'other'),
            description: required(measure.description, `request.measures.${index}.description`),
          })),
        }
      : {}),
  };
}

function encodeAcknowledgement(event: Event, body: RequestAcknowledged): Record<string, unknown> {
  return {
    kind: 'acknowledgement',
    requestId: event.subject,
    ...optional('inReplyTo', event.causationId),
    classification: nativeClassification(event.classification),
    ...optional('language', event.language),
    executingReference: required(body.executingReference, 'executingReference'),
    receivedAt: formatTimestamp(required(body.receivedAt, 'receivedAt')),
    authority: encodeAuthority(required(body.competentAuthority, 'competentAuthority')),
    ...optional('note', body.note),
  };
}

function encodeAuthority(authority: Authority): NativeAuthority {
  return {
    name: required(authority.name, 'authority.name'),
    state: required(authority.state, 'authority.state'),
    ...optional('email', authority.email),
  };
}

/** This network's extensions, back as the top-level fields they came from. */
function extensionFields(event: Event): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event.extensions)) {
    if (!key.startsWith(EXTENSION_PREFIX)) continue;
    try {
      fields[key.slice(EXTENSION_PREFIX.length)] = JSON.parse(value);
    } catch (cause) {
      throw new EncodeError('INVALID_EXTENSION', `extension ${key} is not JSON`, { cause });
    }
  }
  return fields;
}

function nativeClassification(classification: Classification): string {
  // Unspecified is treated as the default of createEvent: restricted.
  return nativeCodeOr(CLASSIFICATIONS, classification, 'restricted');
}

function nativeCode<T>(table: ReadonlyMap<string, T>, value: T, code: string, name: string): string {
  for (const [native, canonical] of table) if (canonical === value) return native;
  throw new EncodeError(code, `${NETWORK} has no code for ${name}`);
}

function nativeCodeOr<T>(table: ReadonlyMap<string, T>, value: T, fallback: string): string {
  for (const [native, canonical] of table) if (canonical === value) return native;
  return fallback;
}

function required<T>(value: T | undefined, field: string): T {
  if (value === undefined || value === '') throw new EncodeError('MISSING_FIELD', `the event has no ${field}, which ${NETWORK} requires`);
  return value;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value ? ({ [key]: value } as Record<K, string>) : {};
}

function formatTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---- The codec --------------------------------------------------------------------------

export const __NETWORK_CAMEL__Codec: Codec = {
  decode,
  encode,
  /** Two messages are the same when they parse to the same JSON, whatever the layout. */
  normalize: (native) => JSON.parse(native.body.toString('utf8')) as unknown,
};
