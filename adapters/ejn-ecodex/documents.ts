/**
 * The business documents inside an e-CODEX message (namespace `urn:comity:ecodex:business:1`)
 * ⇄ canonical bodies. Pure. One root element per document, one canonical body per root:
 *
 *   EuropeanInvestigationOrder    ⇄ RequestSubmitted (EIO; Annex A of Directive 2014/41/EU, sections A–L)
 *   EuropeanArrestWarrant         ⇄ RequestSubmitted (EAW; Art. 8(1)(a)–(g) FD 2002/584/JHA)
 *   MutualLegalAssistanceRequest  ⇄ RequestSubmitted (MLA, e.g. UNTOC art. 18)
 *   Acknowledgement               ⇄ RequestAcknowledged (for an EIO: Annex B)
 *   AdditionalInformationRequest  ⇄ AdditionalInformationRequested
 *   AdditionalInformation         ⇄ AdditionalInformationProvided
 *   Recognition                   ⇄ RequestRecognised
 *   Postponement                  ⇄ RequestPostponed
 *   ExecutionNotice               ⇄ RequestExecuted
 *   PartialExecutionNotice        ⇄ RequestPartiallyExecuted
 *   Refusal                       ⇄ RequestRefused
 *   Withdrawal                    ⇄ RequestWithdrawn
 *
 * Conventions (README.md has the full element reference): codes, references, dates and flags
 * are attributes; text a person wrote is element content; repeated things are repeated
 * elements. Every document root may carry `xml:lang` (BCP 47) and `confidential="true"`. Every
 * element and attribute read here maps to a canonical field or to an `ejn.*` extension; anything
 * else is refused (see ElementReader), so nothing is dropped.
 */
import type { EventBody } from '../../core/events/bodies.js';
import { Classification, type Event, type LegalBasis, type Target } from '../../core/gen/comity/v1/event.js';
import {
  AdditionalInformationProvided,
  AdditionalInformationRequested,
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
} from '../../core/gen/comity/v1/lifecycle.js';
import {
  Authority,
  AuthorityKind,
  IdentityDocumentKind,
  PersonKind,
  PersonRole,
  type Address,
  type IdentityDocument,
  type Offence,
  type Person,
} from '../../core/gen/comity/v1/offence.js';
import {
  AssuranceKind,
  EawDecisionKind,
  EioMeasureType,
  EioProceedingsType,
  MeasureKind,
  RequestType,
  SurrenderPurpose,
  Urgency,
  type DeepPartial,
  type DocumentRef,
  type EioInvestigativeMeasure,
  type EuropeanArrestWarrant,
  type EuropeanInvestigationOrder,
  type Measure,
  type Request,
  type Sentence,
} from '../../core/gen/comity/v1/request.js';
import { DecodeError, EncodeError } from '../sdk/errors.js';
import {
  booleanAttribute,
  codeAttribute,
  codeOf,
  codeTable,
  countAttribute,
  dateAttribute,
  documentLanguage,
  formatBoolean,
  formatCount,
  formatTimestamp,
  iccsAttribute,
  languageAttribute,
  languageTexts,
  orEmpty,
  required,
  requiredCodeAttribute,
  stateAttribute,
  stateText,
  stateTexts,
  timestampAttribute,
} from './fields.js';
import { iccsForListCategory, listCategory } from './offences.js';
import { element, textElement, type ElementReader, type XmlOut } from './xml.js';

export const BUSINESS_NAMESPACE = 'urn:comity:ecodex:business:1';
const NETWORK = 'ejn';

// ---- Code tables -------------------------------------------------------------------------

const AUTHORITY_KINDS = codeTable('authority kind', AuthorityKind, 'AUTHORITY_KIND_');
const PERSON_KINDS = codeTable('person kind', PersonKind, 'PERSON_KIND_');
const PERSON_ROLES = codeTable('person role', PersonRole, 'PERSON_ROLE_');
const IDENTITY_DOCUMENT_KINDS = codeTable('identity document kind', IdentityDocumentKind, 'IDENTITY_DOCUMENT_KIND_');
const URGENCIES = codeTable('urgency', Urgency, 'URGENCY_');
const MEASURE_KINDS = codeTable('measure kind', MeasureKind, 'MEASURE_KIND_');
/** Annex A's own names for the measures of section H. */
const EIO_MEASURE_TYPES = codeTable('EIO measure type', EioMeasureType, 'EIO_MEASURE_TYPE_', {
  EIO_MEASURE_TYPE_H1_TEMPORARY_TRANSFER: 'H1',
  EIO_MEASURE_TYPE_H2_REMOTE_HEARING: 'H2',
  EIO_MEASURE_TYPE_H3_BANK_ACCOUNTS: 'H3',
  EIO_MEASURE_TYPE_H4_BANKING_OPERATIONS: 'H4',
  EIO_MEASURE_TYPE_H5_REAL_TIME_GATHERING: 'H5',
  EIO_MEASURE_TYPE_H6_COVERT_INVESTIGATION: 'H6',
  EIO_MEASURE_TYPE_H7_INTERCEPTION: 'H7',
});
const EIO_PROCEEDINGS = codeTable('EIO proceedings type', EioProceedingsType, 'EIO_PROCEEDINGS_TYPE_');
const SURRENDER_PURPOSES = codeTable('surrender purpose', SurrenderPurpose, 'SURRENDER_PURPOSE_');
const EAW_DECISION_KINDS = codeTable('EAW decision kind', EawDecisionKind, 'EAW_DECISION_KIND_');
const ASSURANCE_KINDS = codeTable('assurance kind', AssuranceKind, 'ASSURANCE_KIND_');
const REFUSAL_GROUNDS = codeTable('refusal ground', RefusalGroundCode, 'REFUSAL_GROUND_CODE_');
export const REQUEST_TYPES = codeTable('request type', RequestType, 'REQUEST_TYPE_');

/** Legal bases the EU instruments imply; an MLA request states its own. */
const EIO_LEGAL_BASIS = { instrument: 'Directive 2014/41/EU' };
const EAW_LEGAL_BASIS = { instrument: 'FD 2002/584/JHA' };

// ---- The interface to the message layer --------------------------------------------------

export interface DocumentContext {
  /** The subject a new request gets, from its native reference. */
  readonly newRequestSubject: (reference: string) => string;
  /** The message's documents (content document, signature, attachments), in order. */
  readonly documents: readonly DocumentRef[];
  /** Where the first of them is, for the error when the body has no place for documents. */
  readonly documentsPath: string;
}

export interface DecodedDocument {
  readonly body: EventBody;
  /** Set for a new request: its native reference and subject. */
  readonly newRequest?: { readonly reference: string; readonly subject: string };
  readonly requestType: RequestType;
  readonly classification: Classification;
  readonly language: string;
  readonly originState: string;
  readonly targets: Partial<Target>[];
  readonly legalBasis?: Partial<LegalBasis>;
  readonly extensions: Record<string, string>;
}

export interface EncodedDocument {
  readonly root: XmlOut;
  /** The documents the message carries with it (content document, signature, attachments). */
  readonly documents: readonly DocumentRef[];
}

/** Extension keys this module owns. */
export const DOCUMENT_EXTENSIONS = {
  /** Annex B section A: the issuing authority's reference of the EIO acknowledged. */
  requestReference: `${NETWORK}.requestReference`,
  /** Annex B section A: its date of issue. */
  requestIssuedOn: `${NETWORK}.requestIssuedOn`,
  /** Annex B section B, when it differs from the competent authority: canonical JSON of an Authority. */
  receivingAuthority: `${NETWORK}.receivingAuthority`,
} as const;

type Decoder = (reader: ElementReader, context: DocumentContext) => DecodedDocument;

const DECODERS: Readonly<Record<string, Decoder>> = {
  EuropeanInvestigationOrder: decodeEio,
  EuropeanArrestWarrant: decodeEaw,
  MutualLegalAssistanceRequest: decodeMla,
  Acknowledgement: decodeAcknowledgement,
  AdditionalInformationRequest: decodeInformationRequest,
  AdditionalInformation: decodeInformation,
  Recognition: decodeRecognition,
  Postponement: decodePostponement,
  ExecutionNotice: decodeExecution,
  PartialExecutionNotice: decodePartialExecution,
  Refusal: decodeRefusal,
  Withdrawal: decodeWithdrawal,
};

export function decodeDocument(reader: ElementReader, context: DocumentContext): DecodedDocument {
  const decoder = reader.element.namespace === BUSINESS_NAMESPACE ? DECODERS[reader.name] : undefined;
  if (!decoder || !Object.hasOwn(DECODERS, reader.name)) {
    throw new DecodeError(
      'UNKNOWN_DOCUMENT',
      `{${reader.element.namespace}}${reader.name} is not a business document this adapter knows (namespace ${BUSINESS_NAMESPACE}: ${Object.keys(DECODERS).join(', ')})`,
      reader.path,
    );
  }
  return decoder(reader, context);
}

export function encodeDocument(event: Event, body: EventBody): EncodedDocument {
  switch (body.$type) {
    case 'comity.v1.RequestSubmitted':
      return encodeRequest(event, required(body.request, 'request'));
    case 'comity.v1.RequestAcknowledged':
      return { root: encodeAcknowledgement(event, body), documents: [] };
    case 'comity.v1.AdditionalInformationRequested':
      return { root: encodeInformationRequest(event, body), documents: [] };
    case 'comity.v1.AdditionalInformationProvided':
      return { root: encodeInformation(event, body), documents: body.documents };
    case 'comity.v1.RequestRecognised':
      return { root: encodeRecognition(event, body), documents: [] };
    case 'comity.v1.RequestPostponed':
      return { root: encodePostponement(event, body), documents: [] };
    case 'comity.v1.RequestExecuted':
      return { root: encodeExecution(event, body), documents: body.documents };
    case 'comity.v1.RequestPartiallyExecuted':
      return { root: encodePartialExecution(event, body), documents: body.documents };
    case 'comity.v1.RequestRefused':
      return { root: encodeRefusal(event, body), documents: [] };
    case 'comity.v1.RequestWithdrawn':
      return { root: encodeWithdrawal(event, body), documents: [] };
    default:
      throw new EncodeError('UNSUPPORTED_EVENT', `the e-CODEX connector has no business document for ${body.$type}`);
  }
}

// ---- Parts shared by the documents ---------------------------------------------------------

function readAuthority(reader: ElementReader, impliedState?: string): DeepPartial<Authority> {
  const authority: DeepPartial<Authority> = {
    id: orEmpty(reader.attribute('id')),
    kind: codeAttribute(reader, 'kind', AUTHORITY_KINDS),
    // Where the document states the State elsewhere (EIO section A), the authority does not repeat it.
    state: impliedState ?? stateAttribute(reader, 'state'),
    name: reader.requiredChildText('name'),
    contactPerson: orEmpty(reader.childText('contactPerson')),
    address: readAddress(reader.child('address')),
    email: orEmpty(reader.childText('email')),
    phone: orEmpty(reader.childText('phone')),
    languages: languageTexts(reader, 'language'),
  };
  reader.done();
  return authority;
}

function optionalAuthority(reader: ElementReader | undefined): DeepPartial<Authority> | undefined {
  return reader ? readAuthority(reader) : undefined;
}

function writeAuthority(name: string, authority: Authority | undefined, field: string, options: { omitState?: boolean } = {}): XmlOut | undefined {
  if (!authority) return undefined;
  return element(
    name,
    [
      ['id', authority.id],
      ['kind', codeOf(AUTHORITY_KINDS, authority.kind, `${field}.kind`)],
      ['state', options.omitState ? undefined : authority.state],
    ],
    [
      textElement('name', required(authority.name, `${field}.name`)),
      textElement('contactPerson', authority.contactPerson),
      writeAddress(authority.address),
      textElement('email', authority.email),
      textElement('phone', authority.phone),
      ...authority.languages.map((language) => textElement('language', language)),
    ],
  );
}

function readAddress(reader: ElementReader | undefined): DeepPartial<Address> | undefined {
  if (!reader) return undefined;
  const address: DeepPartial<Address> = {
    country: stateAttribute(reader, 'country'),
    lines: reader.childTexts('line'),
    postalCode: orEmpty(reader.childText('postalCode')),
    locality: orEmpty(reader.childText('locality')),
    region: orEmpty(reader.childText('region')),
  };
  reader.done();
  return address;
}

function writeAddress(address: Address | undefined): XmlOut | undefined {
  if (!address) return undefined;
  return element(
    'address',
    [['country', address.country]],
    [
      ...address.lines.map((line) => textElement('line', line)),
      textElement('postalCode', address.postalCode),
      textElement('locality', address.locality),
      textElement('region', address.region),
    ],
  );
}

function readPerson(reader: ElementReader): DeepPartial<Person> {
  const sex = reader.attribute('sex');
  if (sex !== undefined && !/^[FMX]$/.test(sex)) throw new DecodeError('INVALID_FIELD', `sex "${sex}" is not F, M or X (ICAO Doc 9303)`, `${reader.path}/@sex`);
  const person: DeepPartial<Person> = {
    ref: reader.requiredAttribute('ref'),
    kind: codeAttribute(reader, 'kind', PERSON_KINDS),
    role: codeAttribute(reader, 'role', PERSON_ROLES),
    sex: sex ?? '',
    dateOfBirth: dateAttribute(reader, 'dateOfBirth'),
    inCustody: booleanAttribute(reader, 'inCustody'),
    familyName: orEmpty(reader.childText('familyName')),
    givenNames: orEmpty(reader.childText('givenNames')),
    otherNames: reader.childTexts('otherName'),
    nameInOriginalScript: orEmpty(reader.childText('nameInOriginalScript')),
    placeOfBirth: orEmpty(reader.childText('placeOfBirth')),
    nationalities: stateTexts(reader, 'nationality'),
    languages: languageTexts(reader, 'language'),
    identityDocuments: reader.children('identityDocument').map(readIdentityDocument),
    addresses: reader.children('address').map((address) => readAddress(address) as DeepPartial<Address>),
    description: orEmpty(reader.childText('description')),
    registrationNumber: orEmpty(reader.childText('registrationNumber')),
  };
  reader.done();
  return person;
}

function writePerson(name: string, person: Person, field: string): XmlOut {
  return element(
    name,
    [
      ['ref', required(person.ref, `${field}.ref`)],
      ['kind', codeOf(PERSON_KINDS, person.kind, `${field}.kind`)],
      ['role', codeOf(PERSON_ROLES, person.role, `${field}.role`)],
      ['sex', person.sex],
      ['dateOfBirth', person.dateOfBirth],
      ['inCustody', formatBoolean(person.inCustody)],
    ],
    [
      textElement('familyName', person.familyName),
      textElement('givenNames', person.givenNames),
      ...person.otherNames.map((other) => textElement('otherName', other)),
      textElement('nameInOriginalScript', person.nameInOriginalScript),
      textElement('placeOfBirth', person.placeOfBirth),
      ...person.nationalities.map((state) => textElement('nationality', state)),
      ...person.languages.map((language) => textElement('language', language)),
      ...person.identityDocuments.map((document, index) => writeIdentityDocument(document, `${field}.identityDocuments.${index}`)),
      ...person.addresses.map(writeAddress),
      textElement('description', person.description),
      textElement('registrationNumber', person.registrationNumber),
    ],
  );
}

function readIdentityDocument(reader: ElementReader): DeepPartial<IdentityDocument> {
  const document: DeepPartial<IdentityDocument> = {
    kind: codeAttribute(reader, 'kind', IDENTITY_DOCUMENT_KINDS),
    issuingState: stateAttribute(reader, 'issuingState'),
    expiryDate: dateAttribute(reader, 'expiryDate'),
    number: reader.requiredText(),
  };
  reader.done();
  return document;
}

function writeIdentityDocument(document: IdentityDocument, field: string): XmlOut | undefined {
  return textElement('identityDocument', required(document.number, `${field}.number`), [
    ['kind', codeOf(IDENTITY_DOCUMENT_KINDS, document.kind, `${field}.kind`)],
    ['issuingState', document.issuingState],
    ['expiryDate', document.expiryDate],
  ]);
}

/**
 * An offence. `listCategory` is the box ticked on the form (1–32, Art. 2(2) FD 2002/584/JHA,
 * Annex D of Directive 2014/41/EU); the ICCS code is the sender's (`iccs`) or, for a ticked
 * box, the table's (offences.ts). It is written back only when it is not the table's.
 */
function readOffence(reader: ElementReader): DeepPartial<Offence> {
  const category = countAttribute(reader, 'listCategory');
  if (category !== 0 && !listCategory(category)) {
    throw new DecodeError('INVALID_FIELD', `list category ${category} is not one of the 32 of Art. 2(2) FD 2002/584/JHA`, `${reader.path}/@listCategory`);
  }
  const iccs = iccsAttribute(reader, 'iccs');
  const offence: DeepPartial<Offence> = {
    ref: reader.requiredAttribute('ref'),
    nativeScheme: orEmpty(reader.attribute('scheme')),
    nativeCode: orEmpty(reader.attribute('code')),
    nativeLabel: orEmpty(reader.childText('label')),
    statutoryProvisions: orEmpty(reader.childText('statutoryProvisions')),
    iccsCode: iccs || (category !== 0 ? iccsForListCategory(category) : ''),
    eawListCategory: category,
    description: orEmpty(reader.childText('description')),
    committedFrom: dateAttribute(reader, 'committedFrom'),
    committedUntil: dateAttribute(reader, 'committedUntil'),
    place: orEmpty(reader.childText('place')),
    statesOfCommission: stateTexts(reader, 'stateOfCommission'),
    maxPenaltyMonths: countAttribute(reader, 'maxPenaltyMonths'),
    maxPenaltyLife: booleanAttribute(reader, 'maxPenaltyLife'),
    language: languageAttribute(reader, 'language'),
  };
  reader.done();
  return offence;
}

function writeOffence(offence: Offence, field: string, extra: readonly (readonly [string, string | undefined])[] = []): XmlOut {
  if (offence.eawListCategory !== 0 && !listCategory(offence.eawListCategory)) {
    throw new EncodeError('INVALID_FIELD', `${field}.eawListCategory ${offence.eawListCategory} is not one of the 32 list categories`);
  }
  const tableIccs = offence.eawListCategory !== 0 ? iccsForListCategory(offence.eawListCategory) : '';
  return element(
    'offence',
    [
      ['ref', required(offence.ref, `${field}.ref`)],
      ['scheme', offence.nativeScheme],
      ['code', offence.nativeCode],
      ['listCategory', formatCount(offence.eawListCategory)],
      ['iccs', offence.iccsCode === tableIccs ? undefined : offence.iccsCode],
      ['committedFrom', offence.committedFrom],
      ['committedUntil', offence.committedUntil],
      ['maxPenaltyMonths', formatCount(offence.maxPenaltyMonths)],
      ['maxPenaltyLife', formatBoolean(offence.maxPenaltyLife)],
      ['language', offence.language],
      ...extra,
    ],
    [
      textElement('label', offence.nativeLabel),
      textElement('statutoryProvisions', offence.statutoryProvisions),
      textElement('description', offence.description),
      textElement('place', offence.place),
      ...offence.statesOfCommission.map((state) => textElement('stateOfCommission', state)),
    ],
  );
}

/** A measure; in an EIO also its Annex A type (section C, or H1–H7 of section H) and section H text. */
function readMeasure(reader: ElementReader, eio: boolean): { measure: DeepPartial<Measure>; investigative?: DeepPartial<EioInvestigativeMeasure> } {
  const measure: DeepPartial<Measure> = {
    ref: reader.requiredAttribute('ref'),
    kind: codeAttribute(reader, 'kind', MEASURE_KINDS),
    description: orEmpty(reader.childText('description')),
    location: orEmpty(reader.childText('location')),
    personRefs: reader.childTexts('personRef'),
  };
  let investigative: DeepPartial<EioInvestigativeMeasure> | undefined;
  if (eio) {
    const type = codeAttribute(reader, 'type', EIO_MEASURE_TYPES);
    const additionalRequirements = orEmpty(reader.childText('additionalRequirements'));
    if (type !== 0 || additionalRequirements) investigative = { measureRef: measure.ref, type, additionalRequirements };
  }
  reader.done();
  return { measure, investigative };
}

function writeMeasure(measure: Measure, field: string, investigative?: EioInvestigativeMeasure): XmlOut {
  return element(
    'measure',
    [
      ['ref', required(measure.ref, `${field}.ref`)],
      ['kind', codeOf(MEASURE_KINDS, measure.kind, `${field}.kind`)],
      ['type', investigative ? codeOf(EIO_MEASURE_TYPES, investigative.type, `${field} EIO type`) : undefined],
    ],
    [
      textElement('description', measure.description),
      textElement('location', measure.location),
      ...measure.personRefs.map((ref) => textElement('personRef', ref)),
      textElement('additionalRequirements', investigative?.additionalRequirements),
    ],
  );
}

type UrgencyFields = Pick<DeepPartial<Request>, 'urgency' | 'urgencyReason' | 'deadline'>;

function readUrgency(reader: ElementReader | undefined): UrgencyFields {
  if (!reader) return {};
  const fields: UrgencyFields = {
    urgency: codeAttribute(reader, 'level', URGENCIES),
    deadline: timestampAttribute(reader, 'deadline'),
    urgencyReason: orEmpty(reader.childText('reasons')),
  };
  reader.done();
  return fields;
}

function writeUrgency(name: string, request: Request): XmlOut | undefined {
  if (request.urgency === Urgency.URGENCY_UNSPECIFIED && !request.urgencyReason && !request.deadline) return undefined;
  return element(
    name,
    [
      ['level', codeOf(URGENCIES, request.urgency, 'request.urgency')],
      ['deadline', formatTimestamp(request.deadline)],
    ],
    [textElement('reasons', request.urgencyReason)],
  );
}

function readSentence(reader: ElementReader | undefined): DeepPartial<Sentence> | undefined {
  if (!reader) return undefined;
  const sentence: DeepPartial<Sentence> = {
    termMonths: countAttribute(reader, 'termMonths'),
    remainingMonths: countAttribute(reader, 'remainingMonths'),
    life: booleanAttribute(reader, 'life'),
    finalOn: dateAttribute(reader, 'finalOn'),
    description: orEmpty(reader.childText('description')),
  };
  reader.done();
  return sentence;
}

function writeSentence(sentence: Sentence | undefined): XmlOut | undefined {
  if (!sentence) return undefined;
  return element(
    'imposed',
    [
      ['termMonths', formatCount(sentence.termMonths)],
      ['remainingMonths', formatCount(sentence.remainingMonths)],
      ['life', formatBoolean(sentence.life)],
      ['finalOn', sentence.finalOn],
    ],
    [textElement('description', sentence.description)],
  );
}

/** Attributes every document root may carry. */
interface RootAttributes {
  readonly language: string;
  readonly confidential: boolean;
}

function readRoot(reader: ElementReader): RootAttributes {
  return { language: documentLanguage(reader), confidential: booleanAttribute(reader, 'confidential') };
}

function rootAttributes(event: Event, confidential = false): [string, string | undefined][] {
  return [
    ['xmlns', BUSINESS_NAMESPACE],
    ['xml:lang', event.language],
    ['confidential', formatBoolean(confidential || event.classification === Classification.CLASSIFICATION_CONFIDENTIAL)],
  ];
}

function classificationOf(root: RootAttributes): Classification {
  return root.confidential ? Classification.CLASSIFICATION_CONFIDENTIAL : Classification.CLASSIFICATION_RESTRICTED;
}

function noDocuments(context: DocumentContext, document: string): void {
  if (context.documents.length > 0) {
    throw new DecodeError(
      'UNEXPECTED_ATTACHMENT',
      `${document} cannot carry documents or attachments: the canonical event has no place for them (see README, "Limits")`,
      context.documentsPath,
    );
  }
}

// ---- Requests ------------------------------------------------------------------------------

/** The common tail of the three request documents. */
function requestDocument(
  context: DocumentContext,
  root: RootAttributes,
  request: DeepPartial<Request> & { nativeReference: string; requestType: RequestType },
  legalBasis: Partial<LegalBasis> | undefined,
): DecodedDocument {
  const subject = context.newRequestSubject(request.nativeReference);
  const requestedState = request.requestedState ?? '';
  const targetAuthority = request.requestedAuthority?.id ?? '';
  return {
    body: RequestSubmitted.fromPartial({ request: { ...request, requestId: subject, attachments: [...context.documents] } }),
    newRequest: { reference: request.nativeReference, subject },
    requestType: request.requestType,
    classification: classificationOf(root),
    language: root.language,
    originState: request.requestingAuthority?.state ?? '',
    targets: requestedState ? [{ state: requestedState, ...(targetAuthority ? { authority: targetAuthority } : {}) }] : [],
    legalBasis,
    extensions: {},
  };
}

function encodeRequest(event: Event, request: Request): EncodedDocument {
  if (request.europeanInvestigationOrder) return { root: encodeEio(event, request, request.europeanInvestigationOrder), documents: request.attachments };
  if (request.europeanArrestWarrant) return { root: encodeEaw(event, request, request.europeanArrestWarrant), documents: request.attachments };
  if (request.mutualLegalAssistance || request.requestType === RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE) {
    return { root: encodeMla(event, request), documents: request.attachments };
  }
  throw new EncodeError(
    'UNSUPPORTED_REQUEST_TYPE',
    `the e-CODEX connector takes European Investigation Orders, European Arrest Warrants and mutual legal assistance requests, not ${REQUEST_TYPES.byValue.get(request.requestType) ?? 'an unspecified request type'}`,
  );
}

/**
 * European Investigation Order, Annex A of Directive 2014/41/EU:
 *   A  issuing and executing State (executing authority if known)   B  urgency, reasons, deadline
 *   C  investigative measures (type: C's measures or H1–H7)           D  earlier EIO
 *   E  persons concerned                                              F  type of proceedings
 *   G  facts, offences (legal classification, list category), necessity and proportionality
 *   H  specific requirements of H1–H7 (`additionalRequirements` of the measure)
 *   I  formalities   J  legal remedies   K  issuing authority, signatory   L  validating authority
 */
function decodeEio(reader: ElementReader, context: DocumentContext): DecodedDocument {
  const root = readRoot(reader);
  const reference = reader.requiredAttribute('reference');
  const issuedAt = timestampAttribute(reader, 'issuedAt');

  const sectionA = reader.requiredChild('sectionA');
  const issuingState = stateText(sectionA, 'issuingState', true);
  const requestedState = stateText(sectionA, 'executingState', true);
  const requestedAuthority = optionalAuthority(sectionA.child('executingAuthority'));
  sectionA.done();

  const urgency = readUrgency(reader.child('sectionB'));

  const sectionC = reader.requiredChild('sectionC');
  const measureReaders = sectionC.children('measure');
  if (measureReaders.length === 0) throw new DecodeError('MISSING_SECTION', 'section C names no investigative measure', `${sectionC.path}/measure`);
  const read = measureReaders.map((measure) => readMeasure(measure, true));
  sectionC.done();

  const sectionD = reader.child('sectionD');
  let earlierEio;
  if (sectionD) {
    earlierEio = {
      requestId: orEmpty(sectionD.attribute('requestId')),
      reference: orEmpty(sectionD.attribute('reference')),
      issuedOn: dateAttribute(sectionD, 'issuedOn'),
      executingReference: orEmpty(sectionD.attribute('executingReference')),
      alsoAddressedToStates: stateTexts(sectionD, 'alsoAddressedTo'),
    };
    sectionD.done();
  }

  const sectionE = reader.child('sectionE');
  const persons = sectionE ? sectionE.children('person').map(readPerson) : [];
  sectionE?.done();

  const sectionF = reader.child('sectionF');
  const proceedingsType = sectionF ? codeAttribute(sectionF, 'proceedings', EIO_PROCEEDINGS) : 0;
  sectionF?.done();

  const sectionG = reader.requiredChild('sectionG');
  const summaryOfFacts = sectionG.requiredChildText('facts');
  const offences = sectionG.children('offence').map(readOffence);
  const necessityAndProportionality = orEmpty(sectionG.childText('necessityAndProportionality'));
  sectionG.done();

  const formalities = orEmpty(reader.childText('sectionI'));

  const sectionJ = reader.child('sectionJ');
  const legalRemedySought = sectionJ ? booleanAttribute(sectionJ, 'legalRemedySought') : false;
  const legalRemediesInformation = orEmpty(sectionJ?.childText('information'));
  sectionJ?.done();

  const sectionK = reader.requiredChild('sectionK');
  const requestingAuthority = readAuthority(sectionK.requiredChild('authority'), issuingState);
  const signatory = orEmpty(sectionK.childText('signatory'));
  sectionK.done();

  const sectionL = reader.child('sectionL');
  const validatingAuthority = sectionL ? readAuthority(sectionL.requiredChild('authority')) : undefined;
  sectionL?.done();

  const relatedRequestIds = reader.childTexts('relatedRequest');
  reader.done();

  return requestDocument(
    context,
    root,
    {
      nativeReference: reference,
      requestType: RequestType.REQUEST_TYPE_EUROPEAN_INVESTIGATION_ORDER,
      issuedAt,
      signatory,
      relatedRequestIds,
      requestingAuthority,
      requestedState,
      requestedAuthority,
      ...urgency,
      summaryOfFacts,
      offences,
      persons,
      measures: read.map((entry) => entry.measure),
      europeanInvestigationOrder: {
        investigativeMeasures: read.flatMap((entry) => (entry.investigative ? [entry.investigative] : [])),
        earlierEio,
        proceedingsType,
        necessityAndProportionality,
        formalities,
        legalRemedySought,
        legalRemediesInformation,
        validatingAuthority,
      },
    },
    EIO_LEGAL_BASIS,
  );
}

function encodeEio(event: Event, request: Request, eio: EuropeanInvestigationOrder): XmlOut {
  const requestingAuthority = required(request.requestingAuthority, 'request.requestingAuthority');
  const byRef = new Map<string, EioInvestigativeMeasure>();
  for (const investigative of eio.investigativeMeasures) {
    if (!request.measures.some((measure) => measure.ref === investigative.measureRef)) {
      throw new EncodeError('INVALID_FIELD', `EIO investigative measure "${investigative.measureRef}" names no measure of the request`);
    }
    if (byRef.has(investigative.measureRef)) throw new EncodeError('INVALID_FIELD', `measure "${investigative.measureRef}" has two EIO types`);
    byRef.set(investigative.measureRef, investigative);
  }
  const earlier = eio.earlierEio;
  return element(
    'EuropeanInvestigationOrder',
    [...rootAttributes(event), ['reference', required(request.nativeReference, 'request.nativeReference')], ['issuedAt', formatTimestamp(request.issuedAt)]],
    [
      element('sectionA', [], [
        textElement('issuingState', required(requestingAuthority.state, 'request.requestingAuthority.state')),
        textElement('executingState', required(request.requestedState, 'request.requestedState')),
        writeAuthority('executingAuthority', request.requestedAuthority, 'request.requestedAuthority'),
      ]),
      writeUrgency('sectionB', request),
      element('sectionC', [], required(request.measures, 'request.measures').map((measure, index) => writeMeasure(measure, `request.measures.${index}`, byRef.get(measure.ref)))),
      earlier
        ? element(
            'sectionD',
            [
              ['requestId', earlier.requestId],
              ['reference', earlier.reference],
              ['issuedOn', earlier.issuedOn],
              ['executingReference', earlier.executingReference],
            ],
            earlier.alsoAddressedToStates.map((state) => textElement('alsoAddressedTo', state)),
          )
        : undefined,
      request.persons.length > 0 ? element('sectionE', [], request.persons.map((person, index) => writePerson('person', person, `request.persons.${index}`))) : undefined,
      eio.proceedingsType !== EioProceedingsType.EIO_PROCEEDINGS_TYPE_UNSPECIFIED ? element('sectionF', [['proceedings', codeOf(EIO_PROCEEDINGS, eio.proceedingsType, 'proceedingsType')]]) : undefined,
      element('sectionG', [], [
        textElement('facts', required(request.summaryOfFacts, 'request.summaryOfFacts')),
        ...request.offences.map((offence, index) => writeOffence(offence, `request.offences.${index}`)),
        textElement('necessityAndProportionality', eio.necessityAndProportionality),
      ]),
      textElement('sectionI', eio.formalities),
      eio.legalRemedySought || eio.legalRemediesInformation
        ? element('sectionJ', [['legalRemedySought', formatBoolean(eio.legalRemedySought)]], [textElement('information', eio.legalRemediesInformation)])
        : undefined,
      element('sectionK', [], [
        writeAuthority('authority', requestingAuthority, 'request.requestingAuthority', { omitState: true }),
        textElement('signatory', request.signatory),
      ]),
      eio.validatingAuthority ? element('sectionL', [], [writeAuthority('authority', eio.validatingAuthority, 'validatingAuthority')]) : undefined,
      ...request.relatedRequestIds.map((id) => textElement('relatedRequest', id)),
    ],
  );
}

/**
 * European Arrest Warrant, Art. 8(1) FD 2002/584/JHA:
 *   (a) requestedPerson: identity and nationality      (b) issuingAuthority: name, address, phone, e-mail
 *   (c) decision: the enforceable judgment, arrest warrant or other decision
 *   (d) offence: nature and legal classification, list category (Art. 2)
 *   (e) circumstances: time, place, degree of participation
 *   (f) penalty: imposed by a final judgment, or the prescribed scale    (g) otherConsequences
 */
function decodeEaw(reader: ElementReader, context: DocumentContext): DecodedDocument {
  const root = readRoot(reader);
  const reference = reader.requiredAttribute('reference');
  const issuedAt = timestampAttribute(reader, 'issuedAt');
  const requestedState = stateAttribute(reader, 'executingState');
  const purpose = codeAttribute(reader, 'purpose', SURRENDER_PURPOSES);
  const listOffenceCertified = booleanAttribute(reader, 'listOffenceCertified');
  const inAbsentia = booleanAttribute(reader, 'inAbsentia');
  const sisReference = orEmpty(reader.attribute('sisReference'));

  const sought = readPerson(reader.requiredChild('requestedPerson'));
  const others = reader.children('person').map(readPerson);

  const decision = reader.requiredChild('decision');
  const decisionKind = codeAttribute(decision, 'kind', EAW_DECISION_KINDS);
  const decisionReference = orEmpty(decision.attribute('reference'));
  const decisionDate = dateAttribute(decision, 'date');
  decision.done();

  const offenceReaders = reader.children('offence');
  if (offenceReaders.length === 0) throw new DecodeError('MISSING_SECTION', 'an EAW names at least one offence (Art. 8(1)(d))', `${reader.path}/offence`);
  const offenceRefs: string[] = [];
  const offences = offenceReaders.map((offenceReader) => {
    const covered = offenceReader.attribute('covered');
    if (covered !== undefined && covered !== 'false') throw new DecodeError('INVALID_FIELD', 'covered may only be "false"', `${offenceReader.path}/@covered`);
    const offence = readOffence(offenceReader);
    if (covered === undefined) offenceRefs.push(offence.ref as string);
    return offence;
  });

  const penalty = reader.child('penalty');
  const penaltyImposed = readSentence(penalty?.child('imposed'));
  const prescribedPenaltyScale = orEmpty(penalty?.childText('prescribedScale'));
  penalty?.done();

  const assurances = reader.children('assurance').map((assurance) => {
    const value = { kind: codeAttribute(assurance, 'kind', ASSURANCE_KINDS), text: orEmpty(assurance.text()) };
    assurance.done();
    return value;
  });
  const requestingAuthority = readAuthority(reader.requiredChild('issuingAuthority'));
  const requestedAuthority = optionalAuthority(reader.child('executingAuthority'));
  const urgency = readUrgency(reader.child('urgency'));
  const measures = reader.children('measure').map((measure) => readMeasure(measure, false).measure);
  const summaryOfFacts = orEmpty(reader.childText('facts'));
  const circumstances = orEmpty(reader.childText('circumstances'));
  const otherConsequences = orEmpty(reader.childText('otherConsequences'));
  const inAbsentiaDetails = orEmpty(reader.childText('inAbsentiaDetails'));
  const signatory = orEmpty(reader.childText('signatory'));
  const relatedRequestIds = reader.childTexts('relatedRequest');
  reader.done();

  return requestDocument(
    context,
    root,
    {
      nativeReference: reference,
      requestType: RequestType.REQUEST_TYPE_EUROPEAN_ARREST_WARRANT,
      issuedAt,
      signatory,
      relatedRequestIds,
      requestingAuthority,
      requestedState,
      requestedAuthority,
      ...urgency,
      summaryOfFacts,
      offences,
      persons: [sought, ...others],
      measures,
      europeanArrestWarrant: {
        personSoughtRef: sought.ref,
        purpose,
        decisionKind,
        decisionReference,
        decisionDate,
        offenceRefs,
        circumstances,
        penaltyImposed,
        prescribedPenaltyScale,
        otherConsequences,
        listOffenceCertified,
        inAbsentia,
        inAbsentiaDetails,
        assurances,
        sisReference,
      },
    },
    EAW_LEGAL_BASIS,
  );
}

function encodeEaw(event: Event, request: Request, eaw: EuropeanArrestWarrant): XmlOut {
  const soughtRef = required(eaw.personSoughtRef, 'europeanArrestWarrant.personSoughtRef');
  const sought = request.persons.find((person) => person.ref === soughtRef);
  if (!sought) throw new EncodeError('MISSING_FIELD', `the person sought "${soughtRef}" is not among the request's persons`);
  const covered = new Set(eaw.offenceRefs);
  return element(
    'EuropeanArrestWarrant',
    [
      ...rootAttributes(event),
      ['reference', required(request.nativeReference, 'request.nativeReference')],
      ['issuedAt', formatTimestamp(request.issuedAt)],
      ['executingState', request.requestedState],
      ['purpose', codeOf(SURRENDER_PURPOSES, eaw.purpose, 'europeanArrestWarrant.purpose')],
      ['listOffenceCertified', formatBoolean(eaw.listOffenceCertified)],
      ['inAbsentia', formatBoolean(eaw.inAbsentia)],
      ['sisReference', eaw.sisReference],
    ],
    [
      writePerson('requestedPerson', sought, 'europeanArrestWarrant.personSought'),
      ...request.persons.filter((person) => person !== sought).map((person, index) => writePerson('person', person, `request.persons.${index}`)),
      element('decision', [
        ['kind', codeOf(EAW_DECISION_KINDS, eaw.decisionKind, 'europeanArrestWarrant.decisionKind')],
        ['reference', eaw.decisionReference],
        ['date', eaw.decisionDate],
      ]),
      ...required(request.offences, 'request.offences').map((offence, index) =>
        writeOffence(offence, `request.offences.${index}`, [['covered', covered.has(offence.ref) ? undefined : 'false']]),
      ),
      textElement('facts', request.summaryOfFacts),
      textElement('circumstances', eaw.circumstances),
      eaw.penaltyImposed || eaw.prescribedPenaltyScale
        ? element('penalty', [], [writeSentence(eaw.penaltyImposed), textElement('prescribedScale', eaw.prescribedPenaltyScale)])
        : undefined,
      textElement('otherConsequences', eaw.otherConsequences),
      textElement('inAbsentiaDetails', eaw.inAbsentiaDetails),
      ...eaw.assurances.map((assurance, index) =>
        element('assurance', [['kind', codeOf(ASSURANCE_KINDS, assurance.kind, `europeanArrestWarrant.assurances.${index}.kind`)]], [], assurance.text),
      ),
      writeAuthority('issuingAuthority', required(request.requestingAuthority, 'request.requestingAuthority'), 'request.requestingAuthority'),
      writeAuthority('executingAuthority', request.requestedAuthority, 'request.requestedAuthority'),
      writeUrgency('urgency', request),
      ...request.measures.map((measure, index) => writeMeasure(measure, `request.measures.${index}`)),
      textElement('signatory', request.signatory),
      ...request.relatedRequestIds.map((id) => textElement('relatedRequest', id)),
    ],
  );
}

/**
 * Mutual legal assistance request (for States outside the EU instruments), after UNTOC art.
 * 18(15): requesting authority, requested State, legal basis, proceedings, purpose, facts,
 * offences, persons, measures, formalities, urgency; `confidential="true"` asks for the
 * confidentiality of art. 18(20).
 */
function decodeMla(reader: ElementReader, context: DocumentContext): DecodedDocument {
  const root = readRoot(reader);
  const reference = reader.requiredAttribute('reference');
  const issuedAt = timestampAttribute(reader, 'issuedAt');
  reader.requiredAttribute('requestedState');
  const requestedState = stateAttribute(reader, 'requestedState');
  const specialityUndertaking = booleanAttribute(reader, 'speciality');
  const presenceOfOfficialsRequested = booleanAttribute(reader, 'presenceOfOfficials');

  const requestingAuthority = readAuthority(reader.requiredChild('requestingAuthority'));
  const requestedAuthority = optionalAuthority(reader.child('requestedAuthority'));
  const basis = reader.child('legalBasis');
  let legalBasis: Partial<LegalBasis> | undefined;
  if (basis) {
    legalBasis = { instrument: basis.requiredAttribute('instrument'), article: orEmpty(basis.attribute('article')), note: orEmpty(basis.text()) };
    basis.done();
  }
  const urgency = readUrgency(reader.child('urgency'));
  const proceedingsDescription = orEmpty(reader.childText('proceedings'));
  const purpose = orEmpty(reader.childText('purpose'));
  const summaryOfFacts = orEmpty(reader.childText('facts'));
  const offences = reader.children('offence').map(readOffence);
  const persons = reader.children('person').map(readPerson);
  const measureReaders = reader.children('measure');
  if (measureReaders.length === 0) throw new DecodeError('MISSING_SECTION', 'an MLA request asks for at least one measure', `${reader.path}/measure`);
  const measures = measureReaders.map((measure) => readMeasure(measure, false).measure);
  const formalities = orEmpty(reader.childText('formalities'));
  const signatory = orEmpty(reader.childText('signatory'));
  const relatedRequestIds = reader.childTexts('relatedRequest');
  reader.done();

  return requestDocument(
    context,
    root,
    {
      nativeReference: reference,
      requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
      issuedAt,
      signatory,
      relatedRequestIds,
      requestingAuthority,
      requestedState,
      requestedAuthority,
      ...urgency,
      summaryOfFacts,
      offences,
      persons,
      measures,
      mutualLegalAssistance: {
        proceedingsDescription,
        purpose,
        formalities,
        confidentialityRequested: root.confidential,
        specialityUndertaking,
        presenceOfOfficialsRequested,
      },
    },
    legalBasis,
  );
}

function encodeMla(event: Event, request: Request): XmlOut {
  const mla = request.mutualLegalAssistance;
  const basis = event.legalBasis;
  return element(
    'MutualLegalAssistanceRequest',
    [
      ...rootAttributes(event, mla?.confidentialityRequested ?? false),
      ['reference', required(request.nativeReference, 'request.nativeReference')],
      ['issuedAt', formatTimestamp(request.issuedAt)],
      ['requestedState', required(request.requestedState, 'request.requestedState')],
      ['speciality', formatBoolean(mla?.specialityUndertaking ?? false)],
      ['presenceOfOfficials', formatBoolean(mla?.presenceOfOfficialsRequested ?? false)],
    ],
    [
      writeAuthority('requestingAuthority', required(request.requestingAuthority, 'request.requestingAuthority'), 'request.requestingAuthority'),
      writeAuthority('requestedAuthority', request.requestedAuthority, 'request.requestedAuthority'),
      basis?.instrument ? element('legalBasis', [['instrument', basis.instrument], ['article', basis.article]], [], basis.note) : undefined,
      writeUrgency('urgency', request),
      textElement('proceedings', mla?.proceedingsDescription),
      textElement('purpose', mla?.purpose),
      textElement('facts', request.summaryOfFacts),
      ...request.offences.map((offence, index) => writeOffence(offence, `request.offences.${index}`)),
      ...request.persons.map((person, index) => writePerson('person', person, `request.persons.${index}`)),
      ...required(request.measures, 'request.measures').map((measure, index) => writeMeasure(measure, `request.measures.${index}`)),
      textElement('formalities', mla?.formalities),
      textElement('signatory', request.signatory),
      ...request.relatedRequestIds.map((id) => textElement('relatedRequest', id)),
    ],
  );
}

// ---- Answers -------------------------------------------------------------------------------

/** What every answer document shares: the root attributes and the request type it answers. */
function answer(reader: ElementReader): RootAttributes & { requestType: RequestType } {
  return { ...readRoot(reader), requestType: codeAttribute(reader, 'requestType', REQUEST_TYPES) };
}

function answerDocument(
  head: RootAttributes & { requestType: RequestType },
  body: EventBody,
  authority: DeepPartial<Authority> | undefined,
  extensions: Record<string, string> = {},
): DecodedDocument {
  return {
    body,
    requestType: head.requestType,
    classification: classificationOf(head),
    language: head.language,
    originState: authority?.state ?? '',
    targets: [],
    extensions,
  };
}

function answerAttributes(event: Event): [string, string | undefined][] {
  return [...rootAttributes(event), ['requestType', codeOf(REQUEST_TYPES, event.requestType, 'requestType')]];
}

/**
 * Acknowledgement of receipt; for an EIO the content of Annex B: (A) the EIO concerned
 * (`requestConcerned`) and its date of receipt, (B) the authority that received it
 * (`receivingAuthority`, when it is not the competent one), (C) the competent authority and its
 * file reference, (D) other information (`note`).
 */
function decodeAcknowledgement(reader: ElementReader, context: DocumentContext): DecodedDocument {
  noDocuments(context, 'An acknowledgement');
  const head = answer(reader);
  const receivedAt = timestampAttribute(reader, 'receivedAt');
  const executingReference = orEmpty(reader.attribute('executingReference'));
  const extensions: Record<string, string> = {};
  const concerned = reader.child('requestConcerned');
  if (concerned) {
    const reference = concerned.attribute('reference');
    const issuedOn = dateAttribute(concerned, 'issuedOn');
    if (reference) extensions[DOCUMENT_EXTENSIONS.requestReference] = reference;
    if (issuedOn) extensions[DOCUMENT_EXTENSIONS.requestIssuedOn] = issuedOn;
    concerned.done();
  }
  const receiving = reader.child('receivingAuthority');
  if (receiving) extensions[DOCUMENT_EXTENSIONS.receivingAuthority] = JSON.stringify(Authority.toJSON(Authority.fromPartial(readAuthority(receiving))));
  const competentAuthority = readAuthority(reader.requiredChild('competentAuthority'));
  const note = orEmpty(reader.childText('note'));
  reader.done();
  return answerDocument(head, RequestAcknowledged.fromPartial({ competentAuthority, executingReference, receivedAt, note }), competentAuthority, extensions);
}

function encodeAcknowledgement(event: Event, body: RequestAcknowledged): XmlOut {
  const reference = event.extensions[DOCUMENT_EXTENSIONS.requestReference];
  const issuedOn = event.extensions[DOCUMENT_EXTENSIONS.requestIssuedOn];
  const receivingJson = event.extensions[DOCUMENT_EXTENSIONS.receivingAuthority];
  let receiving: Authority | undefined;
  if (receivingJson) {
    try {
      receiving = Authority.fromJSON(JSON.parse(receivingJson));
    } catch (cause) {
      throw new EncodeError('INVALID_EXTENSION', `extension ${DOCUMENT_EXTENSIONS.receivingAuthority} is not an Authority in JSON`, { cause });
    }
  }
  return element(
    'Acknowledgement',
    [...answerAttributes(event), ['receivedAt', formatTimestamp(body.receivedAt)], ['executingReference', body.executingReference]],
    [
      reference || issuedOn ? element('requestConcerned', [['reference', reference], ['issuedOn', issuedOn]]) : undefined,
      writeAuthority('receivingAuthority', receiving, DOCUMENT_EXTENSIONS.receivingAuthority),
      writeAuthority('competentAuthority', required(body.competentAuthority, 'competentAuthority'), 'competentAuthority'),
      textElement('note', body.note),
    ],
  );
}

function decodeInformationRequest(reader: ElementReader, context: DocumentContext): DecodedDocument {
  noDocuments(context, 'A request for additional information');
  const head = answer(reader);
  const deadline = timestampAttribute(reader, 'deadline');
  const questionReaders = reader.children('question');
  if (questionReaders.length === 0) throw new DecodeError('MISSING_SECTION', 'a request for additional information asks at least one question', `${reader.path}/question`);
  const questions = questionReaders.map((question) => {
    const value = { id: question.requiredAttribute('id'), text: question.requiredText() };
    question.done();
    return value;
  });
  const reason = orEmpty(reader.childText('reason'));
  const askedBy = optionalAuthority(reader.child('askedBy'));
  reader.done();
  return answerDocument(head, AdditionalInformationRequested.fromPartial({ questions, deadline, reason, askedBy }), askedBy);
}

function encodeInformationRequest(event: Event, body: AdditionalInformationRequested): XmlOut {
  return element(
    'AdditionalInformationRequest',
    [...answerAttributes(event), ['deadline', formatTimestamp(body.deadline)]],
    [
      ...required(body.questions, 'questions').map((question, index) =>
        textElement('question', required(question.text, `questions.${index}.text`), [['id', required(question.id, `questions.${index}.id`)]]),
      ),
      textElement('reason', body.reason),
      writeAuthority('askedBy', body.askedBy, 'askedBy'),
    ],
  );
}

function decodeInformation(reader: ElementReader, context: DocumentContext): DecodedDocument {
  const head = answer(reader);
  const regardingEventId = orEmpty(reader.attribute('regarding'));
  const answers = reader.children('answer').map((entry) => {
    const value = { questionId: orEmpty(entry.attribute('question')), text: entry.requiredText() };
    entry.done();
    return value;
  });
  const providedBy = optionalAuthority(reader.child('providedBy'));
  reader.done();
  return answerDocument(head, AdditionalInformationProvided.fromPartial({ regardingEventId, answers, documents: [...context.documents], providedBy }), providedBy);
}

function encodeInformation(event: Event, body: AdditionalInformationProvided): XmlOut {
  return element(
    'AdditionalInformation',
    [...answerAttributes(event), ['regarding', body.regardingEventId]],
    [
      ...body.answers.map((entry, index) => textElement('answer', required(entry.text, `answers.${index}.text`), [['question', entry.questionId]])),
      writeAuthority('providedBy', body.providedBy, 'providedBy'),
    ],
  );
}

function decodeRecognition(reader: ElementReader, context: DocumentContext): DecodedDocument {
  noDocuments(context, 'A recognition');
  const head = answer(reader);
  const decidedAt = timestampAttribute(reader, 'decidedAt');
  const decisionReference = orEmpty(reader.attribute('reference'));
  const personConsented = booleanAttribute(reader, 'personConsented');
  const expectedExecution = timestampAttribute(reader, 'expectedExecution');
  const decidingAuthority = optionalAuthority(reader.child('decidingAuthority'));
  const conditions = reader.childTexts('condition');
  reader.done();
  return answerDocument(
    head,
    RequestRecognised.fromPartial({ decidingAuthority, decidedAt, decisionReference, conditions, personConsented, expectedExecution }),
    decidingAuthority,
  );
}

function encodeRecognition(event: Event, body: RequestRecognised): XmlOut {
  return element(
    'Recognition',
    [
      ...answerAttributes(event),
      ['decidedAt', formatTimestamp(body.decidedAt)],
      ['reference', body.decisionReference],
      ['personConsented', formatBoolean(body.personConsented)],
      ['expectedExecution', formatTimestamp(body.expectedExecution)],
    ],
    [writeAuthority('decidingAuthority', body.decidingAuthority, 'decidingAuthority'), ...body.conditions.map((condition) => textElement('condition', condition))],
  );
}

function decodePostponement(reader: ElementReader, context: DocumentContext): DecodedDocument {
  noDocuments(context, 'A postponement');
  const head = answer(reader);
  const until = timestampAttribute(reader, 'until');
  const grounds = reader.requiredChildText('grounds');
  const legalProvision = orEmpty(reader.childText('legalProvision'));
  const untilCondition = orEmpty(reader.childText('untilCondition'));
  const decidingAuthority = optionalAuthority(reader.child('decidingAuthority'));
  reader.done();
  return answerDocument(head, RequestPostponed.fromPartial({ grounds, legalProvision, until, untilCondition, decidingAuthority }), decidingAuthority);
}

function encodePostponement(event: Event, body: RequestPostponed): XmlOut {
  return element(
    'Postponement',
    [...answerAttributes(event), ['until', formatTimestamp(body.until)]],
    [
      textElement('grounds', required(body.grounds, 'grounds')),
      textElement('legalProvision', body.legalProvision),
      textElement('untilCondition', body.untilCondition),
      writeAuthority('decidingAuthority', body.decidingAuthority, 'decidingAuthority'),
    ],
  );
}

function decodeExecution(reader: ElementReader, context: DocumentContext): DecodedDocument {
  const head = answer(reader);
  const completedAt = timestampAttribute(reader, 'completedAt');
  const resultSummary = orEmpty(reader.childText('result'));
  const executingAuthority = optionalAuthority(reader.child('executingAuthority'));
  reader.done();
  return answerDocument(head, RequestExecuted.fromPartial({ resultSummary, documents: [...context.documents], completedAt, executingAuthority }), executingAuthority);
}

function encodeExecution(event: Event, body: RequestExecuted): XmlOut {
  return element(
    'ExecutionNotice',
    [...answerAttributes(event), ['completedAt', formatTimestamp(body.completedAt)]],
    [textElement('result', body.resultSummary), writeAuthority('executingAuthority', body.executingAuthority, 'executingAuthority')],
  );
}

function readGround(reader: ElementReader): DeepPartial<RefusalGround> {
  const ground = {
    code: requiredCodeAttribute(reader, 'code', REFUSAL_GROUNDS),
    legalProvision: orEmpty(reader.childText('legalProvision')),
    explanation: orEmpty(reader.childText('explanation')),
  };
  reader.done();
  return ground;
}

function writeGround(ground: RefusalGround | undefined, field: string): XmlOut | undefined {
  if (!ground) return undefined;
  return element(
    'ground',
    [['code', required(codeOf(REFUSAL_GROUNDS, ground.code, `${field}.code`), `${field}.code`)]],
    [textElement('legalProvision', ground.legalProvision), textElement('explanation', ground.explanation)],
  );
}

function decodePartialExecution(reader: ElementReader, context: DocumentContext): DecodedDocument {
  const head = answer(reader);
  const completedAt = timestampAttribute(reader, 'completedAt');
  const resultSummary = orEmpty(reader.childText('result'));
  const executedMeasureRefs = reader.children('executedMeasure').map((measure) => {
    const ref = measure.requiredAttribute('ref');
    measure.done();
    return ref;
  });
  const notExecuted = reader.children('notExecuted').map((part) => {
    const ground = part.child('ground');
    const value = {
      measureRef: orEmpty(part.attribute('measure')),
      description: orEmpty(part.childText('description')),
      ground: ground ? readGround(ground) : undefined,
      reason: orEmpty(part.childText('reason')),
    };
    part.done();
    return value;
  });
  const executingAuthority = optionalAuthority(reader.child('executingAuthority'));
  reader.done();
  return answerDocument(
    head,
    RequestPartiallyExecuted.fromPartial({ resultSummary, executedMeasureRefs, notExecuted, documents: [...context.documents], completedAt, executingAuthority }),
    executingAuthority,
  );
}

function encodePartialExecution(event: Event, body: RequestPartiallyExecuted): XmlOut {
  return element(
    'PartialExecutionNotice',
    [...answerAttributes(event), ['completedAt', formatTimestamp(body.completedAt)]],
    [
      textElement('result', body.resultSummary),
      ...body.executedMeasureRefs.map((ref) => element('executedMeasure', [['ref', ref]])),
      ...body.notExecuted.map((part, index) =>
        element(
          'notExecuted',
          [['measure', part.measureRef]],
          [textElement('description', part.description), writeGround(part.ground, `notExecuted.${index}.ground`), textElement('reason', part.reason)],
        ),
      ),
      writeAuthority('executingAuthority', body.executingAuthority, 'executingAuthority'),
    ],
  );
}

function decodeRefusal(reader: ElementReader, context: DocumentContext): DecodedDocument {
  noDocuments(context, 'A refusal');
  const head = answer(reader);
  const decidedAt = timestampAttribute(reader, 'decidedAt');
  const decisionReference = orEmpty(reader.attribute('reference'));
  const groundReaders = reader.children('ground');
  if (groundReaders.length === 0) throw new DecodeError('MISSING_SECTION', 'a refusal states its grounds', `${reader.path}/ground`);
  const grounds = groundReaders.map(readGround);
  const decidingAuthority = optionalAuthority(reader.child('decidingAuthority'));
  const alternative = orEmpty(reader.childText('alternative'));
  reader.done();
  return answerDocument(head, RequestRefused.fromPartial({ grounds, decidingAuthority, decidedAt, decisionReference, alternative }), decidingAuthority);
}

function encodeRefusal(event: Event, body: RequestRefused): XmlOut {
  return element(
    'Refusal',
    [...answerAttributes(event), ['decidedAt', formatTimestamp(body.decidedAt)], ['reference', body.decisionReference]],
    [
      ...required(body.grounds, 'grounds').map((ground, index) => writeGround(ground, `grounds.${index}`)),
      writeAuthority('decidingAuthority', body.decidingAuthority, 'decidingAuthority'),
      textElement('alternative', body.alternative),
    ],
  );
}

function decodeWithdrawal(reader: ElementReader, context: DocumentContext): DecodedDocument {
  noDocuments(context, 'A withdrawal');
  const head = answer(reader);
  const reason = orEmpty(reader.childText('reason'));
  const withdrawnBy = optionalAuthority(reader.child('withdrawnBy'));
  reader.done();
  return answerDocument(head, RequestWithdrawn.fromPartial({ reason, withdrawnBy }), withdrawnBy);
}

function encodeWithdrawal(event: Event, body: RequestWithdrawn): XmlOut {
  return element('Withdrawal', answerAttributes(event), [textElement('reason', body.reason), writeAuthority('withdrawnBy', body.withdrawnBy, 'withdrawnBy')]);
}
