/**
 * The EJN e-CODEX adapter with a real broker and real HTTP on both sides: the connector's XML
 * in, canonical events out; events in, XML at a connector endpoint and a receipt back; and
 * hostile XML refused with its code, dead-lettered, while the adapter keeps serving.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DlqHeader, readDeadLetterReason } from '../../core/dlq.js';
import { eventFromRecord } from '../../core/events/codec.js';
import { createEvent, decodeBody } from '../../core/events/create.js';
import type { Event } from '../../core/gen/comity/v1/event.js';
import { RequestAcknowledged, RequestDelivered, type RequestSubmitted } from '../../core/gen/comity/v1/lifecycle.js';
import { AuthorityKind } from '../../core/gen/comity/v1/offence.js';
import { RequestType } from '../../core/gen/comity/v1/request.js';
import { topics, type IncomingRecord, type KafkaClient, type RecordProducer } from '../../core/kafka/index.js';
import { createLogger } from '../../core/log.js';
import { ejnEcodexCodec } from '../../adapters/ejn-ecodex/codec.js';
import { ejnEcodexAdapter } from '../../adapters/ejn-ecodex/index.js';
import { OVERSIZED_PREFIX_BYTES } from '../../adapters/ejn-ecodex/transport.js';
import { adapterConfigSchema, startAdapter, type RunningAdapter } from '../../adapters/sdk/runtime.js';
import type { HttpTransport } from '../../adapters/sdk/transports/http.js';
import { collect, type Collector, eventually, testKafka, uniqueName, testKafkaConfig } from '../support/kafka.js';
import { testKeys } from '../support/keys.js';
import { startNativeEndpoint, type NativeEndpoint } from '../support/native-endpoint.js';

const logger = createLogger({ name: 'test.ejn-ecodex', level: process.env.COMITY_LOG_LEVEL ?? 'error' });
const keys = testKeys(['ejn', 'iberred']);
const fixtures = new URL('../../adapters/ejn-ecodex/fixtures/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, fixtures));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const header = (record: IncomingRecord, name: string) => record.headers[name]?.toString('utf8');

describe('EJN e-CODEX adapter with a real broker', () => {
  let kafka: KafkaClient;
  let producer: RecordProducer;
  let endpoint: NativeEndpoint;
  let adapter: RunningAdapter;
  let inbound: Collector;
  let dlq: Collector;

  async function post(body: Buffer | string, contentType = 'application/xml'): Promise<{ status: number; json: Record<string, unknown> }> {
    const port = (adapter.transport as HttpTransport).address()?.port;
    const response = await fetch(`http://127.0.0.1:${port}/messages`, { method: 'POST', headers: { 'content-type': contentType }, body });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  function inboundEvent(predicate: (event: Event) => boolean): { record: IncomingRecord; event: Event } | undefined {
    for (const record of inbound.records) {
      const event = eventFromRecord(record);
      if (predicate(event)) return { record, event };
    }
    return undefined;
  }

  beforeAll(async () => {
    kafka = testKafka('ejn-ecodex-test');
    producer = await kafka.producer();
    endpoint = await startNativeEndpoint();
    const config = adapterConfigSchema(ejnEcodexAdapter).parse({
      network: 'ejn',
      trust: keys.adapterTrust('ejn'),
      kafka: testKafkaConfig('adapter-ejn-test'),
      runtime: { stateDir: mkdtempSync(join(tmpdir(), 'comity-ejn-state-')), retry: { initialMs: 50, maxMs: 200, giveUpAfterMs: 60_000 }, drainTimeoutMs: 5_000 },
      adapter: { http: { listen: { port: 0 }, deliverTo: endpoint.url, timeoutMs: 2_000 }, party: 'EJN-COMITY' },
    });
    await keys.publishToDirectory(kafka);
    adapter = await startAdapter(ejnEcodexAdapter, config, { logger });
    inbound = await collect(kafka, topics.inbound('ejn'));
    dlq = await collect(kafka, topics.dlq('ejn'));
  });

  afterAll(async () => {
    await inbound?.stop();
    await dlq?.stop();
    await adapter?.stop();
    await producer?.disconnect();
    await endpoint?.close();
  });

  it('inbound: a German EIO posted by the connector is answered 202 once it is on comity.inbound.ejn, with its provenance and headers', async () => {
    const native = fixture('eio-de-es-bank-accounts.xml');
    const first = await post(native, 'application/xml; charset=utf-8');
    expect(first.status).toBe(202);
    expect(first.json).toMatchObject({ requestIds: ['ejn:DE-STA-M1-2026-004711'], duplicate: false });
    const [eventId] = first.json.eventIds as string[];

    await eventually(() => inboundEvent((event) => event.id === eventId) !== undefined, 'the EIO on comity.inbound.ejn');
    const { record, event } = inboundEvent((candidate) => candidate.id === eventId)!;
    const body = decodeBody(event) as RequestSubmitted;
    expect(event).toMatchObject({
      type: 'comity.v1.RequestSubmitted',
      subject: 'ejn:DE-STA-M1-2026-004711',
      originNetwork: 'ejn',
      originState: 'DE',
      source: 'comity://networks/ejn/adapter',
      targets: [{ state: 'ES' }],
      language: 'de',
      requestType: RequestType.REQUEST_TYPE_EUROPEAN_INVESTIGATION_ORDER,
      legalBasis: { instrument: 'Directive 2014/41/EU' },
      extensions: { 'ejn.backendMessageId': 'DE-STA-M1-2026-004711', 'ejn.conversationId': 'a6f1c0de-3b7e-4c2a-8d91-2e5f7c9b0a14' },
    });
    expect(body.request).toMatchObject({ nativeReference: '123 Js 45678/25', requestedState: 'ES' });
    expect(body.request?.europeanInvestigationOrder?.investigativeMeasures).toHaveLength(3);
    expect(event.provenance).toMatchObject({
      nativeFormat: 'ejn-ecodex-xml',
      mappingVersion: ejnEcodexAdapter.mappingVersion,
      nativeId: '5b0c2f9e-7d1a-4c38-9e52-1f6a0d3c7b21@gw.ecodex.justiz.de',
    });
    expect(Buffer.from(event.provenance!.nativeSha256).toString('hex')).toBe(sha256(native));
    expect(record.key?.toString()).toBe('ejn:DE-STA-M1-2026-004711');
    expect({
      type: header(record, 'ce_type'),
      subject: header(record, 'ce_subject'),
      origin: header(record, 'ce_comityorigin'),
      originState: header(record, 'ce_comityoriginstate'),
      targets: header(record, 'ce_comitytargets'),
      classification: header(record, 'ce_comityclass'),
      language: header(record, 'ce_comitylang'),
      requestType: header(record, 'ce_comityreqtype'),
    }).toEqual({
      type: 'comity.v1.RequestSubmitted',
      subject: 'ejn:DE-STA-M1-2026-004711',
      origin: 'ejn',
      originState: 'DE',
      targets: 'ES',
      classification: 'restricted',
      language: 'de',
      requestType: 'european_investigation_order',
    });

    const again = await post(native);
    expect(again).toEqual({ status: 202, json: { ...first.json, duplicate: true } });

    // A connector confirmation becomes a transport receipt about the Comity event it names.
    const confirmation = await post(fixture('confirmation-delivery.xml'));
    expect(confirmation.status).toBe(202);
    const [receiptId] = confirmation.json.eventIds as string[];
    await eventually(() => inboundEvent((candidate) => candidate.id === receiptId) !== undefined, 'the receipt on comity.inbound.ejn');
    const receipt = inboundEvent((candidate) => candidate.id === receiptId)!.event;
    expect(receipt).toMatchObject({ type: 'comity.v1.RequestDelivered', subject: 'iberred:FGE-CI-2026-0733', causationId: '0195c0aa-1b2c-7d3e-8f40-5a6b7c8d9e0f' });
    expect(decodeBody(receipt)).toMatchObject({ regardingEventId: '0195c0aa-1b2c-7d3e-8f40-5a6b7c8d9e0f', network: 'ejn' });
  });

  it('outbound: an IberRed acknowledgement becomes XML at the connector endpoint, and its RequestDelivered comes back', async () => {
    const subject = `ejn:${uniqueName('DE-STA-M1-2026')}`;
    const acknowledged = createEvent(
      RequestAcknowledged.fromPartial({
        competentAuthority: { id: 'es/fiscalia-provincial-malaga', name: 'Fiscalía Provincial de Málaga', state: 'ES', kind: AuthorityKind.AUTHORITY_KIND_PROSECUTION },
        executingReference: 'DIP 318/2026',
        receivedAt: new Date('2026-03-09T11:42:00Z'),
        note: 'Recibida por IberRed.',
      }),
      {
        subject,
        source: 'comity://networks/iberred/adapter',
        originNetwork: 'iberred',
        originState: 'ES',
        causationId: '0195f000-0000-7000-8000-00000000abcd',
        language: 'es',
        requestType: RequestType.REQUEST_TYPE_EUROPEAN_INVESTIGATION_ORDER,
      },
    );
    // A receipt from another network about an EJN message: a DELIVERY confirmation, without a receipt of its own.
    const deliveredElsewhere = createEvent(
      RequestDelivered.fromPartial({ regardingEventId: '0195f000-0000-7000-8000-00000000beef', network: 'iberred', nativeMessageId: 'IBR-1', deliveredAt: new Date('2026-03-10T08:00:00Z') }),
      { subject, source: 'comity://networks/iberred/adapter', originNetwork: 'iberred', causationId: '0195f000-0000-7000-8000-00000000beef' },
    );
    await producer.send(topics.outbound('ejn'), [keys.record(acknowledged), keys.record(deliveredElsewhere)]);

    await eventually(() => endpoint.acceptedCount(acknowledged.id) === 1 && endpoint.acceptedCount(deliveredElsewhere.id) === 1, 'both deliveries');
    const xml = endpoint.accepted.find((entry) => entry.eventId === acknowledged.id)!.body;
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<message xmlns="urn:comity:ecodex:backend:1">/);
    expect(xml).toContain(`<backendMessageId>${acknowledged.id}</backendMessageId>`);
    expect(xml).toContain('<refToMessageId>0195f000-0000-7000-8000-00000000abcd</refToMessageId>');
    expect(xml).toContain(`<conversationId>${subject}</conversationId>`);
    // What the connector received reads back as the same acknowledgement.
    const [reread] = ejnEcodexCodec.decode({ body: Buffer.from(xml), contentType: 'application/xml', attributes: {} });
    expect(reread).toMatchObject({ subject, causationId: acknowledged.causationId, language: 'es', requestType: RequestType.REQUEST_TYPE_EUROPEAN_INVESTIGATION_ORDER });
    expect(reread?.body).toEqual(decodeBody(acknowledged));
    const confirmation = endpoint.accepted.find((entry) => entry.eventId === deliveredElsewhere.id)!.body;
    expect(confirmation).toContain('<confirmation type="DELIVERY" network="iberred" nativeMessageId="IBR-1" time="2026-03-10T08:00:00Z"/>');

    await eventually(() => inboundEvent((event) => event.causationId === acknowledged.id) !== undefined, 'the RequestDelivered receipt');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const receipts = inbound.records.map(eventFromRecord).filter((event) => event.causationId === acknowledged.id || event.causationId === deliveredElsewhere.id);
    expect(receipts.map((event) => event.type)).toEqual(['comity.v1.RequestDelivered']);
    expect(receipts[0]).toMatchObject({ subject, originNetwork: 'ejn' });
    expect(decodeBody(receipts[0]!)).toMatchObject({ regardingEventId: acknowledged.id, network: 'ejn', nativeMessageId: expect.stringMatching(/^native-/) as string });
  });

  it('hostile input: XXE, entity bomb, deep nesting, bad UTF-8, 10 MB+ and a wrong content type are refused with their code and dead-lettered; the adapter keeps serving', async () => {
    const marker = uniqueName('run');
    const withMarker = (name: string) => Buffer.concat([fixture(`malformed/${name}`), Buffer.from(`\n<!-- ${marker} -->\n`)]);
    const large = Buffer.concat([fixture('eio-de-es-bank-accounts.xml'), Buffer.from(`<!-- ${marker} -->\n`), Buffer.alloc(10 * 1024 * 1024 + 1, 0x20)]);
    const hostile: { name: string; body: Buffer; contentType?: string; code: string; keptBytes?: number }[] = [
      { name: 'XXE', body: withMarker('xxe-external-entity.xml'), code: 'XML_DTD_FORBIDDEN' },
      { name: 'billion laughs', body: withMarker('billion-laughs.xml'), code: 'XML_DTD_FORBIDDEN' },
      { name: '10 000 levels', body: withMarker('deep-nesting.xml'), code: 'XML_TOO_DEEP' },
      { name: 'invalid UTF-8', body: withMarker('invalid-utf8.xml'), code: 'NOT_UTF8' },
      { name: '10 MB+', body: large, code: 'TOO_LARGE', keptBytes: OVERSIZED_PREFIX_BYTES },
      { name: 'JSON', body: Buffer.from(`{"message": "${marker}"}`), contentType: 'application/json', code: 'WRONG_CONTENT_TYPE' },
    ];
    const valid = (n: number) => fixture('annex-b-acknowledgement-es.xml').toString('utf8').replace('ES-FPMA-AR-2026-00912', `ES-FPMA-${marker}-${n}`);

    for (const [n, input] of hostile.entries()) {
      const started = Date.now();
      const answer = await post(input.body, input.contentType);
      expect(answer.status, input.name).toBe(422);
      expect(answer.json, input.name).toMatchObject({ code: input.code });
      expect(Date.now() - started, `${input.name} answered quickly`).toBeLessThan(5_000);
      // ...and the next good message still goes through.
      const after = await post(valid(n));
      expect(after.status, `after ${input.name}`).toBe(202);
      expect(after.json, `after ${input.name}`).toMatchObject({ duplicate: false });
    }

    const keyOf = (input: (typeof hostile)[number]) => `sha256:${sha256(input.body.subarray(0, input.keptBytes ?? input.body.length))}`;
    await eventually(() => hostile.every((input) => dlq.records.some((record) => record.key?.toString() === keyOf(input))), 'every dead letter');
    for (const input of hostile) {
      const record = dlq.records.find((candidate) => candidate.key?.toString() === keyOf(input))!;
      expect(readDeadLetterReason(record.headers), input.name).toMatchObject({ code: input.code, stage: 'inbound-decode', retriable: false, failedBy: 'adapter.ejn' });
      expect(header(record, DlqHeader.nativeContentType), input.name).toBe(input.contentType ?? 'application/xml');
      expect(record.value?.length, input.name).toBe(input.keptBytes ?? input.body.length);
    }
    const tooLarge = dlq.records.find((record) => record.key?.toString() === keyOf(hostile[4]!))!;
    expect(JSON.parse(header(tooLarge, DlqHeader.nativeAttributes) ?? '{}')).toMatchObject({ 'ejn.receivedBytes': String(large.length) });
    expect((await fetch(`http://127.0.0.1:${adapter.statusPort}/readyz`)).status).toBe(200);
  });
});
