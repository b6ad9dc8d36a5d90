/**
 * EJN's e-CODEX connector messages ⇄ canonical events. Pure: no I/O, no clock, no randomness.
 *
 * Wire: one UTF-8 XML document per message, Comity's rendering of the connector's backend
 * message model (namespace `urn:comity:ecodex:backend:1`; README.md has an annotated example):
 *
 *   message
 *     details         backendMessageId, ebmsMessageId, refToMessageId, conversationId,
 *                     originalSender, finalRecipient, service, action, fromParty, toParty
 *     content         businessContent (one business document, see documents.ts) and an optional
 *                     document with its detachedSignature
 *     attachments     attachment*: name, mimeType, sha256, size, and data (base64) or uri
 *     confirmations   one confirmation (ETSI REM evidence) about an earlier message
 *
 * A message carries business content (→ the document's body: RequestSubmitted or a legal
 * answer) or one confirmation (→ a transport body), never both:
 *
 *   SUBMISSION_ACCEPTANCE, RELAY_REMMD_ACCEPTANCE                      ⇄ RequestRelayed
 *   DELIVERY                                                          ⇄ RequestDelivered
 *   RETRIEVAL                                                         ⇄ RequestRetrieved
 *   SUBMISSION_REJECTION, RELAY_REMMD_REJECTION, RELAY_REMMD_FAILURE,
 *   NON_DELIVERY, NON_RETRIEVAL                                       ⇄ RequestNotDelivered
 *
 * A RequestNotDelivered that is still retriable encodes to nothing (null): the connector's
 * NON_DELIVERY is final, so it hears only of the final failure.
 *
 * Correlation without state: a message Comity sends has backendMessageId = the event id and
 * conversationId = the request id. So an answer or a confirmation names its request by
 * conversationId (→ subject) and the message it refers to by refToMessageId (→ causation id, or
 * regarding_event_id). A new request's subject is `ejn:<backendMessageId>` (or
 * `ejn:<document reference>` without one). Details with no canonical field travel in the
 * `ejn.*` extensions and are written back, so encode(decode(x)) is x.
 */
import { createHash } from 'node:crypto';
import type { EventBody } from '../../core/events/bodies.js';
import type { Event } from '../../core/gen/comity/v1/event.js';
import {
  NonDeliveryReason,
  RequestDelivered,
  RequestNotDelivered,
  RequestRelayed,
  RequestRetrieved,
} from '../../core/gen/comity/v1/lifecycle.js';
import type { DocumentRef } from '../../core/gen/comity/v1/request.js';
import type { Codec, EventDraft, NativeMessage } from '../sdk/contract.js';
import { DecodeError } from '../sdk/errors.js';
import { BUSINESS_NAMESPACE, REQUEST_TYPES, decodeDocument, encodeDocument } from './documents.js';
import {
  codeAttribute,
  codeOf,
  codeTable,
  countAttribute,
  formatCount,
  formatTimestamp,
  languageAttribute,
  orEmpty,
  required,
  timestampAttribute,
} from './fields.js';
import { ElementReader, canonicalXml, checkXmlMediaType, element, parseXml, serializeXml, textElement, type XmlLimits, type XmlOut } from './xml.js';

export const NETWORK = 'ejn';
export const MESSAGE_NAMESPACE = 'urn:comity:ecodex:backend:1';
export { BUSINESS_NAMESPACE };

/** Limits when the transport does not say otherwise (the adapter's config defaults). */
export const DEFAULT_LIMITS: XmlLimits = { maxBytes: 5 * 1024 * 1024, maxDepth: 64 };

/**
 * Attributes the adapter's transport sets on every message it receives (HTTP headers arrive as
 * `http.*`, so a sender cannot set these): the configured limits and party, and, for a message
 * larger than `maxXmlBytes`, its real size — the transport then hands over only a prefix, so
 * the dead letter stays small enough for Kafka.
 */
export const TRANSPORT_ATTRIBUTES = {
  maxXmlBytes: `${NETWORK}.maxXmlBytes`,
  maxDepth: `${NETWORK}.maxDepth`,
  party: `${NETWORK}.party`,
  receivedBytes: `${NETWORK}.receivedBytes`,
} as const;

/** The `details` that have no canonical field, kept as extensions `ejn.<name>` (with `serviceType`, `<party>Type`, `<party>Role`). */
const DETAIL_FIELDS = ['backendMessageId', 'ebmsMessageId', 'originalSender', 'finalRecipient', 'action'] as const;
const PARTY_FIELDS = ['fromParty', 'toParty'] as const;

const extension = (name: string) => `${NETWORK}.${name}`;
const EXT = {
  conversationId: extension('conversationId'),
  refToMessageId: extension('refToMessageId'),
  serviceType: extension('serviceType'),
  confirmationType: extension('confirmationType'),
  evidence: extension('evidence'),
  /** Index in the body's document list of the content document, and of its detached signature. */
  document: extension('document'),
  detachedSignature: extension('detachedSignature'),
} as const;

// ---- Confirmations -------------------------------------------------------------------------

type TransportBodyType = 'comity.v1.RequestRelayed' | 'comity.v1.RequestDelivered' | 'comity.v1.RequestRetrieved' | 'comity.v1.RequestNotDelivered';

/** The connector's evidence types (ETSI REM), each with its canonical body. */
const CONFIRMATIONS: Readonly<Record<string, { body: TransportBodyType; reason?: NonDeliveryReason }>> = {
  SUBMISSION_ACCEPTANCE: { body: 'comity.v1.RequestRelayed' },
  SUBMISSION_REJECTION: { body: 'comity.v1.RequestNotDelivered', reason: NonDeliveryReason.NON_DELIVERY_REASON_REJECTED_BY_NATIVE_SYSTEM },
  RELAY_REMMD_ACCEPTANCE: { body: 'comity.v1.RequestRelayed' },
  RELAY_REMMD_REJECTION: { body: 'comity.v1.RequestNotDelivered', reason: NonDeliveryReason.NON_DELIVERY_REASON_REJECTED_BY_NATIVE_SYSTEM },
  RELAY_REMMD_FAILURE: { body: 'comity.v1.RequestNotDelivered', reason: NonDeliveryReason.NON_DELIVERY_REASON_ENDPOINT_UNAVAILABLE },
  DELIVERY: { body: 'comity.v1.RequestDelivered' },
  NON_DELIVERY: { body: 'comity.v1.RequestNotDelivered', reason: NonDeliveryReason.NON_DELIVERY_REASON_OTHER },
  RETRIEVAL: { body: 'comity.v1.RequestRetrieved' },
  NON_RETRIEVAL: { body: 'comity.v1.RequestNotDelivered', reason: NonDeliveryReason.NON_DELIVERY_REASON_OTHER },
};

/** The confirmation Comity sends for a transport body, unless the event names another of the same body. */
const DEFAULT_CONFIRMATION: Readonly<Record<TransportBodyType, string>> = {
  'comity.v1.RequestRelayed': 'RELAY_REMMD_ACCEPTANCE',
  'comity.v1.RequestDelivered': 'DELIVERY',
  'comity.v1.RequestRetrieved': 'RETRIEVAL',
  'comity.v1.RequestNotDelivered': 'NON_DELIVERY',
};

const NON_DELIVERY_REASONS = codeTable('non-delivery reason', NonDeliveryReason, 'NON_DELIVERY_REASON_');

/** `route` of a RequestRelayed made from a connector confirmation, unless the message says otherwise. */
function defaultRoute(type: string): string {
  return `ecodex:${type.toLowerCase().replace(/_/g, '-')}`;
}

// ---- Decode ----------------------------------------------------------------------------------

interface Details {
  /** Every detail present, by element name. */
  readonly fields: Readonly<Record<string, string>>;
  /** `ejn.*` extensions for the details that have no canonical field (not conversationId, refToMessageId). */
  readonly extensions: Record<string, string>;
}

function decode(native: NativeMessage): EventDraft[] {
  checkXmlMediaType(native.contentType);
  const root = parseXml(native.body, limitsOf(native.attributes), sizeOf(native));
  if (root.namespace !== MESSAGE_NAMESPACE || root.name !== 'message') {
    throw new DecodeError('NOT_ECODEX_MESSAGE', `the document element is {${root.namespace}}${root.name}, not {${MESSAGE_NAMESPACE}}message`, `/${root.name}`);
  }
  const message = new ElementReader(root, '/message');
  const details = readDetails(message.requiredChild('details'), native.attributes[TRANSPORT_ATTRIBUTES.party]);
  const content = message.child('content');
  const attachments = message.child('attachments');
  const confirmations = message.child('confirmations');
  message.done();

  if (confirmations) {
    if (content || attachments) {
      throw new DecodeError('UNEXPECTED_ELEMENT', 'a message carries business content or a confirmation, not both', `${(content ?? attachments)?.path}`);
    }
    return [decodeConfirmation(confirmations, details)];
  }
  if (!content) throw new DecodeError('MISSING_SECTION', 'the message has neither content nor a confirmation', '/message/content');
  return [decodeBusiness(content, attachments, details)];
}

function limitsOf(attributes: Readonly<Record<string, string>>): XmlLimits {
  const positive = (value: string | undefined, fallback: number) => (value !== undefined && /^[1-9]\d{0,15}$/.test(value) ? Number(value) : fallback);
  return {
    maxBytes: positive(attributes[TRANSPORT_ATTRIBUTES.maxXmlBytes], DEFAULT_LIMITS.maxBytes),
    maxDepth: positive(attributes[TRANSPORT_ATTRIBUTES.maxDepth], DEFAULT_LIMITS.maxDepth),
  };
}

function sizeOf(native: NativeMessage): number {
  const received = native.attributes[TRANSPORT_ATTRIBUTES.receivedBytes];
  return received !== undefined && /^\d{1,16}$/.test(received) ? Math.max(Number(received), native.body.length) : native.body.length;
}

function readDetails(reader: ElementReader, party: string | undefined): Details {
  const fields: Record<string, string> = {};
  const extensions: Record<string, string> = {};
  const keep = (name: string, value: string | undefined) => {
    if (value === undefined) return;
    fields[name] = value;
    extensions[extension(name)] = value;
  };
  for (const name of DETAIL_FIELDS) keep(name, reader.childText(name));
  const service = reader.child('service');
  if (service) {
    keep('service', service.requiredText());
    keep('serviceType', service.attribute('type'));
    service.done();
  }
  for (const name of PARTY_FIELDS) {
    const partyReader = reader.child(name);
    if (!partyReader) continue;
    keep(name, partyReader.requiredText());
    keep(`${name}Type`, partyReader.attribute('type'));
    keep(`${name}Role`, partyReader.attribute('role'));
    partyReader.done();
  }
  for (const name of ['refToMessageId', 'conversationId'] as const) {
    const value = reader.childText(name);
    if (value !== undefined) fields[name] = value;
  }
  reader.done();
  if (party && fields.toParty !== undefined && fields.toParty !== party) {
    throw new DecodeError('WRONG_PARTY', `the message is addressed to party "${fields.toParty}", not to this adapter's "${party}"`, `${reader.path}/toParty`);
  }
  return { fields, extensions };
}

function decodeBusiness(content: ElementReader, attachments: ElementReader | undefined, details: Details): EventDraft {
  const business = content.requiredChild('businessContent');
  const documentReader = content.child('document');
  content.done();

  const documents: DocumentRef[] = [];
  const extensions: Record<string, string> = { ...details.extensions };
  if (documentReader) {
    const signature = documentReader.child('detachedSignature');
    extensions[EXT.document] = String(documents.length);
    documents.push(readBinary(documentReader));
    if (signature) {
      extensions[EXT.detachedSignature] = String(documents.length);
      documents.push(readBinary(signature));
    }
  }
  if (attachments) {
    const entries = attachments.children('attachment');
    if (entries.length === 0) throw new DecodeError('MISSING_SECTION', 'attachments holds no attachment', `${attachments.path}/attachment`);
    for (const entry of entries) documents.push(readBinary(entry));
    attachments.done();
  }

  const { backendMessageId, ebmsMessageId, conversationId, refToMessageId } = details.fields;
  const decoded = decodeDocument(business.onlyChild(), {
    newRequestSubject: (reference) => `${NETWORK}:${backendMessageId ?? reference}`,
    documents,
    documentsPath: documentReader?.path ?? attachments?.path ?? '/message/attachments',
  });
  business.done();

  let subject: string;
  let causationId: string | undefined;
  if (decoded.newRequest) {
    subject = decoded.newRequest.subject;
    if (conversationId !== undefined && conversationId !== subject) extensions[EXT.conversationId] = conversationId;
    if (refToMessageId !== undefined) extensions[EXT.refToMessageId] = refToMessageId;
  } else {
    // An answer continues the conversation Comity opened: its id is the request id.
    subject = requiredDetail(conversationId, 'conversationId', 'an answer names its request');
    causationId = refToMessageId;
  }
  return {
    body: decoded.body,
    subject,
    ...(decoded.originState ? { originState: decoded.originState } : {}),
    targets: decoded.targets,
    ...(causationId ? { causationId } : {}),
    classification: decoded.classification,
    ...(decoded.legalBasis ? { legalBasis: decoded.legalBasis } : {}),
    ...(decoded.language ? { language: decoded.language } : {}),
    ...(decoded.requestType ? { requestType: decoded.requestType } : {}),
    extensions: { ...extensions, ...decoded.extensions },
    nativeId: ebmsMessageId ?? backendMessageId ?? decoded.newRequest?.reference ?? subject,
  };
}

function decodeConfirmation(confirmations: ElementReader, details: Details): EventDraft {
  const [reader, extra] = confirmations.children('confirmation');
  if (!reader) throw new DecodeError('MISSING_SECTION', 'confirmations holds no confirmation', `${confirmations.path}/confirmation`);
  if (extra) throw new DecodeError('UNEXPECTED_ELEMENT', 'a message carries one confirmation', extra.path);
  confirmations.done();

  const type = reader.requiredAttribute('type');
  const mapping = Object.hasOwn(CONFIRMATIONS, type) ? CONFIRMATIONS[type] : undefined;
  if (!mapping) {
    throw new DecodeError('UNKNOWN_CONFIRMATION', `"${type}" is not a connector confirmation type (${Object.keys(CONFIRMATIONS).join(', ')})`, `${reader.path}/@type`);
  }
  const subject = requiredDetail(details.fields.conversationId, 'conversationId', 'a confirmation names its request');
  const regardingEventId = requiredDetail(details.fields.refToMessageId, 'refToMessageId', 'a confirmation names the message it confirms');
  const requestType = codeAttribute(reader, 'requestType', REQUEST_TYPES);
  const network = reader.attribute('network') ?? NETWORK;
  const extensions: Record<string, string> = { ...details.extensions, [EXT.confirmationType]: type };
  const evidence = reader.childText('evidence');
  if (evidence !== undefined) {
    base64Bytes(evidence, `${reader.path}/evidence`);
    extensions[EXT.evidence] = evidence.replace(/\s+/g, '');
  }

  let body: EventBody;
  switch (mapping.body) {
    case 'comity.v1.RequestRelayed': {
      const networks = reader.attribute('networks')?.split(' ').filter(Boolean) ?? [NETWORK];
      body = RequestRelayed.fromPartial({ regardingEventId, networks, route: reader.attribute('route') ?? defaultRoute(type) });
      break;
    }
    case 'comity.v1.RequestDelivered':
      body = RequestDelivered.fromPartial({
        regardingEventId,
        network,
        nativeMessageId: orEmpty(reader.attribute('nativeMessageId')),
        deliveredAt: timestampAttribute(reader, 'time'),
      });
      break;
    case 'comity.v1.RequestRetrieved':
      body = RequestRetrieved.fromPartial({
        regardingEventId,
        network,
        authorityId: orEmpty(reader.attribute('authority')),
        retrievedAt: timestampAttribute(reader, 'time'),
      });
      break;
    case 'comity.v1.RequestNotDelivered': {
      const reasonCode = codeAttribute(reader, 'reasonCode', NON_DELIVERY_REASONS) || (mapping.reason as NonDeliveryReason);
      // A connector's negative evidence is final: nothing will retry the message.
      body = RequestNotDelivered.fromPartial({
        regardingEventId,
        network,
        reasonCode,
        reason: orEmpty(reader.childText('reason')),
        retriable: false,
        attempts: countAttribute(reader, 'attempts'),
      });
      break;
    }
  }
  reader.done();
  return {
    body,
    subject,
    causationId: regardingEventId,
    ...(requestType ? { requestType } : {}),
    extensions,
    nativeId: details.fields.ebmsMessageId ?? details.fields.backendMessageId ?? regardingEventId,
  };
}

function requiredDetail(value: string | undefined, name: string, why: string): string {
  if (value === undefined) throw new DecodeError('MISSING_SECTION', `details/${name} is required: ${why}`, `/message/details/${name}`);
  return value;
}

/**
 * A document, detached signature or attachment: name, media type, SHA-256 and size, and the
 * bytes inline (`data`, base64) or by reference (`uri`). Inline bytes are checked against the
 * declared digest and size, and kept as an RFC 2397 `data:` URI in the DocumentRef (Comity has
 * no document store yet; see README, "Limits").
 */
function readBinary(reader: ElementReader): DocumentRef {
  const name = reader.requiredAttribute('name');
  const mediaType = reader.requiredAttribute('mimeType');
  const declaredSha256 = reader.attribute('sha256');
  if (declaredSha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(declaredSha256)) {
    throw new DecodeError('INVALID_FIELD', 'sha256 must be 64 hexadecimal digits', `${reader.path}/@sha256`);
  }
  const declaredSize = reader.attribute('size') === undefined ? undefined : countAttribute(reader, 'size');
  const language = languageAttribute(reader, 'language');
  const data = reader.childText('data');
  const uri = reader.childText('uri');
  const description = orEmpty(reader.childText('description'));
  reader.done();
  if (data !== undefined && uri !== undefined) throw new DecodeError('UNEXPECTED_ELEMENT', 'give the bytes inline (data) or by reference (uri), not both', `${reader.path}/uri`);
  if (data === undefined && uri === undefined) throw new DecodeError('MISSING_SECTION', 'data (base64) or uri is required', `${reader.path}/data`);

  let sha256 = declaredSha256 === undefined ? Buffer.alloc(0) : Buffer.from(declaredSha256, 'hex');
  let sizeBytes = declaredSize ?? 0;
  let location = uri ?? '';
  if (data !== undefined) {
    const base64 = data.replace(/\s+/g, '');
    const bytes = base64Bytes(base64, `${reader.path}/data`);
    const digest = createHash('sha256').update(bytes).digest();
    if (declaredSize !== undefined && declaredSize !== bytes.length) {
      throw new DecodeError('ATTACHMENT_SIZE_MISMATCH', `size says ${declaredSize} bytes, the data has ${bytes.length}`, `${reader.path}/@size`);
    }
    if (declaredSha256 !== undefined && !digest.equals(sha256)) {
      throw new DecodeError('ATTACHMENT_DIGEST_MISMATCH', `sha256 does not match the data (its SHA-256 is ${digest.toString('hex')})`, `${reader.path}/@sha256`);
    }
    sha256 = digest;
    sizeBytes = bytes.length;
    location = `data:${mediaType};base64,${base64}`;
  }
  return { $type: 'comity.v1.DocumentRef', name, mediaType, sha256, sizeBytes, uri: location, language, description };
}

function base64Bytes(text: string, path: string): Buffer {
  const base64 = text.replace(/\s+/g, '');
  const bytes = Buffer.from(base64, 'base64');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0 || bytes.toString('base64') !== base64) {
    throw new DecodeError('INVALID_FIELD', 'not base64 (RFC 4648, with padding)', path);
  }
  return bytes;
}

// ---- Encode ----------------------------------------------------------------------------------

function encode(event: Event, body: EventBody): NativeMessage | null {
  const extensions = event.extensions;
  let parts: (XmlOut | undefined)[];
  switch (body.$type) {
    case 'comity.v1.RequestNotDelivered':
      // A failure that is still being retried is not a NON_DELIVERY evidence, which is final:
      // the connector hears of it only when the sender gives up (retriable false).
      if (body.retriable) return null;
      parts = [writeDetails(event, { refToMessageId: required(body.regardingEventId, 'regardingEventId') }), element('confirmations', [], [writeConfirmation(event, body)])];
      break;
    case 'comity.v1.RequestRelayed':
    case 'comity.v1.RequestDelivered':
    case 'comity.v1.RequestRetrieved':
      parts = [writeDetails(event, { refToMessageId: required(body.regardingEventId, 'regardingEventId') }), element('confirmations', [], [writeConfirmation(event, body)])];
      break;
    default: {
      const document = encodeDocument(event, body);
      const isRequest = body.$type === 'comity.v1.RequestSubmitted';
      const refToMessageId = isRequest ? extensions[EXT.refToMessageId] : event.causationId;
      const { content, attachments } = writeDocuments(document.documents, extensions);
      parts = [
        writeDetails(event, { refToMessageId }),
        element('content', [], [element('businessContent', [], [document.root]), content]),
        attachments.length > 0 ? element('attachments', [], attachments) : undefined,
      ];
    }
  }
  const xml = serializeXml(element('message', [['xmlns', MESSAGE_NAMESPACE]], parts));
  return { body: Buffer.from(xml, 'utf8'), contentType: 'application/xml', attributes: {} };
}

function writeDetails(event: Event, correlation: { refToMessageId?: string }): XmlOut {
  const ext = (name: string): string | undefined => event.extensions[extension(name)] || undefined;
  const party = (name: (typeof PARTY_FIELDS)[number]) =>
    textElement(name, ext(name), [
      ['type', ext(`${name}Type`)],
      ['role', ext(`${name}Role`)],
    ]);
  return element('details', [], [
    // What Comity sends carries its event id and request id, so the connector's answers and
    // confirmations can name them back; what came from the connector keeps its own ids.
    textElement('backendMessageId', ext('backendMessageId') ?? event.id),
    textElement('ebmsMessageId', ext('ebmsMessageId')),
    textElement('refToMessageId', correlation.refToMessageId),
    textElement('conversationId', ext('conversationId') ?? event.subject),
    textElement('originalSender', ext('originalSender')),
    textElement('finalRecipient', ext('finalRecipient')),
    textElement('service', ext('service'), [['type', ext('serviceType')]]),
    textElement('action', ext('action')),
    party('fromParty'),
    party('toParty'),
  ]);
}

function writeConfirmation(event: Event, body: RequestRelayed | RequestDelivered | RequestRetrieved | RequestNotDelivered): XmlOut {
  const named = event.extensions[EXT.confirmationType];
  const type = named !== undefined && Object.hasOwn(CONFIRMATIONS, named) && CONFIRMATIONS[named]?.body === body.$type ? named : DEFAULT_CONFIRMATION[body.$type];
  const common: [string, string | undefined][] = [
    ['type', type],
    ['requestType', codeOf(REQUEST_TYPES, event.requestType, 'requestType')],
  ];
  const network = (value: string) => (value === NETWORK ? undefined : value);
  const evidence = textElement('evidence', event.extensions[EXT.evidence]);
  switch (body.$type) {
    case 'comity.v1.RequestRelayed':
      return element('confirmation', [
        ...common,
        ['networks', body.networks.length === 1 && body.networks[0] === NETWORK ? undefined : body.networks.join(' ')],
        ['route', body.route === defaultRoute(type) ? undefined : body.route],
      ], [evidence]);
    case 'comity.v1.RequestDelivered':
      return element('confirmation', [
        ...common,
        ['network', network(body.network)],
        ['nativeMessageId', body.nativeMessageId],
        ['time', formatTimestamp(body.deliveredAt)],
      ], [evidence]);
    case 'comity.v1.RequestRetrieved':
      return element('confirmation', [
        ...common,
        ['network', network(body.network)],
        ['authority', body.authorityId],
        ['time', formatTimestamp(body.retrievedAt)],
      ], [evidence]);
    case 'comity.v1.RequestNotDelivered':
      return element('confirmation', [
        ...common,
        ['network', network(body.network)],
        ['reasonCode', body.reasonCode === CONFIRMATIONS[type]?.reason ? undefined : codeOf(NON_DELIVERY_REASONS, body.reasonCode, 'reasonCode')],
        ['attempts', formatCount(body.attempts)],
      ], [textElement('reason', body.reason), evidence]);
  }
}

/** The body's documents, back where they came from: the content document with its signature, and attachments. */
function writeDocuments(documents: readonly DocumentRef[], extensions: Readonly<Record<string, string>>): { content?: XmlOut; attachments: XmlOut[] } {
  const index = (key: string): number | undefined => {
    const value = extensions[key];
    if (value === undefined || !/^\d{1,6}$/.test(value) || Number(value) >= documents.length) return undefined;
    return Number(value);
  };
  const documentIndex = index(EXT.document);
  const signatureIndex = documentIndex === undefined ? undefined : index(EXT.detachedSignature);
  const content =
    documentIndex === undefined
      ? undefined
      : writeBinary('document', documents[documentIndex] as DocumentRef, `documents.${documentIndex}`, [
          signatureIndex === undefined || signatureIndex === documentIndex
            ? undefined
            : writeBinary('detachedSignature', documents[signatureIndex] as DocumentRef, `documents.${signatureIndex}`),
        ]);
  const attachments = documents
    .map((document, at) => (at === documentIndex || (content && at === signatureIndex) ? undefined : writeBinary('attachment', document, `documents.${at}`)))
    .filter((entry): entry is XmlOut => entry !== undefined);
  return { content, attachments };
}

function writeBinary(name: string, document: DocumentRef, field: string, children: (XmlOut | undefined)[] = []): XmlOut {
  const inline = /^data:[^,]*;base64,(.*)$/s.exec(document.uri);
  return element(
    name,
    [
      ['name', required(document.name, `${field}.name`)],
      ['mimeType', required(document.mediaType, `${field}.mediaType`)],
      ['sha256', document.sha256.length > 0 ? Buffer.from(document.sha256).toString('hex') : undefined],
      ['size', inline || document.sizeBytes > 0 ? String(document.sizeBytes) : undefined],
      ['language', document.language],
    ],
    [inline ? textElement('data', inline[1]) : textElement('uri', required(document.uri, `${field}.uri`)), textElement('description', document.description), ...children],
  );
}

// ---- The codec -------------------------------------------------------------------------------

/** Limits for comparing documents: fixtures and re-encoded messages, never network input. */
const NORMALIZE_LIMITS: XmlLimits = { maxBytes: 64 * 1024 * 1024, maxDepth: 256 };

export const ejnEcodexCodec: Codec = {
  decode,
  encode,
  /** The same message: the same elements, attributes and text, whatever the prefixes, attribute order and indentation. */
  normalize: (native) => canonicalXml(parseXml(native.body, NORMALIZE_LIMITS)),
};
