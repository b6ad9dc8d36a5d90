/**
 * Every body type, with every field and every oneof branch populated, goes through core to a
 * real broker and comes back equal: envelope, headers and body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_BODY_TYPES, bodyMessageType, type EventBody } from '../../core/events/bodies.js';
import { eventFromRecord, eventToRecord } from '../../core/events/codec.js';
import { createEvent, decodeBody } from '../../core/events/create.js';
import { Classification } from '../../core/gen/comity/v1/event.js';
import { RequestType } from '../../core/gen/comity/v1/request.js';
import { topics, type IncomingRecord, type KafkaClient, type RecordProducer } from '../../core/kafka/index.js';
import { sampleJson, variantCount } from '../support/samples.js';
import { createTopics, eventually, testKafka, uniqueName, uniqueNetworkId } from '../support/kafka.js';

describe('every event body through core and Kafka', () => {
  let kafka: KafkaClient;
  let producer: RecordProducer;
  const network = uniqueNetworkId();
  const topic = topics.inbound(network);

  beforeAll(async () => {
    kafka = testKafka();
    await createTopics(kafka, [topic]);
    producer = await kafka.producer();
  });
  afterAll(async () => {
    await producer?.disconnect();
  });

  it('comes back equal, with its CloudEvents headers', async () => {
    const sent = EVENT_BODY_TYPES.flatMap((typeName) =>
      Array.from({ length: variantCount(typeName) }, (_, variant) => {
        const sample = sampleJson(typeName, variant);
        const body = bodyMessageType(typeName).fromJSON(sample) as EventBody;
        // The sample is complete: the generated code kept every field it was given.
        expect(bodyMessageType(typeName).toJSON(body), `${typeName} variant ${variant}`).toEqual(sample);
        return createEvent(body, {
          subject: `req-${typeName}-${variant}`,
          source: `comity://networks/${network}/adapter`,
          originNetwork: network,
          targets: [{ state: 'ES', network: 'ejn', authority: 'es/fiscalia-general' }],
          classification: Classification.CLASSIFICATION_RESTRICTED,
          legalBasis: { instrument: 'UNTOC', article: '18' },
          language: 'es',
          requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
          provenance: { nativeFormat: 'iberred-json', mappingVersion: '1.0.0', nativeSha256: Buffer.alloc(32, 1), nativeId: 'n-1' },
          traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
          extensions: { [`${network}.conversation`]: 'c-1' },
        });
      }),
    );
    // More events than body types: the oneof branches (one per request type, …) are covered.
    expect(sent.length).toBeGreaterThan(EVENT_BODY_TYPES.length);
    await producer.send(topic, sent.map(eventToRecord));

    const received: IncomingRecord[] = [];
    const consumer = await kafka.consumer({ groupId: uniqueName('bodies'), topics: [topic] });
    await consumer.run(async (record) => void received.push(record));
    await eventually(() => received.length === sent.length, `${sent.length} events`);
    await consumer.disconnect();

    const byId = new Map(received.map((record) => [eventFromRecord(record).id, record]));
    for (const event of sent) {
      const record = byId.get(event.id);
      expect(record, event.type).toBeDefined();
      const back = eventFromRecord(record!);
      expect(back).toEqual(event);
      expect(decodeBody(back)).toEqual(decodeBody(event));
      expect(record!.key?.toString()).toBe(event.subject);
      expect(record!.headers.ce_type?.toString()).toBe(event.type);
      expect(record!.headers.ce_id?.toString()).toBe(event.id);
      expect(record!.headers.ce_subject?.toString()).toBe(event.subject);
      expect(record!.headers.ce_comitytargets?.toString()).toBe('ES/ejn/es/fiscalia-general');
    }
  });
});
