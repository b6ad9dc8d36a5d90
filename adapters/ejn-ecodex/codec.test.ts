import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventBody } from '../../core/events/bodies.js';
import { createEvent, decodeBody } from '../../core/events/create.js';
import { Classification, Event } from '../../core/gen/comity/v1/event.js';
import {
  AdditionalInformationProvided,
  AdditionalInformationRequested,
  NonDeliveryReason,
  OnwardTransferConsented,
  RefusalGroundCode,
  RequestAcknowledged,
  RequestDelivered,
  RequestExecuted,
  RequestNotDelivered,
  RequestPartiallyExecuted,
  RequestPostponed,
  RequestRecognised,
  RequestRefused,
  RequestRelayed,
  RequestRetrieved,
  RequestSubmitted,
  RequestWithdrawn,
} from '../../core/gen/comity/v1/lifecycle.js';
import { AuthorityKind, PersonRole } from '../../core/gen/comity/v1/offence.js';
import {
  EawDecisionKind,
  EioMeasureType,
  EioProceedingsType,
  MeasureKind,
  RequestType,
  SurrenderPurpose,
  Urgency,
  type Request,
} from '../../core/gen/comity/v1/request.js';
import { EAW_LIST_OFFENCES } from '../../core/reference/eaw-list.js';
import type { EventDraft, NativeMessage } from '../sdk/contract.js';
import { DecodeError, EncodeError } from '../sdk/errors.js';
import { DEFAULT_LIMITS, TRANSPORT_ATTRIBUTES, ejnEcodexCodec as codec } from './codec.js';
import { iccsForListCategory, listCategoriesForIccs } from './offences.js';
import { ejnEcodexConfig } from './spec.js';

const fixtureUrl = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

function fixture(name: string, attributes: Record<string, string> = {}): NativeMessage {
  return { body: readFileSync(fixtureUrl(name)), contentType: 'application/xml', attributes };
}

function xml(text: string, attributes: Record<string, string> = {}): NativeMessage {
  return { body: Buffer.from(text, 'utf8'), contentType: 'application/xml', attributes };
}

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

/** The native message for an event that must have one. */
function encoded(event: Event): NativeMessage {
  const native = codec.encode(event, decodeBody(event));
  if (native === null) throw new Error(`no native message for ${event.type}`);
  return native;
}

function encodeFailure(event: Event): EncodeError {
  try {
    codec.encode(event, decodeBody(event));
  } catch (error) {
    if (error instanceof EncodeError) return error;
    throw error;
  }
  throw new Error('expected an EncodeError');
}

/** An event as the runtime makes it from a draft of this adapter, through protobuf. */
function asEvent(draft: EventDraft, id = '0195e000-0000-7000-8000-000000000001'): Event {
  return Event.decode(Event.encode(createEvent(draft.body, { ...draft, id, source: 'comity://networks/ejn/adapter', originNetwork: 'ejn' })).finish());
}

/** An event from another network on its way to EJN. */
function outbound(body: EventBody, attributes: Partial<Parameters<typeof createEvent>[1]> = {}): Event {
  return Event.decode(
    Event.encode(
      createEvent(body, {
        subject: 'iberred:FGE-CI-2026-0733',
        source: 'comity://networks/iberred/adapter',
        originNetwork: 'iberred',
        id: '0195e111-2222-7333-8444-555566667777',
        ...attributes,
      }),
    ).finish(),
  );
}

function encodeText(event: Event): string {
  return encoded(event).body.toString('utf8');
}

/** What the native system would send back: the encoded message decoded again. */
function reDecode(event: Event): EventDraft {
  return decodeOne(encoded(event));
}

const spanishCourt = {
  id: 'es/juzgado-instruccion-3-marbella',
  name: 'Juzgado de Primera Instancia e Instrucción n.º 3 de Marbella',
  state: 'ES',
  kind: AuthorityKind.AUTHORITY_KIND_JUDICIAL,
  languages: ['es'],
};

describe('adapters/ejn-ecodex/codec', () => {
  describe('European Investigation Order', () => {
    const draft = decodeOne(fixture('eio-de-es-bank-accounts.xml'));
    const request = (draft.body as RequestSubmitted).request as Request;

    it('is a new request: subject ejn:<backendMessageId>, addressed to the executing State, from the issuing State', () => {
      expect(draft.subject).toBe('ejn:DE-STA-M1-2026-004711');
      expect(request.requestId).toBe(draft.subject);
      expect(request.nativeReference).toBe('123 Js 45678/25');
      expect(draft.targets).toEqual([{ state: 'ES' }]);
      expect(draft.originState).toBe('DE');
      expect(draft.requestType).toBe(RequestType.REQUEST_TYPE_EUROPEAN_INVESTIGATION_ORDER);
      expect(request.requestType).toBe(RequestType.REQUEST_TYPE_EUROPEAN_INVESTIGATION_ORDER);
      expect(draft.legalBasis).toEqual({ instrument: 'Directive 2014/41/EU' });
      expect(draft.language).toBe('de');
      expect(draft.classification).toBe(Classification.CLASSIFICATION_RESTRICTED);
      expect(draft.nativeId).toBe('5b0c2f9e-7d1a-4c38-9e52-1f6a0d3c7b21@gw.ecodex.justiz.de');
    });

    it('reads sections B, C with the H measures, E, F, G, I, J and K', () => {
      expect(request).toMatchObject({
        urgency: Urgency.URGENCY_URGENT,
        deadline: new Date('2026-04-15T00:00:00Z'),
        requestingAuthority: { id: 'de/sta-muenchen-i', state: 'DE', kind: AuthorityKind.AUTHORITY_KIND_PROSECUTION },
        signatory: 'Dr. Katrin Weiß, Oberstaatsanwältin',
      });
      expect(request.measures.map((measure) => [measure.ref, measure.kind, measure.personRefs])).toEqual([
        ['m1', MeasureKind.MEASURE_KIND_BANK_INFORMATION, ['p1', 'p2']],
        ['m2', MeasureKind.MEASURE_KIND_BANK_INFORMATION, ['p2']],
        ['m3', MeasureKind.MEASURE_KIND_HEARING_BY_VIDEOCONFERENCE, ['p3']],
      ]);
      const eio = request.europeanInvestigationOrder;
      expect(eio?.investigativeMeasures.map((measure) => [measure.measureRef, measure.type])).toEqual([
        ['m1', EioMeasureType.EIO_MEASURE_TYPE_H3_BANK_ACCOUNTS],
        ['m2', EioMeasureType.EIO_MEASURE_TYPE_H4_BANKING_OPERATIONS],
        ['m3', EioMeasureType.EIO_MEASURE_TYPE_H2_REMOTE_HEARING],
      ]);
      expect(eio?.investigativeMeasures[1]?.additionalRequirements).toMatch(/^Zeitraum 01.01.2024/);
      expect(eio?.proceedingsType).toBe(EioProceedingsType.EIO_PROCEEDINGS_TYPE_CRIMINAL);
      expect(eio?.formalities).toMatch(/§ 247a StPO/);
      expect(eio?.legalRemediesInformation).toMatch(/§ 304 StPO/);
      expect(request.persons.map((person) => [person.ref, person.role, person.inCustody])).toEqual([
        ['p1', PersonRole.PERSON_ROLE_SUSPECT, true],
        ['p2', PersonRole.PERSON_ROLE_OTHER, false],
        ['p3', PersonRole.PERSON_ROLE_WITNESS, false],
      ]);
    });

    it('reads sections A (executing authority), D and J and the signed content document of the Polish EIO', () => {
      const polish = decodeOne(fixture('eio-pl-cz-signed-document.xml'));
      const body = (polish.body as RequestSubmitted).request as Request;
      expect(polish.targets).toEqual([{ state: 'CZ', authority: 'cz/kszt-ostrava' }]);
      expect(body.urgency).toBe(Urgency.URGENCY_IMMEDIATE);
      expect(body.europeanInvestigationOrder).toMatchObject({
        investigativeMeasures: [{ measureRef: 'm1', type: EioMeasureType.EIO_MEASURE_TYPE_H7_INTERCEPTION }],
        earlierEio: { reference: 'PO IV Ds. 12.2025', issuedOn: '2025-11-05', executingReference: 'KZV 88/2025', alsoAddressedToStates: ['SK'] },
        legalRemedySought: true,
      });
      expect(body.attachments.map((document) => [document.name, document.mediaType, document.uri.slice(0, 30)])).toEqual([
        ['eoi-annex-a-pl.pdf', 'application/pdf', 'data:application/pdf;base64,JV'],
        ['eoi-annex-a-pl.pdf.xades.xml', 'application/xml', 'data:application/xml;base64,PD'],
        ['eoi-annex-a-cs.pdf', 'application/pdf', 'data:application/pdf;base64,JV'],
        ['zalacznik-fotograficzny.pdf', 'application/pdf', 'https://ecodex-docs.prokuratur'],
      ]);
      expect(polish.extensions).toMatchObject({ 'ejn.document': '0', 'ejn.detachedSignature': '1' });
      const reEncoded = encodeText(asEvent(polish));
      expect(reEncoded).toMatch(/<document name="eoi-annex-a-pl.pdf"[^>]*>[\s\S]*<detachedSignature name="eoi-annex-a-pl.pdf.xades.xml"[\s\S]*<\/document>/);
      expect(reEncoded.match(/<attachment /g)).toHaveLength(2);
    });
  });

  describe('offences and ICCS', () => {
    it('takes the ICCS code of a ticked list category from the table, and keeps the native qualification', () => {
      const eaw = (decodeOne(fixture('eaw-fr-list-offences.xml')).body as RequestSubmitted).request as Request;
      expect(eaw.offences.map((offence) => [offence.nativeScheme, offence.nativeCode, offence.eawListCategory, offence.iccsCode])).toEqual([
        ['fr-code-penal', '222-37', 5, '0601'],
        ['fr-code-penal', '450-1', 1, '0905'],
      ]);
      expect(eaw.offences[0]?.nativeLabel).toBe('Trafic de stupéfiants (acquisition, détention, transport)');
      const eio = (decodeOne(fixture('eio-de-es-bank-accounts.xml')).body as RequestSubmitted).request as Request;
      expect(eio.offences.map((offence) => [offence.eawListCategory, offence.iccsCode])).toEqual([
        [8, '0701'],
        [9, '0704'],
      ]);
    });

    it('leaves ICCS empty for an offence nobody classified, and keeps the language of a label', () => {
      const mla = (decodeOne(fixture('mla-de-co-untoc.xml')).body as RequestSubmitted).request as Request;
      expect(mla.offences.map((offence) => [offence.nativeCode, offence.iccsCode, offence.eawListCategory, offence.language])).toEqual([
        ['30a', '', 0, 'de'],
        ['261', '', 0, 'de'],
      ]);
    });

    it('has a table entry for each of the 32 categories, from core/reference/eaw-list.ts', () => {
      for (const offence of EAW_LIST_OFFENCES) expect(iccsForListCategory(offence.n)).toBe(offence.iccs);
      expect(iccsForListCategory(0)).toBe('');
      expect(iccsForListCategory(33)).toBe('');
      expect(listCategoriesForIccs('0701')).toEqual([8, 20]);
    });

    it("writes an ICCS code back only when it is not the table's, and refuses a category outside 1–32", () => {
      const offence = (code: string, attributes: string) =>
        xml(
          readFileSync(fixtureUrl('eio-de-es-bank-accounts.xml'), 'utf8').replace(
            /<eio:offence ref="o1" scheme="de-stgb" code="263" listCategory="8"/,
            `<eio:offence ref="o1" scheme="de-stgb" code="${code}" ${attributes}`,
          ),
        );
      const explicit = decodeOne(offence('263', 'listCategory="8" iccs="07011"'));
      expect(((explicit.body as RequestSubmitted).request as Request).offences[0]?.iccsCode).toBe('07011');
      expect(encodeText(asEvent(explicit))).toContain('iccs="07011"');
      expect(encodeText(asEvent(decodeOne(fixture('eio-de-es-bank-accounts.xml'))))).not.toContain('iccs=');
      expect(decodeFailure(offence('263', 'listCategory="33"'))).toMatchObject({ code: 'INVALID_FIELD' });
      expect(decodeFailure(offence('263', 'iccs="9999"'))).toMatchObject({ code: 'INVALID_FIELD' });
    });
  });

  describe('European Arrest Warrant', () => {
    it('reads Art. 8(1)(a)–(g): person, authority, decision, offences, circumstances, penalty, consequences', () => {
      const draft = decodeOne(fixture('eaw-fr-list-offences.xml'));
      const request = (draft.body as RequestSubmitted).request as Request;
      expect(draft.requestType).toBe(RequestType.REQUEST_TYPE_EUROPEAN_ARREST_WARRANT);
      expect(draft.legalBasis).toEqual({ instrument: 'FD 2002/584/JHA' });
      expect(request.persons[0]).toMatchObject({ ref: 'p1', familyName: 'Benali', nationalities: ['FR', 'DZ'] });
      expect(request.requestingAuthority).toMatchObject({ kind: AuthorityKind.AUTHORITY_KIND_JUDICIAL, state: 'FR', email: 'ji3.tj-lyon@justice.fr' });
      expect(request.europeanArrestWarrant).toMatchObject({
        personSoughtRef: 'p1',
        purpose: SurrenderPurpose.SURRENDER_PURPOSE_PROSECUTION,
        decisionKind: EawDecisionKind.EAW_DECISION_KIND_ARREST_WARRANT,
        decisionReference: 'MA n° 2026/0031',
        decisionDate: '2026-02-17',
        offenceRefs: ['o1', 'o2'],
        listOffenceCertified: true,
        sisReference: 'FR-SIS-2026-88431',
      });
      expect(request.europeanArrestWarrant?.circumstances).toMatch(/six transports/);
      expect(request.europeanArrestWarrant?.prescribedPenaltyScale).toMatch(/^Dix ans d'emprisonnement/);
      expect(request.europeanArrestWarrant?.otherConsequences).toMatch(/confiscation/);
    });
  });

  describe('mutual legal assistance', () => {
    it('reads a German request to Colombia under UNTOC art. 18, confidential as it asks', () => {
      const draft = decodeOne(fixture('mla-de-co-untoc.xml'));
      const request = (draft.body as RequestSubmitted).request as Request;
      expect(draft.classification).toBe(Classification.CLASSIFICATION_CONFIDENTIAL);
      expect(draft.legalBasis).toMatchObject({ instrument: 'UNTOC', article: '18' });
      expect(draft.targets).toEqual([{ state: 'CO', authority: 'co/fiscalia-general-dai' }]);
      expect(request.mutualLegalAssistance).toMatchObject({ confidentialityRequested: true, specialityUndertaking: true, presenceOfOfficialsRequested: true });
      expect(request.measures.map((measure) => measure.kind)).toEqual([
        MeasureKind.MEASURE_KIND_BANK_INFORMATION,
        MeasureKind.MEASURE_KIND_DOCUMENTS_AND_RECORDS,
        MeasureKind.MEASURE_KIND_TAKING_EVIDENCE,
      ]);
      expect(request.urgency).toBe(Urgency.URGENCY_URGENT);
    });

    it('writes an IberRed request to an EU State as an MLA document that names its hub id', () => {
      const event = outbound(
        RequestSubmitted.fromPartial({
          request: {
            requestId: 'iberred:FGN-DAI-2026-0456',
            nativeReference: 'FGN-DAI-2026-0456',
            requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
            issuedAt: new Date('2026-02-10T15:00:00.250Z'),
            requestingAuthority: { id: 'co/fiscalia-general-dai', name: 'Fiscalía General de la Nación', state: 'CO', kind: AuthorityKind.AUTHORITY_KIND_CENTRAL_AUTHORITY },
            requestedState: 'IT',
            summaryOfFacts: 'Hechos.',
            measures: [{ ref: 'm1', kind: MeasureKind.MEASURE_KIND_SEARCH_AND_SEIZURE, description: 'Embargo del inmueble.' }],
            mutualLegalAssistance: { purpose: 'Decomiso.' },
          },
        }),
        { subject: 'iberred:FGN-DAI-2026-0456', targets: [{ state: 'IT', network: 'ejn' }], legalBasis: { instrument: 'UNTOC', article: '18' }, language: 'es' },
      );
      const text = encodeText(event);
      expect(text).toContain('<MutualLegalAssistanceRequest xmlns="urn:comity:ecodex:business:1" xml:lang="es" reference="FGN-DAI-2026-0456"');
      expect(text).toContain(`<backendMessageId>${event.id}</backendMessageId>`);
      expect(text).toContain('<conversationId>iberred:FGN-DAI-2026-0456</conversationId>');
      expect(text).toContain('issuedAt="2026-02-10T15:00:00.250Z"');
      const back = reDecode(event);
      expect((back.body as RequestSubmitted).request).toMatchObject({ nativeReference: 'FGN-DAI-2026-0456', requestedState: 'IT', summaryOfFacts: 'Hechos.' });
      expect(back.legalBasis).toMatchObject({ instrument: 'UNTOC', article: '18' });
    });
  });

  describe('answers from EU authorities', () => {
    it('maps Annex B to RequestAcknowledged about the request named by conversationId', () => {
      const draft = decodeOne(fixture('annex-b-acknowledgement-es.xml'));
      expect(draft.subject).toBe('iberred:DCIAP-2026-0117');
      expect(draft.causationId).toBe('01953f2a-6c10-7d4e-9a0b-5c2d3e4f6a7b');
      expect(draft.targets).toEqual([]);
      expect(draft.originState).toBe('ES');
      expect(draft.requestType).toBe(RequestType.REQUEST_TYPE_EUROPEAN_INVESTIGATION_ORDER);
      expect(draft.body).toMatchObject({
        $type: 'comity.v1.RequestAcknowledged',
        executingReference: 'DIP 318/2026',
        receivedAt: new Date('2026-03-09T11:42:00Z'),
        competentAuthority: { id: 'es/juzgado-instruccion-3-marbella' },
      });
      expect(draft.extensions).toMatchObject({ 'ejn.requestReference': 'NUIPC 117/26.3TELSB', 'ejn.requestIssuedOn': '2026-03-04' });
      expect(JSON.parse(draft.extensions?.['ejn.receivingAuthority'] ?? '')).toMatchObject({ id: 'es/fiscalia-provincial-malaga' });
    });

    it('maps a refusal with its grounds, an execution, a partial execution and a request for more information', () => {
      expect(decodeOne(fixture('refusal-it-grounds.xml')).body).toMatchObject({
        $type: 'comity.v1.RequestRefused',
        grounds: [{ code: RefusalGroundCode.REFUSAL_GROUND_CODE_DUAL_CRIMINALITY }, { code: RefusalGroundCode.REFUSAL_GROUND_CODE_INSUFFICIENT_INFORMATION }],
        decisionReference: 'Prot. n. 1187/2026 R.G. Rogatorie',
        decidingAuthority: { state: 'IT' },
      });
      const executed = decodeOne(fixture('executed-notice-pt.xml'));
      expect(executed.subject).toBe('oas-hemispheric:MPF-SCI-2025-03318');
      expect((executed.body as RequestExecuted).documents.map((document) => document.uri)).toEqual([
        'https://ecodex-store.mj.pt/documents/DCIAP-2026-0219/1',
        'https://ecodex-store.mj.pt/documents/DCIAP-2026-0219/2',
      ]);
      expect(decodeOne(fixture('partial-execution-be.xml')).body).toMatchObject({ executedMeasureRefs: ['m1'], notExecuted: [{ measureRef: 'm2' }] });
      expect(decodeOne(fixture('additional-information-request-nl.xml')).body).toMatchObject({
        $type: 'comity.v1.AdditionalInformationRequested',
        questions: [{ id: '1' }, { id: '2' }, { id: '3' }],
        deadline: new Date('2026-04-20T00:00:00Z'),
      });
    });

    it('refuses documents on an answer whose canonical body has no place for them', () => {
      const text = readFileSync(fixtureUrl('refusal-it-grounds.xml'), 'utf8').replace(
        '</content>',
        '</content>\n  <attachments><attachment name="decreto.pdf" mimeType="application/pdf"><uri>https://example.org/1</uri></attachment></attachments>',
      );
      expect(decodeFailure(xml(text))).toMatchObject({ code: 'UNEXPECTED_ATTACHMENT', path: '/message/attachments' });
    });

    it('writes every legal-layer answer as a business document that reads back the same', () => {
      const bodies: EventBody[] = [
        RequestAcknowledged.fromPartial({ competentAuthority: spanishCourt, executingReference: 'DIP 318/2026', receivedAt: new Date('2026-03-09T11:42:00Z'), note: 'Recibida.' }),
        AdditionalInformationRequested.fromPartial({ questions: [{ id: '1', text: '¿Periodo?' }], deadline: new Date('2026-04-20T00:00:00Z'), reason: 'Art. 11(4).', askedBy: spanishCourt }),
        AdditionalInformationProvided.fromPartial({
          regardingEventId: '0195e000-aaaa-7bbb-8ccc-dddddddddddd',
          answers: [{ questionId: '1', text: 'Enero a junio de 2025.' }],
          documents: [{ name: 'traduccion.pdf', mediaType: 'application/pdf', sha256: Buffer.alloc(32, 7), sizeBytes: 1234, uri: 'https://iberred.example/doc/1' }],
          providedBy: spanishCourt,
        }),
        RequestRecognised.fromPartial({ decidingAuthority: spanishCourt, decidedAt: new Date('2026-04-01T10:00:00Z'), decisionReference: 'Auto 12/2026', conditions: ['Speciality.'], personConsented: true }),
        RequestPostponed.fromPartial({ grounds: 'Investigación en curso.', legalProvision: 'art. 15(1)(a) Directive 2014/41/EU', until: new Date('2026-09-01T00:00:00Z'), decidingAuthority: spanishCourt }),
        RequestExecuted.fromPartial({ resultSummary: 'Ejecutada.', completedAt: new Date('2026-05-01T00:00:00Z'), executingAuthority: spanishCourt }),
        RequestPartiallyExecuted.fromPartial({
          resultSummary: 'En parte.',
          executedMeasureRefs: ['m1'],
          notExecuted: [{ measureRef: 'm2', description: 'Registro', ground: { code: RefusalGroundCode.REFUSAL_GROUND_CODE_MEASURE_UNAVAILABLE, legalProvision: 'art. 10', explanation: 'No existe.' } }],
        }),
        RequestRefused.fromPartial({ grounds: [{ code: RefusalGroundCode.REFUSAL_GROUND_CODE_NE_BIS_IN_IDEM, explanation: 'Juzgado ya.' }], decidingAuthority: spanishCourt, decidedAt: new Date('2026-04-02T00:00:00Z') }),
        RequestWithdrawn.fromPartial({ reason: 'Causa archivada.', withdrawnBy: spanishCourt }),
      ];
      for (const body of bodies) {
        const event = outbound(body, { causationId: '0195e000-1111-7222-8333-444455556666', language: 'es', requestType: RequestType.REQUEST_TYPE_EUROPEAN_INVESTIGATION_ORDER });
        const back = reDecode(event);
        expect(back.body, body.$type).toEqual(decodeBody(event));
        expect(back).toMatchObject({ subject: event.subject, causationId: event.causationId, language: 'es', requestType: event.requestType });
      }
    });

    it('refuses bodies the connector has no document for, and requests of other kinds', () => {
      expect(encodeFailure(outbound(OnwardTransferConsented.fromPartial({ thirdNetwork: 'ejn' })))).toMatchObject({ code: 'UNSUPPORTED_EVENT' });
      const extradition = outbound(RequestSubmitted.fromPartial({ request: { nativeReference: 'X-1', requestType: RequestType.REQUEST_TYPE_EXTRADITION, extradition: {} } }));
      expect(encodeFailure(extradition)).toMatchObject({ code: 'UNSUPPORTED_REQUEST_TYPE' });
      const incomplete = outbound(RequestSubmitted.fromPartial({ request: { nativeReference: 'X-2', requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE, mutualLegalAssistance: {} } }));
      expect(encodeFailure(incomplete)).toMatchObject({ code: 'MISSING_FIELD' });
    });

    it('writes an EIO with sections D and L from another network and reads it back', () => {
      const request = RequestSubmitted.fromPartial({
        request: {
          nativeReference: 'NUIPC 117/26.3TELSB',
          requestType: RequestType.REQUEST_TYPE_EUROPEAN_INVESTIGATION_ORDER,
          requestingAuthority: { name: 'PSP, Divisão de Investigação Criminal de Lisboa', state: 'PT', kind: AuthorityKind.AUTHORITY_KIND_POLICE },
          requestedState: 'ES',
          summaryOfFacts: 'Burla qualificada.',
          measures: [{ ref: 'm1', kind: MeasureKind.MEASURE_KIND_SEARCH_AND_SEIZURE, description: 'Busca domiciliária.' }],
          europeanInvestigationOrder: {
            investigativeMeasures: [{ measureRef: 'm1', type: EioMeasureType.EIO_MEASURE_TYPE_OTHER }],
            earlierEio: { requestId: 'iberred:DCIAP-2025-0990', reference: 'NUIPC 990/25' },
            validatingAuthority: { name: 'Ministério Público, DIAP de Lisboa', state: 'PT', kind: AuthorityKind.AUTHORITY_KIND_PROSECUTION },
          },
        },
      });
      const event = outbound(request, { subject: 'iberred:DCIAP-2026-0117' });
      const text = encodeText(event);
      expect(text).toMatch(/<sectionL>\s*<authority kind="prosecution" state="PT">/);
      expect(text).toContain('<sectionD requestId="iberred:DCIAP-2025-0990" reference="NUIPC 990/25"/>');
      const back = (reDecode(event).body as RequestSubmitted).request;
      expect(back?.europeanInvestigationOrder).toEqual((decodeBody(event) as RequestSubmitted).request?.europeanInvestigationOrder);
    });
  });

  describe('confirmations ⇄ transport receipts', () => {
    it('maps each connector confirmation to its transport body, regarding the Comity event it names', () => {
      const cases: [string, string, Partial<Record<string, unknown>>][] = [
        ['confirmation-delivery.xml', 'comity.v1.RequestDelivered', { network: 'ejn', deliveredAt: new Date('2026-03-11T08:02:41Z') }],
        ['confirmation-non-delivery.xml', 'comity.v1.RequestNotDelivered', { reasonCode: NonDeliveryReason.NON_DELIVERY_REASON_RECIPIENT_UNKNOWN, retriable: false }],
        ['confirmation-retrieval.xml', 'comity.v1.RequestRetrieved', { authorityId: 'at/sta-wien' }],
        ['confirmation-submission-rejection.xml', 'comity.v1.RequestNotDelivered', { reasonCode: NonDeliveryReason.NON_DELIVERY_REASON_REJECTED_BY_NATIVE_SYSTEM }],
        ['confirmation-relay-acceptance.xml', 'comity.v1.RequestRelayed', { networks: ['ejn'], route: 'ecodex:relay-remmd-acceptance' }],
      ];
      for (const [file, type, fields] of cases) {
        const draft = decodeOne(fixture(file));
        const regarding = /<refToMessageId>([^<]+)</.exec(readFileSync(fixtureUrl(file), 'utf8'))?.[1];
        expect(draft.body.$type, file).toBe(type);
        expect(draft.body, file).toMatchObject({ regardingEventId: regarding, ...fields });
        expect(draft.causationId, file).toBe(regarding);
      }
    });

    it('sends the runtime receipts of other networks as connector confirmations about the EJN message', () => {
      const regarding = '0195e222-3333-7444-8555-666677778888';
      const receipt = (body: EventBody) => outbound(body, { subject: 'ejn:DE-STA-M1-2026-004711', causationId: regarding, requestType: RequestType.REQUEST_TYPE_EUROPEAN_INVESTIGATION_ORDER });
      const delivered = receipt(RequestDelivered.fromPartial({ regardingEventId: regarding, network: 'iberred', nativeMessageId: 'IBR-991', deliveredAt: new Date('2026-03-03T10:00:00Z') }));
      const text = encodeText(delivered);
      expect(text).toContain(`<backendMessageId>${delivered.id}</backendMessageId>`);
      expect(text).toContain(`<refToMessageId>${regarding}</refToMessageId>`);
      expect(text).toContain('<conversationId>ejn:DE-STA-M1-2026-004711</conversationId>');
      expect(text).toContain('<confirmation type="DELIVERY" requestType="european-investigation-order" network="iberred" nativeMessageId="IBR-991" time="2026-03-03T10:00:00Z"/>');

      const stillTrying = receipt(RequestNotDelivered.fromPartial({ regardingEventId: regarding, network: 'iberred', reasonCode: NonDeliveryReason.NON_DELIVERY_REASON_ENDPOINT_UNAVAILABLE, reason: '503', retriable: true, attempts: 1 }));
      expect(codec.encode(stillTrying, decodeBody(stillTrying)), 'a failure still retried is no NON_DELIVERY yet').toBeNull();
      const notDelivered = receipt(RequestNotDelivered.fromPartial({ regardingEventId: regarding, network: 'iberred', reasonCode: NonDeliveryReason.NON_DELIVERY_REASON_RETRIES_EXHAUSTED, reason: 'DELIVERY_GAVE_UP', attempts: 42 }));
      expect(encodeText(notDelivered)).toMatch(/<confirmation type="NON_DELIVERY" [^>]*reasonCode="retries-exhausted" attempts="42">/);
      expect(encodeText(receipt(RequestRetrieved.fromPartial({ regardingEventId: regarding, network: 'iberred' })))).toContain('type="RETRIEVAL"');
      expect(encodeText(receipt(RequestRelayed.fromPartial({ regardingEventId: regarding, networks: ['iberred'], route: 'shared-network' })))).toContain(
        'type="RELAY_REMMD_ACCEPTANCE" requestType="european-investigation-order" networks="iberred" route="shared-network"',
      );
      for (const event of [delivered, notDelivered]) expect(reDecode(event).body).toEqual(decodeBody(event));
    });

    it('refuses a confirmation that names no message, and a message with both content and a confirmation', () => {
      const text = readFileSync(fixtureUrl('confirmation-delivery.xml'), 'utf8');
      expect(decodeFailure(xml(text.replace(/<refToMessageId>[^<]*<\/refToMessageId>/, '')))).toMatchObject({
        code: 'MISSING_SECTION',
        path: '/message/details/refToMessageId',
      });
      expect(decodeFailure(xml(text.replace('type="DELIVERY"', 'type="DELIVERED"')))).toMatchObject({ code: 'UNKNOWN_CONFIRMATION' });
      const mixed = text.replace('<confirmations>', '<content><businessContent/></content><confirmations>');
      expect(decodeFailure(xml(mixed))).toMatchObject({ code: 'UNEXPECTED_ELEMENT', path: '/message/content' });
    });
  });

  describe('hostile and broken input', () => {
    const codes = JSON.parse(readFileSync(fixtureUrl('malformed/expected-codes.json'), 'utf8')) as Record<string, string>;

    it.each(Object.entries(codes))('refuses malformed/%s with %s, quickly', (file, code) => {
      const started = performance.now();
      const attributesFile = fixtureUrl(`malformed/${file.replace(/\.xml$/, '.attributes.json')}`);
      let contentType = 'application/xml';
      try {
        contentType = (JSON.parse(readFileSync(attributesFile, 'utf8')) as { contentType: string }).contentType;
      } catch {
        // no attributes file
      }
      const error = decodeFailure({ ...fixture(`malformed/${file}`), contentType });
      expect(error.code).toBe(code);
      expect(error.path).toBeTruthy();
      expect(error.retriable).toBe(false);
      expect(performance.now() - started).toBeLessThan(500);
    });

    it('never reads the external entity of an XXE attempt', () => {
      const error = decodeFailure(fixture('malformed/xxe-external-entity.xml'));
      expect(error).toMatchObject({ code: 'XML_DTD_FORBIDDEN', path: 'line 2' });
      expect(error.message).not.toMatch(/root:/);
    });

    it('says where: the byte of invalid UTF-8, the element missing, the line of the DTD', () => {
      expect(decodeFailure(fixture('malformed/invalid-utf8.xml')).path).toBe(`byte ${readFileSync(fixtureUrl('malformed/invalid-utf8.xml')).indexOf(0xc3)}`);
      expect(decodeFailure(fixture('malformed/missing-section-k.xml')).path).toBe('/message/content/businessContent/EuropeanInvestigationOrder/sectionK');
      expect(decodeFailure(fixture('malformed/billion-laughs.xml')).path).toBe('line 2');
      expect(decodeFailure(fixture('malformed/deep-nesting.xml')).message).toMatch(/more than 64 levels/);
    });

    it('refuses a body over 10 MB with TOO_LARGE before decoding it, and a prefix the transport cut from one', () => {
      const large = Buffer.concat([readFileSync(fixtureUrl('eio-de-es-bank-accounts.xml')), Buffer.alloc(10 * 1024 * 1024 + 1, 0x20)]);
      const started = performance.now();
      expect(decodeFailure({ body: large, contentType: 'application/xml', attributes: {} })).toMatchObject({ code: 'TOO_LARGE', path: '/' });
      expect(performance.now() - started).toBeLessThan(200);
      const prefix = { body: large.subarray(0, 64 * 1024), contentType: 'application/xml', attributes: { [TRANSPORT_ATTRIBUTES.receivedBytes]: String(large.length) } };
      expect(decodeFailure(prefix)).toMatchObject({ code: 'TOO_LARGE', message: `the message has ${large.length} bytes; at most ${DEFAULT_LIMITS.maxBytes} are accepted (at /)` });
    });

    it('applies the limits and party the transport stamps from the config', () => {
      const eio = readFileSync(fixtureUrl('eio-de-es-bank-accounts.xml'));
      expect(decodeFailure({ body: eio, contentType: 'application/xml', attributes: { [TRANSPORT_ATTRIBUTES.maxXmlBytes]: '1024' } }).code).toBe('TOO_LARGE');
      expect(decodeFailure({ body: eio, contentType: 'application/xml', attributes: { [TRANSPORT_ATTRIBUTES.maxDepth]: '7' } }).code).toBe('XML_TOO_DEEP');
      expect(codec.decode({ body: eio, contentType: 'application/xml', attributes: { [TRANSPORT_ATTRIBUTES.maxDepth]: '8' } })).toHaveLength(1);
      expect(decodeFailure({ body: eio, contentType: 'application/xml', attributes: { [TRANSPORT_ATTRIBUTES.party]: 'SOMEONE-ELSE' } })).toMatchObject({
        code: 'WRONG_PARTY',
        path: '/message/details/toParty',
      });
      expect(codec.decode({ body: eio, contentType: 'application/xml', attributes: { [TRANSPORT_ATTRIBUTES.party]: 'EJN-COMITY' } })).toHaveLength(1);
    });

    it('accepts only XML media types in UTF-8', () => {
      const eio = readFileSync(fixtureUrl('eio-de-es-bank-accounts.xml'));
      for (const contentType of ['application/xml', 'text/xml; charset=UTF-8', 'application/vnd.ecodex.backend+xml']) {
        expect(codec.decode({ body: eio, contentType, attributes: {} }), contentType).toHaveLength(1);
      }
      for (const [contentType, code] of [
        ['application/json', 'WRONG_CONTENT_TYPE'],
        ['text/plain', 'WRONG_CONTENT_TYPE'],
        ['application/xml; charset=iso-8859-1', 'NOT_UTF8'],
      ]) {
        expect(decodeFailure({ body: eio, contentType: contentType as string, attributes: {} }).code, contentType).toBe(code);
      }
    });

    it('checks inline attachments against their declared digest and size', () => {
      const text = readFileSync(fixtureUrl('eio-pl-cz-signed-document.xml'), 'utf8');
      expect(decodeFailure(xml(text.replace(/(<attachment name="eoi-annex-a-cs.pdf" [^>]*size=")\d+/, '$19')))).toMatchObject({ code: 'ATTACHMENT_SIZE_MISMATCH' });
      expect(decodeFailure(xml(text.replace(/(<detachedSignature[^>]*>\s*<data>)[A-Za-z]/, '$1!')))).toMatchObject({ code: 'INVALID_FIELD' });
    });

    it('refuses what it does not know rather than dropping it', () => {
      const text = readFileSync(fixtureUrl('annex-b-acknowledgement-es.xml'), 'utf8');
      expect(decodeFailure(xml(text.replace('<note>', '<nota>x</nota><note>')))).toMatchObject({ code: 'UNEXPECTED_ELEMENT' });
      expect(decodeFailure(xml(text.replace('executingReference=', 'urgent="true" executingReference=')))).toMatchObject({ code: 'UNEXPECTED_ATTRIBUTE' });
      expect(decodeFailure(xml(text.replace('<Acknowledgement ', '<Acuse ').replace('</Acknowledgement>', '</Acuse>')))).toMatchObject({ code: 'UNKNOWN_DOCUMENT' });
      expect(decodeFailure(xml(text.replace('receivedAt="2026-03-09T11:42:00Z"', 'receivedAt="09/03/2026"')))).toMatchObject({ code: 'INVALID_FIELD' });
    });

    it('decode is total on fixtures whose values are replaced at random', () => {
      const text = readFileSync(fixtureUrl('eio-de-es-bank-accounts.xml'), 'utf8');
      const values = [...text.matchAll(/="([^"]*)"|>([^<]+)</g)];
      fc.assert(
        fc.property(fc.nat({ max: values.length - 1 }), fc.string({ maxLength: 12 }), (index, replacement) => {
          const match = values[index] as RegExpMatchArray;
          const escaped = replacement.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
          const changed = text.slice(0, (match.index ?? 0) + 2) + escaped + text.slice((match.index ?? 0) + match[0].length - 1);
          try {
            expect(Array.isArray(codec.decode(xml(changed)))).toBe(true);
          } catch (error) {
            if (!(error instanceof DecodeError)) throw error;
          }
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('normalize', () => {
    it('ignores prefixes, attribute order, indentation and comments, but not content', () => {
      const a = xml('<?xml version="1.0"?><m:message xmlns:m="urn:comity:ecodex:backend:1"><m:details><m:action b="2" a="1">x</m:action></m:details></m:message>');
      const b = xml('<message xmlns="urn:comity:ecodex:backend:1">\n  <!-- comment -->\n  <details>\n    <action a="1" b="2"> x </action>\n  </details>\n</message>\n');
      const c = xml('<message xmlns="urn:comity:ecodex:backend:1"><details><action a="1" b="2">y</action></details></message>');
      expect(codec.normalize?.(a)).toEqual(codec.normalize?.(b));
      expect(codec.normalize?.(a)).not.toEqual(codec.normalize?.(c));
    });
  });
});

describe('adapters/ejn-ecodex/spec', () => {
  const base = { http: { listen: { port: 0 }, deliverTo: 'https://ejn-connector.example.eu/comity' }, party: 'EJN-COMITY' };

  it('has the documented defaults', () => {
    expect(ejnEcodexConfig.parse(base)).toMatchObject({ maxXmlBytes: 5 * 1024 * 1024, maxDepth: 64, http: { maxBodyBytes: 25 * 1024 * 1024 } });
  });

  it('refuses an HTTP body limit that would hide TOO_LARGE behind a 413, and unknown keys', () => {
    expect(ejnEcodexConfig.safeParse({ ...base, maxXmlBytes: 30 * 1024 * 1024 }).error?.issues[0]?.path).toEqual(['http', 'maxBodyBytes']);
    expect(ejnEcodexConfig.safeParse({ ...base, maxXmlByte: 1 }).success).toBe(false);
  });
});
