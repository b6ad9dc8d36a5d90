/**
 * core/kafka and core/events against the real broker: partition order per request, and a
 * consumer group that resumes from its committed offset after a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Event } from '../../core/gen/comity/v1/event.js';
import { eventFromRecord, eventToRecord } from '../../core/events/codec.js';
import { newEventId } from '../../core/events/ids.js';
import type { IncomingRecord, KafkaClient, RecordProducer } from '../../core/kafka/index.js';
import { topics } from '../../core/kafka/index.js';
import { createTopics, eventually, testKafka, uniqueName, uniqueNetworkId } from '../support/kafka.js';

function eventFor(subject: string, sequence: number): Event {
  return Event.fromPartial({
    id: newEventId(),
    source: 'comity://networks/test/adapter',
    type: 'comity.v1.RequestAcknowledged',
    time: new Date(),
    subject,
    originNetwork: 'test',
    extensions: { 'test.sequence': String(sequence) },
  });
}

describe('core/kafka with a real broker', () => {
  let kafka: KafkaClient;
  let producer: RecordProducer;

  beforeAll(async () => {
    kafka = testKafka();
    producer = await kafka.producer();
  });
  afterAll(async () => {
    await producer?.disconnect();
  });

  it("keeps one request's events in order on one partition", async () => {
    const topic = topics.inbound(uniqueNetworkId());
    await createTopics(kafka, [topic], 6);
    const subjects = ['req-a', 'req-b', 'req-c', 'req-d', 'req-e'];
    const sent: Event[] = [];
    for (let round = 0; round < 40; round += 1) {
      const batch = subjects.map((subject) => eventFor(subject, round));
      sent.push(...batch);
      await producer.send(topic, batch.map(eventToRecord));
    }

    const received: IncomingRecord[] = [];
    const consumer = await kafka.consumer({ groupId: uniqueName('order'), topics: [topic] });
    await consumer.run(async (record) => void received.push(record));
    await eventually(() => received.length === sent.length, `${sent.length} records`);
    await consumer.disconnect();

    for (const subject of subjects) {
      const mine = received.filter((record) => record.key?.toString() === subject);
      expect(new Set(mine.map((record) => record.partition)).size).toBe(1);
      const sequences = mine.map((record) => Number(eventFromRecord(record).extensions['test.sequence']));
      expect(sequences).toEqual([...Array(40).keys()]);
    }
    // Five keys over six partitions: more than one partition is used, so order is not an accident.
    expect(new Set(received.map((record) => record.partition)).size).toBeGreaterThan(1);
  });

  it('resumes a consumer group from its committed offset after a restart', async () => {
    const topic = topics.outbound(uniqueNetworkId());
    await createTopics(kafka, [topic], 1);
    const groupId = uniqueName('resume');
    const first = Array.from({ length: 5 }, (_, i) => eventFor(`req-${i}`, i));
    await producer.send(topic, first.map(eventToRecord));

    const seenBefore: string[] = [];
    const before = await kafka.consumer({ groupId, topics: [topic] });
    await before.run(async (record) => void seenBefore.push(eventFromRecord(record).id));
    await eventually(() => seenBefore.length === 5, 'the first five events');
    await before.disconnect();

    const admin = await kafka.admin();
    const lag = await admin.consumerLag(groupId, [topic]);
    await admin.disconnect();
    expect(lag).toEqual([{ topic, partition: 0, committed: '5', end: '5', lag: 0 }]);

    const second = Array.from({ length: 5 }, (_, i) => eventFor(`req-${i + 5}`, i + 5));
    await producer.send(topic, second.map(eventToRecord));

    const seenAfter: string[] = [];
    const after = await kafka.consumer({ groupId, topics: [topic] });
    await after.run(async (record) => void seenAfter.push(eventFromRecord(record).id));
    await eventually(() => seenAfter.length >= 5, 'the next five events');
    // Give a wrongly rewound consumer the chance to show it.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await after.disconnect();

    expect(seenBefore).toEqual(first.map((event) => event.id));
    expect(seenAfter).toEqual(second.map((event) => event.id));
  });

  it('does not commit a record whose handler failed, and hands it over again', async () => {
    const topic = topics.outbound(uniqueNetworkId());
    await createTopics(kafka, [topic], 1);
    const events = Array.from({ length: 3 }, (_, i) => eventFor('req-retry', i));
    await producer.send(topic, events.map(eventToRecord));

    const attempts: string[] = [];
    let failedOnce = false;
    // kafkajs logs the deliberate failure at ERROR; keep the test output for real problems.
    const consumer = await testKafka('comity-test-retry', 'fatal').consumer({ groupId: uniqueName('retry'), topics: [topic] });
    await consumer.run(async (record) => {
      const event = eventFromRecord(record);
      attempts.push(event.extensions['test.sequence'] ?? '?');
      if (event.extensions['test.sequence'] === '1' && !failedOnce) {
        failedOnce = true;
        throw new Error('native endpoint down');
      }
    });
    await eventually(() => attempts.filter((s) => s === '2').length === 1, 'the third event', 60_000);
    await consumer.disconnect();
    expect(attempts).toEqual(['0', '1', '1', '2']);
  });
});
