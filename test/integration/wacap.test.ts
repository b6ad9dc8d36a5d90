/**
 * The WACAP adapter with a real broker and real SMTP on both sides: focal points' e-mails sent
 * to the adapter's SMTP listener become events on comity.inbound.wacap; events on
 * comity.outbound.wacap become e-mails at a local relay (smtp-server), with their receipts back;
 * forged senders are refused without a trace in Kafka; hostile e-mails get a clear SMTP refusal,
 * land in comity.dlq.wacap with their reason, and the adapter goes on serving.
 *
 * The network id is the real one (`wacap`), so its topics may hold records of other runs: every
 * check filters by what this run produced (unique references, Message-IDs and event ids).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DlqHeader, readDeadLetterReason } from '../../core/dlq.js';
import { eventFromRecord, eventToRecord, HUB_ORIGIN } from '../../core/events/codec.js';
import { createEvent, decodeBody } from '../../core/events/create.js';
import { Classification, type Event } from '../../core/gen/comity/v1/event.js';
import { DirectoryEntryUpdated } from '../../core/gen/comity/v1/directory.js';
import { RequestAcknowledged, RequestSubmitted, type RequestDelivered } from '../../core/gen/comity/v1/lifecycle.js';
import { AuthorityKind, PersonRole } from '../../core/gen/comity/v1/offence.js';
import { MeasureKind, RequestType } from '../../core/gen/comity/v1/request.js';
import { topics, type IncomingRecord, type KafkaClient, type RecordProducer } from '../../core/kafka/index.js';
import { createLogger } from '../../core/log.js';
import { adapterConfigSchema, startAdapter, type RunningAdapter } from '../../adapters/sdk/runtime.js';
import { wacapAdapter } from '../../adapters/wacap/index.js';
import { startSmtpSink, type SmtpSink } from '../../adapters/wacap/transport-test-sink.js';
import type { WacapTransport } from '../../adapters/wacap/transport.js';
import { DIRECTORY_SOURCE, directoryKey } from '../../services/directory/entries.js';
import { collect, createTopics, type Collector, eventually, testKafka, testKafkaConfig } from '../support/kafka.js';
import { testKeys } from '../support/keys.js';

const NETWORK = 'wacap';
const logger = createLogger({ name: 'test.wacap', level: process.env.COMITY_LOG_LEVEL ?? 'error' });
const keys = testKeys([NETWORK, 'ejn', 'iberred']);
const fixtures = new URL('../../adapters/wacap/fixtures/', import.meta.url);
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const header = (record: IncomingRecord, name: string) => record.headers[name]?.toString('utf8');

/** The Senegalese focal point is known from the adapter's config; the Ivorian one from comity.directory. */
const SENEGAL = 'entraide.penale@justice.gouv.sn.example';

/** A French MLA request as a focal point's mail client writes it (nodemailer's MIME). */
function frenchRequest(reference: string): string {
  return `Monsieur le Directeur,

Veuillez trouver ci-dessous une demande d'entraide judiciaire.

=== WACAP : DEMANDE / REQUEST ===
Référence / Reference: ${reference}
Type de demande / Request type: entraide judiciaire / mutual legal assistance
Langue / Language: fr
Date: 10/03/2026
État requis / Requested State: Côte d'Ivoire
Base juridique / Legal basis: Convention A/P1/7/92 de la CEDEAO relative à l'entraide judiciaire en matière pénale
Urgence / Urgency: urgente / urgent
Motif de l'urgence / Reason for urgency: les fonds sont en cours de retrait
Confidentialité requise / Confidentiality required: non / no

--- Autorité requérante / Requesting authority ---
Nom / Name: Cabinet du Doyen des juges d'instruction, Tribunal de grande instance hors classe de Dakar
Pays / Country: SN
Type d'autorité / Kind of authority: judiciaire / judicial

--- Exposé des faits / Summary of facts ---
Quarante-trois épargnants ont versé 412 millions de francs CFA à une société fictive ; les fonds
ont été virés sur deux comptes ouverts à Abidjan.

--- Infraction 1 / Offence 1 ---
Qualification / Offence: escroquerie
Texte applicable / Legal provisions: article 379 du Code pénal

--- Infraction 2 / Offence 2 ---
Qualification / Offence: blanchiment de capitaux

--- Personne 1 / Person 1 ---
Qualité / Role: inculpé / accused
Nom / Family name: FALL
Prénoms / Given names: Ousmane

--- Mesure demandée 1 / Measure requested 1 ---
Type de mesure / Kind of measure: informations bancaires / bank information
Description / Description: Relevés des comptes ouverts à la Banque Atlantique Lagunaire, Abidjan.
Personnes concernées / Persons concerned: 1
=== FIN / END ===

Le Directeur des Affaires criminelles et des Grâces
`;
}

/** A mutual legal assistance request from a German prosecutor, for Senegal through WACAP. */
function germanRequest(reference: string): Event {
  const subject = `ejn:${reference}`;
  return createEvent(
    RequestSubmitted.fromPartial({
      request: {
        requestId: subject,
        nativeReference: reference,
        requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
        issuedAt: new Date('2026-03-02T08:00:00Z'),
        requestingAuthority: { name: 'Staatsanwaltschaft München I', state: 'DE', kind: AuthorityKind.AUTHORITY_KIND_PROSECUTION },
        requestedState: 'SN',
        summaryOfFacts: 'Der Beschuldigte veranlasste 57 Geschädigte zu Überweisungen von insgesamt 1,3 Mio. EUR auf ein Konto in Dakar.',
        offences: [{ ref: 'o1', nativeCode: '263', nativeLabel: 'Betrug', nativeScheme: 'de-stgb', statutoryProvisions: '§ 263 StGB', iccsCode: '0701', language: 'de' }],
        persons: [{ ref: 'p1', role: PersonRole.PERSON_ROLE_SUSPECT, familyName: 'Keller', givenNames: 'Thomas', nationalities: ['DE'] }],
        measures: [{ ref: 'm1', kind: MeasureKind.MEASURE_KIND_BANK_INFORMATION, description: 'Kontounterlagen des Kontos Nr. SN000 00000 0000000000, Dakar.', personRefs: ['p1'] }],
        mutualLegalAssistance: { purpose: 'Nachweis des Geldflusses' },
      },
    }),
    {
      subject,
      source: 'comity://networks/ejn/adapter',
      originNetwork: 'ejn',
      originState: 'DE',
      targets: [{ state: 'SN', network: NETWORK }],
      language: 'de',
      requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
      legalBasis: { instrument: 'UNTOC', article: '18' },
    },
  );
}

describe('WACAP adapter with a real broker', () => {
  let kafka: KafkaClient;
  let producer: RecordProducer;
  let relay: SmtpSink;
  let adapter: RunningAdapter;
  let inbound: Collector;
  let dlq: Collector;
  const run = randomBytes(4).toString('hex');
  /** A focal point of Côte d'Ivoire that only comity.directory knows, unique to this run. */
  const ivoryCoast = `dacp-${run}@justice.gouv.ci.example`;
  const contactPointKey = directoryKey.contactPoint(NETWORK, `ci-${run}`);
  const frenchReference = `DACG/EJ/2026/${run}`;

  async function send(envelopeFrom: string, raw: Buffer): Promise<{ ok: boolean; code?: number; response: string }> {
    const port = (adapter.transport as WacapTransport).address()?.port;
    const client = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, logger: false });
    try {
      const info = await client.sendMail({ envelope: { from: envelopeFrom, to: ['comity@wacap.example'] }, raw });
      return { ok: true, response: info.response };
    } catch (error) {
      const failure = error as { responseCode?: number; response?: string; message: string };
      return { ok: false, code: failure.responseCode, response: failure.response ?? failure.message };
    } finally {
      client.close();
    }
  }

  /**
   * A message as a mail client builds it, with the line ends SMTP gives it (the client turns bare
   * LF into CRLF and ends the data with CRLF): the bytes that will arrive at the listener.
   */
  async function compose(from: string, subject: string, text: string, attachments: { filename: string; content: Buffer }[] = []): Promise<Buffer> {
    const raw = await new MailComposer({
      from,
      to: 'comity@wacap.example',
      subject,
      text,
      attachments,
      messageId: `<${randomBytes(6).toString('hex')}.${run}@${from.split('@')[1]}>`,
      date: new Date('2026-03-10T09:00:00Z'),
    })
      .compile()
      .build();
    const lines = raw.toString('latin1').replace(/\r?\n/g, '\r\n');
    return Buffer.from(lines.endsWith('\r\n') ? lines : `${lines}\r\n`, 'latin1');
  }

  function inboundEvent(predicate: (event: Event) => boolean): Event | undefined {
    for (const record of inbound.records) {
      const event = eventFromRecord(record);
      if (predicate(event)) return event;
    }
    return undefined;
  }

  beforeAll(async () => {
    kafka = testKafka('wacap-test');
    producer = await kafka.producer();
    relay = await startSmtpSink();
    // A WACAP contact point as the directory service publishes it.
    await createTopics(kafka, [topics.directory]);
    await producer.send(topics.directory, [
      eventToRecord(
        createEvent(
          DirectoryEntryUpdated.fromPartial({
            contactPoint: { id: `${NETWORK}/ci-${run}`, network: NETWORK, state: 'CI', name: 'Direction des Affaires civiles et pénales', email: ivoryCoast, role: 'focal point' },
            changeNote: 'wacap integration test',
          }),
          { subject: contactPointKey, source: DIRECTORY_SOURCE, originNetwork: HUB_ORIGIN, classification: Classification.CLASSIFICATION_PUBLIC },
        ),
      ),
    ]);
    const stateDir = mkdtempSync(join(tmpdir(), 'comity-wacap-'));
    const config = adapterConfigSchema(wacapAdapter).parse({
      network: NETWORK,
      trust: keys.adapterTrust(NETWORK),
      kafka: testKafkaConfig(`adapter-${NETWORK}-${run}`),
      runtime: { stateDir, retry: { initialMs: 50, maxMs: 200, giveUpAfterMs: 60_000 }, drainTimeoutMs: 5_000 },
      adapter: {
        smtp: { port: 0 },
        relay: { host: '127.0.0.1', port: relay.port, timeoutMs: 5_000 },
        from: 'comity@wacap.example',
        focalPoints: [{ email: SENEGAL, state: 'SN', name: 'Direction des Affaires criminelles et des Grâces' }],
        limits: { maxMessageBytes: 1024 * 1024, maxAttachmentBytes: 64 * 1024 },
        documents: { dir: join(stateDir, 'documents') },
        correspondents: { file: join(stateDir, 'correspondents.log') },
      },
    });
    await keys.publishToDirectory(kafka);
    adapter = await startAdapter(wacapAdapter, config, { logger });
    inbound = await collect(kafka, topics.inbound(NETWORK));
    dlq = await collect(kafka, topics.dlq(NETWORK));
  });

  afterAll(async () => {
    await inbound?.stop();
    await dlq?.stop();
    await adapter?.stop();
    // Leave the shared directory as it was: a tombstone for this run's contact point.
    await producer?.send(topics.directory, [{ key: contactPointKey, value: null, headers: {} }]).catch(() => undefined);
    await producer?.disconnect();
    await relay?.close();
  });

  it('a French request e-mailed by a focal point is on comity.inbound.wacap with its language and offences intact', async () => {
    const raw = await compose(SENEGAL, `Demande d'entraide judiciaire – ${frenchReference}`, frenchRequest(frenchReference), [
      { filename: 'commission-rogatoire.pdf', content: Buffer.from(`%PDF-1.4 commission rogatoire ${run}`) },
    ]);
    const answer = await send(SENEGAL, raw);
    expect(answer, answer.response).toMatchObject({ ok: true });
    const eventId = /Accepted: ([0-9a-f-]{36})/.exec(answer.response)?.[1] as string;
    expect(eventId).toBeDefined();

    await eventually(() => inbound.records.some((record) => header(record, 'ce_id') === eventId), 'the request on comity.inbound.wacap');
    const record = inbound.records.find((candidate) => header(candidate, 'ce_id') === eventId) as IncomingRecord;
    expect(record.key?.toString()).toBe(`wacap:SN:${frenchReference}`);
    expect(header(record, 'ce_comitylang')).toBe('fr');
    const event = eventFromRecord(record);
    expect(event).toMatchObject({ type: 'comity.v1.RequestSubmitted', originNetwork: NETWORK, originState: 'SN', language: 'fr', subject: `wacap:SN:${frenchReference}` });
    expect(event.targets).toMatchObject([{ state: 'CI' }]);
    expect(event.provenance).toMatchObject({ nativeFormat: 'wacap-mail-form', mappingVersion: '1.0.0' });
    expect(Buffer.from(event.provenance?.nativeSha256 ?? []).toString('hex')).toBe(sha256(raw));
    expect(event.extensions['wacap.sender']).toBe(SENEGAL);
    const request = (decodeBody(event) as RequestSubmitted).request;
    expect(request?.offences.map((offence) => [offence.nativeLabel, offence.iccsCode])).toEqual([
      ['escroquerie', '0701'],
      ['blanchiment de capitaux', '0704'],
    ]);
    const document = request?.attachments[0];
    expect(document?.name).toBe('commission-rogatoire.pdf');
    expect(document?.uri).toBe(`comity-doc://wacap/${sha256(Buffer.from(`%PDF-1.4 commission rogatoire ${run}`))}`);

    // Sent again (the focal point's MTA retried): the same answer, published once.
    const again = await send(SENEGAL, raw);
    expect(again.response).toMatch(new RegExp(`Accepted \\(already received\\): ${eventId}`));
  });

  it('accepts a focal point known from comity.directory: an Ivorian acknowledgement of the request', async () => {
    const text = `=== WACAP : ACCUSÉ DE RÉCEPTION / ACKNOWLEDGEMENT OF RECEIPT ===
Référence Comity / Comity reference: wacap:SN:${frenchReference}
Référence / Reference: DACP/EJ/2026/311
Langue / Language: fr
Date: 2026-03-12

--- Autorité / Authority ---
Nom / Name: Direction des Affaires civiles et pénales
Pays / Country: CI
=== FIN / END ===
`;
    const answer = await send(ivoryCoast, await compose(ivoryCoast, 'Accusé de réception', text));
    expect(answer, answer.response).toMatchObject({ ok: true });
    await eventually(
      () => inboundEvent((event) => event.type === 'comity.v1.RequestAcknowledged' && event.subject === `wacap:SN:${frenchReference}`) !== undefined,
      'the acknowledgement on comity.inbound.wacap',
    );
    const event = inboundEvent((candidate) => candidate.type === 'comity.v1.RequestAcknowledged' && candidate.subject === `wacap:SN:${frenchReference}`) as Event;
    expect(event.originState).toBe('CI');
    expect((decodeBody(event) as RequestAcknowledged).executingReference).toBe('DACP/EJ/2026/311');
  });

  it('refuses forged senders with 550 and publishes nothing', async () => {
    const before = adapter.counts().received;
    const forgedReference = `FORGED-${run}`;
    const stranger = await send('procureur@gmail.example', await compose('procureur@gmail.example', 'Demande', frenchRequest(forgedReference)));
    expect(stranger).toMatchObject({ ok: false, code: 550 });
    expect(stranger.response).toMatch(/SENDER_NOT_FOCAL_POINT/);
    // The envelope names a focal point, the From header someone else.
    const spoofed = await compose('ministre@justice.gouv.sn.example', 'Demande', frenchRequest(forgedReference));
    const mismatch = await send(SENEGAL, spoofed);
    expect(mismatch).toMatchObject({ ok: false, code: 550 });
    expect(mismatch.response).toMatch(/SENDER_MISMATCH/);

    expect(adapter.counts().received).toBe(before);
    expect((adapter.transport as WacapTransport).refusals()).toMatchObject({ SENDER_NOT_FOCAL_POINT: 1, SENDER_MISMATCH: 1 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(inbound.records.some((record) => record.key?.toString().includes(forgedReference))).toBe(false);
    expect(dlq.records.some((record) => record.key?.toString() === `sha256:${sha256(spoofed)}`)).toBe(false);
  });

  it('hostile e-mails get a clear refusal, the decodable-but-wrong ones land in comity.dlq.wacap with their reason, and the adapter keeps serving', async () => {
    const marker = `X-Test-Run: ${run}\r\n`;
    const withMarker = (bytes: Buffer) => Buffer.concat([Buffer.from(marker), bytes]);
    const bomb = withMarker(readFileSync(new URL('malformed/mime-bomb-nested.eml', fixtures)));
    const brokenEncoding = withMarker(readFileSync(new URL('malformed/broken-encoding-utf8.eml', fixtures)));
    const noForm = await compose(SENEGAL, 'Demande', `Monsieur, veuillez trouver notre demande en pièce jointe. ${run}`);
    const bigAttachment = await compose(SENEGAL, 'Demande', frenchRequest(`BIG-${run}`), [{ filename: 'scan.pdf', content: randomBytes(100 * 1024) }]);
    const cases = [
      { name: 'MIME bomb', raw: bomb, code: 'TOO_MANY_PARTS' },
      { name: 'broken encoding', raw: brokenEncoding, code: 'BROKEN_ENCODING' },
      { name: 'no form', raw: noForm, code: 'MISSING_FORM' },
      { name: 'oversize attachment', raw: bigAttachment, code: 'ATTACHMENT_TOO_LARGE' },
    ];
    for (const hostile of cases) {
      const answer = await send(SENEGAL, hostile.raw);
      expect(answer, hostile.name).toMatchObject({ ok: false, code: 550 });
      expect(answer.response, hostile.name).toMatch(new RegExp(`^550 5\\.6\\.0 ${hostile.code}: .+`));
    }
    // Too large for the listener: refused at SMTP level, nothing read, nothing kept.
    const huge = await compose(SENEGAL, 'Demande', frenchRequest(`HUGE-${run}`), [{ filename: 'scan.pdf', content: randomBytes(1200 * 1024) }]);
    const tooLarge = await send(SENEGAL, huge);
    expect(tooLarge).toMatchObject({ ok: false, code: 552 });

    // Still serving: a valid request goes through, and the adapter is ready.
    const after = await send(SENEGAL, await compose(SENEGAL, 'Demande', frenchRequest(`AFTER-${run}`)));
    expect(after, after.response).toMatchObject({ ok: true });
    expect((await fetch(`http://127.0.0.1:${adapter.statusPort}/readyz`)).status).toBe(200);

    const letterOf = (raw: Buffer) => dlq.records.find((record) => record.key?.toString() === `sha256:${sha256(raw)}`);
    await eventually(() => cases.every((hostile) => letterOf(hostile.raw) !== undefined), 'the dead letters');
    for (const hostile of cases) {
      const letter = letterOf(hostile.raw) as IncomingRecord;
      expect(readDeadLetterReason(letter.headers), hostile.name).toMatchObject({ code: hostile.code, stage: 'inbound-decode', retriable: false, failedBy: `adapter.${NETWORK}` });
      expect(letter.value?.equals(hostile.raw), hostile.name).toBe(true);
      expect(header(letter, DlqHeader.nativeContentType)).toBe('message/rfc822');
    }
    expect(letterOf(huge)).toBeUndefined();
  });

  it('an event on comity.outbound.wacap reaches the focal points by e-mail through the relay, and its receipt comes back', async () => {
    // A new request from EJN for Senegal.
    const request = germanRequest(`123 Js ${run}/26`);
    await producer.send(topics.outbound(NETWORK), [keys.record(request)]);
    await eventually(() => relay.messages.some((message) => message.parsed.messageId === `<${request.id}@wacap.example>`), 'the e-mail at the relay');
    const sent = relay.messages.find((message) => message.parsed.messageId === `<${request.id}@wacap.example>`);
    expect(sent?.recipients).toEqual([SENEGAL]);
    expect(sent?.envelopeFrom).toBe('comity@wacap.example');
    expect(sent?.parsed.headers.get('x-comity-event-id')).toBe(request.id);
    expect(sent?.parsed.headers.get('x-comity-request-id')).toBe(request.subject);
    const text = sent?.parsed.text ?? '';
    expect(text).toContain('=== WACAP : DEMANDE / REQUEST ===');
    expect(text).toContain(`Référence Comity / Comity reference: ejn:123 Js ${run}/26`);
    expect(text).toContain('Langue / Language: de');
    expect(text).toContain('Qualification / Offence: Betrug');
    expect(text).toContain('=== FIN / END ===');

    const isReceipt = (record: IncomingRecord, id: string) => header(record, 'ce_comitycausation') === id && header(record, 'ce_type') === 'comity.v1.RequestDelivered';
    await eventually(() => inbound.records.some((record) => isReceipt(record, request.id)), 'the RequestDelivered receipt');
    const receipt = eventFromRecord(inbound.records.find((record) => isReceipt(record, request.id)) as IncomingRecord);
    expect(receipt.subject).toBe(request.subject);
    expect(decodeBody(receipt) as RequestDelivered).toMatchObject({ regardingEventId: request.id, network: NETWORK, nativeMessageId: `<${request.id}@wacap.example>` });

    // IberRed acknowledges the French request of the first test: the e-mail goes back to Senegal.
    const ack = createEvent(
      RequestAcknowledged.fromPartial({ competentAuthority: { name: 'Fiscalía General de la Nación', state: 'CO' }, executingReference: `FGN-${run}`, receivedAt: new Date('2026-04-01T00:00:00Z') }),
      { subject: `wacap:SN:${frenchReference}`, source: 'comity://networks/iberred/adapter', originNetwork: 'iberred', originState: 'CO', language: 'es' },
    );
    await producer.send(topics.outbound(NETWORK), [keys.record(ack)]);
    await eventually(() => relay.messages.some((message) => message.parsed.messageId === `<${ack.id}@wacap.example>`), 'the acknowledgement e-mail');
    const acknowledgement = relay.messages.find((message) => message.parsed.messageId === `<${ack.id}@wacap.example>`);
    expect(acknowledgement?.recipients).toEqual([SENEGAL]);
    expect(acknowledgement?.parsed.text).toContain('=== WACAP : ACCUSÉ DE RÉCEPTION / ACKNOWLEDGEMENT OF RECEIPT ===');
    expect(acknowledgement?.parsed.text).toContain(`Référence / Reference: FGN-${run}`);
    await eventually(() => inbound.records.some((record) => isReceipt(record, ack.id)), 'the acknowledgement receipt');
  });
});
