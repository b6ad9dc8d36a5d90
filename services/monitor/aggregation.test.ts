import { describe, expect, it } from 'vitest';
import { DlqStage, deadLetterForNative, deadLetterForRecord } from '../../core/dlq.js';
import { eventToRecord, HUB_ORIGIN } from '../../core/events/codec.js';
import { createEvent } from '../../core/events/create.js';
import { derivedEventId } from '../../core/events/ids.js';
import { RequestDelivered, RequestRelayed, RequestSubmitted } from '../../core/gen/comity/v1/lifecycle.js';
import { topics, type IncomingRecord, type OutgoingRecord } from '../../core/kafka/index.js';
import { FlowAggregator, summarise } from './aggregation.js';

let offset = 0;
function incoming(topic: string, record: OutgoingRecord, timestamp = Date.parse('2026-11-27T10:00:00Z')): IncomingRecord {
  offset += 1;
  return { topic, partition: 0, offset: String(offset), key: Buffer.from(record.key), value: record.value, headers: record.headers, timestamp };
}

const T0 = new Date('2026-11-27T10:00:00.000Z');

function submission(origin: string, n: number, sealed = false) {
  const event = createEvent(RequestSubmitted.fromPartial({ request: { requestId: `${origin}:${n}` } }), {
    subject: `${origin}:${n}`,
    source: `comity://networks/${origin}/adapter`,
    originNetwork: origin,
    time: T0,
  });
  // A sealed body is opaque bytes: the aggregator must not care.
  return sealed ? { ...event, data: Buffer.from('not protobuf at all'), seal: { $type: 'comity.v1.Seal' as const, algorithm: 'x', recipientNetwork: 'b', recipientKeyId: 'k', ephemeralPublicKey: Buffer.alloc(0), nonce: Buffer.alloc(0), tag: Buffer.alloc(0) } } : event;
}

function receipt(event: ReturnType<typeof submission>, network: string, afterMs: number) {
  return createEvent(RequestDelivered.fromPartial({ regardingEventId: event.id, network }), {
    id: derivedEventId(event.id, `delivered:${network}`),
    subject: event.subject,
    source: `comity://networks/${network}/adapter`,
    originNetwork: network,
    causationId: event.id,
    time: new Date(T0.getTime() + afterMs),
  });
}

function relayed(event: ReturnType<typeof submission>) {
  return createEvent(RequestRelayed.fromPartial({ regardingEventId: event.id, networks: ['b'] }), {
    subject: event.subject,
    source: 'comity://hub/router',
    originNetwork: HUB_ORIGIN,
    causationId: event.id,
  });
}

/** The records of one request a → b: submitted, routed, relayed receipt, delivered. */
function flow(n: number, latencyMs: number, sealed = false): IncomingRecord[] {
  const event = submission('aaa', n, sealed);
  const record = eventToRecord(event);
  return [
    incoming(topics.inbound('aaa'), record),
    incoming(topics.outbound('bbb'), record),
    incoming(topics.outbound('aaa'), eventToRecord(relayed(event))),
    incoming(topics.inbound('bbb'), eventToRecord(receipt(event, 'bbb', latencyMs))),
    // The router forwards the receipt back to the sender: not traffic.
    incoming(topics.outbound('aaa'), eventToRecord(receipt(event, 'bbb', latencyMs))),
  ];
}

describe('services/monitor/aggregation', () => {
  it('counts received, routed and delivered per network and per pair, from headers only', () => {
    const latencies: number[] = [];
    const aggregator = new FlowAggregator({ onLatency: (_a, _b, seconds) => latencies.push(seconds) });
    aggregator.declare(['aaa', 'bbb', 'ccc']);
    for (let n = 0; n < 5; n += 1) for (const record of flow(n, 1000 * (n + 1), n % 2 === 0)) aggregator.apply(record);
    const view = aggregator.view();
    const network = (id: string) => view.networks.find((entry) => entry.network === id)!.counters;
    expect(network('aaa')).toEqual({ received: 5, routed: 0, delivered: 0, rejected: 0, queued: 0 });
    expect(network('bbb')).toEqual({ received: 0, routed: 5, delivered: 5, rejected: 0, queued: 0 });
    expect(network('ccc')).toEqual({ received: 0, routed: 0, delivered: 0, rejected: 0, queued: 0 });
    expect(view.pairs).toHaveLength(1);
    expect(view.pairs[0]).toMatchObject({ origin: 'aaa', destination: 'bbb', counters: { received: 5, routed: 5, delivered: 5, queued: 0 } });
    expect(latencies.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(view.pairs[0]!.latency).toEqual({ count: 5, p50: 3, p95: 5, max: 5 });
  });

  it('gives the same counters whatever order the topics are read in', () => {
    const records = [0, 1, 2, 3].flatMap((n) => flow(n, 500));
    const inOrder = new FlowAggregator();
    records.forEach((record) => inOrder.apply(record));
    const reversed = new FlowAggregator();
    [...records].reverse().forEach((record) => reversed.apply(record));
    expect(reversed.view().pairs).toEqual(inOrder.view().pairs);
    expect(reversed.view().networks).toEqual(inOrder.view().networks);
  });

  it('counts an event routed but not delivered as queued, and a re-read event once', () => {
    const aggregator = new FlowAggregator();
    const [submitted, routed] = flow(7, 100);
    aggregator.apply(submitted!);
    aggregator.apply(submitted!); // a redelivered record
    aggregator.apply(routed!);
    const view = aggregator.view();
    expect(view.networks.find((entry) => entry.network === 'aaa')!.counters.received).toBe(1);
    expect(view.networks.find((entry) => entry.network === 'bbb')!.counters).toMatchObject({ routed: 1, delivered: 0, queued: 1 });
    expect(view.pairs[0]!.counters).toMatchObject({ routed: 1, queued: 1 });
  });

  it('counts dead letters by network and reason, and a failed delivery against its pair', () => {
    const aggregator = new FlowAggregator();
    const event = submission('aaa', 9);
    const record = eventToRecord(event);
    const routedRecord = incoming(topics.outbound('bbb'), record);
    aggregator.apply(incoming(topics.inbound('aaa'), record));
    aggregator.apply(routedRecord);
    aggregator.apply(
      incoming(
        topics.dlq('bbb'),
        deadLetterForRecord(routedRecord, { code: 'DELIVERY_GAVE_UP', reason: 'down', stage: DlqStage.outboundDeliver, retriable: true, failedBy: 'adapter.bbb' }),
      ),
    );
    const refused = submission('aaa', 10);
    const refusedRecord = incoming(topics.inbound('aaa'), eventToRecord(refused));
    aggregator.apply(refusedRecord);
    aggregator.apply(
      incoming(topics.dlq('aaa'), deadLetterForRecord(refusedRecord, { code: 'NO_ROUTE', reason: 'nowhere', stage: DlqStage.route, retriable: false, failedBy: 'router' })),
    );
    aggregator.apply(
      incoming(
        topics.dlq('aaa'),
        deadLetterForNative({ body: Buffer.from('garbage'), contentType: 'text/plain', attributes: {} }, 'ab', {
          code: 'NOT_JSON',
          reason: 'x',
          stage: DlqStage.inboundDecode,
          retriable: false,
          failedBy: 'adapter.aaa',
        }),
      ),
    );
    // A transport receipt the destination's adapter could not take counts on its DLQ, not as traffic.
    const notice = incoming(topics.outbound('aaa'), eventToRecord(receipt(event, 'bbb', 10)));
    aggregator.apply(
      incoming(topics.dlq('aaa'), deadLetterForRecord(notice, { code: 'UNSUPPORTED_TYPE', reason: 'x', stage: DlqStage.outboundEncode, retriable: false, failedBy: 'adapter.aaa' })),
    );
    const view = aggregator.view();
    const a = view.networks.find((entry) => entry.network === 'aaa')!;
    const b = view.networks.find((entry) => entry.network === 'bbb')!;
    expect(a.counters).toMatchObject({ received: 2, rejected: 3 });
    expect(a.deadLettersByReason).toEqual({ NOT_JSON: 1, NO_ROUTE: 1, UNSUPPORTED_TYPE: 1 });
    expect(view.pairs.map((pair) => `${pair.origin}>${pair.destination}`)).toEqual(['aaa>bbb']);
    expect(b.counters).toMatchObject({ routed: 1, delivered: 0, rejected: 1, queued: 0 });
    expect(b.deadLettersByReason).toEqual({ DELIVERY_GAVE_UP: 1 });
    expect(view.pairs[0]!.counters).toMatchObject({ received: 1, routed: 1, rejected: 1, queued: 0 });
  });

  it('ignores records that are not events and topics that are not per-network', () => {
    const aggregator = new FlowAggregator();
    aggregator.apply({ topic: topics.inbound('aaa'), partition: 0, offset: '1', key: null, value: Buffer.from('x'), headers: {}, timestamp: 1 });
    aggregator.apply({ topic: topics.requests, partition: 0, offset: '1', key: null, value: null, headers: {}, timestamp: 1 });
    expect(aggregator.view().networks.map((entry) => entry.network)).toEqual([]);
    expect(aggregator.view().records).toBe(1);
  });

  it('summarises latencies by nearest rank', () => {
    expect(summarise([])).toEqual({ count: 0 });
    expect(summarise([3, 1, 2])).toEqual({ count: 3, p50: 2, p95: 3, max: 3 });
  });
});
