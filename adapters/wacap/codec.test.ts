import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventBody } from '../../core/events/bodies.js';
import { createEvent, decodeBody, type EventAttributes } from '../../core/events/create.js';
import { Classification, type Event } from '../../core/gen/comity/v1/event.js';
import {
  NonDeliveryReason,
  OnwardTransferConsented,
  RefusalGroundCode,
  RequestAcknowledged,
  RequestDelivered,
  RequestNotDelivered,
  RequestRefused,
  RequestSubmitted,
  type AdditionalInformationProvided,
} from '../../core/gen/comity/v1/lifecycle.js';
import { AuthorityKind, PersonKind, PersonRole } from '../../core/gen/comity/v1/offence.js';
import { MeasureKind, RequestType, Urgency } from '../../core/gen/comity/v1/request.js';
import { StatisticsReport } from '../../core/gen/comity/v1/stats.js';
import type { EventDraft, NativeMessage } from '../sdk/contract.js';
import { DecodeError, EncodeError } from '../sdk/errors.js';
import { EXTENSIONS, wacapCodec as codec } from './codec.js';
import { ATTRIBUTES, OUTBOUND_MEDIA_TYPE, outboundMail, type OutboundMail } from './mail.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);

function fixture(name: string): NativeMessage {
  const declared = JSON.parse(readFileSync(new URL(`${name}.attributes.json`, FIXTURES), 'utf8')) as { contentType: string; attributes: Record<string, string> };
  return { body: readFileSync(new URL(`${name}.eml`, FIXTURES)), contentType: declared.contentType, attributes: declared.attributes };
}

/** An e-mail as the transport would hand it over: raw bytes, and the text body it read. */
function mail(text: string, extra: Record<string, string> = {}): NativeMessage {
  const body = Buffer.from(`From: entraide.penale@justice.gouv.sn.example\r\nSubject: test\r\n\r\n${text}`);
  return {
    body,
    contentType: 'message/rfc822',
    attributes: {
      [ATTRIBUTES.sha256]: createHash('sha256').update(body).digest('hex'),
      [ATTRIBUTES.from]: 'entraide.penale@justice.gouv.sn.example',
      [ATTRIBUTES.text]: text,
      [ATTRIBUTES.attachments]: '[]',
      ...extra,
    },
  };
}

const MINIMAL_REQUEST = `=== WACAP : DEMANDE / REQUEST ===
Référence / Reference: T/1
Type de demande / Request type: entraide judiciaire
Langue / Language: fr
État requis / Requested State: CI

--- Autorité requérante / Requesting authority ---
Nom / Name: Parquet de Dakar
Pays / Country: SN
=== FIN / END ===
`;

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

function fromNetwork(body: EventBody, attributes: Partial<EventAttributes> & { subject: string }, network = 'ejn'): Event {
  return createEvent(body, { source: `comity://networks/${network}/adapter`, originNetwork: network, ...attributes });
}

function encodeMail(event: Event): OutboundMail {
  const native = codec.encode(event, decodeBody(event));
  if (native === null) throw new Error(`encode returned null for ${event.type}`);
  expect(native.contentType).toBe(OUTBOUND_MEDIA_TYPE);
  return outboundMail.parse(JSON.parse(native.body.toString('utf8')));
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

/** A mutual legal assistance request from a German prosecutor, for Senegal through WACAP. */
function germanRequest(): Event {
  return fromNetwork(
    RequestSubmitted.fromPartial({
      request: {
        requestId: 'ejn:123 Js 4567/26',
        nativeReference: '123 Js 4567/26',
        requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
        issuedAt: new Date('2026-03-02T08:30:00Z'),
        requestingAuthority: { name: 'Staatsanwaltschaft München I', state: 'DE', kind: AuthorityKind.AUTHORITY_KIND_PROSECUTION },
        requestedState: 'SN',
        urgency: Urgency.URGENCY_URGENT,
        summaryOfFacts: 'Der Beschuldigte veranlasste 57 Geschädigte zu Überweisungen nach Dakar.\n=== FIN / END ===',
        offences: [{ ref: 'o1', nativeCode: '263', nativeLabel: 'Betrug', nativeScheme: 'de-stgb', iccsCode: '0701', language: 'de' }],
        persons: [
          { ref: 'suspect-a', role: PersonRole.PERSON_ROLE_SUSPECT, kind: PersonKind.PERSON_KIND_NATURAL, familyName: 'Keller', givenNames: 'Thomas', nationalities: ['DE'] },
          {
            ref: 'firma',
            kind: PersonKind.PERSON_KIND_LEGAL,
            familyName: 'Keller Handels GmbH',
            addresses: [{ lines: ['Leopoldstraße 1'], postalCode: '80802', locality: 'München', country: 'DE' }],
          },
        ],
        measures: [{ ref: 'm1', kind: MeasureKind.MEASURE_KIND_BANK_INFORMATION, description: 'Kontounterlagen', personRefs: ['suspect-a', 'firma'] }],
        attachments: [
          {
            name: 'eea.pdf',
            mediaType: 'application/pdf',
            sha256: createHash('sha256').update('PDF').digest(),
            sizeBytes: 3,
            uri: `data:application/pdf;base64,${Buffer.from('PDF').toString('base64')}`,
          },
          { name: 'akte.pdf', sha256: Buffer.alloc(32, 1), sizeBytes: 1000, uri: 'https://ejn.example/docs/akte.pdf' },
        ],
        mutualLegalAssistance: { purpose: 'Nachweis des Geldflusses' },
      },
    }),
    {
      subject: 'ejn:123 Js 4567/26',
      targets: [{ state: 'SN', network: 'wacap' }],
      originState: 'DE',
      language: 'de',
      requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
      legalBasis: { instrument: 'UNTOC', article: '18' },
    },
  );
}

describe('adapters/wacap/codec', () => {
  describe('decode', () => {
    it('keeps the language, the native offence labels and their ICCS codes of a French request', () => {
      const draft = decodeOne(fixture('sn-ci-demande-escroquerie'));
      expect(draft).toMatchObject({ subject: 'wacap:SN:DACG/EJ/2026/0142', originState: 'SN', language: 'fr', targets: [{ state: 'CI' }] });
      const body = draft.body as RequestSubmitted;
      expect(body.request?.offences.map((offence) => [offence.nativeLabel, offence.iccsCode])).toEqual([
        ['escroquerie', '0701'],
        ['blanchiment de capitaux', '0704'],
      ]);
    });

    it('reads labels in English alone and in Portuguese alone', () => {
      expect(decodeOne(fixture('ng-gh-request-money-laundering'))).toMatchObject({ subject: 'wacap:NG:FMOJ/CAU/MLA/2026/031', language: 'en', originState: 'NG' });
      const portuguese = decodeOne(fixture('gw-sn-pedido-trafico'));
      expect(portuguese).toMatchObject({ language: 'pt', originState: 'GW', targets: [{ state: 'SN' }], classification: Classification.CLASSIFICATION_CONFIDENTIAL });
      expect((portuguese.body as RequestSubmitted).request?.offences.map((offence) => offence.iccsCode)).toEqual(['0601', '09051']);
    });

    it('never guesses an ICCS code: an umbrella label keeps none', () => {
      const body = decodeOne(fixture('sn-ci-demande-outlook-html')).body as RequestSubmitted;
      expect(body.request?.offences.map((offence) => [offence.nativeLabel, offence.iccsCode])).toEqual([
        ['accès frauduleux à un système informatique', '09031'],
        ['cybercriminalité', ''],
      ]);
    });

    it('references the attached files by SHA-256, leaving out the inline images of an HTML body', () => {
      const body = decodeOne(fixture('sn-ci-demande-outlook-html')).body as RequestSubmitted;
      expect(body.request?.attachments.map((document) => [document.name, document.uri])).toEqual([
        ['adresses-ip.pdf', 'comity-doc://wacap/7d56ebb4c620fc249da7fc75e7dd1a938e4dc68ff457db742ad0551233a03b6a'],
      ]);
    });

    it('takes the Comity event answered from In-Reply-To', () => {
      expect(decodeOne(fixture('ci-sn-accuse-reception'))).toMatchObject({ causationId: '0195d8a0-7c1e-7a10-8a00-00000000a001', subject: 'wacap:SN:DACG/EJ/2026/0142' });
    });

    it('refuses attributes read from other bytes', () => {
      const native = fixture('sn-retrait');
      expect(decodeFailure({ ...native, body: Buffer.concat([native.body, Buffer.from(' ')]) }).code).toBe('PARSE_MISMATCH');
      expect(decodeFailure({ ...native, attributes: {} }).code).toBe('NOT_PARSED');
    });

    it('reads a form around a covering letter, with French typography and empty template fields', () => {
      const text = `Monsieur,\n\n${MINIMAL_REQUEST.replace('Langue / Language: fr', 'Langue : fr\nDate : 10/03/2026\nDélai / Deadline:\nUrgence / Urgency:  ')}\n--\nsignature`;
      const draft = decodeOne(mail(text));
      expect(draft.extensions).toMatchObject({ [EXTENSIONS.preamble]: 'Monsieur,', [EXTENSIONS.postscript]: '--\nsignature' });
      const request = (draft.body as RequestSubmitted).request;
      expect(request?.issuedAt).toEqual(new Date('2026-03-10T00:00:00Z'));
      expect(request?.deadline).toBeUndefined();
      expect(request?.urgency).toBe(Urgency.URGENCY_UNSPECIFIED);
    });

    it('joins the lines a mail client wrapped, and refuses a misplaced or misspelt field', () => {
      const wrapped = MINIMAL_REQUEST.replace('Nom / Name: Parquet de Dakar', 'Nom / Name: Parquet du Tribunal de grande instance hors classe\nde Dakar');
      expect((decodeOne(mail(wrapped)).body as RequestSubmitted).request?.requestingAuthority?.name).toBe('Parquet du Tribunal de grande instance hors classe de Dakar');
      const misplaced = MINIMAL_REQUEST.replace('Pays / Country: SN', 'Pays / Country: SN\nDate de naissance / Date of birth: 1980');
      expect(decodeFailure(mail(misplaced))).toMatchObject({ code: 'UNKNOWN_FIELD', message: expect.stringMatching(/line 10/) as unknown });
      expect(decodeFailure(mail(MINIMAL_REQUEST.replace('Langue / Language: fr', 'Langue / Language: fr\nLangue / Language: en'))).code).toBe('DUPLICATE_FIELD');
    });

    it('refuses a section the request type does not have, and a reference to a missing section', () => {
      const extradition = MINIMAL_REQUEST.replace('=== FIN / END ===', '--- Extradition ---\nPersonne réclamée / Person sought: 1\n=== FIN / END ===');
      expect(decodeFailure(mail(extradition)).code).toBe('UNEXPECTED_SECTION');
      const noPerson = extradition.replace('entraide judiciaire', 'extradition');
      expect(decodeFailure(mail(noPerson)).code).toBe('INVALID_REFERENCE');
    });

    it('refuses a request in one State\'s name sent by another State\'s focal point', () => {
      expect(decodeFailure(mail(MINIMAL_REQUEST, { [ATTRIBUTES.senderState]: 'GH' })).code).toBe('SENDER_STATE_MISMATCH');
      expect(decodeOne(mail(MINIMAL_REQUEST, { [ATTRIBUTES.senderState]: 'SN' })).originState).toBe('SN');
    });

    it('refuses text that did not survive its character set', () => {
      expect(decodeFailure(mail(MINIMAL_REQUEST.replace('Dakar', 'Dak\uFFFDr'))).code).toBe('BROKEN_ENCODING');
      expect(decodeFailure(mail(MINIMAL_REQUEST.replace('Dakar', 'Dak\u0000r'))).code).toBe('BROKEN_ENCODING');
    });

    it('lists a document the form names without attaching it', () => {
      const listed = MINIMAL_REQUEST.replace(
        '=== FIN / END ===',
        `--- Document 1 ---\nNom du fichier / File name: original.pdf\nEmplacement / Location: remis par la valise diplomatique\n=== FIN / END ===`,
      );
      expect((decodeOne(mail(listed)).body as RequestSubmitted).request?.attachments).toMatchObject([{ name: 'original.pdf', uri: 'remis par la valise diplomatique', sizeBytes: 0 }]);
    });

    it('stays linear on pathological text: long marker-like lines, long blanks, thousands of sections', () => {
      const head = MINIMAL_REQUEST.replace('=== FIN / END ===\n', '');
      const cases = [
        `${head}${'='.repeat(200_000)}x\n=== FIN / END ===`,
        `${head}${'-'.repeat(200_000)}x\n=== FIN / END ===`,
        `${'='.repeat(3)}${' '.repeat(200_000)}x\n${MINIMAL_REQUEST}`,
        MINIMAL_REQUEST.replace('Pays / Country: SN', `Pays / Country: S${' '.repeat(200_000)}N`),
        MINIMAL_REQUEST.replace('Nom / Name: Parquet de Dakar', `Nom / Name: a${' '.repeat(100_000)}b\n${' '.repeat(100_000)}c`),
        MINIMAL_REQUEST.replace('Langue / Language: fr', `Langue / Language: fr\nDemandes liées / Related requests: a${' '.repeat(200_000)}b`),
        `${head}${'--- Personne ---\nNom / Family name: X\n'.repeat(5_000)}=== FIN / END ===`,
        `${head}--- Mesure demandée 1 ---\nDescription: x\nPersonnes concernées / Persons concerned: 1${' '.repeat(200_000)}2\n=== FIN / END ===`,
      ];
      for (const text of cases) {
        const started = Date.now();
        try {
          codec.decode(mail(text));
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
        expect(Date.now() - started, text.slice(0, 80)).toBeLessThan(1_500);
      }
    });

    it('returns events or throws a DecodeError, whatever the text holds', () => {
      const text = fixture('sn-ci-demande-escroquerie').attributes[ATTRIBUTES.text] as string;
      const lines = text.split('\n');
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(lines.length), fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('--- Personne 9 ---', '=== FIN / END ===', 'Nom / Name:', '  ', '- x: y'))), {
            minLength: 1,
            maxLength: 6,
          }),
          (edits) => {
            const mutated = [...lines];
            for (const [at, line] of edits) mutated.splice(at % (mutated.length + 1), at % 3 === 0 ? 1 : 0, line);
            try {
              expect(Array.isArray(codec.decode(mail(mutated.join('\n'))))).toBe(true);
            } catch (error) {
              if (!(error instanceof DecodeError) || !error.code) throw error;
            }
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  describe('encode', () => {
    it('writes a request from another network as a bilingual form for the requested State, with a covering note', () => {
      const event = germanRequest();
      const out = encodeMail(event);
      expect(out.to).toEqual({ state: 'SN' });
      expect(out.subject).toBe('[WACAP] DEMANDE / REQUEST – 123 Js 4567/26');
      expect(out.text).toContain("Message transmis par Comity (réseau d'origine : ejn). / Sent through Comity (originating network: ejn).");
      expect(out.text).toContain('Référence Comity / Comity reference: ejn:123 Js 4567/26');
      expect(out.text).toContain('Langue / Language: de');
      expect(out.text).toContain('Qualification / Offence: Betrug');
      expect(out.text).toContain('Code ICCS / ICCS code: 0701');
      expect(out.text).toContain('Personnes concernées / Persons concerned: 1, 2');
      expect(out.text).toContain('Dénomination / Company name: Keller Handels GmbH');
      expect(out.text).toContain('Adresses / Addresses: Leopoldstraße 1, 80802 München, DE');
      // A line of the facts that would end the form is written so that it reads back as text.
      expect(out.text).toContain('\n === FIN / END ===\n');
      // The inline document is attached; the other one is listed with where to get it.
      expect(out.attachments.map((attachment) => attachment.name)).toEqual(['eea.pdf']);
      expect(out.text).toContain('Emplacement / Location: https://ejn.example/docs/akte.pdf');
      expect(out.text).not.toContain('data:application/pdf');
    });

    it('sends an answer back to the requesting State of a WACAP request, and the rest to whoever handles the request', () => {
      const ack = fromNetwork(
        RequestAcknowledged.fromPartial({ competentAuthority: { name: 'Fiscalía General de la Nación', state: 'CO' }, executingReference: 'FGN-1', receivedAt: new Date('2026-04-01T00:00:00Z') }),
        { subject: 'wacap:SN:DACG/EJ/2026/0142', causationId: '0195d8a0-7c1e-7a10-8a00-000000000009', originState: 'CO', language: 'es' },
        'iberred',
      );
      const out = encodeMail(ack);
      expect(out.to).toEqual({ state: 'SN', notState: 'CO' });
      expect(out.inReplyToEvent).toBe('0195d8a0-7c1e-7a10-8a00-000000000009');
      expect(out.text).toContain('=== WACAP : ACCUSÉ DE RÉCEPTION / ACKNOWLEDGEMENT OF RECEIPT ===');
      expect(out.text).toContain('Référence Comity / Comity reference: wacap:SN:DACG/EJ/2026/0142');

      const refusal = fromNetwork(
        RequestRefused.fromPartial({ grounds: [{ code: RefusalGroundCode.REFUSAL_GROUND_CODE_DUAL_CRIMINALITY, explanation: 'no offence here' }] }),
        { subject: 'ejn:123 Js 4567/26', originState: 'DE' },
      );
      expect(encodeMail(refusal).to).toEqual({ notState: 'DE' });
      expect(encodeMail(refusal).text).toContain('Motif / Ground: double incrimination / dual criminality');
    });

    it('tells a focal point that a request could not be delivered', () => {
      const notice = fromNetwork(
        RequestNotDelivered.fromPartial({ regardingEventId: 'e1', network: 'iberred', reasonCode: NonDeliveryReason.NON_DELIVERY_REASON_RETRIES_EXHAUSTED, reason: 'DELIVERY_GAVE_UP', retriable: false, attempts: 12 }),
        { subject: 'wacap:SN:DACG/EJ/2026/0142', causationId: 'e1' },
        'iberred',
      );
      const out = encodeMail(notice);
      expect(out.to).toEqual({ state: 'SN' });
      expect(out.text).toContain('=== WACAP : AVIS DE NON-REMISE / NON-DELIVERY NOTICE ===');
      expect(out.text).toContain('Cause: tentatives épuisées / retries exhausted');
      // A focal point may not send one back.
      expect(decodeFailure(mail(out.text)).code).toBe('NOTICE_NOT_ACCEPTED');
    });

    it('sends no e-mail for delivery receipts and events that are not about a request', () => {
      const delivered = fromNetwork(RequestDelivered.fromPartial({ regardingEventId: 'e1', network: 'ejn' }), { subject: 'wacap:SN:X' });
      expect(codec.encode(delivered, decodeBody(delivered))).toBeNull();
      const report = fromNetwork(StatisticsReport.fromPartial({}), { subject: 'stats/x' });
      expect(codec.encode(report, decodeBody(report))).toBeNull();
    });

    it('refuses what the form cannot carry', () => {
      expect(encodeFailure(fromNetwork(OnwardTransferConsented.fromPartial({ thirdNetwork: 'oas' }), { subject: 'wacap:SN:X' })).code).toBe('UNSUPPORTED_EVENT');
      const eio = germanRequest();
      const request = (decodeBody(eio) as RequestSubmitted).request;
      const asEio = fromNetwork(RequestSubmitted.fromPartial({ request: { ...request, requestType: RequestType.REQUEST_TYPE_EUROPEAN_INVESTIGATION_ORDER, mutualLegalAssistance: undefined } }), { subject: eio.subject });
      expect(encodeFailure(asEio).code).toBe('UNSUPPORTED_REQUEST_TYPE');
      const anonymous = fromNetwork(RequestSubmitted.fromPartial({ request: { ...request, nativeReference: '' } }), { subject: eio.subject });
      expect(encodeFailure(anonymous).code).toBe('MISSING_FIELD');
    });

    it('gives back a focal point\'s request as it came: its subject, letter, In-Reply-To and documents', () => {
      const native = fixture('ng-gh-additional-information');
      const draft = decodeOne(native);
      const event = createEvent(draft.body, { ...draft, source: 'comity://networks/wacap/adapter', originNetwork: 'wacap' });
      const out = encodeMail(event);
      expect(out.subject).toBe('Additional information - FMOJ/CAU/MLA/2026/031');
      expect(out.inReplyTo).toBe('<0195d8a0-7c1e-7a10-8a00-00000000a003@comity.wacap.example>');
      expect(out.attachments).toEqual([
        expect.objectContaining({ name: 'efcc-schedule-of-transfers.pdf', uri: expect.stringMatching(/^comity-doc:\/\/wacap\/[0-9a-f]{64}$/) as unknown }),
      ]);
      expect((decodeBody(event) as AdditionalInformationProvided).regardingEventId).toBe('0195d8a0-7c1e-7a10-8a00-00000000a003');
      expect(codec.normalize?.({ body: Buffer.from(JSON.stringify(out)), contentType: OUTBOUND_MEDIA_TYPE, attributes: {} })).toEqual(codec.normalize?.(native));
    });
  });
});
