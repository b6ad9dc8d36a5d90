/**
 * WACAP e-mail (`wacap-mail-form`) ⇄ canonical events. Pure: no I/O, no clock, no randomness
 * (the conformance kit checks the imports).
 *
 * Wire, inbound: one e-mail from a focal point, the bytes as received over SMTP
 * (`message/rfc822`), with the attributes the transport read from them with mailparser (mail.ts:
 * text body, subject, ids, attachments with SHA-256, limits). The text body holds one form
 * (form.ts grammar; FORMAT.md for people) between `=== WACAP : <KIND> ===` and
 * `=== FIN / END ===`, with bilingual French / English labels:
 *   DEMANDE / REQUEST                                   ⇄ RequestSubmitted (subject wacap:<State>:<Référence>)
 *   ACCUSÉ DE RÉCEPTION / ACKNOWLEDGEMENT OF RECEIPT    ⇄ RequestAcknowledged
 *   DEMANDE DE COMPLÉMENT D'INFORMATION / …             ⇄ AdditionalInformationRequested
 *   COMPLÉMENT D'INFORMATION / ADDITIONAL INFORMATION   ⇄ AdditionalInformationProvided
 *   ACCEPTATION / ACCEPTANCE                            ⇄ RequestRecognised
 *   REPORT DE L'EXÉCUTION / POSTPONEMENT                ⇄ RequestPostponed
 *   EXÉCUTION / EXECUTION                               ⇄ RequestExecuted
 *   EXÉCUTION PARTIELLE / PARTIAL EXECUTION             ⇄ RequestPartiallyExecuted
 *   REFUS / REFUSAL                                     ⇄ RequestRefused
 *   RETRAIT / WITHDRAWAL                                ⇄ RequestWithdrawn
 *   AVIS DE NON-REMISE / NON-DELIVERY NOTICE            ⇐ RequestNotDelivered (out only)
 * The files attached to the e-mail are the request's documents: referenced by SHA-256 as
 * `comity-doc://wacap/<sha256>` (the transport keeps the bytes), never carried in the event.
 * Answers name the request by `Référence Comity / Comity reference`; In-Reply-To names the
 * Comity message answered (causation). What the e-mail says that has no canonical field (its
 * subject, the covering letter around the form, remarks…) travels in extensions `wacap.<name>`.
 *
 * Wire, outbound: an {@link OutboundMail} in JSON (the same form as text, the subject,
 * threading, the documents to attach); the transport builds the MIME message with nodemailer.
 * RequestDelivered, RequestRelayed, RequestRetrieved and events that are not about a request
 * have no e-mail: encode returns null. OnwardTransferConsented has no form: UNSUPPORTED_EVENT.
 *
 * Decode refuses, with these codes: WRONG_CONTENT_TYPE, NOT_AN_EMAIL, NOT_PARSED,
 * PARSE_MISMATCH, TOO_MANY_PARTS, HEADER_TOO_LARGE, MIME_MALFORMED, TOO_MANY_ATTACHMENTS,
 * ATTACHMENT_TOO_LARGE, TEXT_TOO_LARGE, BROKEN_ENCODING, then the form's: MISSING_FORM,
 * UNKNOWN_FORM_KIND, FORM_NOT_CLOSED, INVALID_FORM, UNKNOWN_SECTION, UNEXPECTED_SECTION,
 * DUPLICATE_SECTION, UNKNOWN_FIELD, UNEXPECTED_FIELD, DUPLICATE_FIELD, UNEXPECTED_TEXT,
 * MISSING_FIELD, INVALID_FIELD, INVALID_REFERENCE, DOCUMENT_MISMATCH, UNEXPECTED_ATTACHMENT,
 * SENDER_STATE_MISMATCH, NOTICE_NOT_ACCEPTED.
 */
import { createHash } from 'node:crypto';
import { bodyMessageType, type EventBody } from '../../core/events/bodies.js';
import { Classification, LegalBasis, Target, classificationToJSON, type Event } from '../../core/gen/comity/v1/event.js';
import {
  AdditionalInformationProvided,
  AdditionalInformationRequested,
  NonDeliveryReason,
  RefusalGroundCode,
  RequestAcknowledged,
  RequestExecuted,
  RequestPartiallyExecuted,
  RequestPostponed,
  RequestRecognised,
  RequestRefused,
  RequestSubmitted,
  RequestWithdrawn,
  type RefusalGround,
  type RequestNotDelivered,
} from '../../core/gen/comity/v1/lifecycle.js';
import {
  AuthorityKind,
  IdentityDocumentKind,
  PersonKind,
  PersonRole,
  type Address,
  type Authority,
  type IdentityDocument,
  type Offence,
  type Person,
} from '../../core/gen/comity/v1/offence.js';
import {
  AssuranceKind,
  MeasureKind,
  RequestType,
  SurrenderPurpose,
  Urgency,
  requestTypeToJSON,
  type Assurance,
  type DeepPartial,
  type DocumentRef,
  type Measure,
  type Request,
} from '../../core/gen/comity/v1/request.js';
import { isIccsCode } from '../../core/reference/iccs.js';
import type { Codec, EventDraft, NativeMessage } from '../sdk/contract.js';
import { DecodeError, EncodeError } from '../sdk/errors.js';
import { parseForm, renderForm, type FormDocument, type FormSection, type FormToWrite, type SectionToWrite } from './form.js';
import {
  ASSURANCE_KINDS,
  AUTHORITY_KINDS,
  IDENTITY_DOCUMENT_KINDS,
  KINDS,
  MEASURE_KINDS,
  NON_DELIVERY_CAUSES,
  PERSON_KINDS,
  PERSON_ROLES,
  REFUSAL_GROUNDS,
  REQUEST_TYPES,
  SECTIONS,
  SURRENDER_PURPOSES,
  URGENCIES,
  written,
  type CodeList,
  type FormKind,
} from './labels.js';
import {
  ATTRIBUTES,
  DEFAULT_LIMITS,
  DOCUMENT_URI_PREFIX,
  MAIL_MEDIA_TYPE,
  OUTBOUND_MEDIA_TYPE,
  documentUri,
  mailAttachment,
  outboundMail,
  type MailAttachment,
  type OutboundAttachment,
  type OutboundMail,
} from './mail.js';
import { iccsForLabel } from './offences.js';
import { FormReader, type FieldReader } from './reader.js';
import {
  oneLine,
  readCode,
  readCount,
  readInstant,
  readLanguage,
  readLanguages,
  readNumbers,
  readPartialDate,
  readSha256,
  readState,
  readStates,
  readYesNo,
  splitItems,
  splitLines,
  splitList,
  splitNames,
  writeCode,
  writeItems,
  writeInstant,
  writeYesNo,
  type ValueSource,
} from './values.js';

export const NETWORK = 'wacap';

/** Extension keys on events (`wacap.<name>`). */
export const EXTENSIONS = {
  /** The e-mail's Subject. */
  subject: 'wacap.subject',
  /** Text before the form (a covering letter). */
  preamble: 'wacap.preamble',
  /** Text after the form (signature, disclaimer, a quoted message). */
  postscript: 'wacap.postscript',
  /** In-Reply-To as the focal point's message had it. */
  inReplyTo: 'wacap.inReplyTo',
  /** The focal point's address that sent the e-mail (for audit; not sent back). */
  sender: 'wacap.sender',
  /** `Observations / Remarks`. */
  remarks: 'wacap.remarks',
  /** An answer's `Référence`, where its body has no field for it. */
  reference: 'wacap.reference',
  /** An answer's `Date`, where its body has no field for it (RFC 3339). */
  date: 'wacap.date',
} as const;

// ---- The e-mail as the transport read it ------------------------------------------------

/** What the codec needs of an e-mail, from the transport's attributes or an outbound message. */
interface MailFacts {
  readonly text: string;
  readonly subject?: string;
  readonly messageId?: string;
  readonly inReplyTo?: string;
  readonly from?: string;
  readonly senderState?: string;
  /** Attached documents (not the inline images of an HTML body). */
  readonly attachments: readonly Pick<MailAttachment, 'name' | 'mediaType' | 'size' | 'sha256'>[];
}

function readInboundMail(native: NativeMessage, withSender: boolean): MailFacts {
  const mediaType = native.contentType.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== MAIL_MEDIA_TYPE) {
    throw new DecodeError('WRONG_CONTENT_TYPE', `expected an e-mail (message/rfc822), got ${JSON.stringify(native.contentType.slice(0, 100))}`, 'content-type');
  }
  if (native.body.length === 0) throw new DecodeError('NOT_AN_EMAIL', 'the message is empty', 'byte 0');
  const attributes = native.attributes;
  const declared = attributes[ATTRIBUTES.sha256];
  if (declared === undefined) {
    throw new DecodeError('NOT_PARSED', 'the e-mail comes without the reading of the WACAP transport (attribute wacap.sha256): only the transport hands e-mails to this codec', 'attributes');
  }
  if (createHash('sha256').update(native.body).digest('hex') !== declared.toLowerCase()) {
    throw new DecodeError('PARSE_MISMATCH', 'the attributes were read from other bytes than the message (wacap.sha256 differs)', 'attributes');
  }
  const parseError = attributes[ATTRIBUTES.parseError];
  if (parseError !== undefined) {
    if (/child nodes/i.test(parseError)) {
      throw new DecodeError('TOO_MANY_PARTS', `the e-mail has more MIME parts than allowed (a MIME bomb?): ${parseError}`, 'MIME structure');
    }
    if (/head/i.test(parseError)) throw new DecodeError('HEADER_TOO_LARGE', `a MIME header block is too large: ${parseError}`, 'MIME structure');
    throw new DecodeError('MIME_MALFORMED', `the e-mail could not be read as MIME: ${parseError}`, 'MIME structure');
  }
  const from = attributes[ATTRIBUTES.from];
  if (!from) throw new DecodeError('NOT_AN_EMAIL', 'the message has no From header: it is not an e-mail', 'header From');

  let attachments: MailAttachment[];
  try {
    attachments = mailAttachment.array().parse(JSON.parse(attributes[ATTRIBUTES.attachments] ?? '[]'));
  } catch (cause) {
    throw new DecodeError('NOT_PARSED', `attribute ${ATTRIBUTES.attachments} is not the transport's list of attachments`, 'attributes', { cause });
  }
  const limit = (name: string, fallback: number) => {
    const value = Number.parseInt(attributes[name] ?? '', 10);
    return Number.isSafeInteger(value) && value > 0 ? value : fallback;
  };
  const maxAttachments = limit(ATTRIBUTES.maxAttachments, DEFAULT_LIMITS.maxAttachments);
  const maxAttachmentBytes = limit(ATTRIBUTES.maxAttachmentBytes, DEFAULT_LIMITS.maxAttachmentBytes);
  const maxTextBytes = limit(ATTRIBUTES.maxTextBytes, DEFAULT_LIMITS.maxTextBytes);
  const documents = attachments.filter((attachment) => !attachment.related);
  if (attachments.length > maxAttachments) {
    throw new DecodeError('TOO_MANY_ATTACHMENTS', `the e-mail has ${attachments.length} attached files; at most ${maxAttachments} are accepted`, 'attachments');
  }
  for (const attachment of attachments) {
    if (attachment.size > maxAttachmentBytes) {
      throw new DecodeError(
        'ATTACHMENT_TOO_LARGE',
        `the attached file "${attachment.name}" has ${attachment.size} bytes; the limit is ${maxAttachmentBytes}`,
        `attachment ${attachment.partId}`,
      );
    }
    if (garbled(attachment.name)) throw new DecodeError('BROKEN_ENCODING', 'an attached file name is not valid in its declared character set', `attachment ${attachment.partId}`);
  }
  const subject = attributes[ATTRIBUTES.subject];
  if (subject !== undefined && garbled(subject)) throw new DecodeError('BROKEN_ENCODING', 'the Subject is not valid in its declared character set', 'header Subject');
  const text = attributes[ATTRIBUTES.text];
  if (text === undefined) {
    const size = attributes[ATTRIBUTES.textBytes];
    if (size !== undefined) throw new DecodeError('TEXT_TOO_LARGE', `the text of the e-mail has ${size} bytes; the limit is ${maxTextBytes}`, 'body');
    throw new DecodeError('MISSING_FORM', 'the e-mail has no text body, so no form', 'body');
  }
  if (Buffer.byteLength(text, 'utf8') > maxTextBytes) {
    throw new DecodeError('TEXT_TOO_LARGE', `the text of the e-mail has ${Buffer.byteLength(text, 'utf8')} bytes; the limit is ${maxTextBytes}`, 'body');
  }
  checkText(text);
  return {
    text,
    subject,
    messageId: attributes[ATTRIBUTES.messageId],
    inReplyTo: attributes[ATTRIBUTES.inReplyTo],
    from: withSender ? from : undefined,
    senderState: withSender ? attributes[ATTRIBUTES.senderState] : undefined,
    attachments: documents,
  };
}

/**
 * Whether text did not survive decoding: mailparser replaces bytes that are invalid in the
 * declared character set (or in UTF-8, for a character set it does not know) with U+FFFD, and a
 * NUL or another control character means the declared character set was wrong.
 */
function garbled(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\uFFFD\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|\p{Cs}/u.test(text);
}

function checkText(text: string): void {
  if (!garbled(text)) return;
  const lines = text.split('\n');
  const at = lines.findIndex((line) => garbled(line));
  throw new DecodeError(
    'BROKEN_ENCODING',
    'the text is not valid in its declared character set (bytes that could not be decoded, or control characters)',
    `line ${at + 1}`,
  );
}

/** The facts of an outbound message, for {@link normalize}. */
function readOutboundMail(native: NativeMessage): MailFacts {
  const mail = outboundMail.parse(JSON.parse(native.body.toString('utf8')));
  return {
    text: mail.text,
    subject: mail.subject,
    inReplyTo: mail.inReplyTo ?? (mail.inReplyToEvent ? `<${mail.inReplyToEvent}@comity>` : undefined),
    attachments: mail.attachments,
  };
}

// ---- Decode: e-mail → drafts -------------------------------------------------------------

function decode(native: NativeMessage): EventDraft[] {
  const mail = readInboundMail(native, true);
  const draft = draftOf(parseForm(mail.text), mail);
  const senderState = mail.senderState;
  if (senderState && draft.originState && draft.originState !== senderState) {
    throw new DecodeError(
      'SENDER_STATE_MISMATCH',
      `the form speaks for ${draft.originState}, but it was sent by a focal point of ${senderState}`,
      draft.body.$type === 'comity.v1.RequestSubmitted' ? `section "${written(KINDS.request)}"` : 'section "Autorité / Authority"',
    );
  }
  return [draft];
}

function draftOf(document: FormDocument, mail: MailFacts): EventDraft {
  const form = new FormReader(document);
  const extensions: Record<string, string> = {};
  if (mail.subject) extensions[EXTENSIONS.subject] = mail.subject;
  if (document.preamble) extensions[EXTENSIONS.preamble] = document.preamble;
  if (document.postscript) extensions[EXTENSIONS.postscript] = document.postscript;
  if (mail.inReplyTo) extensions[EXTENSIONS.inReplyTo] = mail.inReplyTo;
  if (mail.from) extensions[EXTENSIONS.sender] = mail.from;
  const remarks = form.head.text('remarks');
  if (remarks !== undefined) extensions[EXTENSIONS.remarks] = remarks;
  const causationId = causationOf(mail.inReplyTo);
  const nativeId = mail.messageId ? mail.messageId.replace(/^<|>$/g, '') : undefined;

  const draft =
    document.kind === 'request'
      ? requestDraft(form, mail)
      : document.kind === 'notDelivered'
        ? notice(form)
        : answerDraft(document.kind, form, mail, extensions, causationId);
  form.done();
  return {
    ...draft,
    ...(causationId && document.kind !== 'request' ? { causationId } : {}),
    extensions,
    ...(nativeId ? { nativeId } : {}),
  };
}

const UUID = /^<([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@[^>\s]+>$/i;

/** The Comity event a reply answers: Comity's messages have Message-ID `<event id@domain>`. */
function causationOf(inReplyTo: string | undefined): string | undefined {
  return inReplyTo ? UUID.exec(inReplyTo.trim())?.[1]?.toLowerCase() : undefined;
}

function notice(form: FormReader): never {
  throw new DecodeError(
    'NOTICE_NOT_ACCEPTED',
    `a focal point cannot send a "${written(KINDS.notDelivered)}": Comity writes those`,
    `line ${form.document.line}`,
  );
}

const REQUEST_TYPE_OF: Readonly<Record<keyof typeof REQUEST_TYPES, RequestType>> = {
  mla: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
  extradition: RequestType.REQUEST_TYPE_EXTRADITION,
  provisionalArrest: RequestType.REQUEST_TYPE_EXTRADITION,
  spontaneousInformation: RequestType.REQUEST_TYPE_SPONTANEOUS_INFORMATION,
};

const URGENCY_OF: Readonly<Record<keyof typeof URGENCIES, Urgency>> = {
  normal: Urgency.URGENCY_NORMAL,
  urgent: Urgency.URGENCY_URGENT,
  immediate: Urgency.URGENCY_IMMEDIATE,
};

const AUTHORITY_KIND_OF: Readonly<Record<keyof typeof AUTHORITY_KINDS, AuthorityKind>> = {
  judicial: AuthorityKind.AUTHORITY_KIND_JUDICIAL,
  prosecution: AuthorityKind.AUTHORITY_KIND_PROSECUTION,
  police: AuthorityKind.AUTHORITY_KIND_POLICE,
  centralAuthority: AuthorityKind.AUTHORITY_KIND_CENTRAL_AUTHORITY,
  ministry: AuthorityKind.AUTHORITY_KIND_MINISTRY,
  assetRecovery: AuthorityKind.AUTHORITY_KIND_ASSET_RECOVERY_OFFICE,
  other: AuthorityKind.AUTHORITY_KIND_OTHER,
};

const PERSON_ROLE_OF: Readonly<Record<keyof typeof PERSON_ROLES, PersonRole>> = {
  suspect: PersonRole.PERSON_ROLE_SUSPECT,
  accused: PersonRole.PERSON_ROLE_ACCUSED,
  convicted: PersonRole.PERSON_ROLE_CONVICTED,
  victim: PersonRole.PERSON_ROLE_VICTIM,
  witness: PersonRole.PERSON_ROLE_WITNESS,
  other: PersonRole.PERSON_ROLE_OTHER,
};

const PERSON_KIND_OF: Readonly<Record<keyof typeof PERSON_KINDS, PersonKind>> = {
  natural: PersonKind.PERSON_KIND_NATURAL,
  legal: PersonKind.PERSON_KIND_LEGAL,
};

const IDENTITY_DOCUMENT_OF: Readonly<Record<keyof typeof IDENTITY_DOCUMENT_KINDS, IdentityDocumentKind>> = {
  passport: IdentityDocumentKind.IDENTITY_DOCUMENT_KIND_PASSPORT,
  nationalIdCard: IdentityDocumentKind.IDENTITY_DOCUMENT_KIND_NATIONAL_ID_CARD,
  personalNumber: IdentityDocumentKind.IDENTITY_DOCUMENT_KIND_PERSONAL_NUMBER,
  residencePermit: IdentityDocumentKind.IDENTITY_DOCUMENT_KIND_RESIDENCE_PERMIT,
  drivingLicence: IdentityDocumentKind.IDENTITY_DOCUMENT_KIND_DRIVING_LICENCE,
  other: IdentityDocumentKind.IDENTITY_DOCUMENT_KIND_OTHER,
};

const MEASURE_KIND_OF: Readonly<Record<keyof typeof MEASURE_KINDS, MeasureKind>> = {
  takingEvidence: MeasureKind.MEASURE_KIND_TAKING_EVIDENCE,
  serviceOfDocuments: MeasureKind.MEASURE_KIND_SERVICE_OF_DOCUMENTS,
  searchAndSeizure: MeasureKind.MEASURE_KIND_SEARCH_AND_SEIZURE,
  freezing: MeasureKind.MEASURE_KIND_FREEZING,
  examination: MeasureKind.MEASURE_KIND_EXAMINATION_OF_OBJECTS_AND_SITES,
  information: MeasureKind.MEASURE_KIND_INFORMATION_AND_EXPERT_EVALUATION,
  records: MeasureKind.MEASURE_KIND_DOCUMENTS_AND_RECORDS,
  tracingProceeds: MeasureKind.MEASURE_KIND_TRACING_PROCEEDS,
  voluntaryAppearance: MeasureKind.MEASURE_KIND_VOLUNTARY_APPEARANCE,
  videoconference: MeasureKind.MEASURE_KIND_HEARING_BY_VIDEOCONFERENCE,
  temporaryTransfer: MeasureKind.MEASURE_KIND_TEMPORARY_TRANSFER,
  bankInformation: MeasureKind.MEASURE_KIND_BANK_INFORMATION,
  interception: MeasureKind.MEASURE_KIND_INTERCEPTION_OF_COMMUNICATIONS,
  covert: MeasureKind.MEASURE_KIND_COVERT_INVESTIGATION,
  controlledDelivery: MeasureKind.MEASURE_KIND_CONTROLLED_DELIVERY,
  electronicEvidence: MeasureKind.MEASURE_KIND_ELECTRONIC_EVIDENCE,
  dataPreservation: MeasureKind.MEASURE_KIND_DATA_PRESERVATION,
  other: MeasureKind.MEASURE_KIND_OTHER,
};

const SURRENDER_PURPOSE_OF: Readonly<Record<keyof typeof SURRENDER_PURPOSES, SurrenderPurpose>> = {
  prosecution: SurrenderPurpose.SURRENDER_PURPOSE_PROSECUTION,
  sentence: SurrenderPurpose.SURRENDER_PURPOSE_EXECUTION_OF_SENTENCE,
};

const ASSURANCE_KIND_OF: Readonly<Record<keyof typeof ASSURANCE_KINDS, AssuranceKind>> = {
  noDeathPenalty: AssuranceKind.ASSURANCE_KIND_NO_DEATH_PENALTY,
  speciality: AssuranceKind.ASSURANCE_KIND_SPECIALITY,
  retrial: AssuranceKind.ASSURANCE_KIND_RETRIAL_AFTER_IN_ABSENTIA,
  lifeReview: AssuranceKind.ASSURANCE_KIND_LIFE_SENTENCE_REVIEW,
  returnToServe: AssuranceKind.ASSURANCE_KIND_RETURN_TO_SERVE_SENTENCE,
  detentionConditions: AssuranceKind.ASSURANCE_KIND_DETENTION_CONDITIONS,
  noReExtradition: AssuranceKind.ASSURANCE_KIND_NO_RE_EXTRADITION,
  other: AssuranceKind.ASSURANCE_KIND_OTHER,
};

const REFUSAL_GROUND_OF: Readonly<Record<keyof typeof REFUSAL_GROUNDS, RefusalGroundCode>> = {
  dualCriminality: RefusalGroundCode.REFUSAL_GROUND_CODE_DUAL_CRIMINALITY,
  neBisInIdem: RefusalGroundCode.REFUSAL_GROUND_CODE_NE_BIS_IN_IDEM,
  political: RefusalGroundCode.REFUSAL_GROUND_CODE_POLITICAL_OFFENCE,
  military: RefusalGroundCode.REFUSAL_GROUND_CODE_MILITARY_OFFENCE,
  fiscal: RefusalGroundCode.REFUSAL_GROUND_CODE_FISCAL_OFFENCE,
  deathPenalty: RefusalGroundCode.REFUSAL_GROUND_CODE_DEATH_PENALTY,
  humanRights: RefusalGroundCode.REFUSAL_GROUND_CODE_HUMAN_RIGHTS,
  essentialInterests: RefusalGroundCode.REFUSAL_GROUND_CODE_ESSENTIAL_INTERESTS,
  immunity: RefusalGroundCode.REFUSAL_GROUND_CODE_IMMUNITY_OR_PRIVILEGE,
  territoriality: RefusalGroundCode.REFUSAL_GROUND_CODE_TERRITORIALITY,
  limitation: RefusalGroundCode.REFUSAL_GROUND_CODE_STATUTE_OF_LIMITATIONS,
  insufficientInformation: RefusalGroundCode.REFUSAL_GROUND_CODE_INSUFFICIENT_INFORMATION,
  disproportionality: RefusalGroundCode.REFUSAL_GROUND_CODE_DISPROPORTIONALITY,
  nationality: RefusalGroundCode.REFUSAL_GROUND_CODE_NATIONALITY,
  amnesty: RefusalGroundCode.REFUSAL_GROUND_CODE_AMNESTY,
  age: RefusalGroundCode.REFUSAL_GROUND_CODE_AGE_OF_CRIMINAL_RESPONSIBILITY,
  pendingProceedings: RefusalGroundCode.REFUSAL_GROUND_CODE_PENDING_PROCEEDINGS,
  inAbsentia: RefusalGroundCode.REFUSAL_GROUND_CODE_TRIAL_IN_ABSENTIA,
  penaltyThreshold: RefusalGroundCode.REFUSAL_GROUND_CODE_PENALTY_THRESHOLD,
  measureUnavailable: RefusalGroundCode.REFUSAL_GROUND_CODE_MEASURE_UNAVAILABLE,
  other: RefusalGroundCode.REFUSAL_GROUND_CODE_OTHER,
};

const NON_DELIVERY_CAUSE_OF: Readonly<Record<keyof typeof NON_DELIVERY_CAUSES, NonDeliveryReason>> = {
  endpointUnavailable: NonDeliveryReason.NON_DELIVERY_REASON_ENDPOINT_UNAVAILABLE,
  rejected: NonDeliveryReason.NON_DELIVERY_REASON_REJECTED_BY_NATIVE_SYSTEM,
  translationFailed: NonDeliveryReason.NON_DELIVERY_REASON_TRANSLATION_FAILED,
  signatureInvalid: NonDeliveryReason.NON_DELIVERY_REASON_SIGNATURE_INVALID,
  sealInvalid: NonDeliveryReason.NON_DELIVERY_REASON_SEAL_INVALID,
  recipientUnknown: NonDeliveryReason.NON_DELIVERY_REASON_RECIPIENT_UNKNOWN,
  policyDenied: NonDeliveryReason.NON_DELIVERY_REASON_POLICY_DENIED,
  retriesExhausted: NonDeliveryReason.NON_DELIVERY_REASON_RETRIES_EXHAUSTED,
  other: NonDeliveryReason.NON_DELIVERY_REASON_OTHER,
};

/** A code list read into the schema's enum. */
function code<K extends string, E>(fields: FieldReader, key: string, list: CodeList<K>, of: Readonly<Record<K, E>>, what: string): E | undefined {
  const value = fields.read(key, (source) => readCode(source, list, what));
  return value === undefined ? undefined : of[value];
}

/** The key of a code list for a schema enum value, or undefined for the unspecified one. */
function keyOf<K extends string, E>(of: Readonly<Record<K, E>>, value: E): K | undefined {
  return (Object.keys(of) as K[]).find((key) => of[key] === value);
}

function requestDraft(form: FormReader, mail: MailFacts): Omit<EventDraft, 'extensions'> {
  const head = form.head;
  const reference = head.requiredLine('reference');
  if (reference.length > 200) throw new DecodeError('INVALID_FIELD', 'the reference is longer than 200 characters', `line ${head.source('reference')?.line ?? 0}`);
  const comityReference = head.line('comityReference');
  const typeKey = head.required('requestType', (source) => readCode(source, REQUEST_TYPES, 'a request type WACAP carries'));
  const requestType = REQUEST_TYPE_OF[typeKey];
  const language = head.required('language', readLanguage);
  const requestedState = head.required('requestedState', readState);
  const instrument = head.line('legalInstrument');
  const article = head.line('legalArticle');
  const note = head.text('legalNote');
  const confidential = head.read('confidential', readYesNo) ?? false;

  const requestingSection = form.single('requestingAuthority');
  if (!requestingSection) throw new DecodeError('MISSING_FIELD', `a request must have the section "${written(SECTIONS.requestingAuthority.label)}"`, `line ${form.document.line}`);
  const requesting = authorityOf(form.fields(requestingSection), true);
  const requestedSection = form.single('requestedAuthority');
  const requested = requestedSection ? authorityOf(form.fields(requestedSection), false) : undefined;
  const requestingState = requesting.state as string;
  const subject = comityReference ?? `${NETWORK}:${requestingState}:${reference}`;

  const persons = form.repeated('person');
  const personRef = numberedRefs(persons, 'p');
  const measures = form.repeated('measure');
  const offenceLanguage = language;

  const request: DeepPartial<Request> = {
    requestId: subject,
    nativeReference: reference,
    requestType,
    issuedAt: head.read('date', readInstant),
    signatory: head.line('signatory') ?? '',
    relatedRequestIds: head.read('relatedRequests', (source) => splitList(oneLine(source))) ?? [],
    requestingAuthority: requesting,
    requestedState,
    requestedAuthority: requested ? { ...requested, state: requested.state || requestedState } : undefined,
    urgency: code(head, 'urgency', URGENCIES, URGENCY_OF, 'a degree of urgency') ?? Urgency.URGENCY_UNSPECIFIED,
    urgencyReason: head.text('urgencyReason') ?? '',
    deadline: head.read('deadline', readInstant),
    summaryOfFacts: form.text('facts') ?? '',
    offences: form.repeated('offence').map((section, index) => offenceOf(form.fields(section), index, offenceLanguage)),
    persons: persons.map((section, index) => personOf(form.fields(section), index)),
    measures: measures.map((section, index) => measureOf(form.fields(section), index, personRef)),
    attachments: documentsOf(form, mail),
    ...requestDetails(form, typeKey, confidential, personRef),
  };
  return {
    subject,
    body: RequestSubmitted.fromPartial({ request }),
    originState: requestingState,
    targets: [{ state: requestedState, ...(requested?.id ? { authority: requested.id } : {}) }],
    classification: confidential ? Classification.CLASSIFICATION_CONFIDENTIAL : Classification.CLASSIFICATION_RESTRICTED,
    ...(instrument !== undefined || article !== undefined || note !== undefined
      ? { legalBasis: { instrument: instrument ?? '', article: article ?? '', note: note ?? '' } }
      : {}),
    language,
    requestType,
  };
}

/** The `details` branch of a request, from the section its type calls for (and no other). */
function requestDetails(form: FormReader, type: keyof typeof REQUEST_TYPES, confidential: boolean, personRef: PersonRefs): DeepPartial<Request> {
  switch (type) {
    case 'mla': {
      const section = form.single('assistance');
      const fields = section ? form.fields(section) : undefined;
      const details = {
        mutualLegalAssistance: {
          proceedingsDescription: fields?.text('proceedings') ?? '',
          purpose: fields?.text('purpose') ?? '',
          formalities: fields?.text('formalities') ?? '',
          confidentialityRequested: confidential,
          specialityUndertaking: fields?.read('speciality', readYesNo) ?? false,
          presenceOfOfficialsRequested: fields?.read('officials', readYesNo) ?? false,
        },
      };
      fields?.done();
      return details;
    }
    case 'extradition':
    case 'provisionalArrest': {
      const section = form.single('extradition');
      const fields = section ? form.fields(section) : undefined;
      const sentenceDescription = fields?.text('sentence');
      const sentenceMonths = fields?.read('sentenceMonths', readCount);
      const sentenceLife = fields?.read('sentenceLife', readYesNo);
      const remainingMonths = fields?.read('remainingMonths', readCount);
      const finalOn = fields?.read('finalOn', readPartialDate);
      const hasSentence = [sentenceDescription, sentenceMonths, sentenceLife, remainingMonths, finalOn].some((value) => value !== undefined);
      const details = {
        extradition: {
          personSoughtRef: fields?.read('personSought', (source) => personRef.one(source)) ?? '',
          purpose: code(fields ?? EMPTY_FIELDS, 'purpose', SURRENDER_PURPOSES, SURRENDER_PURPOSE_OF, 'a purpose of extradition') ?? SurrenderPurpose.SURRENDER_PURPOSE_UNSPECIFIED,
          warrantOrJudgmentReference: fields?.text('decision') ?? '',
          warrantOrJudgmentDate: fields?.read('decisionDate', readPartialDate) ?? '',
          sentence: hasSentence
            ? {
                description: sentenceDescription ?? '',
                termMonths: sentenceMonths ?? 0,
                life: sentenceLife ?? false,
                remainingMonths: remainingMonths ?? 0,
                finalOn: finalOn ?? '',
              }
            : undefined,
          provisionalArrestRequested: type === 'provisionalArrest',
          interpolReference: fields?.line('interpol') ?? '',
          assurances: fields?.read('assurances', readAssurances) ?? [],
        },
      };
      fields?.done();
      return details;
    }
    case 'spontaneousInformation': {
      const section = form.single('spontaneous');
      const fields = section ? form.fields(section) : undefined;
      const details = {
        spontaneousInformation: {
          informationSummary: fields?.text('summary') ?? '',
          conditionsOnUse: fields?.read('conditions', (source) => splitItems(source.value)) ?? [],
        },
      };
      fields?.done();
      return details;
    }
  }
}

/** A reader over no fields, for a section that is absent. */
const EMPTY_FIELDS = new FormReader({ kind: 'request', line: 0, head: [], sections: [], preamble: '', postscript: '' }).head;

function readAssurances(source: ValueSource): DeepPartial<Assurance>[] {
  return splitItems(source.value).map((line) => {
    const [kind = '', ...text] = line.split(';');
    const kindKey = kind.trim() === '' ? undefined : readCode({ ...source, value: kind.trim() }, ASSURANCE_KINDS, 'a kind of assurance');
    return { kind: kindKey ? ASSURANCE_KIND_OF[kindKey] : AssuranceKind.ASSURANCE_KIND_UNSPECIFIED, text: text.join(';').trim() };
  });
}

/** References to numbered sections: the number written → `p1`, `p2`… by position. */
interface PersonRefs {
  one(source: ValueSource): string;
  many(source: ValueSource): string[];
}

function numberedRefs(sections: readonly FormSection[], prefix: string): PersonRefs {
  const byNumber = new Map(sections.map((section, index) => [section.number ?? index + 1, `${prefix}${index + 1}`]));
  const resolve = (source: ValueSource, number: number) => {
    const ref = byNumber.get(number);
    if (ref === undefined) {
      throw new DecodeError('INVALID_REFERENCE', `there is no section number ${number} for "${source.label}" to point at`, `line ${source.line} (${source.label})`);
    }
    return ref;
  };
  return {
    one: (source) => {
      const numbers = readNumbers(source);
      if (numbers.length !== 1) throw new DecodeError('INVALID_FIELD', 'give one number', `line ${source.line} (${source.label})`);
      return resolve(source, numbers[0] as number);
    },
    many: (source) => readNumbers(source).map((number) => resolve(source, number)),
  };
}

function authorityOf(fields: FieldReader, stateRequired: boolean): DeepPartial<Authority> {
  const name = stateRequired ? fields.requiredLine('name') : (fields.line('name') ?? '');
  const state = stateRequired ? fields.required('state', readState) : (fields.read('state', readState) ?? '');
  const lines = fields.read('address', (source) => splitLines(source.value));
  const locality = fields.line('city');
  const region = fields.line('region');
  const postalCode = fields.line('postalCode');
  const authority: DeepPartial<Authority> = {
    id: fields.line('id') ?? '',
    name,
    state,
    kind: code(fields, 'kind', AUTHORITY_KINDS, AUTHORITY_KIND_OF, 'a kind of authority') ?? AuthorityKind.AUTHORITY_KIND_UNSPECIFIED,
    contactPerson: fields.line('contactPerson') ?? '',
    email: fields.line('email') ?? '',
    phone: fields.line('phone') ?? '',
    address:
      lines !== undefined || locality !== undefined || region !== undefined || postalCode !== undefined
        ? { lines: lines ?? [], locality: locality ?? '', region: region ?? '', postalCode: postalCode ?? '', country: state }
        : undefined,
    languages: fields.read('languages', readLanguages) ?? [],
  };
  fields.done();
  return authority;
}

function offenceOf(fields: FieldReader, index: number, language: string): DeepPartial<Offence> {
  const label = fields.requiredLine('label');
  const labelLanguage = fields.read('language', readLanguage);
  const iccs = fields.read('iccs', (source) => {
    const value = oneLine(source);
    if (!isIccsCode(value)) throw new DecodeError('INVALID_FIELD', `"${value}" is not an ICCS code`, `line ${source.line} (${source.label})`);
    return value;
  });
  const offence: DeepPartial<Offence> = {
    ref: `o${index + 1}`,
    nativeCode: fields.line('code') ?? '',
    nativeLabel: label,
    nativeScheme: fields.line('scheme') ?? '',
    statutoryProvisions: fields.text('provisions') ?? '',
    // The sender's own classification wins; else the table, in the label's language; else none.
    iccsCode: iccs ?? iccsForLabel(label, labelLanguage ?? language) ?? '',
    maxPenaltyMonths: fields.read('maxPenaltyMonths', readCount) ?? 0,
    maxPenaltyLife: fields.read('life', readYesNo) ?? false,
    description: fields.text('description') ?? '',
    committedFrom: fields.read('from', readPartialDate) ?? '',
    committedUntil: fields.read('until', readPartialDate) ?? '',
    place: fields.text('place') ?? '',
    statesOfCommission: fields.read('states', readStates) ?? [],
    language: labelLanguage ?? '',
  };
  fields.done();
  return offence;
}

function personOf(fields: FieldReader, index: number): DeepPartial<Person> {
  const kind = code(fields, 'kind', PERSON_KINDS, PERSON_KIND_OF, 'a kind of person') ?? PersonKind.PERSON_KIND_UNSPECIFIED;
  const familyName = fields.line('familyName');
  const legalName = fields.line('legalName');
  if (familyName !== undefined && legalName !== undefined) {
    throw new DecodeError('INVALID_FIELD', 'a person has either a family name or a company name, not both', fields.where);
  }
  const person: DeepPartial<Person> = {
    ref: `p${index + 1}`,
    kind,
    role: code(fields, 'role', PERSON_ROLES, PERSON_ROLE_OF, 'a role') ?? PersonRole.PERSON_ROLE_UNSPECIFIED,
    familyName: familyName ?? legalName ?? '',
    givenNames: fields.line('givenNames') ?? '',
    otherNames: fields.read('aliases', (source) => splitNames(oneLine(source))) ?? [],
    nameInOriginalScript: fields.line('originalScript') ?? '',
    dateOfBirth: fields.read('birthDate', readPartialDate) ?? '',
    placeOfBirth: fields.line('birthPlace') ?? '',
    sex: fields.read('sex', readSex) ?? '',
    nationalities: fields.read('nationalities', readStates) ?? [],
    languages: fields.read('languages', readLanguages) ?? [],
    identityDocuments: fields.read('documents', readIdentityDocuments) ?? [],
    addresses: fields.read('addresses', (source) => splitItems(source.value).map((line) => ({ lines: [line] }))) ?? [],
    description: fields.text('description') ?? '',
    registrationNumber: fields.line('registration') ?? '',
    inCustody: fields.read('inCustody', readYesNo) ?? false,
  };
  fields.done();
  return person;
}

function readSex(source: ValueSource): string {
  const value = oneLine(source).toUpperCase();
  if (value === 'F' || value === 'M' || value === 'X') return value;
  throw new DecodeError('INVALID_FIELD', `"${oneLine(source)}" is not F, M or X (as in the identity document)`, `line ${source.line} (${source.label})`);
}

/** One document per line: `kind; number; issuing State; expiry`. */
function readIdentityDocuments(source: ValueSource): DeepPartial<IdentityDocument>[] {
  return splitItems(source.value).map((line) => {
    const [kind = '', number = '', state = '', expiry = '', ...rest] = line.split(';').map((part) => part.trim());
    const at = { ...source, value: line };
    if (number === '' || rest.length > 0) {
      throw new DecodeError('INVALID_FIELD', `"${line}" is not "type; numéro; État; expiration / kind; number; State; expiry"`, `line ${source.line} (${source.label})`);
    }
    const kindKey = kind === '' ? undefined : readCode({ ...at, value: kind }, IDENTITY_DOCUMENT_KINDS, 'a kind of identity document');
    return {
      kind: kindKey ? IDENTITY_DOCUMENT_OF[kindKey] : IdentityDocumentKind.IDENTITY_DOCUMENT_KIND_UNSPECIFIED,
      number,
      issuingState: state === '' ? '' : readState({ ...at, value: state }),
      expiryDate: expiry === '' ? '' : readPartialDate({ ...at, value: expiry }),
    };
  });
}

function measureOf(fields: FieldReader, index: number, personRef: PersonRefs): DeepPartial<Measure> {
  const measure: DeepPartial<Measure> = {
    ref: `m${index + 1}`,
    kind: code(fields, 'kind', MEASURE_KINDS, MEASURE_KIND_OF, 'a kind of measure') ?? MeasureKind.MEASURE_KIND_UNSPECIFIED,
    description: fields.required('description', (source) => source.value),
    personRefs: fields.read('persons', (source) => personRef.many(source)) ?? [],
    location: fields.text('place') ?? '',
  };
  fields.done();
  return measure;
}

/**
 * The documents of a message: the files attached to the e-mail, in order, each described by the
 * `Document` section that names it (by SHA-256, else by file name) if there is one; then the
 * documents the form lists without attaching them. A section that names an attached file but
 * disagrees with it (another digest or size) is refused: the form would describe another file.
 */
function documentsOf(form: FormReader, mail: MailFacts): DeepPartial<DocumentRef>[] {
  const listed = form.repeated('document').map((section) => {
    const fields = form.fields(section);
    const entry = {
      section,
      name: fields.requiredLine('name'),
      mediaType: fields.line('mediaType'),
      size: fields.read('size', readCount),
      sha256: fields.read('sha256', readSha256),
      uri: fields.line('uri'),
      language: fields.read('language', readLanguage),
      description: fields.text('description'),
    };
    fields.done();
    return entry;
  });
  const used = new Set<(typeof listed)[number]>();
  const documents: DeepPartial<DocumentRef>[] = [];
  for (const attachment of mail.attachments) {
    const entry =
      listed.find((candidate) => !used.has(candidate) && candidate.sha256 === attachment.sha256) ??
      listed.find((candidate) => !used.has(candidate) && candidate.sha256 === undefined && candidate.name === attachment.name) ??
      listed.find((candidate) => !used.has(candidate) && candidate.name === attachment.name);
    if (entry) {
      const at = `line ${entry.section.line}`;
      if (entry.sha256 !== undefined && entry.sha256 !== attachment.sha256) {
        throw new DecodeError('DOCUMENT_MISMATCH', `the form gives "${entry.name}" the SHA-256 ${entry.sha256}, but the attached file has ${attachment.sha256}`, at);
      }
      if (entry.name !== attachment.name) {
        throw new DecodeError('DOCUMENT_MISMATCH', `the form names the attached file ${attachment.sha256.slice(0, 12)}… "${entry.name}", but it is attached as "${attachment.name}"`, at);
      }
      if (entry.size !== undefined && entry.size !== attachment.size) {
        throw new DecodeError('DOCUMENT_MISMATCH', `the form gives "${entry.name}" ${entry.size} bytes, but the attached file has ${attachment.size}`, at);
      }
      used.add(entry);
    }
    documents.push({
      name: attachment.name,
      mediaType: entry?.mediaType ?? attachment.mediaType,
      sha256: Buffer.from(attachment.sha256, 'hex'),
      sizeBytes: attachment.size,
      uri: entry?.uri ?? documentUri(attachment.sha256),
      language: entry?.language ?? '',
      description: entry?.description ?? '',
    });
  }
  for (const entry of listed) {
    if (used.has(entry)) continue;
    documents.push({
      name: entry.name,
      mediaType: entry.mediaType ?? '',
      sha256: entry.sha256 ? Buffer.from(entry.sha256, 'hex') : Buffer.alloc(0),
      sizeBytes: entry.size ?? 0,
      uri: entry.uri ?? '',
      language: entry.language ?? '',
      description: entry.description ?? '',
    });
  }
  return documents;
}

type AnswerKind = Exclude<FormKind, 'request' | 'notDelivered'>;

/** Answers whose body has a list of documents; the others refuse attached files. */
const ANSWERS_WITH_DOCUMENTS: ReadonlySet<AnswerKind> = new Set(['informationProvided', 'executed', 'partiallyExecuted']);

function answerDraft(kind: AnswerKind, form: FormReader, mail: MailFacts, extensions: Record<string, string>, causationId: string | undefined): Omit<EventDraft, 'extensions'> {
  const head = form.head;
  const subject = head.requiredLine('comityReference');
  const reference = head.line('reference');
  const typeKey = head.read('requestType', (source) => readCode(source, REQUEST_TYPES, 'a request type WACAP carries'));
  const language = head.read('language', readLanguage);
  const date = head.read('date', readInstant);
  const confidential = head.read('confidential', readYesNo) ?? false;
  const authoritySection = form.single('authority');
  const authority = authoritySection ? authorityOf(form.fields(authoritySection), false) : undefined;
  if (!ANSWERS_WITH_DOCUMENTS.has(kind) && mail.attachments.length > 0) {
    throw new DecodeError(
      'UNEXPECTED_ATTACHMENT',
      `a "${written(KINDS[kind])}" carries no documents, but the e-mail has ${mail.attachments.length} attached file(s): send them with a "${written(KINDS.informationProvided)}" or "${written(KINDS.executed)}"`,
      'attachments',
    );
  }
  const keepReference = () => void (reference !== undefined && (extensions[EXTENSIONS.reference] = reference));
  const keepDate = () => void (date !== undefined && (extensions[EXTENSIONS.date] = writeInstant(date) as string));
  let body: EventBody;
  switch (kind) {
    case 'acknowledgement':
      body = RequestAcknowledged.fromPartial({ competentAuthority: authority, executingReference: reference ?? '', receivedAt: date, note: head.text('note') ?? '' });
      break;
    case 'informationRequested': {
      keepReference();
      keepDate();
      const questions = form.repeated('question').map((section) => {
        const fields = form.fields(section);
        const question = { id: fields.line('id') ?? String(section.number), text: fields.required('text', (source) => source.value) };
        fields.done();
        return question;
      });
      if (questions.length === 0) throw new DecodeError('MISSING_FIELD', `a "${written(KINDS.informationRequested)}" must ask at least one "Question"`, `line ${form.document.line}`);
      body = AdditionalInformationRequested.fromPartial({ questions, deadline: head.read('deadline', readInstant), reason: head.text('reason') ?? '', askedBy: authority });
      break;
    }
    case 'informationProvided':
      keepReference();
      keepDate();
      body = AdditionalInformationProvided.fromPartial({
        regardingEventId: causationId ?? '',
        answers: form.repeated('answer').map((section) => {
          const fields = form.fields(section);
          const answer = { questionId: fields.line('question') ?? '', text: fields.required('text', (source) => source.value) };
          fields.done();
          return answer;
        }),
        documents: documentsOf(form, mail),
        providedBy: authority,
      });
      break;
    case 'recognised':
      body = RequestRecognised.fromPartial({
        decidingAuthority: authority,
        decidedAt: date,
        decisionReference: reference ?? '',
        conditions: head.read('conditions', (source) => splitItems(source.value)) ?? [],
        personConsented: head.read('personConsented', readYesNo) ?? false,
        expectedExecution: head.read('expectedExecution', readInstant),
      });
      break;
    case 'postponed':
      keepReference();
      keepDate();
      body = RequestPostponed.fromPartial({
        grounds: head.text('grounds') ?? '',
        legalProvision: head.text('legalProvision') ?? '',
        until: head.read('until', readInstant),
        untilCondition: head.text('untilCondition') ?? '',
        decidingAuthority: authority,
      });
      break;
    case 'executed':
      keepReference();
      body = RequestExecuted.fromPartial({ resultSummary: form.text('result') ?? '', documents: documentsOf(form, mail), completedAt: date, executingAuthority: authority });
      break;
    case 'partiallyExecuted':
      keepReference();
      body = RequestPartiallyExecuted.fromPartial({
        resultSummary: form.text('result') ?? '',
        executedMeasureRefs: head.read('executedMeasures', (source) => readNumbers(source).map((number) => `m${number}`)) ?? [],
        notExecuted: form.repeated('unexecuted').map((section) => {
          const fields = form.fields(section);
          const ground = fields.read('ground', (source) => readCode(source, REFUSAL_GROUNDS, 'a ground for refusal'));
          const provision = fields.text('provision');
          const explanation = fields.text('explanation');
          const part = {
            measureRef: fields.read('measure', (source) => `m${readCount(source)}`) ?? '',
            description: fields.text('description') ?? '',
            ground:
              ground !== undefined || provision !== undefined || explanation !== undefined
                ? { code: ground ? REFUSAL_GROUND_OF[ground] : RefusalGroundCode.REFUSAL_GROUND_CODE_UNSPECIFIED, legalProvision: provision ?? '', explanation: explanation ?? '' }
                : undefined,
            reason: fields.text('reason') ?? '',
          };
          fields.done();
          return part;
        }),
        documents: documentsOf(form, mail),
        completedAt: date,
        executingAuthority: authority,
      });
      break;
    case 'refused': {
      const grounds = form.repeated('ground').map((section) => {
        const fields = form.fields(section);
        const ground = {
          code: REFUSAL_GROUND_OF[fields.required('ground', (source) => readCode(source, REFUSAL_GROUNDS, 'a ground for refusal'))],
          legalProvision: fields.text('provision') ?? '',
          explanation: fields.text('explanation') ?? '',
        };
        fields.done();
        return ground;
      });
      if (grounds.length === 0) throw new DecodeError('MISSING_FIELD', `a "${written(KINDS.refused)}" must give at least one "${written({ fr: 'Motif de refus', en: 'Ground for refusal', pt: '' })}"`, `line ${form.document.line}`);
      body = RequestRefused.fromPartial({ grounds, decidingAuthority: authority, decidedAt: date, decisionReference: reference ?? '', alternative: head.text('alternative') ?? '' });
      break;
    }
    case 'withdrawn':
      keepReference();
      keepDate();
      body = RequestWithdrawn.fromPartial({ reason: head.text('reason') ?? '', withdrawnBy: authority });
      break;
  }
  return {
    subject,
    body,
    ...(authority?.state ? { originState: authority.state } : {}),
    classification: confidential ? Classification.CLASSIFICATION_CONFIDENTIAL : Classification.CLASSIFICATION_RESTRICTED,
    ...(language ? { language } : {}),
    ...(typeKey ? { requestType: REQUEST_TYPE_OF[typeKey] } : {}),
  };
}

// ---- Encode: event → e-mail --------------------------------------------------------------

function encode(event: Event, body: EventBody): NativeMessage | null {
  let form: FormToWrite;
  switch (body.$type) {
    case 'comity.v1.RequestSubmitted':
      form = requestForm(event, required(body.request, 'request'));
      break;
    case 'comity.v1.RequestAcknowledged':
    case 'comity.v1.AdditionalInformationRequested':
    case 'comity.v1.AdditionalInformationProvided':
    case 'comity.v1.RequestRecognised':
    case 'comity.v1.RequestPostponed':
    case 'comity.v1.RequestExecuted':
    case 'comity.v1.RequestPartiallyExecuted':
    case 'comity.v1.RequestRefused':
    case 'comity.v1.RequestWithdrawn':
      form = answerForm(event, body);
      break;
    case 'comity.v1.RequestNotDelivered':
      form = noticeForm(event, body);
      break;
    case 'comity.v1.OnwardTransferConsented':
      throw new EncodeError('UNSUPPORTED_EVENT', 'the WACAP form has no message for a consent to onward transfer');
    default:
      // Delivery, relay and retrieval receipts, and events that are not about a request
      // (directory, statistics, experience): focal points get no e-mail for them.
      return null;
  }
  let text: string;
  try {
    text = renderForm({ ...form, ...wrapping(event) });
    // What a focal point receives is always a form Comity itself would accept.
    if (form.kind !== 'notDelivered') draftOf(parseForm(text), { text, attachments: attachmentsOf(event, body) });
  } catch (cause) {
    if (cause instanceof EncodeError) throw cause;
    throw new EncodeError('NOT_EXPRESSIBLE', `the event cannot be written as a WACAP form: ${(cause as Error).message}`, { cause });
  }
  const originState = /^[A-Z]{2}$/.test(event.originState) ? event.originState : undefined;
  const subjectState = new RegExp(`^${NETWORK}:([A-Z]{2}):`).exec(event.subject)?.[1];
  const requestedState = body.$type === 'comity.v1.RequestSubmitted' ? body.request?.requestedState || event.targets[0]?.state : undefined;
  const to =
    body.$type === 'comity.v1.RequestSubmitted'
      ? { state: required(requestedState, 'request.requestedState') }
      : { ...(subjectState && subjectState !== originState ? { state: subjectState } : {}), ...(originState ? { notState: originState } : {}) };
  const mail: OutboundMail = {
    subject: event.extensions[EXTENSIONS.subject] ?? defaultSubject(form, event),
    text,
    to,
    ...(event.extensions[EXTENSIONS.inReplyTo] ? { inReplyTo: event.extensions[EXTENSIONS.inReplyTo] } : {}),
    ...(!event.extensions[EXTENSIONS.inReplyTo] && causationFor(event, body) ? { inReplyToEvent: causationFor(event, body) } : {}),
    attachments: attachmentsOf(event, body),
  };
  return { body: Buffer.from(JSON.stringify(mail), 'utf8'), contentType: OUTBOUND_MEDIA_TYPE, attributes: {} };
}

function causationFor(event: Event, body: EventBody): string | undefined {
  if (event.causationId) return event.causationId;
  return body.$type === 'comity.v1.AdditionalInformationProvided' && body.regardingEventId ? body.regardingEventId : undefined;
}

/** The covering text: the focal point's own, or a note saying where a message from another network comes from. */
function wrapping(event: Event): { preamble?: string; postscript?: string } {
  const preamble = event.extensions[EXTENSIONS.preamble];
  const postscript = event.extensions[EXTENSIONS.postscript];
  if (preamble !== undefined || postscript !== undefined || event.originNetwork === NETWORK) return { preamble, postscript };
  return {
    preamble: `Message transmis par Comity (réseau d'origine : ${event.originNetwork}). / Sent through Comity (originating network: ${event.originNetwork}).`,
    postscript:
      'Pour répondre, envoyez un formulaire WACAP qui reprend la Référence Comity ci-dessus. / To answer, send a WACAP form that quotes the Comity reference above.',
  };
}

function defaultSubject(form: FormToWrite, event: Event): string {
  const reference = form.head.find(([key]) => key === 'reference')?.[1];
  return `[WACAP] ${written(KINDS[form.kind])} – ${form.kind === 'request' && reference ? reference : event.subject}`;
}

/** The documents to attach: those whose bytes the transport can get (its store, or inline). */
function attachmentsOf(event: Event, body: EventBody): OutboundAttachment[] {
  return documentsIn(body)
    .filter((document) => document.sha256.length === 32 && (document.uri.startsWith(DOCUMENT_URI_PREFIX) || document.uri.startsWith('data:')))
    .map((document) => ({
      name: document.name,
      mediaType: document.mediaType || 'application/octet-stream',
      size: document.sizeBytes,
      sha256: Buffer.from(document.sha256).toString('hex'),
      uri: document.uri,
    }));
}

function documentsIn(body: EventBody): readonly DocumentRef[] {
  switch (body.$type) {
    case 'comity.v1.RequestSubmitted':
      return body.request?.attachments ?? [];
    case 'comity.v1.AdditionalInformationProvided':
    case 'comity.v1.RequestExecuted':
    case 'comity.v1.RequestPartiallyExecuted':
      return body.documents;
    default:
      return [];
  }
}

function documentSections(documents: readonly DocumentRef[]): SectionToWrite[] {
  return documents.map((document, index) => ({
    name: 'document',
    number: index + 1,
    fields: [
      ['name', document.name],
      ['mediaType', present(document.mediaType)],
      ['size', document.sizeBytes > 0 ? String(document.sizeBytes) : undefined],
      ['sha256', document.sha256.length > 0 ? Buffer.from(document.sha256).toString('hex') : undefined],
      // An inline document is attached to the e-mail; its data: URI would only clutter the form.
      ['uri', document.uri.startsWith('data:') ? undefined : present(document.uri)],
      ['language', present(document.language)],
      ['description', present(document.description)],
    ],
  }));
}

function requestForm(event: Event, request: Request): FormToWrite {
  const reference = required(request.nativeReference, 'request.nativeReference');
  const typeKey = requestTypeKey(request);
  const requesting = required(request.requestingAuthority, 'request.requestingAuthority');
  const requestingState = required(requesting.state, 'request.requestingAuthority.state');
  required(requesting.name, 'request.requestingAuthority.name');
  const requestedState = required(request.requestedState || event.targets[0]?.state, 'request.requestedState');
  const numberOf = (refs: readonly { ref: string }[], ref: string, where: string): string => {
    const index = refs.findIndex((item) => item.ref === ref);
    if (index < 0) throw new EncodeError('INVALID_REFERENCE', `${where} names "${ref}", which is not in the request`);
    return String(index + 1);
  };
  const confidential = event.classification === Classification.CLASSIFICATION_CONFIDENTIAL || (request.mutualLegalAssistance?.confidentialityRequested ?? false);
  const legalBasis = event.legalBasis;
  const sections: SectionToWrite[] = [
    { name: 'requestingAuthority', fields: authorityFields(requesting, undefined) },
    ...(request.requestedAuthority ? [{ name: 'requestedAuthority' as const, fields: authorityFields(request.requestedAuthority, requestedState) }] : []),
    { name: 'facts', text: request.summaryOfFacts },
    ...request.offences.map((offence, index) => ({ name: 'offence' as const, number: index + 1, fields: offenceFields(offence, event.language) })),
    ...request.persons.map((person, index) => ({ name: 'person' as const, number: index + 1, fields: personFields(person) })),
    ...request.measures.map((measure, index) => ({
      name: 'measure' as const,
      number: index + 1,
      fields: [
        ['kind', writeCode(MEASURE_KINDS, keyOf(MEASURE_KIND_OF, measure.kind))],
        ['description', required(measure.description, `request.measures.${index}.description`)],
        ['persons', measure.personRefs.length > 0 ? measure.personRefs.map((ref) => numberOf(request.persons, ref, `request.measures.${index}`)).join(', ') : undefined],
        ['place', present(measure.location)],
      ] as const,
    })),
    ...detailSections(request, typeKey, (ref) => numberOf(request.persons, ref, 'request.extradition.personSoughtRef')),
    ...documentSections(request.attachments),
  ];
  return {
    kind: 'request',
    head: [
      ['reference', reference],
      ['comityReference', event.subject === `${NETWORK}:${requestingState}:${reference}` ? undefined : event.subject],
      ['requestType', writeCode(REQUEST_TYPES, typeKey)],
      ['language', present(event.language)],
      ['date', writeInstant(request.issuedAt)],
      ['requestedState', requestedState],
      ['legalInstrument', present(legalBasis?.instrument)],
      ['legalArticle', present(legalBasis?.article)],
      ['legalNote', present(legalBasis?.note)],
      ['urgency', writeCode(URGENCIES, keyOf(URGENCY_OF, request.urgency))],
      ['urgencyReason', present(request.urgencyReason)],
      ['deadline', writeInstant(request.deadline)],
      ['confidential', writeYesNo(confidential)],
      ['signatory', present(request.signatory)],
      ['relatedRequests', request.relatedRequestIds.length > 0 ? request.relatedRequestIds.join(', ') : undefined],
      ['remarks', present(event.extensions[EXTENSIONS.remarks])],
    ],
    sections,
  };
}

function requestTypeKey(request: Request): keyof typeof REQUEST_TYPES {
  switch (request.requestType) {
    case RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE:
      return 'mla';
    case RequestType.REQUEST_TYPE_EXTRADITION:
      return request.extradition?.provisionalArrestRequested ? 'provisionalArrest' : 'extradition';
    case RequestType.REQUEST_TYPE_SPONTANEOUS_INFORMATION:
      return 'spontaneousInformation';
    default:
      throw new EncodeError(
        'UNSUPPORTED_REQUEST_TYPE',
        `WACAP carries mutual legal assistance, extradition and spontaneous information, not ${requestTypeToJSON(request.requestType)}`,
      );
  }
}

function detailSections(request: Request, type: keyof typeof REQUEST_TYPES, personNumber: (ref: string) => string): SectionToWrite[] {
  switch (type) {
    case 'mla': {
      const mla = request.mutualLegalAssistance;
      if (!mla) return [];
      return [
        {
          name: 'assistance',
          fields: [
            ['proceedings', present(mla.proceedingsDescription)],
            ['purpose', present(mla.purpose)],
            ['formalities', present(mla.formalities)],
            ['speciality', mla.specialityUndertaking ? writeYesNo(true) : undefined],
            ['officials', mla.presenceOfOfficialsRequested ? writeYesNo(true) : undefined],
          ],
        },
      ];
    }
    case 'extradition':
    case 'provisionalArrest': {
      const extradition = request.extradition;
      if (!extradition) return [];
      const sentence = extradition.sentence;
      return [
        {
          name: 'extradition',
          fields: [
            ['personSought', extradition.personSoughtRef ? personNumber(extradition.personSoughtRef) : undefined],
            ['purpose', writeCode(SURRENDER_PURPOSES, keyOf(SURRENDER_PURPOSE_OF, extradition.purpose))],
            ['decision', present(extradition.warrantOrJudgmentReference)],
            ['decisionDate', present(extradition.warrantOrJudgmentDate)],
            ['sentence', present(sentence?.description)],
            ['sentenceMonths', sentence && sentence.termMonths > 0 ? String(sentence.termMonths) : undefined],
            ['sentenceLife', sentence?.life ? writeYesNo(true) : undefined],
            ['remainingMonths', sentence && sentence.remainingMonths > 0 ? String(sentence.remainingMonths) : undefined],
            ['finalOn', present(sentence?.finalOn)],
            ['interpol', present(extradition.interpolReference)],
            [
              'assurances',
              writeItems(extradition.assurances.map((assurance) => `${writeCode(ASSURANCE_KINDS, keyOf(ASSURANCE_KIND_OF, assurance.kind)) ?? ''}; ${assurance.text}`.trim())),
            ],
          ],
        },
      ];
    }
    case 'spontaneousInformation': {
      const information = request.spontaneousInformation;
      if (!information) return [];
      return [
        {
          name: 'spontaneous',
          fields: [
            ['summary', present(information.informationSummary)],
            ['conditions', writeItems(information.conditionsOnUse)],
          ],
        },
      ];
    }
  }
}

function authorityFields(authority: Authority, impliedState: string | undefined): (readonly [string, string | undefined])[] {
  const address: Address | undefined = authority.address;
  return [
    ['name', present(authority.name)],
    ['state', authority.state && authority.state !== impliedState ? authority.state : undefined],
    ['kind', writeCode(AUTHORITY_KINDS, keyOf(AUTHORITY_KIND_OF, authority.kind))],
    ['id', present(authority.id)],
    ['contactPerson', present(authority.contactPerson)],
    ['email', present(authority.email)],
    ['phone', present(authority.phone)],
    ['address', address && address.lines.length > 0 ? address.lines.join('\n') : undefined],
    ['city', present(address?.locality)],
    ['region', present(address?.region)],
    ['postalCode', present(address?.postalCode)],
    ['languages', authority.languages.length > 0 ? authority.languages.join(', ') : undefined],
  ];
}

function offenceFields(offence: Offence, language: string): (readonly [string, string | undefined])[] {
  const fromTable = iccsForLabel(offence.nativeLabel, offence.language || language) ?? '';
  return [
    ['label', required(offence.nativeLabel, 'offence.nativeLabel')],
    ['code', present(offence.nativeCode)],
    ['scheme', present(offence.nativeScheme)],
    ['provisions', present(offence.statutoryProvisions)],
    // Written only when it says more than the table would: decode gives the same code back.
    ['iccs', offence.iccsCode !== fromTable ? present(offence.iccsCode) : undefined],
    ['maxPenaltyMonths', offence.maxPenaltyMonths > 0 ? String(offence.maxPenaltyMonths) : undefined],
    ['life', offence.maxPenaltyLife ? writeYesNo(true) : undefined],
    ['description', present(offence.description)],
    ['from', present(offence.committedFrom)],
    ['until', present(offence.committedUntil)],
    ['place', present(offence.place)],
    ['states', offence.statesOfCommission.length > 0 ? offence.statesOfCommission.join(', ') : undefined],
    ['language', present(offence.language)],
  ];
}

function personFields(person: Person): (readonly [string, string | undefined])[] {
  const legal = person.kind === PersonKind.PERSON_KIND_LEGAL;
  return [
    ['role', writeCode(PERSON_ROLES, keyOf(PERSON_ROLE_OF, person.role))],
    ['kind', writeCode(PERSON_KINDS, keyOf(PERSON_KIND_OF, person.kind))],
    ['familyName', legal ? undefined : present(person.familyName)],
    ['legalName', legal ? present(person.familyName) : undefined],
    ['givenNames', present(person.givenNames)],
    ['aliases', person.otherNames.length > 0 ? person.otherNames.join('; ') : undefined],
    ['originalScript', present(person.nameInOriginalScript)],
    ['birthDate', present(person.dateOfBirth)],
    ['birthPlace', present(person.placeOfBirth)],
    ['sex', present(person.sex)],
    ['nationalities', person.nationalities.length > 0 ? person.nationalities.join(', ') : undefined],
    ['languages', person.languages.length > 0 ? person.languages.join(', ') : undefined],
    [
      'documents',
      writeItems(
        person.identityDocuments.map((document) =>
          withoutTrailingBlanks([writeCode(IDENTITY_DOCUMENT_KINDS, keyOf(IDENTITY_DOCUMENT_OF, document.kind)) ?? '', document.number, document.issuingState, document.expiryDate]).join('; '),
        ),
      ),
    ],
    [
      'addresses',
      writeItems(
        person.addresses
          .map((address) => [...address.lines, [address.postalCode, address.locality].filter(Boolean).join(' '), address.region, address.country].filter(Boolean).join(', '))
          .filter((line) => line !== ''),
      ),
    ],
    ['description', present(person.description)],
    ['registration', present(person.registrationNumber)],
    ['inCustody', person.inCustody ? writeYesNo(true) : undefined],
  ];
}

type AnswerBody = Extract<
  EventBody,
  {
    $type:
      | 'comity.v1.RequestAcknowledged'
      | 'comity.v1.AdditionalInformationRequested'
      | 'comity.v1.AdditionalInformationProvided'
      | 'comity.v1.RequestRecognised'
      | 'comity.v1.RequestPostponed'
      | 'comity.v1.RequestExecuted'
      | 'comity.v1.RequestPartiallyExecuted'
      | 'comity.v1.RequestRefused'
      | 'comity.v1.RequestWithdrawn';
  }
>;

function answerForm(event: Event, body: AnswerBody): FormToWrite {
  const keptReference = present(event.extensions[EXTENSIONS.reference]);
  const keptDate = present(event.extensions[EXTENSIONS.date]);
  const common = (reference: string | undefined, date: string | undefined, extra: (readonly [string, string | undefined])[]) =>
    [
      ['comityReference', event.subject],
      ['reference', reference],
      ['requestType', envelopeRequestType(event.requestType)],
      ['language', present(event.language)],
      ['date', date],
      ['confidential', event.classification === Classification.CLASSIFICATION_CONFIDENTIAL ? writeYesNo(true) : undefined],
      ...extra,
      ['remarks', present(event.extensions[EXTENSIONS.remarks])],
    ] as (readonly [string, string | undefined])[];
  const authority = (value: Authority | undefined): SectionToWrite[] => (value ? [{ name: 'authority', fields: authorityFields(value, undefined) }] : []);
  switch (body.$type) {
    case 'comity.v1.RequestAcknowledged':
      return {
        kind: 'acknowledgement',
        head: common(present(body.executingReference), writeInstant(body.receivedAt), [['note', present(body.note)]]),
        sections: authority(body.competentAuthority),
      };
    case 'comity.v1.AdditionalInformationRequested':
      return {
        kind: 'informationRequested',
        head: common(keptReference, keptDate, [
          ['deadline', writeInstant(body.deadline)],
          ['reason', present(body.reason)],
        ]),
        sections: [
          ...authority(body.askedBy),
          ...body.questions.map((question, index) => ({
            name: 'question' as const,
            number: index + 1,
            fields: [
              ['id', question.id === String(index + 1) ? undefined : present(question.id)],
              ['text', required(question.text, `questions.${index}.text`)],
            ] as const,
          })),
        ],
      };
    case 'comity.v1.AdditionalInformationProvided':
      return {
        kind: 'informationProvided',
        head: common(keptReference, keptDate, []),
        sections: [
          ...authority(body.providedBy),
          ...body.answers.map((answer, index) => ({
            name: 'answer' as const,
            number: index + 1,
            fields: [
              ['question', present(answer.questionId)],
              ['text', required(answer.text, `answers.${index}.text`)],
            ] as const,
          })),
          ...documentSections(body.documents),
        ],
      };
    case 'comity.v1.RequestRecognised':
      return {
        kind: 'recognised',
        head: common(present(body.decisionReference), writeInstant(body.decidedAt), [
          ['conditions', writeItems(body.conditions)],
          ['personConsented', body.personConsented ? writeYesNo(true) : undefined],
          ['expectedExecution', writeInstant(body.expectedExecution)],
        ]),
        sections: authority(body.decidingAuthority),
      };
    case 'comity.v1.RequestPostponed':
      return {
        kind: 'postponed',
        head: common(keptReference, keptDate, [
          ['grounds', present(body.grounds)],
          ['legalProvision', present(body.legalProvision)],
          ['until', writeInstant(body.until)],
          ['untilCondition', present(body.untilCondition)],
        ]),
        sections: authority(body.decidingAuthority),
      };
    case 'comity.v1.RequestExecuted':
      return {
        kind: 'executed',
        head: common(keptReference, writeInstant(body.completedAt), []),
        sections: [...authority(body.executingAuthority), { name: 'result', text: body.resultSummary }, ...documentSections(body.documents)],
      };
    case 'comity.v1.RequestPartiallyExecuted':
      return {
        kind: 'partiallyExecuted',
        head: common(keptReference, writeInstant(body.completedAt), [
          ['executedMeasures', body.executedMeasureRefs.length > 0 ? body.executedMeasureRefs.map((ref) => measureNumber(ref)).join(', ') : undefined],
        ]),
        sections: [
          ...authority(body.executingAuthority),
          { name: 'result', text: body.resultSummary },
          ...body.notExecuted.map((part, index) => ({
            name: 'unexecuted' as const,
            number: index + 1,
            fields: [
              ['measure', part.measureRef ? measureNumber(part.measureRef) : undefined],
              ['description', present(part.description)],
              ['ground', part.ground ? writeCode(REFUSAL_GROUNDS, keyOf(REFUSAL_GROUND_OF, part.ground.code)) : undefined],
              ['provision', present(part.ground?.legalProvision)],
              ['explanation', present(part.ground?.explanation)],
              ['reason', present(part.reason)],
            ] as const,
          })),
          ...documentSections(body.documents),
        ],
      };
    case 'comity.v1.RequestRefused':
      return {
        kind: 'refused',
        head: common(present(body.decisionReference), writeInstant(body.decidedAt), [['alternative', present(body.alternative)]]),
        sections: [
          ...authority(body.decidingAuthority),
          ...body.grounds.map((ground: RefusalGround, index) => ({
            name: 'ground' as const,
            number: index + 1,
            fields: [
              ['ground', required(writeCode(REFUSAL_GROUNDS, keyOf(REFUSAL_GROUND_OF, ground.code)), `grounds.${index}.code`)],
              ['provision', present(ground.legalProvision)],
              ['explanation', present(ground.explanation)],
            ] as const,
          })),
        ],
      };
    case 'comity.v1.RequestWithdrawn':
      return {
        kind: 'withdrawn',
        head: common(keptReference, keptDate, [['reason', present(body.reason)]]),
        sections: authority(body.withdrawnBy),
      };
  }
}

function withoutTrailingBlanks(parts: readonly string[]): string[] {
  let end = parts.length;
  while (end > 0 && parts[end - 1] === '') end -= 1;
  return parts.slice(0, end);
}

/** `m3` → `3`; a measure reference that is not of that form cannot be written. */
function measureNumber(ref: string): string {
  const match = /^m(\d{1,3})$/.exec(ref);
  if (!match) throw new EncodeError('NOT_EXPRESSIBLE', `the measure reference "${ref}" is not of the form m<number>, which the WACAP form uses`);
  return match[1] as string;
}

function envelopeRequestType(type: RequestType): string | undefined {
  switch (type) {
    case RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE:
      return writeCode(REQUEST_TYPES, 'mla');
    case RequestType.REQUEST_TYPE_EXTRADITION:
      return writeCode(REQUEST_TYPES, 'extradition');
    case RequestType.REQUEST_TYPE_SPONTANEOUS_INFORMATION:
      return writeCode(REQUEST_TYPES, 'spontaneousInformation');
    default:
      return undefined;
  }
}

function noticeForm(event: Event, body: RequestNotDelivered): FormToWrite {
  return {
    kind: 'notDelivered',
    head: [
      ['comityReference', event.subject],
      ['requestType', envelopeRequestType(event.requestType)],
      ['language', present(event.language)],
      ['network', present(body.network)],
      ['cause', writeCode(NON_DELIVERY_CAUSES, keyOf(NON_DELIVERY_CAUSE_OF, body.reasonCode))],
      ['detail', present(body.reason)],
      ['willRetry', writeYesNo(body.retriable)],
      ['attempts', body.attempts > 0 ? String(body.attempts) : undefined],
      ['nextAttempt', writeInstant(body.nextAttemptAt)],
    ],
    sections: [],
  };
}

function required<T>(value: T | undefined | null, field: string): T {
  if (value === undefined || value === null || value === '') throw new EncodeError('MISSING_FIELD', `the event has no ${field}, which the WACAP form requires`);
  return value;
}

/** A string that is set, or undefined (the form leaves out what is empty). */
function present(value: string | undefined): string | undefined {
  return value ? value : undefined;
}

// ---- Normalize: what a message says ------------------------------------------------------

/**
 * What an e-mail says, as Comity reads it: the event its form decodes to (body in the proto3
 * JSON mapping, envelope, extensions), less what only the transport knows (the sender, the
 * Message-ID). Two messages are the same when they say the same thing, whatever the label
 * language, the layout, the spelling of a code or the way their documents travel (attached, or
 * listed as references): an incoming e-mail and Comity's re-encoding of it compare equal.
 */
function normalize(native: NativeMessage): unknown {
  const mediaType = native.contentType.split(';')[0]?.trim().toLowerCase();
  const mail = mediaType === OUTBOUND_MEDIA_TYPE ? readOutboundMail(native) : readInboundMail(native, false);
  const draft = draftOf(parseForm(mail.text), mail);
  const type = draft.body.$type;
  return JSON.parse(
    JSON.stringify({
      subject: draft.subject,
      type,
      originState: draft.originState,
      targets: draft.targets?.map((target) => Target.toJSON(Target.fromPartial(target))),
      causationId: draft.causationId,
      classification: draft.classification === undefined ? undefined : classificationToJSON(draft.classification),
      legalBasis: draft.legalBasis === undefined ? undefined : LegalBasis.toJSON(LegalBasis.fromPartial(draft.legalBasis)),
      language: draft.language,
      requestType: draft.requestType === undefined ? undefined : requestTypeToJSON(draft.requestType),
      extensions: Object.fromEntries(Object.entries(draft.extensions ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      body: bodyMessageType(type).toJSON(draft.body),
    }),
  ) as unknown;
}

export const wacapCodec: Codec = { decode, encode, normalize };
