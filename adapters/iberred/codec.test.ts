import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventBody } from '../../core/events/bodies.js';
import { createEvent, decodeBody, type EventAttributes } from '../../core/events/create.js';
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
import { AuthorityKind, PersonKind, PersonRole } from '../../core/gen/comity/v1/offence.js';
import { EuropeanInvestigationOrder, MeasureKind, RequestType, Urgency, type DeepPartial, type Request } from '../../core/gen/comity/v1/request.js';
import { StatisticsReport } from '../../core/gen/comity/v1/stats.js';
import type { EventDraft, NativeMessage } from '../sdk/contract.js';
import { DecodeError, EncodeError } from '../sdk/errors.js';
import { ATTRIBUTES, EXTENSIONS, iberredCodec as codec } from './codec.js';
import { iberredConfig } from './spec.js';

function fixture(name: string): NativeMessage {
  return { body: readFileSync(new URL(`./fixtures/${name}`, import.meta.url)), contentType: 'application/json', attributes: {} };
}

function json(value: unknown, contentType = 'application/json'): NativeMessage {
  return { body: Buffer.from(JSON.stringify(value)), contentType, attributes: {} };
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

function encodeFailure(event: Event): EncodeError {
  try {
    codec.encode(event, decodeBody(event));
  } catch (error) {
    if (error instanceof EncodeError) return error;
    throw error;
  }
  throw new Error('expected an EncodeError');
}

/** An event as it reaches comity.outbound.iberred from another network. */
function fromNetwork(body: EventBody, attributes: Partial<EventAttributes> & { subject: string }): Event {
  return createEvent(body, { source: 'comity://networks/ejn/adapter', originNetwork: 'ejn', ...attributes });
}

/** The event a draft becomes once the runtime stamps it. */
function asEvent(draft: EventDraft): Event {
  return createEvent(draft.body, { ...draft, source: 'comity://networks/iberred/adapter', originNetwork: 'iberred' });
}

function encodeOrFail(event: Event): NativeMessage {
  const native = codec.encode(event, decodeBody(event));
  if (native === null) throw new Error(`encode returned null for ${event.type}`);
  return native;
}

function encoded(event: Event): Record<string, unknown> {
  const native = encodeOrFail(event);
  expect(native.contentType).toBe('application/json; charset=utf-8');
  return JSON.parse(native.body.toString('utf8')) as Record<string, unknown>;
}

/** A minimal request form, in either language. */
function minimalRequest(lang: 'es' | 'pt', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return lang === 'es'
    ? {
        tipoMensaje: 'solicitud',
        idioma: 'es',
        referencia: 'R-1',
        tipoSolicitud: 'asistencia_judicial_penal',
        autoridadRequirente: { nombre: 'Fiscalía General de la Nación', pais: 'CO' },
        paisRequerido: 'ES',
        confidencial: false,
        urgente: false,
        ...extra,
      }
    : {
        tipoMensagem: 'pedido',
        idioma: 'pt',
        referencia: 'R-1',
        tipoPedido: 'auxilio_judiciario_penal',
        autoridadeRequerente: { nome: 'Fiscalía General de la Nación', pais: 'CO' },
        paisRequerido: 'ES',
        confidencial: false,
        urgente: false,
        ...extra,
      };
}

/** A German MLA request as the EJN adapter would publish it, addressed to Colombia through IberRed. */
function germanRequest(to = 'CO'): Event {
  const request: DeepPartial<Request> = {
    requestId: 'ejn:StA-M-I-123-Js-4567-26',
    nativeReference: '123 Js 4567/26',
    requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
    issuedAt: new Date('2026-03-02T08:00:00Z'),
    requestingAuthority: { name: 'Staatsanwaltschaft München I', state: 'DE', kind: AuthorityKind.AUTHORITY_KIND_PROSECUTION, email: 'poststelle@example.de' },
    requestedState: to,
    urgency: Urgency.URGENCY_NORMAL,
    summaryOfFacts: 'Der Beschuldigte veranlasste zwischen Januar und Mai 2025 über eine gefälschte Anlageplattform 57 Geschädigte zu Überweisungen von insgesamt 1,3 Mio. EUR auf ein Konto in Bogotá.',
    offences: [
      { ref: 'o1', nativeCode: '263', nativeLabel: 'Betrug', nativeScheme: 'de-stgb', statutoryProvisions: '§ 263 StGB', iccsCode: '0701', maxPenaltyMonths: 120 },
    ],
    persons: [{ ref: 'p1', kind: PersonKind.PERSON_KIND_NATURAL, role: PersonRole.PERSON_ROLE_SUSPECT, familyName: 'Keller', givenNames: 'Thomas', nationalities: ['DE'] }],
    measures: [
      { ref: 'm1', kind: MeasureKind.MEASURE_KIND_BANK_INFORMATION, description: 'Kontounterlagen des Kontos Nr. 0012-3456-78 bei der Banco Andino, Bogotá.', personRefs: ['p1'] },
    ],
    mutualLegalAssistance: { purpose: 'Nachweis des Geldflusses' },
  };
  return fromNetwork(RequestSubmitted.fromPartial({ request }), {
    subject: 'ejn:StA-M-I-123-Js-4567-26',
    targets: [{ state: to, network: 'iberred' }],
    language: 'de',
    requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
    legalBasis: { instrument: 'UNTOC', article: '18' },
  });
}

describe('adapters/iberred/codec', () => {
  describe('decode', () => {
    it('gives a new request the subject iberred:<referencia> and keeps its language', () => {
      const draft = decodeOne(fixture('ar-es-solicitud-estafa.json'));
      expect(draft.subject).toBe('iberred:FNCCF5-4471-2025');
      expect(draft.language).toBe('es-AR');
      expect(draft.nativeId).toBe('FNCCF5-4471-2025');
      expect(draft.targets).toEqual([{ state: 'ES' }]);
      expect(draft.body).toMatchObject({ request: { requestId: 'iberred:FNCCF5-4471-2025', requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE } });
    });

    it('reads the same request from Spanish and Portuguese field names', () => {
      const es = decodeOne(json(minimalRequest('es', { hechos: 'Hechos.', delitos: [{ denominacion: 'Fraude' }] })));
      const pt = decodeOne(json(minimalRequest('pt', { fatos: 'Hechos.', crimes: [{ denominacao: 'Fraude' }] })));
      expect(pt.body).toEqual(es.body);
      expect(es.language).toBe('es');
      expect(pt.language).toBe('pt');
      expect((es.body as RequestSubmitted).request?.offences[0]?.iccsCode).toBe('0701');
      // A label is read in the form's language: "Estafa" is Spanish, unknown to the Portuguese table.
      const ptEstafa = decodeOne(json(minimalRequest('pt', { crimes: [{ denominacao: 'Estafa' }] })));
      expect((ptEstafa.body as RequestSubmitted).request?.offences[0]?.iccsCode).toBe('');
    });

    it('keeps native code and label and adds the ICCS code from the table, accents and case aside', () => {
      const draft = decodeOne(
        json(
          minimalRequest('pt', {
            idioma: 'pt-BR',
            crimes: [
              { codigo: '1º', denominacao: 'LAVAGEM DE DINHEIRO' },
              { denominacao: 'trafico de entorpecentes' },
              { denominacao: 'Abuso de confiança' },
              { denominacao: 'furto', iccs: '05022' },
            ],
          }),
        ),
      );
      const offences = (draft.body as RequestSubmitted).request?.offences ?? [];
      expect(offences.map((offence) => [offence.nativeCode, offence.nativeLabel, offence.iccsCode])).toEqual([
        ['1º', 'LAVAGEM DE DINHEIRO', '0704'],
        ['', 'trafico de entorpecentes', '0601'],
        ['', 'Abuso de confiança', ''],
        ['', 'furto', '05022'],
      ]);
    });

    it('uses the requesting State to read a label its code gives another meaning', () => {
      const mexican = decodeOne(json(minimalRequest('es', { autoridadRequirente: { nombre: 'FGR', pais: 'MX' }, delitos: [{ denominacion: 'Robo' }] })));
      expect((mexican.body as RequestSubmitted).request?.offences[0]?.iccsCode).toBe('0502');
    });

    it.each([
      ['co-acuse-recibo.json', 'comity.v1.RequestAcknowledged'],
      ['es-solicitud-informacion-adicional.json', 'comity.v1.AdditionalInformationRequested'],
      ['pt-pedido-informacao-adicional.json', 'comity.v1.AdditionalInformationRequested'],
      ['br-informacao-adicional.json', 'comity.v1.AdditionalInformationProvided'],
      ['mx-admitida.json', 'comity.v1.RequestRecognised'],
      ['es-ejecutada.json', 'comity.v1.RequestExecuted'],
      ['es-ejecutada-parcialmente.json', 'comity.v1.RequestPartiallyExecuted'],
      ['cl-denegada.json', 'comity.v1.RequestRefused'],
      ['py-aplazada.json', 'comity.v1.RequestPostponed'],
      ['ar-retirada.json', 'comity.v1.RequestWithdrawn'],
      ['mx-aviso-recuperado.json', 'comity.v1.RequestRetrieved'],
    ])('reads %s as %s, about the request named by referenciaComity', (file, type) => {
      const draft = decodeOne(fixture(file));
      expect(draft.body.$type).toBe(type);
      const form = JSON.parse(fixture(file).body.toString('utf8')) as Record<string, string>;
      expect(draft.subject).toBe(form.referenciaComity);
      expect(draft.language).toBe(form.idioma);
      if (form.eventoRespondido) expect(draft.causationId).toBe(form.eventoRespondido);
    });

    it('maps refusal grounds to the schema codes', () => {
      const refused = decodeOne(fixture('cl-denegada.json')).body as RequestRefused;
      expect(refused.grounds.map((ground) => ground.code)).toEqual([
        RefusalGroundCode.REFUSAL_GROUND_CODE_DUAL_CRIMINALITY,
        RefusalGroundCode.REFUSAL_GROUND_CODE_STATUTE_OF_LIMITATIONS,
      ]);
      expect(refused.decisionReference).toBe('UCIEX 1187-2025');
    });

    it('reads detención preventiva as extradition with provisional arrest', () => {
      const draft = decodeOne(fixture('pt-br-pedido-prisao-preventiva.json'));
      expect(draft.requestType).toBe(RequestType.REQUEST_TYPE_EXTRADITION);
      expect((draft.body as RequestSubmitted).request?.extradition).toMatchObject({ provisionalArrestRequested: true, personSoughtRef: 'p1' });
      expect(draft.classification).toBe(Classification.CLASSIFICATION_CONFIDENTIAL);
    });

    it('reads urgency, immediacy and the deadline', () => {
      const request = (decodeOne(fixture('pe-co-solicitud-urgente.json')).body as RequestSubmitted).request;
      expect(request?.urgency).toBe(Urgency.URGENCY_IMMEDIATE);
      expect(request?.deadline).toEqual(new Date('2026-03-10T00:00:00Z'));
      expect(request?.measures[0]).toMatchObject({ kind: MeasureKind.MEASURE_KIND_HEARING_BY_VIDEOCONFERENCE, personRefs: ['p1'] });
    });

    it('keeps attachments by reference with their digest', () => {
      const request = (decodeOne(fixture('ec-es-solicitud-adjuntos.json')).body as RequestSubmitted).request;
      expect(request?.attachments).toHaveLength(3);
      expect(Buffer.from(request?.attachments[0]?.sha256 ?? []).toString('hex')).toMatch(/^[0-9a-f]{64}$/);
      expect(request?.attachments[0]).toMatchObject({ name: 'orden-de-investigacion-previa.pdf', mediaType: 'application/pdf', sizeBytes: 218934 });
    });

    it('keeps what has no canonical field in extensions and writes it back', () => {
      const draft = decodeOne(fixture('br-pt-pedido-lavagem.json'));
      expect(draft.extensions).toMatchObject({
        [`${EXTENSIONS.extraPrefix}numeroProcessoSEI`]: '"08099.000187/2026-41"',
        [EXTENSIONS.electronicTransmission]: expect.stringContaining('Medellín') as unknown,
      });
      expect(encoded(asEvent(draft))).toEqual(JSON.parse(fixture('br-pt-pedido-lavagem.json').body.toString('utf8')));
    });

    it('accepts the canonical section of other request types in detalles, and nothing else there', () => {
      const draft = decodeOne(fixture('gt-pa-embargo.json'));
      expect((draft.body as RequestSubmitted).request?.freezingOrConfiscation?.assets[0]?.identifier).toBe('04-72-01-123456-7');
      const form = JSON.parse(fixture('gt-pa-embargo.json').body.toString('utf8')) as Record<string, unknown>;
      const error = decodeFailure(json({ ...form, detalles: { kind: 'FREEZING' } }));
      expect([error.code, error.path]).toEqual(['INVALID_FORM', '/detalles']);
      const misplaced = decodeFailure(json(minimalRequest('es', { detalles: { purpose: 'x' } })));
      expect([misplaced.code, misplaced.path]).toEqual(['INVALID_FORM', '/detalles']);
    });

    it('records the form language when the text is in another language', () => {
      const draft = decodeOne(json(minimalRequest('es', { idioma: 'pt-BR' })));
      expect(draft.language).toBe('pt-BR');
      expect(draft.extensions?.[EXTENSIONS.formLanguage]).toBe('es');
      expect(encoded(asEvent(draft))).toHaveProperty('tipoMensaje', 'solicitud');
    });

    it('refuses delivery and relay notices from the native side', () => {
      const error = decodeFailure(fixture('malformed/delivery-notice-from-native.json'));
      expect([error.code, error.path]).toEqual(['TRANSPORT_NOTICE_NOT_ACCEPTED', '/evento']);
    });
  });

  describe('round trip', () => {
    type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
    const forms = readdirSync(new URL('./fixtures/', import.meta.url)).filter((file) => file.endsWith('.json') && !file.endsWith('.expected.json'));
    /** Every path into a JSON value, so a mutation can target any field or item. */
    const pathsOf = (value: Json, path: (string | number)[] = []): (string | number)[][] =>
      typeof value === 'object' && value !== null
        ? [path, ...Object.entries(value).flatMap(([key, child]) => pathsOf(child, [...path, Array.isArray(value) ? Number(key) : key]))]
        : [path];

    it.each(forms)('any valid variant of %s comes back from encode as it went into decode', (file) => {
      const original = JSON.parse(fixture(file).body.toString('utf8')) as Json;
      const paths = pathsOf(original).filter((path) => path.length > 0);
      const change = fc.oneof(fc.constant<'drop'>('drop'), fc.constant<'negate'>('negate'), fc.string(), fc.integer());
      fc.assert(
        fc.property(fc.constantFrom(...paths), change, (path, how) => {
          const form = structuredClone(original);
          const parent = path.slice(0, -1).reduce<Json>((node, key) => (node as Record<string, Json>)[key] as Json, form) as Record<string | number, Json>;
          const key = path[path.length - 1] as string | number;
          if (how === 'drop') {
            if (Array.isArray(parent)) parent.splice(key as number, 1);
            else delete parent[key];
          } else parent[key] = how === 'negate' ? !parent[key] : how;
          let drafts: EventDraft[];
          try {
            drafts = codec.decode(json(form));
          } catch {
            return; // not a valid form any more: nothing to round-trip
          }
          const draft = drafts[0] as EventDraft;
          const event = Event.decode(Event.encode(asEvent(draft)).finish());
          expect(JSON.parse(encodeOrFail(event).body.toString('utf8'))).toEqual(form);
        }),
        { numRuns: 100 },
      );
    });
  });

  describe('decode refuses hostile input with a stable code and a path', () => {
    it.each([
      ['malformed/not-json.json', 'NOT_JSON', /^(position \d+|end of input)$/],
      ['malformed/invalid-utf8.json', 'NOT_UTF8', new RegExp(`^byte ${fixture('malformed/invalid-utf8.json').body.indexOf(0xf3)}$`)],
      ['malformed/empty.json', 'EMPTY_BODY', /^byte 0$/],
      ['malformed/deeply-nested.json', 'JSON_TOO_DEEP', /^byte \d+$/],
      ['malformed/proto-key.json', 'FORBIDDEN_KEY', /^\/__proto__$/],
      ['malformed/constructor-key.json', 'FORBIDDEN_KEY', /^\/autoridad\/constructor$/],
      ['malformed/missing-referencia.json', 'INVALID_FORM', /^\/referencia$/],
      ['malformed/wrong-type.json', 'INVALID_FORM', /^\/urgente$/],
      ['malformed/unknown-tipo-mensaje.json', 'UNKNOWN_MESSAGE_TYPE', /^\/tipoMensaje$/],
      ['malformed/not-an-object.json', 'INVALID_FORM', /^\/$/],
      ['malformed/both-languages.json', 'INVALID_FORM', /^\/tipoMensagem$/],
      ['malformed/portuguese-code-in-spanish-form.json', 'INVALID_FORM', /^\/tipoSolicitud$/],
      ['malformed/person-out-of-range.json', 'INVALID_FORM', /^\/diligencias\/0\/personas\/0$/],
      ['malformed/lone-surrogate.json', 'INVALID_FORM', /^\/nota$/],
    ])('%s → %s', (file, code, path) => {
      const error = decodeFailure(fixture(file));
      expect(error.code).toBe(code);
      expect(error.path).toMatch(path);
      expect(error.retriable).toBe(false);
    });

    it('refuses a content type other than JSON in UTF-8', () => {
      for (const contentType of ['text/plain', 'application/xml', 'application/json; charset=iso-8859-1']) {
        const error = decodeFailure(json(minimalRequest('es'), contentType));
        expect([error.code, error.path]).toEqual(['WRONG_CONTENT_TYPE', 'content-type']);
      }
      expect(() => codec.decode(json(minimalRequest('es'), 'Application/JSON; charset="UTF-8"'))).not.toThrow();
    });

    it('refuses a 10 MB body before reading it', () => {
      const padding = 'x'.repeat(10 * 1024 * 1024);
      const native = json(minimalRequest('es', { hechos: padding }));
      const started = performance.now();
      const error = decodeFailure(native);
      expect([error.code, error.path]).toEqual(['TOO_LARGE', `byte ${2 * 1024 * 1024}`]);
      expect(error.message).toContain(`${native.body.length} bytes`);
      expect(performance.now() - started).toBeLessThan(500);
    });

    it('applies the limits the transport passes on, and the size of a body it cut short', () => {
      const small = { ...json(minimalRequest('es', { hechos: 'x'.repeat(2000) })), attributes: { [ATTRIBUTES.maxBodyBytes]: '1024' } };
      expect(decodeFailure(small).code).toBe('TOO_LARGE');
      const cut = { ...json(minimalRequest('es')), attributes: { [ATTRIBUTES.receivedBytes]: String(30 * 1024 * 1024) } };
      expect(decodeFailure(cut).code).toBe('TOO_LARGE');
      const shallow = { ...json(minimalRequest('es', { asistencia: { procedimiento: 'P' } })), attributes: { [ATTRIBUTES.maxDepth]: '1' } };
      expect(decodeFailure(shallow).code).toBe('JSON_TOO_DEEP');
    });

    it('counts only brackets outside strings as nesting', () => {
      expect(() => codec.decode(json(minimalRequest('es', { hechos: '['.repeat(100) + '{'.repeat(100) })))).not.toThrow();
    });
  });

  describe('encode', () => {
    it('writes a German MLA request from EJN as a Spanish form for Colombia, text as received', () => {
      const form = encoded(germanRequest('CO'));
      expect(form).toMatchObject({
        tipoMensaje: 'solicitud',
        idioma: 'de',
        referencia: '123 Js 4567/26',
        referenciaComity: 'ejn:StA-M-I-123-Js-4567-26',
        tipoSolicitud: 'asistencia_judicial_penal',
        fecha: '2026-03-02T08:00:00Z',
        autoridadRequirente: { nombre: 'Staatsanwaltschaft München I', pais: 'DE', tipo: 'fiscalia', correo: 'poststelle@example.de' },
        paisRequerido: 'CO',
        baseJuridica: { instrumento: 'UNTOC', articulo: '18' },
        confidencial: false,
        urgente: false,
        hechos: expect.stringContaining('gefälschte Anlageplattform') as unknown,
        delitos: [{ codigo: '263', denominacion: 'Betrug', esquema: 'de-stgb', tipificacion: '§ 263 StGB', iccs: '0701', penaMaximaMeses: 120 }],
        personas: [{ rol: 'investigado', tipoPersona: 'fisica', nombres: 'Thomas', apellidos: 'Keller', nacionalidad: ['DE'] }],
        diligencias: [{ tipo: 'informacion_bancaria', personas: [1] }],
      });
      expect(form).not.toHaveProperty('tipoMensagem');
    });

    it('gives back the same request when IberRed sends the form on', () => {
      const event = germanRequest('CO');
      const draft = decodeOne(encodeOrFail(event));
      expect(draft.subject).toBe(event.subject);
      expect(draft.language).toBe('de');
      expect(draft.body).toEqual(decodeBody(event));
    });

    it('writes Portuguese for a request to Brazil, and keeps a chosen form language', () => {
      expect(encoded(germanRequest('BR'))).toMatchObject({ tipoMensagem: 'pedido', tipoPedido: 'auxilio_judiciario_penal', autoridadeRequerente: { nome: 'Staatsanwaltschaft München I' } });
      const chosen = germanRequest('BR');
      chosen.extensions[EXTENSIONS.formLanguage] = 'es';
      expect(encoded(chosen)).toHaveProperty('tipoMensaje', 'solicitud');
    });

    it('writes every legal answer in the language of the request when known, else Spanish', () => {
      const answers: EventBody[] = [
        RequestAcknowledged.fromPartial({ executingReference: 'AZ 1', receivedAt: new Date('2026-03-03T10:00:00Z') }),
        AdditionalInformationRequested.fromPartial({ questions: [{ id: '1', text: 'Welche Konten?' }] }),
        AdditionalInformationProvided.fromPartial({ regardingEventId: 'e-1', answers: [{ questionId: '1', text: 'Konto 1' }] }),
        RequestRecognised.fromPartial({ decisionReference: 'D-1' }),
        RequestExecuted.fromPartial({ resultSummary: 'Erledigt.' }),
        RequestPartiallyExecuted.fromPartial({ executedMeasureRefs: ['m1'], notExecuted: [{ measureRef: 'm2', reason: 'Konto geschlossen' }] }),
        RequestRefused.fromPartial({ grounds: [{ code: RefusalGroundCode.REFUSAL_GROUND_CODE_NE_BIS_IN_IDEM }] }),
        RequestPostponed.fromPartial({ grounds: 'Laufendes Verfahren' }),
        RequestWithdrawn.fromPartial({ reason: 'Verfahren eingestellt' }),
        OnwardTransferConsented.fromPartial({ thirdNetwork: 'oas-hemispheric-network' }),
      ];
      const kinds = (language: string) =>
        answers.map((body) => {
          const form = encoded(fromNetwork(body, { subject: 'iberred:R-1', causationId: 'e-0', language }));
          return form.tipoMensaje ?? form.tipoMensagem;
        });
      expect(kinds('de')).toEqual([
        'acuse_recibo',
        'solicitud_informacion_adicional',
        'informacion_adicional',
        'admitida',
        'ejecutada',
        'ejecutada_parcialmente',
        'denegada',
        'aplazada',
        'retirada',
        'consentimiento_transferencia',
      ]);
      expect(kinds('pt-BR')).toEqual([
        'confirmacao_recebimento',
        'pedido_informacao_adicional',
        'informacao_adicional',
        'admitido',
        'executado',
        'executado_parcialmente',
        'recusado',
        'adiado',
        'retirado',
        'consentimento_transferencia',
      ]);
      const refusal = encoded(fromNetwork(answers[6] as EventBody, { subject: 'iberred:R-1', language: 'pt-BR' }));
      expect(refusal).toMatchObject({ referenciaComity: 'iberred:R-1', motivosRecusa: [{ fundamento: 'coisa_julgada' }], confidencial: false });
    });

    it('writes transport receipts as acuse_transporte / aviso_transporte', () => {
      const delivered = RequestDelivered.fromPartial({ regardingEventId: 'e-1', network: 'ejn', nativeMessageId: 'ecodex-42', deliveredAt: new Date('2026-03-02T09:00:00Z') });
      expect(encoded(fromNetwork(delivered, { subject: 'iberred:R-1', causationId: 'e-1' }))).toEqual({
        tipoMensaje: 'acuse_transporte',
        idioma: 'es',
        referenciaComity: 'iberred:R-1',
        evento: 'entregado',
        eventoRespondido: 'e-1',
        red: 'ejn',
        identificadorNativo: 'ecodex-42',
        fecha: '2026-03-02T09:00:00Z',
      });
      const notDelivered = RequestNotDelivered.fromPartial({
        regardingEventId: 'e-1',
        network: 'ejn',
        reasonCode: NonDeliveryReason.NON_DELIVERY_REASON_ENDPOINT_UNAVAILABLE,
        reason: 'ENDPOINT_UNAVAILABLE: 503',
        retriable: true,
        attempts: 1,
      });
      expect(encoded(fromNetwork(notDelivered, { subject: 'iberred:R-1', language: 'pt' }))).toEqual({
        tipoMensagem: 'aviso_transporte',
        idioma: 'pt',
        referenciaComity: 'iberred:R-1',
        evento: 'nao_entregue',
        eventoRespondido: 'e-1',
        rede: 'ejn',
        causa: 'destino_indisponivel',
        detalhe: 'ENDPOINT_UNAVAILABLE: 503',
        novaTentativa: true,
        tentativas: 1,
      });
      expect(encoded(fromNetwork(RequestRetrieved.fromPartial({ regardingEventId: 'e-1', network: 'ejn', authorityId: 'de/sta-muenchen-1' }), { subject: 'iberred:R-1' }))).toMatchObject({
        evento: 'recuperado',
        idAutoridad: 'de/sta-muenchen-1',
      });
      expect(encoded(fromNetwork(RequestRelayed.fromPartial({ regardingEventId: 'e-1', networks: ['iberred'], route: 'shared-network' }), { subject: 'iberred:R-1' }))).toMatchObject({
        evento: 'retransmitido',
        redes: ['iberred'],
        ruta: 'shared-network',
      });
    });

    it('passes other request types through with their canonical section', () => {
      const eio = EuropeanInvestigationOrder.fromPartial({ necessityAndProportionality: 'Erforderlich.' });
      const event = fromNetwork(
        RequestSubmitted.fromPartial({
          request: {
            nativeReference: 'EIO-1',
            requestType: RequestType.REQUEST_TYPE_EUROPEAN_INVESTIGATION_ORDER,
            requestingAuthority: { name: 'StA Köln', state: 'DE' },
            requestedState: 'ES',
            europeanInvestigationOrder: eio,
          },
        }),
        { subject: 'ejn:EIO-1', language: 'de' },
      );
      const form = encoded(event);
      expect(form).toMatchObject({ tipoSolicitud: 'orden_europea_investigacion', detalles: { necessityAndProportionality: 'Erforderlich.' } });
      expect((decodeOne(encodeOrFail(event)).body as RequestSubmitted).request?.europeanInvestigationOrder).toEqual(eio);
    });

    it('has no message for events that are not about a request, and refuses what the form cannot hold', () => {
      const statistics = fromNetwork(StatisticsReport.fromPartial({}), { subject: 'stats-1' });
      expect(codec.encode(statistics, decodeBody(statistics)), 'no IberRed message: acknowledged, not delivered').toBeNull();
      const noReference = fromNetwork(RequestSubmitted.fromPartial({ request: { requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE } }), { subject: 'ejn:x' });
      expect(encodeFailure(noReference).code).toBe('MISSING_FIELD');
      const badSex = germanRequest();
      const body = decodeBody(badSex) as RequestSubmitted;
      (body.request?.persons[0] as { sex: string }).sex = 'male';
      const withBadSex = fromNetwork(body, { subject: badSex.subject, language: 'de' });
      expect(encodeFailure(withBadSex).code).toBe('NOT_EXPRESSIBLE');
      const badExtension = germanRequest();
      badExtension.extensions[`${EXTENSIONS.extraPrefix}x`] = '{not json';
      expect(encodeFailure(badExtension).code).toBe('INVALID_EXTENSION');
      const pollution = germanRequest();
      pollution.extensions[`${EXTENSIONS.extraPrefix}__proto__`] = '{}';
      expect(encodeFailure(pollution).code).toBe('INVALID_EXTENSION');
    });
  });

  describe('config', () => {
    it('has defaults for the limits and refuses a transport limit below the codec limit', () => {
      const config = iberredConfig.parse({ http: { listen: { port: 0 }, deliverTo: 'http://127.0.0.1:1/in' } });
      expect(config.limits).toEqual({ maxBodyBytes: 2 * 1024 * 1024, maxDepth: 32, deadLetterHeadBytes: 64 * 1024 });
      const wrong = iberredConfig.safeParse({ http: { listen: { port: 0 }, deliverTo: 'http://127.0.0.1:1/in', maxBodyBytes: 1024 } });
      expect(wrong.success).toBe(false);
    });
  });
});
