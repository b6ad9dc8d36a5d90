/**
 * The IberRed adapter with a real broker and a real HTTP peer standing in for the Iber@
 * gateway: a Spanish form in, a German request from EJN out as a Spanish form, and hostile
 * input refused with codes and kept in the DLQ while the adapter goes on serving.
 *
 * The network id is the real one (`iberred`), so its topics may hold records of other runs:
 * every check filters by the ids this test produced, and collectors use unique groups.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DlqHeader, readDeadLetterReason } from '../../core/dlq.js';
import { eventFromRecord } from '../../core/events/codec.js';
import { createEvent, decodeBody } from '../../core/events/create.js';
import { RequestSubmitted, type RequestDelivered } from '../../core/gen/comity/v1/lifecycle.js';
import { AuthorityKind, PersonRole } from '../../core/gen/comity/v1/offence.js';
import { MeasureKind, RequestType } from '../../core/gen/comity/v1/request.js';
import { topics, type IncomingRecord, type KafkaClient, type RecordProducer } from '../../core/kafka/index.js';
import { createLogger } from '../../core/log.js';
import { iberredAdapter } from '../../adapters/iberred/index.js';
import { adapterConfigSchema, startAdapter, type RunningAdapter } from '../../adapters/sdk/runtime.js';
import type { HttpTransport } from '../../adapters/sdk/transports/http.js';
import { collect, type Collector, eventually, testKafka, testKafkaConfig } from '../support/kafka.js';
import { testKeys } from '../support/keys.js';
import { startNativeEndpoint, type NativeEndpoint } from '../support/native-endpoint.js';

const NETWORK = 'iberred';
const logger = createLogger({ name: 'test.iberred', level: process.env.COMITY_LOG_LEVEL ?? 'error' });
const keys = testKeys([NETWORK, 'ejn']);

/** A fixture with its reference made unique to this run. */
function spanishRequest(reference: string): Buffer {
  const form = JSON.parse(readFileSync(new URL('../../adapters/iberred/fixtures/ar-es-solicitud-estafa.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  return Buffer.from(JSON.stringify({ ...form, referencia: reference }, null, 2), 'utf8');
}

/** A mutual legal assistance request from a German prosecutor, routed to Colombia through IberRed. */
function germanRequest(reference: string) {
  const subject = `ejn:${reference}`;
  return createEvent(
    RequestSubmitted.fromPartial({
      request: {
        requestId: subject,
        nativeReference: reference,
        requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
        issuedAt: new Date('2026-03-02T08:00:00Z'),
        requestingAuthority: { name: 'Staatsanwaltschaft München I', state: 'DE', kind: AuthorityKind.AUTHORITY_KIND_PROSECUTION },
        requestedState: 'CO',
        summaryOfFacts: 'Der Beschuldigte veranlasste 57 Geschädigte zu Überweisungen von insgesamt 1,3 Mio. EUR auf ein Konto in Bogotá.',
        offences: [{ ref: 'o1', nativeCode: '263', nativeLabel: 'Betrug', nativeScheme: 'de-stgb', statutoryProvisions: '§ 263 StGB', iccsCode: '0701' }],
        persons: [{ ref: 'p1', role: PersonRole.PERSON_ROLE_SUSPECT, familyName: 'Keller', givenNames: 'Thomas', nationalities: ['DE'] }],
        measures: [{ ref: 'm1', kind: MeasureKind.MEASURE_KIND_BANK_INFORMATION, description: 'Kontounterlagen des Kontos Nr. 0012-3456-78, Banco Andino, Bogotá.', personRefs: ['p1'] }],
        mutualLegalAssistance: { purpose: 'Nachweis des Geldflusses' },
      },
    }),
    {
      subject,
      source: 'comity://networks/ejn/adapter',
      originNetwork: 'ejn',
      targets: [{ state: 'CO', network: NETWORK }],
      language: 'de',
      requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
      legalBasis: { instrument: 'UNTOC', article: '18' },
    },
  );
}

describe('IberRed adapter with a real broker', () => {
  let kafka: KafkaClient;
  let producer: RecordProducer;
  let endpoint: NativeEndpoint;
  let adapter: RunningAdapter;
  let inbound: Collector;
  let dlq: Collector;
  const run = randomBytes(4).toString('hex');

  async function post(body: Buffer | string, contentType = 'application/json'): Promise<{ status: number; json: Record<string, unknown> }> {
    const address = (adapter.transport as HttpTransport).address();
    const response = await fetch(`http://127.0.0.1:${address?.port}/messages`, { method: 'POST', headers: { 'content-type': contentType }, body });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  beforeAll(async () => {
    kafka = testKafka();
    producer = await kafka.producer();
    endpoint = await startNativeEndpoint();
    const config = adapterConfigSchema(iberredAdapter).parse({
      network: NETWORK,
      trust: keys.adapterTrust(NETWORK),
      kafka: testKafkaConfig(`adapter-${NETWORK}-${run}`),
      runtime: {
        stateDir: mkdtempSync(join(tmpdir(), 'comity-iberred-')),
        retry: { initialMs: 50, maxMs: 200, giveUpAfterMs: 60_000 },
        drainTimeoutMs: 5_000,
      },
      adapter: { http: { listen: { port: 0 }, deliverTo: endpoint.url, timeoutMs: 2_000 } },
    });
    await keys.publishToDirectory(kafka);
    adapter = await startAdapter(iberredAdapter, config, { logger });
    inbound = await collect(kafka, topics.inbound(NETWORK));
    dlq = await collect(kafka, topics.dlq(NETWORK));
  });

  afterAll(async () => {
    await inbound?.stop();
    await dlq?.stop();
    await adapter?.stop();
    await producer?.disconnect();
    await endpoint?.close();
  });

  it('a Spanish form posted to the webhook is kept in Kafka as an event in Spanish, with its provenance', async () => {
    const reference = `FNCCF5-4471-${run}`;
    const native = spanishRequest(reference);
    const answer = await post(native);
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({ requestIds: [`iberred:${reference}`], duplicate: false });
    const [eventId] = answer.json.eventIds as string[];

    await eventually(() => inbound.records.some((record) => record.headers.ce_id?.toString() === eventId), 'the event on comity.inbound.iberred');
    const record = inbound.records.find((candidate) => candidate.headers.ce_id?.toString() === eventId) as IncomingRecord;
    expect(record.key?.toString()).toBe(`iberred:${reference}`);
    expect(record.headers.ce_comitylang?.toString()).toBe('es-AR');
    const event = eventFromRecord(record);
    expect(event).toMatchObject({ type: 'comity.v1.RequestSubmitted', originNetwork: NETWORK, language: 'es-AR', subject: `iberred:${reference}` });
    expect(event.targets).toMatchObject([{ state: 'ES' }]);
    expect(event.provenance).toMatchObject({ nativeFormat: 'iberred-json', mappingVersion: '1.0.0', nativeId: reference });
    expect(Buffer.from(event.provenance?.nativeSha256 ?? []).toString('hex')).toBe(createHash('sha256').update(native).digest('hex'));
    const body = decodeBody(event) as RequestSubmitted;
    expect(body.request?.offences.map((offence) => [offence.nativeLabel, offence.iccsCode])).toEqual([
      ['Estafa', '0701'],
      ['asociación ilícita', '09051'],
    ]);
  });

  it('a German request from EJN reaches the Iber@ peer as a Spanish form, and its delivery receipt comes back', async () => {
    const event = germanRequest(`123 Js ${run}/26`);
    await producer.send(topics.outbound(NETWORK), [keys.record(event)]);

    await eventually(() => endpoint.acceptedCount(event.id) === 1, 'the delivery to the Iber@ peer');
    const form = JSON.parse(endpoint.accepted.find((entry) => entry.eventId === event.id)?.body ?? '{}') as Record<string, unknown>;
    expect(form).toMatchObject({
      tipoMensaje: 'solicitud',
      idioma: 'de',
      referencia: `123 Js ${run}/26`,
      referenciaComity: event.subject,
      tipoSolicitud: 'asistencia_judicial_penal',
      autoridadRequirente: { nombre: 'Staatsanwaltschaft München I', pais: 'DE', tipo: 'fiscalia' },
      paisRequerido: 'CO',
      baseJuridica: { instrumento: 'UNTOC', articulo: '18' },
      hechos: expect.stringContaining('Überweisungen') as unknown,
      delitos: [{ codigo: '263', denominacion: 'Betrug', iccs: '0701' }],
      diligencias: [{ tipo: 'informacion_bancaria', personas: [1] }],
      asistencia: { finalidad: 'Nachweis des Geldflusses' },
    });
    expect(form).not.toHaveProperty('tipoMensagem');

    const isReceipt = (record: IncomingRecord) =>
      record.headers.ce_comitycausation?.toString() === event.id && record.headers.ce_type?.toString() === 'comity.v1.RequestDelivered';
    await eventually(() => inbound.records.some(isReceipt), 'the RequestDelivered receipt');
    const receipt = eventFromRecord(inbound.records.find(isReceipt) as IncomingRecord);
    expect(receipt.subject).toBe(event.subject);
    expect(decodeBody(receipt) as RequestDelivered).toMatchObject({ regardingEventId: event.id, network: NETWORK });
    expect((decodeBody(receipt) as RequestDelivered).nativeMessageId).toMatch(/^native-/);
  });

  it('hostile input gets a 4xx with its code, lands in comity.dlq.iberred with the reason, and the adapter keeps serving', async () => {
    const nonce = `"${run}"`;
    const big = Buffer.from(`{"tipoMensaje": "solicitud", "nonce": ${nonce}, "hechos": "${'x'.repeat(11 * 1024 * 1024)}"}`);
    const cases: { name: string; body: Buffer; contentType?: string; code: string }[] = [
      { name: 'not JSON', body: Buffer.from(`{"tipoMensaje": "solicitud", "nonce": ${nonce},`), code: 'NOT_JSON' },
      { name: 'invalid UTF-8', body: Buffer.concat([Buffer.from(`{"nonce": ${nonce}, "nota": "`), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), code: 'NOT_UTF8' },
      { name: 'deep nesting', body: Buffer.from(`{"nonce": ${nonce}, "x": ${'['.repeat(5000)}${']'.repeat(5000)}}`), code: 'JSON_TOO_DEEP' },
      { name: '__proto__', body: Buffer.from(`{"tipoMensaje": "acuse_recibo", "nonce": ${nonce}, "__proto__": {"isAdmin": true}}`), code: 'FORBIDDEN_KEY' },
      { name: '11 MiB body', body: big, code: 'TOO_LARGE' },
      { name: 'wrong content type', body: spanishRequest(`CT-${run}`), contentType: 'text/plain', code: 'WRONG_CONTENT_TYPE' },
    ];
    for (const hostile of cases) {
      const answer = await post(hostile.body, hostile.contentType);
      expect(answer.status, hostile.name).toBe(422);
      expect(answer.json, hostile.name).toMatchObject({ code: hostile.code });
      expect(String(answer.json.reason), hostile.name).not.toBe('');
    }

    // Still serving: a Portuguese form goes through, and the adapter is ready.
    const form = JSON.parse(readFileSync(new URL('../../adapters/iberred/fixtures/br-pt-pedido-lavagem.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    // Not confidential: a confidential request must name its target network to be sealed
    // (docs/sealing.md), and IberRed's form has no field for one yet.
    const after = await post(JSON.stringify({ ...form, referencia: `DRCI-${run}`, confidencial: false }));
    expect(after.status).toBe(202);
    expect((await fetch(`http://127.0.0.1:${adapter.statusPort}/readyz`)).status).toBe(200);

    // Each is in the DLQ, keyed by the SHA-256 of what the codec saw (the first 64 KiB of the big one).
    const keyOf = (body: Buffer) => `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const expected = cases.map((hostile) => ({ ...hostile, key: keyOf(hostile.code === 'TOO_LARGE' ? hostile.body.subarray(0, 64 * 1024) : hostile.body) }));
    const letterOf = (key: string) => dlq.records.find((record) => record.key?.toString() === key);
    await eventually(() => expected.every((hostile) => letterOf(hostile.key) !== undefined), 'the dead letters');
    for (const hostile of expected) {
      const letter = letterOf(hostile.key) as IncomingRecord;
      expect(readDeadLetterReason(letter.headers), hostile.name).toMatchObject({
        code: hostile.code,
        stage: 'inbound-decode',
        retriable: false,
        failedBy: `adapter.${NETWORK}`,
      });
      expect(letter.headers[DlqHeader.reason]?.toString(), hostile.name).toMatch(/\(at .+\)$/);
    }
    const bigLetter = letterOf(expected[4]?.key ?? '') as IncomingRecord;
    expect(bigLetter.value?.length).toBe(64 * 1024);
    const attributes = JSON.parse(bigLetter.headers[DlqHeader.nativeAttributes]?.toString() ?? '{}') as Record<string, string>;
    expect(attributes).toMatchObject({ 'iberred.receivedBytes': String(big.length), 'iberred.receivedSha256': createHash('sha256').update(big).digest('hex') });
    expect(letterOf(expected[5]?.key ?? '')?.headers[DlqHeader.nativeContentType]?.toString()).toBe('text/plain');
  });
});
