/**
 * IberRed native JSON (`iberred-json`) ⇄ canonical events. Pure: no I/O, no clock, no
 * randomness (the conformance kit checks the imports).
 *
 * Wire: one UTF-8 JSON object per message, `application/json`, with Spanish or Portuguese field
 * names (form.ts; FORMAT.md for people). `tipoMensaje`/`tipoMensagem` says what it is:
 *   solicitud | pedido                          ⇄ RequestSubmitted (subject iberred:<referencia>)
 *   acuse_recibo | confirmacao_recebimento      ⇄ RequestAcknowledged
 *   solicitud_informacion_adicional | pedido_…  ⇄ AdditionalInformationRequested
 *   informacion_adicional | informacao_…        ⇄ AdditionalInformationProvided
 *   admitida | admitido                         ⇄ RequestRecognised
 *   ejecutada | executado                       ⇄ RequestExecuted
 *   ejecutada_parcialmente | executado_…        ⇄ RequestPartiallyExecuted
 *   denegada | recusado                         ⇄ RequestRefused
 *   aplazada | adiado                           ⇄ RequestPostponed
 *   retirada | retirado                         ⇄ RequestWithdrawn
 *   consentimiento_transferencia | consentimento_… ⇄ OnwardTransferConsented
 *   acuse_transporte | aviso_transporte         ⇄ RequestDelivered, RequestNotDelivered,
 *                                                 RequestRetrieved, RequestRelayed (out; in: retrieved only)
 * Other events (directory, statistics, experience) have no IberRed message: encode returns null.
 * Answers carry `referenciaComity`, the hub's request id, as their subject. What the form holds
 * that has no canonical field travels in the event's extensions (`iberred.<name>`) and comes
 * back on encode, so encode(decode(x)) gives x again (as parsed JSON: `normalize`).
 *
 * Before the form is read, the bytes are checked in this order, each failure a DecodeError with
 * a stable code and a path: WRONG_CONTENT_TYPE, EMPTY_BODY, TOO_LARGE, NOT_UTF8, JSON_TOO_DEEP
 * (a linear pre-scan, before JSON.parse), NOT_JSON, INVALID_FORM (not an object, a lone
 * surrogate), FORBIDDEN_KEY (`__proto__`, `constructor`, `prototype` anywhere); then
 * UNKNOWN_MESSAGE_TYPE and INVALID_FORM from the form's schema, and TRANSPORT_NOTICE_NOT_ACCEPTED.
 * The size and depth limits come from the message's attributes (transport.ts sets them from the
 * config); absent, the defaults apply.
 */
import type { EventBody } from '../../core/events/bodies.js';
import { Classification, type Event, type LegalBasis } from '../../core/gen/comity/v1/event.js';
import {
  AdditionalInformationProvided,
  AdditionalInformationRequested,
  OnwardTransferConsented,
  RequestAcknowledged,
  RequestExecuted,
  RequestPartiallyExecuted,
  RequestPostponed,
  RequestRecognised,
  RequestRefused,
  RequestRetrieved,
  RequestSubmitted,
  RequestWithdrawn,
  type RefusalGround,
} from '../../core/gen/comity/v1/lifecycle.js';
import { AuthorityKind, IdentityDocumentKind, PersonKind, PersonRole, type Authority, type Offence, type Person } from '../../core/gen/comity/v1/offence.js';
import {
  AssetTracing,
  EuropeanArrestWarrant,
  EuropeanInvestigationOrder,
  FreezingOrConfiscation,
  JointInvestigationTeam,
  MeasureKind,
  RequestType,
  SpontaneousInformation,
  SurrenderPurpose,
  TransferOfProceedings,
  TransferOfSentencedPersons,
  Urgency,
  AssuranceKind,
  type DeepPartial,
  type DocumentRef,
  type Request,
} from '../../core/gen/comity/v1/request.js';
import type { Codec, EventDraft, NativeMessage } from '../sdk/contract.js';
import { decodeUtf8 } from '../sdk/text.js';
import { DecodeError, EncodeError } from '../sdk/errors.js';
import {
  FIELD_NAMES,
  FORM_SCHEMAS,
  formatTimestamp,
  parseForm,
  renderForm,
  type FormLanguage,
  type FormMessage,
  type FormMessages,
  type FormRequestType,
} from './form.js';
import { iccsForLabel } from './offences.js';

export const NETWORK = 'iberred';

/** Limits applied to every native message, unless its attributes say otherwise. */
export const DEFAULT_LIMITS = { maxBodyBytes: 2 * 1024 * 1024, maxDepth: 32 } as const;

/** Attributes the transport sets for the codec (not HTTP headers: those are `http.*`). */
export const ATTRIBUTES = {
  /** Largest body accepted, in bytes. */
  maxBodyBytes: 'iberred.maxBodyBytes',
  /** Deepest JSON nesting accepted (the top-level object is depth 1). */
  maxDepth: 'iberred.maxDepth',
  /** Size of the body as received, when the transport passes on only its beginning. */
  receivedBytes: 'iberred.receivedBytes',
  /** SHA-256 of the body as received, in that case. */
  receivedSha256: 'iberred.receivedSha256',
} as const;

/** Extension keys on events (`iberred.<name>`). */
export const EXTENSIONS = {
  /** `es` or `pt`: the language of the field names, when it is not the one encode would choose. */
  formLanguage: 'iberred.formLanguage',
  /** `observaciones` / `observacoes`. */
  remarks: 'iberred.remarks',
  /** `transmisionElectronica` / `transmissaoEletronica`. */
  electronicTransmission: 'iberred.electronicTransmission',
  /** An answer's `referencia`, where its body has no field for it. */
  reference: 'iberred.reference',
  /** An answer's `fecha` / `data`, where its body has no field for it. */
  date: 'iberred.date',
  /** Unknown top-level fields: `iberred.extra.<field>` → the field's JSON text. */
  extraPrefix: 'iberred.extra.',
} as const;

/** Keys refused anywhere in a message: they reach Object.prototype in careless consumers. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

// ---- Decode: native → canonical ----------------------------------------------------------

function decode(native: NativeMessage): EventDraft[] {
  const form = readForm(native);
  const { lang, message } = parseForm(form);
  return [draftOf(lang, message)];
}

/** The message's JSON object, once the bytes are known to be safe to read. */
function readForm(native: NativeMessage): Record<string, unknown> {
  checkContentType(native.contentType);
  const limits = limitsOf(native.attributes);
  if (native.body.length === 0) throw new DecodeError('EMPTY_BODY', 'the message is empty', 'byte 0');
  const declared = Number.parseInt(native.attributes[ATTRIBUTES.receivedBytes] ?? '', 10);
  const size = Math.max(native.body.length, Number.isSafeInteger(declared) ? declared : 0);
  if (size > limits.maxBodyBytes) {
    throw new DecodeError('TOO_LARGE', `the message has ${size} bytes; the limit is ${limits.maxBodyBytes}`, `byte ${limits.maxBodyBytes}`);
  }
  const utf8 = decodeUtf8(native.body);
  if (!utf8.ok) throw new DecodeError('NOT_UTF8', 'the message is not valid UTF-8', `byte ${utf8.invalidAt}`);
  const text = utf8.text;
  const tooDeep = depthExceededAt(native.body, limits.maxDepth);
  if (tooDeep !== undefined) {
    throw new DecodeError('JSON_TOO_DEEP', `the JSON is nested deeper than ${limits.maxDepth} levels`, `byte ${tooDeep}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    const position = /position (\d+)/.exec((cause as Error).message)?.[1];
    throw new DecodeError('NOT_JSON', `the message is not JSON: ${(cause as Error).message}`, position ? `position ${position}` : 'end of input', { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DecodeError('INVALID_FORM', 'the message must be a JSON object', '/');
  }
  checkKeysAndText(parsed, '');
  return parsed as Record<string, unknown>;
}

function checkContentType(contentType: string): void {
  const [mediaType = '', ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
  const charset = parameters.find((parameter) => parameter.startsWith('charset='))?.slice('charset='.length).replace(/^"|"$/g, '');
  if (mediaType !== 'application/json' || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
    throw new DecodeError('WRONG_CONTENT_TYPE', `expected application/json (UTF-8), got ${JSON.stringify(contentType.slice(0, 100))}`, 'content-type');
  }
}

function limitsOf(attributes: Readonly<Record<string, string>>): { maxBodyBytes: number; maxDepth: number } {
  const read = (name: string, fallback: number) => {
    const value = Number.parseInt(attributes[name] ?? '', 10);
    return Number.isSafeInteger(value) && value > 0 ? value : fallback;
  };
  return { maxBodyBytes: read(ATTRIBUTES.maxBodyBytes, DEFAULT_LIMITS.maxBodyBytes), maxDepth: read(ATTRIBUTES.maxDepth, DEFAULT_LIMITS.maxDepth) };
}


/**
 * Where the JSON nesting first exceeds `maxDepth`, or undefined. One pass over the bytes:
 * brackets inside strings do not count. Works on invalid JSON too (JSON.parse reports that).
 */
function depthExceededAt(bytes: Uint8Array, maxDepth: number): number | undefined {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (byte === 0x5c) escaped = true;
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x7b || byte === 0x5b) {
      depth += 1;
      if (depth > maxDepth) return i;
    } else if (byte === 0x7d || byte === 0x5d) {
      depth -= 1;
    }
  }
  return undefined;
}

/** Refuses prototype-polluting keys and lone surrogates anywhere; depth is already bounded. */
function checkKeysAndText(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (/\p{Cs}/u.test(value)) throw new DecodeError('INVALID_FORM', 'the text contains a lone UTF-16 surrogate', path || '/');
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => checkKeysAndText(item, `${path}/${index}`));
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    const at = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (FORBIDDEN_KEYS.has(key)) throw new DecodeError('FORBIDDEN_KEY', `the key "${key}" is not allowed`, at);
    if (/\p{Cs}/u.test(key)) throw new DecodeError('INVALID_FORM', 'a key contains a lone UTF-16 surrogate', at);
    checkKeysAndText(item, at);
  }
}

const REQUEST_TYPE_OF: Readonly<Record<FormRequestType, RequestType>> = {
  mla: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
  extradition: RequestType.REQUEST_TYPE_EXTRADITION,
  provisionalArrest: RequestType.REQUEST_TYPE_EXTRADITION,
  eio: RequestType.REQUEST_TYPE_EUROPEAN_INVESTIGATION_ORDER,
  eaw: RequestType.REQUEST_TYPE_EUROPEAN_ARREST_WARRANT,
  freezingOrConfiscation: RequestType.REQUEST_TYPE_FREEZING_OR_CONFISCATION,
  jointInvestigationTeam: RequestType.REQUEST_TYPE_JOINT_INVESTIGATION_TEAM,
  transferOfProceedings: RequestType.REQUEST_TYPE_TRANSFER_OF_PROCEEDINGS,
  transferOfSentencedPersons: RequestType.REQUEST_TYPE_TRANSFER_OF_SENTENCED_PERSONS,
  spontaneousInformation: RequestType.REQUEST_TYPE_SPONTANEOUS_INFORMATION,
  assetTracing: RequestType.REQUEST_TYPE_ASSET_TRACING,
};

/** The form's request type for a canonical one (extradition with provisional arrest: its own). */
function formRequestType(type: RequestType, provisionalArrest: boolean): FormRequestType | undefined {
  if (type === RequestType.REQUEST_TYPE_EXTRADITION) return provisionalArrest ? 'provisionalArrest' : 'extradition';
  return (Object.keys(REQUEST_TYPE_OF) as FormRequestType[]).find((key) => key !== 'provisionalArrest' && REQUEST_TYPE_OF[key] === type);
}

/**
 * The instrument sections IberRed's form does not model field by field: `detalles`/`detalhes`
 * holds them as Comity's canonical JSON (proto3 JSON as ts-proto writes it).
 */
interface SectionCodec {
  fromJSON(json: unknown): unknown;
  toJSON(value: never): unknown;
}
const CANONICAL_SECTIONS: Partial<Record<FormRequestType, { readonly key: keyof Request; readonly codec: SectionCodec }>> = {
  eio: { key: 'europeanInvestigationOrder', codec: EuropeanInvestigationOrder },
  eaw: { key: 'europeanArrestWarrant', codec: EuropeanArrestWarrant },
  freezingOrConfiscation: { key: 'freezingOrConfiscation', codec: FreezingOrConfiscation },
  jointInvestigationTeam: { key: 'jointInvestigationTeam', codec: JointInvestigationTeam },
  transferOfProceedings: { key: 'transferOfProceedings', codec: TransferOfProceedings },
  transferOfSentencedPersons: { key: 'transferOfSentencedPersons', codec: TransferOfSentencedPersons },
  spontaneousInformation: { key: 'spontaneousInformation', codec: SpontaneousInformation },
  assetTracing: { key: 'assetTracing', codec: AssetTracing },
};

function draftOf(lang: FormLanguage, message: FormMessage): EventDraft {
  switch (message.messageType) {
    case 'request':
      return requestDraft(lang, message);
    case 'transport':
      return transportDraft(lang, message);
    default:
      return answerDraft(lang, message);
  }
}

function requestDraft(lang: FormLanguage, form: FormMessages['request']): EventDraft {
  const subject = form.comityReference ?? `${NETWORK}:${form.reference}`;
  const requestType = REQUEST_TYPE_OF[form.requestType];
  const requestingState = form.requestingAuthority.state;
  const request: DeepPartial<Request> = {
    requestId: subject,
    nativeReference: form.reference,
    requestType,
    issuedAt: form.date,
    signatory: form.signatory ?? '',
    relatedRequestIds: form.relatedRequests ?? [],
    requestingAuthority: authorityOf(form.requestingAuthority),
    requestedState: form.requestedState,
    requestedAuthority: form.requestedAuthority ? authorityOf(form.requestedAuthority) : undefined,
    urgency: form.immediate ? Urgency.URGENCY_IMMEDIATE : form.urgent ? Urgency.URGENCY_URGENT : Urgency.URGENCY_NORMAL,
    urgencyReason: form.urgencyReason ?? '',
    deadline: form.deadline,
    summaryOfFacts: form.facts ?? '',
    offences: (form.offences ?? []).map((offence, index): DeepPartial<Offence> => ({
      ref: `o${index + 1}`,
      nativeCode: offence.code ?? '',
      nativeLabel: offence.label,
      nativeScheme: offence.scheme ?? '',
      statutoryProvisions: offence.statutoryProvisions ?? '',
      // The native system's own classification wins; else the table; else none (never a guess).
      iccsCode: offence.iccs ?? iccsForLabel(offence.label, lang, requestingState) ?? '',
      maxPenaltyMonths: offence.maxPenaltyMonths ?? 0,
      maxPenaltyLife: offence.lifeImprisonment ?? false,
      description: offence.description ?? '',
      committedFrom: offence.from ?? '',
      committedUntil: offence.until ?? '',
      place: offence.place ?? '',
    })),
    persons: (form.persons ?? []).map((person, index) => personOf(person, index)),
    measures: (form.measures ?? []).map((measure, index) => ({
      ref: `m${index + 1}`,
      kind: measure.kind ?? MeasureKind.MEASURE_KIND_UNSPECIFIED,
      description: measure.description,
      personRefs: (measure.persons ?? []).map((position) => `p${position}`),
      location: measure.place ?? '',
    })),
    attachments: (form.attachments ?? []).map(documentOf),
    ...requestSection(lang, form),
  };
  const extensions = commonExtensions(form);
  if (defaultFormLanguage(form.language, form.requestedState) !== lang) extensions[EXTENSIONS.formLanguage] = lang;
  if (form.electronicTransmission !== undefined) extensions[EXTENSIONS.electronicTransmission] = form.electronicTransmission;
  return {
    subject,
    body: RequestSubmitted.fromPartial({ request }),
    originState: requestingState,
    targets: [{ state: form.requestedState, ...(form.requestedAuthority?.id ? { authority: form.requestedAuthority.id } : {}) }],
    classification: form.confidential ? Classification.CLASSIFICATION_CONFIDENTIAL : Classification.CLASSIFICATION_RESTRICTED,
    ...(form.legalBasis ? { legalBasis: legalBasisOf(form.legalBasis) } : {}),
    language: form.language,
    requestType,
    extensions,
    nativeId: form.reference,
  };
}

/** The `details` branch of a request: exactly one, matching its type. */
function requestSection(lang: FormLanguage, form: FormMessages['request']): DeepPartial<Request> {
  switch (form.requestType) {
    case 'mla': {
      const section = form.assistance ?? {};
      return {
        mutualLegalAssistance: {
          proceedingsDescription: section.proceedings ?? '',
          purpose: section.purpose ?? '',
          formalities: section.formalities ?? '',
          confidentialityRequested: form.confidential,
          specialityUndertaking: section.speciality ?? false,
          presenceOfOfficialsRequested: section.officialsPresent ?? false,
        },
      };
    }
    case 'extradition':
    case 'provisionalArrest': {
      const section = form.extradition ?? {};
      return {
        extradition: {
          personSoughtRef: section.personSought === undefined ? '' : `p${section.personSought}`,
          purpose: section.purpose ?? SurrenderPurpose.SURRENDER_PURPOSE_UNSPECIFIED,
          warrantOrJudgmentReference: section.decision?.reference ?? '',
          warrantOrJudgmentDate: section.decision?.date ?? '',
          sentence: section.sentence
            ? {
                description: section.sentence.description ?? '',
                termMonths: section.sentence.months ?? 0,
                life: section.sentence.lifeImprisonment ?? false,
                remainingMonths: section.sentence.remainingMonths ?? 0,
                finalOn: section.sentence.finalSince ?? '',
              }
            : undefined,
          provisionalArrestRequested: form.requestType === 'provisionalArrest',
          interpolReference: section.interpol ?? '',
          assurances: (section.assurances ?? []).map((assurance) => ({
            kind: assurance.kind ?? AssuranceKind.ASSURANCE_KIND_UNSPECIFIED,
            text: assurance.text ?? '',
          })),
        },
      };
    }
    default: {
      const section = CANONICAL_SECTIONS[form.requestType] as { key: keyof Request; codec: SectionCodec };
      return { [section.key]: canonicalSection(lang, section.codec, form.details) };
    }
  }
}

/** `detalles` read as canonical JSON; refused unless it is exactly what Comity would write. */
function canonicalSection(lang: FormLanguage, codec: SectionCodec, json: Record<string, unknown> | undefined): unknown {
  if (json === undefined) return codec.fromJSON({});
  const path = `/${FIELD_NAMES.details[lang]}`;
  let value: unknown;
  let written: unknown;
  try {
    value = codec.fromJSON(json);
    written = codec.toJSON(value as never);
  } catch (cause) {
    throw new DecodeError('INVALID_FORM', `not Comity's canonical JSON of this section: ${(cause as Error).message}`, path, { cause });
  }
  if (!sameJson(written, json)) {
    throw new DecodeError('INVALID_FORM', "not Comity's canonical JSON of this section (proto3 JSON: camelCase names, enum names, no default values)", path);
  }
  return value;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every((key) => Object.hasOwn(b, key) && sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

type FormAnswer = Exclude<FormMessage, FormMessages['request'] | FormMessages['transport']>;
type FormAuthority = NonNullable<FormAnswer['authority']>;

function answerDraft(lang: FormLanguage, form: FormAnswer): EventDraft {
  const extensions = commonExtensions(form);
  if (defaultFormLanguage(form.language) !== lang) extensions[EXTENSIONS.formLanguage] = lang;
  const authority = form.authority ? authorityOf(form.authority) : undefined;
  /** Keeps `referencia` and the date in extensions when the body has no field for them. */
  const keepReference = () => void (form.reference !== undefined && (extensions[EXTENSIONS.reference] = form.reference));
  const keepDate = () => void (form.date !== undefined && (extensions[EXTENSIONS.date] = formatTimestamp(form.date)));
  let body: EventBody;
  switch (form.messageType) {
    case 'acknowledgement':
      body = RequestAcknowledged.fromPartial({
        competentAuthority: authority,
        executingReference: form.reference ?? '',
        receivedAt: form.date,
        note: form.note ?? '',
      });
      break;
    case 'informationRequested':
      keepReference();
      keepDate();
      body = AdditionalInformationRequested.fromPartial({
        questions: form.questions.map((question) => ({ id: question.number, text: question.text })),
        deadline: form.deadline,
        reason: form.reason ?? '',
        askedBy: authority,
      });
      break;
    case 'informationProvided':
      keepReference();
      keepDate();
      body = AdditionalInformationProvided.fromPartial({
        regardingEventId: form.answersEvent ?? '',
        answers: (form.answers ?? []).map((item) => ({ questionId: item.question ?? '', text: item.text })),
        documents: (form.attachments ?? []).map(documentOf),
        providedBy: authority,
      });
      break;
    case 'recognised':
      body = RequestRecognised.fromPartial({
        decidingAuthority: authority,
        decidedAt: form.date,
        decisionReference: form.reference ?? '',
        conditions: form.conditions ?? [],
        personConsented: form.personConsented ?? false,
        expectedExecution: form.expectedExecution,
      });
      break;
    case 'executed':
      keepReference();
      body = RequestExecuted.fromPartial({
        resultSummary: form.result ?? '',
        documents: (form.attachments ?? []).map(documentOf),
        completedAt: form.date,
        executingAuthority: authority,
      });
      break;
    case 'partiallyExecuted':
      keepReference();
      body = RequestPartiallyExecuted.fromPartial({
        resultSummary: form.result ?? '',
        executedMeasureRefs: form.executedMeasures ?? [],
        notExecuted: (form.notExecuted ?? []).map((part) => ({
          measureRef: part.measure ?? '',
          description: part.description ?? '',
          ground:
            part.ground !== undefined || part.provision !== undefined || part.explanation !== undefined
              ? groundOf({ ground: part.ground, provision: part.provision, explanation: part.explanation })
              : undefined,
          reason: part.reason ?? '',
        })),
        documents: (form.attachments ?? []).map(documentOf),
        completedAt: form.date,
        executingAuthority: authority,
      });
      break;
    case 'refused':
      body = RequestRefused.fromPartial({
        grounds: form.refusalGrounds.map(groundOf),
        decidingAuthority: authority,
        decidedAt: form.date,
        decisionReference: form.reference ?? '',
        alternative: form.alternative ?? '',
      });
      break;
    case 'postponed':
      keepReference();
      keepDate();
      body = RequestPostponed.fromPartial({
        grounds: form.reason ?? '',
        legalProvision: form.provision ?? '',
        until: form.untilDate,
        untilCondition: form.untilCondition ?? '',
        decidingAuthority: authority,
      });
      break;
    case 'withdrawn':
      keepReference();
      keepDate();
      body = RequestWithdrawn.fromPartial({ reason: form.reason ?? '', withdrawnBy: authority });
      break;
    case 'onwardTransferConsented':
      keepReference();
      keepDate();
      body = OnwardTransferConsented.fromPartial({
        thirdNetwork: form.thirdNetwork,
        thirdState: form.thirdState ?? '',
        scope: form.scope,
        eventIds: form.events ?? [],
        conditions: form.conditions ?? [],
        purpose: form.purpose ?? '',
        grantedBy: authority,
        validUntil: form.validUntil,
      });
      break;
  }
  return {
    subject: form.comityReference,
    body,
    ...(form.authority?.state ? { originState: form.authority.state } : {}),
    ...(form.answersEvent ? { causationId: form.answersEvent } : {}),
    classification: form.confidential ? Classification.CLASSIFICATION_CONFIDENTIAL : Classification.CLASSIFICATION_RESTRICTED,
    language: form.language,
    ...(form.requestType ? { requestType: REQUEST_TYPE_OF[form.requestType] } : {}),
    extensions,
    ...(form.reference ? { nativeId: form.reference } : {}),
  };
}

function transportDraft(lang: FormLanguage, form: FormMessages['transport']): EventDraft {
  // IberRed's system reports that an authority opened a message; deliveries, failures and
  // relays are reported by the adapters and the hub themselves, never by a native system.
  if (form.transportEvent !== 'retrieved') {
    throw new DecodeError(
      'TRANSPORT_NOTICE_NOT_ACCEPTED',
      'IberRed may send only "recuperado" transport notices; delivery and relay receipts are written by Comity',
      `/${FIELD_NAMES.transportEvent[lang]}`,
    );
  }
  const extensions = commonExtensions(form);
  if (defaultFormLanguage(form.language) !== lang) extensions[EXTENSIONS.formLanguage] = lang;
  return {
    subject: form.comityReference,
    body: RequestRetrieved.fromPartial({
      regardingEventId: form.answersEvent,
      network: form.network ?? '',
      authorityId: form.authorityId ?? '',
      retrievedAt: form.date,
    }),
    causationId: form.answersEvent,
    language: form.language,
    ...(form.requestType ? { requestType: REQUEST_TYPE_OF[form.requestType] } : {}),
    extensions,
  };
}

function commonExtensions(form: FormMessage): Record<string, string> {
  const extensions: Record<string, string> = {};
  for (const [name, value] of Object.entries(form.extra)) extensions[EXTENSIONS.extraPrefix + name] = JSON.stringify(value);
  if (form.remarks !== undefined) extensions[EXTENSIONS.remarks] = form.remarks;
  return extensions;
}

function authorityOf(form: FormAuthority): DeepPartial<Authority> {
  return {
    id: form.id ?? '',
    name: form.name ?? '',
    state: form.state ?? '',
    kind: form.kind ?? AuthorityKind.AUTHORITY_KIND_UNSPECIFIED,
    contactPerson: form.contactPerson ?? '',
    email: form.email ?? '',
    phone: form.phone ?? '',
  };
}

function legalBasisOf(form: NonNullable<FormMessages['request']['legalBasis']>): DeepPartial<LegalBasis> {
  return { instrument: form.instrument ?? '', article: form.article ?? '', note: form.note ?? '' };
}

type FormPerson = NonNullable<FormMessages['request']['persons']>[number];

function personOf(form: FormPerson, index: number): DeepPartial<Person> {
  return {
    ref: `p${index + 1}`,
    kind: form.personKind ?? PersonKind.PERSON_KIND_UNSPECIFIED,
    role: form.role ?? PersonRole.PERSON_ROLE_UNSPECIFIED,
    familyName: form.familyNames ?? form.legalName ?? '',
    givenNames: form.givenNames ?? '',
    otherNames: form.aliases ?? [],
    dateOfBirth: form.birthDate ?? '',
    placeOfBirth: form.birthPlace ?? '',
    sex: form.sex ?? '',
    nationalities: form.nationalities ?? [],
    languages: form.languages ?? [],
    identityDocuments: (form.identityDocuments ?? []).map((document) => ({
      kind: document.kind ?? IdentityDocumentKind.IDENTITY_DOCUMENT_KIND_UNSPECIFIED,
      number: document.number,
      issuingState: document.state ?? '',
      expiryDate: document.expiry ?? '',
    })),
    addresses: (form.addresses ?? []).map((address) => ({
      lines: address.lines ?? [],
      locality: address.locality ?? '',
      region: address.region ?? '',
      postalCode: address.postalCode ?? '',
      country: address.state ?? '',
    })),
    description: form.description ?? '',
    registrationNumber: form.registration ?? '',
    inCustody: form.inCustody ?? false,
  };
}

type FormAttachment = NonNullable<FormMessages['request']['attachments']>[number];

function documentOf(form: FormAttachment): DeepPartial<DocumentRef> {
  return {
    name: form.name,
    mediaType: form.mediaType ?? '',
    sha256: form.sha256 ?? Buffer.alloc(0),
    sizeBytes: form.size ?? 0,
    uri: form.uri ?? '',
    language: form.language ?? '',
    description: form.description ?? '',
  };
}

type FormGround = FormMessages['refused']['refusalGrounds'][number];

function groundOf(form: FormGround): DeepPartial<RefusalGround> {
  return { code: form.ground, legalProvision: form.provision ?? '', explanation: form.explanation ?? '' };
}

/**
 * The form language encode chooses when nothing else says: the text's language when it is
 * Spanish or Portuguese; else Portuguese for a request to Brazil or Portugal; else Spanish.
 */
export function defaultFormLanguage(language: string, requestedState?: string): FormLanguage {
  const tag = language.toLowerCase();
  if (tag === 'pt' || tag.startsWith('pt-')) return 'pt';
  if (tag === 'es' || tag.startsWith('es-')) return 'es';
  return requestedState === 'BR' || requestedState === 'PT' ? 'pt' : 'es';
}

// ---- Encode: canonical → native ----------------------------------------------------------

function encode(event: Event, body: EventBody): NativeMessage | null {
  let message: FormMessage;
  let lang: FormLanguage;
  switch (body.$type) {
    case 'comity.v1.RequestSubmitted': {
      const request = required(body.request, 'request');
      lang = formLanguageFor(event, request.requestedState || event.targets[0]?.state);
      message = encodeRequest(event, request, lang);
      break;
    }
    case 'comity.v1.RequestDelivered':
    case 'comity.v1.RequestNotDelivered':
    case 'comity.v1.RequestRetrieved':
    case 'comity.v1.RequestRelayed':
      lang = formLanguageFor(event);
      message = encodeTransport(event, body, lang);
      break;
    case 'comity.v1.RequestAcknowledged':
    case 'comity.v1.AdditionalInformationRequested':
    case 'comity.v1.AdditionalInformationProvided':
    case 'comity.v1.RequestRecognised':
    case 'comity.v1.RequestExecuted':
    case 'comity.v1.RequestPartiallyExecuted':
    case 'comity.v1.RequestRefused':
    case 'comity.v1.RequestPostponed':
    case 'comity.v1.RequestWithdrawn':
    case 'comity.v1.OnwardTransferConsented':
      lang = formLanguageFor(event);
      message = encodeAnswer(event, body, lang);
      break;
    default:
      // Directory, statistics and shared-experience events are not about a request: the IberRed
      // form has no message for them, and the runtime acknowledges them without delivery.
      return null;
  }
  let native: Record<string, unknown>;
  try {
    native = renderForm(lang, message);
  } catch (cause) {
    throw new EncodeError('NOT_EXPRESSIBLE', `the event cannot be written as an IberRed form: ${(cause as Error).message}`, { cause });
  }
  // What IberRed receives is always a form this adapter would itself accept.
  const check = FORM_SCHEMAS[lang][message.messageType].safeParse(native);
  if (!check.success) {
    const issue = check.error.issues[0] as { path: PropertyKey[]; message: string };
    throw new EncodeError('NOT_EXPRESSIBLE', `the event cannot be written as a valid IberRed form: ${issue.message} (at /${issue.path.map(String).join('/')})`);
  }
  try {
    checkKeysAndText(native, '');
  } catch (cause) {
    throw new EncodeError('NOT_EXPRESSIBLE', `the event cannot be written as a valid IberRed form: ${(cause as Error).message}`, { cause });
  }
  return { body: Buffer.from(JSON.stringify(native), 'utf8'), contentType: 'application/json; charset=utf-8', attributes: {} };
}

function formLanguageFor(event: Event, requestedState?: string): FormLanguage {
  const chosen = event.extensions[EXTENSIONS.formLanguage];
  return chosen === 'es' || chosen === 'pt' ? chosen : defaultFormLanguage(event.language, requestedState);
}

function encodeRequest(event: Event, request: Request, lang: FormLanguage): FormMessages['request'] {
  const reference = required(request.nativeReference, 'request.nativeReference');
  const provisional = request.extradition?.provisionalArrestRequested ?? false;
  const requestType = formRequestType(request.requestType, provisional);
  if (!requestType) throw new EncodeError('UNSUPPORTED_REQUEST_TYPE', `IberRed's form has no request type for ${RequestType[request.requestType] ?? request.requestType}`);
  const requesting = required(request.requestingAuthority, 'request.requestingAuthority');
  const requestingState = required(requesting.state, 'request.requestingAuthority.state');
  const positionOf = (ref: string, where: string): number => {
    const index = request.persons.findIndex((person) => person.ref === ref);
    if (index < 0) throw new EncodeError('INVALID_REFERENCE', `${where} names person "${ref}", who is not in the request`);
    return index + 1;
  };
  const mla = requestType === 'mla' ? request.mutualLegalAssistance : undefined;
  const extradition = requestType === 'extradition' || requestType === 'provisionalArrest' ? request.extradition : undefined;
  const urgency = request.urgency;
  return {
    messageType: 'request',
    extra: extrasOf(event),
    language: event.language || lang,
    reference,
    comityReference: event.subject === `${NETWORK}:${reference}` ? undefined : event.subject,
    requestType,
    date: request.issuedAt,
    signatory: present(request.signatory),
    relatedRequests: nonEmptyList(request.relatedRequestIds),
    requestingAuthority: {
      ...authorityValue(requesting),
      name: required(requesting.name, 'request.requestingAuthority.name'),
      state: requestingState,
    },
    requestedState: required(request.requestedState || event.targets[0]?.state, 'request.requestedState'),
    requestedAuthority: request.requestedAuthority ? nonEmptyObject(authorityValue(request.requestedAuthority)) : undefined,
    legalBasis: event.legalBasis
      ? nonEmptyObject({ instrument: present(event.legalBasis.instrument), article: present(event.legalBasis.article), note: present(event.legalBasis.note) })
      : undefined,
    electronicTransmission: present(event.extensions[EXTENSIONS.electronicTransmission]),
    confidential: event.classification === Classification.CLASSIFICATION_CONFIDENTIAL || (mla?.confidentialityRequested ?? false),
    urgent: urgency === Urgency.URGENCY_URGENT || urgency === Urgency.URGENCY_IMMEDIATE,
    immediate: urgency === Urgency.URGENCY_IMMEDIATE ? true : undefined,
    urgencyReason: present(request.urgencyReason),
    deadline: request.deadline,
    facts: present(request.summaryOfFacts),
    offences: nonEmptyList(
      request.offences.map((offence, index) => {
        const label = required(offence.nativeLabel, `request.offences.${index}.nativeLabel`);
        const fromTable = iccsForLabel(label, lang, requestingState) ?? '';
        return {
          code: present(offence.nativeCode),
          label,
          scheme: present(offence.nativeScheme),
          statutoryProvisions: present(offence.statutoryProvisions),
          // Written only when it says more than the table would: decode gives the same code back.
          iccs: offence.iccsCode !== fromTable ? present(offence.iccsCode) : undefined,
          maxPenaltyMonths: offence.maxPenaltyMonths > 0 ? offence.maxPenaltyMonths : undefined,
          lifeImprisonment: offence.maxPenaltyLife ? (true as const) : undefined,
          description: present(offence.description),
          from: present(offence.committedFrom),
          until: present(offence.committedUntil),
          place: present(offence.place),
        };
      }),
    ),
    persons: nonEmptyList(request.persons.map(personValue)),
    measures: nonEmptyList(
      request.measures.map((measure, index) => ({
        kind: known(measure.kind, MeasureKind.MEASURE_KIND_UNSPECIFIED),
        description: measure.description,
        persons: nonEmptyList(measure.personRefs.map((ref) => positionOf(ref, `request.measures.${index}`))),
        place: present(measure.location),
      })),
    ),
    attachments: nonEmptyList(request.attachments.map(attachmentValue)),
    assistance: mla
      ? nonEmptyObject({
          proceedings: present(mla.proceedingsDescription),
          purpose: present(mla.purpose),
          formalities: present(mla.formalities),
          speciality: mla.specialityUndertaking ? (true as const) : undefined,
          officialsPresent: mla.presenceOfOfficialsRequested ? (true as const) : undefined,
        })
      : undefined,
    extradition: extradition
      ? nonEmptyObject({
          personSought: extradition.personSoughtRef ? positionOf(extradition.personSoughtRef, 'request.extradition.personSoughtRef') : undefined,
          purpose: known(extradition.purpose, SurrenderPurpose.SURRENDER_PURPOSE_UNSPECIFIED),
          decision: nonEmptyObject({ reference: present(extradition.warrantOrJudgmentReference), date: present(extradition.warrantOrJudgmentDate) }),
          sentence: extradition.sentence
            ? nonEmptyObject({
                description: present(extradition.sentence.description),
                months: extradition.sentence.termMonths > 0 ? extradition.sentence.termMonths : undefined,
                lifeImprisonment: extradition.sentence.life ? (true as const) : undefined,
                remainingMonths: extradition.sentence.remainingMonths > 0 ? extradition.sentence.remainingMonths : undefined,
                finalSince: present(extradition.sentence.finalOn),
              })
            : undefined,
          interpol: present(extradition.interpolReference),
          assurances: nonEmptyList(
            extradition.assurances.map((assurance) => ({ kind: known(assurance.kind, AssuranceKind.ASSURANCE_KIND_UNSPECIFIED), text: present(assurance.text) })),
          ),
        })
      : undefined,
    details: detailsValue(request, requestType),
    remarks: present(event.extensions[EXTENSIONS.remarks]),
  };
}

function detailsValue(request: Request, requestType: FormRequestType): Record<string, unknown> | undefined {
  const section = CANONICAL_SECTIONS[requestType];
  if (!section) return undefined;
  const value = request[section.key];
  if (value === undefined) return undefined;
  const json = section.codec.toJSON(value as never) as Record<string, unknown>;
  return Object.keys(json).length > 0 ? json : undefined;
}

type AnswerBody = Extract<
  EventBody,
  {
    $type:
      | 'comity.v1.RequestAcknowledged'
      | 'comity.v1.AdditionalInformationRequested'
      | 'comity.v1.AdditionalInformationProvided'
      | 'comity.v1.RequestRecognised'
      | 'comity.v1.RequestExecuted'
      | 'comity.v1.RequestPartiallyExecuted'
      | 'comity.v1.RequestRefused'
      | 'comity.v1.RequestPostponed'
      | 'comity.v1.RequestWithdrawn'
      | 'comity.v1.OnwardTransferConsented';
  }
>;

function encodeAnswer(event: Event, body: AnswerBody, lang: FormLanguage): FormAnswer {
  const keptReference = present(event.extensions[EXTENSIONS.reference]);
  const keptDate = dateExtension(event);
  const common = {
    extra: extrasOf(event),
    language: event.language || lang,
    comityReference: event.subject,
    answersEvent: present(event.causationId),
    requestType: envelopeRequestType(event.requestType),
    remarks: present(event.extensions[EXTENSIONS.remarks]),
    confidential: event.classification === Classification.CLASSIFICATION_CONFIDENTIAL,
  };
  const authority = (value: Authority | undefined) => (value ? nonEmptyObject(authorityValue(value)) : undefined);
  switch (body.$type) {
    case 'comity.v1.RequestAcknowledged':
      return {
        ...common,
        messageType: 'acknowledgement',
        reference: present(body.executingReference),
        date: body.receivedAt,
        authority: authority(body.competentAuthority),
        note: present(body.note),
      };
    case 'comity.v1.AdditionalInformationRequested':
      return {
        ...common,
        messageType: 'informationRequested',
        reference: keptReference,
        date: keptDate,
        authority: authority(body.askedBy),
        questions: body.questions.map((question) => ({ number: question.id, text: question.text })),
        deadline: body.deadline,
        reason: present(body.reason),
      };
    case 'comity.v1.AdditionalInformationProvided':
      return {
        ...common,
        messageType: 'informationProvided',
        answersEvent: present(body.regardingEventId) ?? common.answersEvent,
        reference: keptReference,
        date: keptDate,
        authority: authority(body.providedBy),
        answers: nonEmptyList(body.answers.map((item) => ({ question: present(item.questionId), text: item.text }))),
        attachments: nonEmptyList(body.documents.map(attachmentValue)),
      };
    case 'comity.v1.RequestRecognised':
      return {
        ...common,
        messageType: 'recognised',
        reference: present(body.decisionReference),
        date: body.decidedAt,
        authority: authority(body.decidingAuthority),
        conditions: nonEmptyList(body.conditions),
        personConsented: body.personConsented ? true : undefined,
        expectedExecution: body.expectedExecution,
      };
    case 'comity.v1.RequestExecuted':
      return {
        ...common,
        messageType: 'executed',
        reference: keptReference,
        date: body.completedAt,
        authority: authority(body.executingAuthority),
        result: present(body.resultSummary),
        attachments: nonEmptyList(body.documents.map(attachmentValue)),
      };
    case 'comity.v1.RequestPartiallyExecuted':
      return {
        ...common,
        messageType: 'partiallyExecuted',
        reference: keptReference,
        date: body.completedAt,
        authority: authority(body.executingAuthority),
        result: present(body.resultSummary),
        executedMeasures: nonEmptyList(body.executedMeasureRefs),
        notExecuted: nonEmptyList(
          body.notExecuted.map((part) => ({
            measure: present(part.measureRef),
            description: present(part.description),
            ...groundValue(part.ground),
            reason: present(part.reason),
          })),
        ),
        attachments: nonEmptyList(body.documents.map(attachmentValue)),
      };
    case 'comity.v1.RequestRefused':
      return {
        ...common,
        messageType: 'refused',
        reference: present(body.decisionReference),
        date: body.decidedAt,
        authority: authority(body.decidingAuthority),
        refusalGrounds: body.grounds.map((ground) => groundValue(ground)),
        alternative: present(body.alternative),
      };
    case 'comity.v1.RequestPostponed':
      return {
        ...common,
        messageType: 'postponed',
        reference: keptReference,
        date: keptDate,
        authority: authority(body.decidingAuthority),
        reason: present(body.grounds),
        provision: present(body.legalProvision),
        untilDate: body.until,
        untilCondition: present(body.untilCondition),
      };
    case 'comity.v1.RequestWithdrawn':
      return {
        ...common,
        messageType: 'withdrawn',
        reference: keptReference,
        date: keptDate,
        authority: authority(body.withdrawnBy),
        reason: present(body.reason),
      };
    case 'comity.v1.OnwardTransferConsented':
      return {
        ...common,
        messageType: 'onwardTransferConsented',
        reference: keptReference,
        date: keptDate,
        authority: authority(body.grantedBy),
        thirdNetwork: body.thirdNetwork,
        thirdState: present(body.thirdState),
        scope: known(body.scope, 0),
        events: nonEmptyList(body.eventIds),
        conditions: nonEmptyList(body.conditions),
        purpose: present(body.purpose),
        validUntil: body.validUntil,
      };
  }
}

type TransportBody = Extract<EventBody, { $type: 'comity.v1.RequestDelivered' | 'comity.v1.RequestNotDelivered' | 'comity.v1.RequestRetrieved' | 'comity.v1.RequestRelayed' }>;

function encodeTransport(event: Event, body: TransportBody, lang: FormLanguage): FormMessages['transport'] {
  const common = {
    messageType: 'transport' as const,
    extra: extrasOf(event),
    language: event.language || lang,
    comityReference: event.subject,
    answersEvent: required(present(body.regardingEventId) ?? present(event.causationId), 'regardingEventId'),
    requestType: envelopeRequestType(event.requestType),
    remarks: present(event.extensions[EXTENSIONS.remarks]),
  };
  switch (body.$type) {
    case 'comity.v1.RequestDelivered':
      return { ...common, transportEvent: 'delivered', network: present(body.network), nativeMessageId: present(body.nativeMessageId), date: body.deliveredAt };
    case 'comity.v1.RequestNotDelivered':
      return {
        ...common,
        transportEvent: 'notDelivered',
        network: present(body.network),
        cause: known(body.reasonCode, 0),
        detail: present(body.reason),
        willRetry: body.retriable,
        attempts: body.attempts > 0 ? body.attempts : undefined,
        nextAttempt: body.nextAttemptAt,
      };
    case 'comity.v1.RequestRetrieved':
      return { ...common, transportEvent: 'retrieved', network: present(body.network), authorityId: present(body.authorityId), date: body.retrievedAt };
    case 'comity.v1.RequestRelayed':
      return { ...common, transportEvent: 'relayed', networks: nonEmptyList(body.networks), route: present(body.route) };
  }
}

function envelopeRequestType(type: RequestType): FormRequestType | undefined {
  return type === RequestType.REQUEST_TYPE_UNSPECIFIED ? undefined : formRequestType(type, false);
}

function authorityValue(authority: Authority): FormAuthority {
  return {
    id: present(authority.id),
    name: present(authority.name),
    state: present(authority.state),
    kind: known(authority.kind, AuthorityKind.AUTHORITY_KIND_UNSPECIFIED),
    contactPerson: present(authority.contactPerson),
    email: present(authority.email),
    phone: present(authority.phone),
  };
}

function personValue(person: Person): FormPerson {
  const legal = person.kind === PersonKind.PERSON_KIND_LEGAL;
  return {
    role: known(person.role, PersonRole.PERSON_ROLE_UNSPECIFIED),
    personKind: known(person.kind, PersonKind.PERSON_KIND_UNSPECIFIED),
    givenNames: present(person.givenNames),
    familyNames: legal ? undefined : present(person.familyName),
    legalName: legal ? present(person.familyName) : undefined,
    aliases: nonEmptyList(person.otherNames),
    birthDate: present(person.dateOfBirth),
    birthPlace: present(person.placeOfBirth),
    sex: present(person.sex) as FormPerson['sex'],
    nationalities: nonEmptyList(person.nationalities),
    languages: nonEmptyList(person.languages),
    identityDocuments: nonEmptyList(
      person.identityDocuments.map((document) => ({
        kind: known(document.kind, IdentityDocumentKind.IDENTITY_DOCUMENT_KIND_UNSPECIFIED),
        number: document.number,
        state: present(document.issuingState),
        expiry: present(document.expiryDate),
      })),
    ),
    addresses: nonEmptyList(
      person.addresses.flatMap((address) => {
        const value = nonEmptyObject({
          lines: nonEmptyList(address.lines),
          locality: present(address.locality),
          region: present(address.region),
          postalCode: present(address.postalCode),
          state: present(address.country),
        });
        return value ? [value] : [];
      }),
    ),
    description: present(person.description),
    registration: present(person.registrationNumber),
    inCustody: person.inCustody ? true : undefined,
  };
}

function attachmentValue(document: DocumentRef): FormAttachment {
  return {
    name: document.name,
    mediaType: present(document.mediaType),
    sha256: document.sha256.length > 0 ? Buffer.from(document.sha256) : undefined,
    size: document.sizeBytes > 0 ? document.sizeBytes : undefined,
    uri: present(document.uri),
    language: present(document.language),
    description: present(document.description),
  };
}

function groundValue(ground: RefusalGround | undefined): FormGround {
  return {
    ground: ground ? known(ground.code, 0) : undefined,
    provision: present(ground?.legalProvision),
    explanation: present(ground?.explanation),
  };
}

/** The unknown top-level fields decode kept, back as fields. */
function extrasOf(event: Event): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event.extensions)) {
    if (!key.startsWith(EXTENSIONS.extraPrefix)) continue;
    const name = key.slice(EXTENSIONS.extraPrefix.length);
    if (!name || FORBIDDEN_KEYS.has(name)) throw new EncodeError('INVALID_EXTENSION', `extension ${key} does not name a field IberRed may receive`);
    try {
      Object.defineProperty(extra, name, { value: JSON.parse(value) as unknown, enumerable: true, writable: true, configurable: true });
    } catch (cause) {
      throw new EncodeError('INVALID_EXTENSION', `extension ${key} is not JSON`, { cause });
    }
  }
  return extra;
}

function dateExtension(event: Event): Date | undefined {
  const value = event.extensions[EXTENSIONS.date];
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value) || Number.isNaN(date.getTime())) {
    throw new EncodeError('INVALID_EXTENSION', `extension ${EXTENSIONS.date} is not an RFC 3339 UTC time: ${JSON.stringify(value)}`);
  }
  return date;
}

function required<T>(value: T | undefined, field: string): T {
  if (value === undefined || value === '') throw new EncodeError('MISSING_FIELD', `the event has no ${field}, which the IberRed form requires`);
  return value;
}

/** A string that is set, or undefined (the form leaves out what is empty). */
function present(value: string | undefined): string | undefined {
  return value ? value : undefined;
}

/** An enum value that says something, or undefined for the unspecified (and unrecognised) one. */
function known<T extends number>(value: T, unspecified: T | 0): T | undefined {
  return value === unspecified || value < 0 ? undefined : value;
}

function nonEmptyList<T>(values: readonly T[]): T[] | undefined {
  return values.length > 0 ? [...values] : undefined;
}

/** The object without its undefined fields, or undefined when nothing is left. */
function nonEmptyObject<T extends object>(value: T): T | undefined {
  const entries = Object.entries(value).filter(([, item]) => item !== undefined);
  return entries.length > 0 ? (Object.fromEntries(entries) as T) : undefined;
}

// ---- The codec --------------------------------------------------------------------------

export const iberredCodec: Codec = {
  decode,
  encode,
  /** Two messages are the same when they parse to the same JSON, whatever the layout. */
  normalize: (native) => JSON.parse(new TextDecoder('utf-8').decode(native.body)) as unknown,
};
