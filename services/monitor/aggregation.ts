/**
 * Flow counters as a pure fold over Kafka records, from envelopes and headers only: the
 * CloudEvents headers (`ce_id`, `ce_type`, `ce_time`, `ce_comityorigin`, `ce_comitycausation`)
 * and the dead-letter reason headers. `data` is never read, so sealed bodies count like any
 * other. Records may be applied in any order across topics (a rebuild reads many topics at
 * once): counters are derived from per-event facts when a snapshot is taken, not incremented
 * as records pass, so the same records give the same snapshot whatever the order.
 *
 * What is counted (docs/monitoring.md has the table):
 * - per network N: received = distinct events N's adapter published on comity.inbound.N
 *   (transport receipts excluded); routed = events the router forwarded to comity.outbound.N;
 *   delivered = those N's adapter delivered to its native system (a RequestDelivered receipt);
 *   rejected = records on comity.dlq.N; queued = routed − delivered − failed delivery;
 * - per pair A→B: the same, for events of A bound for B (received: events of A that reached
 *   B's outbound topic or B's dead-letter topic);
 * - latency A→B: from the event's `time` (stamped by A's adapter when the native message came
 *   in) to the `time` of B's RequestDelivered receipt (stamped when B's native system accepted it).
 */
import { DlqStage, readDeadLetterReason } from '../../core/dlq.js';
import { TRANSPORT_RECEIPT_TYPES } from '../../core/events/receipts.js';
import { Header, readHeaders } from '../../core/events/headers.js';
import type { IncomingRecord } from '../../core/kafka/records.js';
import { parseTopic } from '../../core/kafka/topics.js';

export interface FlowCounts {
  received: number;
  routed: number;
  delivered: number;
  rejected: number;
  queued: number;
}

export interface NetworkFlowView {
  readonly network: string;
  readonly counters: FlowCounts;
  /** Dead letters on comity.dlq.<network>, by reason code. */
  readonly deadLettersByReason: Readonly<Record<string, number>>;
  /** Latest record the network's adapter wrote (an event or a receipt), ms since the epoch. */
  readonly adapterLastSeen?: number;
}

export interface PairFlowView {
  readonly origin: string;
  readonly destination: string;
  readonly counters: FlowCounts;
  /** Native-in to native-out latency of delivered events, seconds. */
  readonly latency: LatencySummary;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50?: number;
  readonly p95?: number;
  readonly max?: number;
}

export interface FlowView {
  /** Earliest record time seen (ms since the epoch): counters are cumulative since then. */
  readonly countingSince?: number;
  readonly records: number;
  readonly networks: NetworkFlowView[];
  readonly pairs: PairFlowView[];
}

/** One event's journey to one destination network. */
interface Delivery {
  readonly eventId: string;
  readonly destination: string;
  origin?: string;
  /** The event's `time`: when the origin adapter received the native message. */
  eventTime?: number;
  routed: boolean;
  /** `time` of the RequestDelivered receipt. */
  deliveredAt?: number;
  failed: boolean;
  latencyObserved: boolean;
}

interface NetworkFacts {
  readonly received: Set<string>;
  rejected: number;
  readonly reasons: Map<string, number>;
  lastSeen?: number;
}

const DELIVERED = 'comity.v1.RequestDelivered';
const HUB = 'hub';
const DELIVERY_STAGES: ReadonlySet<string> = new Set([DlqStage.outboundDecode, DlqStage.outboundEncode, DlqStage.outboundDeliver]);
/** Latencies kept per pair for the percentiles shown on the dashboard. */
const LATENCY_WINDOW = 1000;

export interface FlowAggregatorHooks {
  /** Called once per delivered event whose origin time is known, with the latency in seconds. */
  readonly onLatency?: (origin: string, destination: string, seconds: number) => void;
}

export class FlowAggregator {
  private readonly deliveries = new Map<string, Delivery>();
  private readonly networks = new Map<string, NetworkFacts>();
  private readonly latencies = new Map<string, number[]>();
  private earliest: number | undefined;
  private applied = 0;
  /** Bumped on every change; a snapshot is recomputed only when it moved. */
  version = 0;

  constructor(private readonly hooks: FlowAggregatorHooks = {}) {}

  /** Folds one record of a comity.inbound/outbound/dlq topic in; other topics are ignored. */
  apply(record: IncomingRecord): void {
    const topic = parseTopic(record.topic);
    if (!topic?.network || !(topic.kind === 'inbound' || topic.kind === 'outbound' || topic.kind === 'dlq')) return;
    const network = topic.network;
    this.applied += 1;
    this.version += 1;
    if (Number.isFinite(record.timestamp) && (this.earliest === undefined || record.timestamp < this.earliest)) {
      this.earliest = record.timestamp;
    }
    const headers = readHeaders(record.headers);
    const id = headers[Header.id];
    const type = headers[Header.type];
    const origin = headers[Header.origin];
    const time = parseTime(headers[Header.time]);

    if (topic.kind === 'dlq') {
      const facts = this.facts(network);
      const reason = readDeadLetterReason(record.headers);
      const code = reason?.code ?? 'UNKNOWN';
      facts.rejected += 1;
      facts.reasons.set(code, (facts.reasons.get(code) ?? 0) + 1);
      // A delivery that failed at the receiving adapter: the original headers are kept.
      if (reason && DELIVERY_STAGES.has(reason.stage) && id && type && !TRANSPORT_RECEIPT_TYPES.has(type) && origin && origin !== HUB) {
        const delivery = this.delivery(id, network);
        delivery.origin ??= origin;
        delivery.eventTime ??= time;
        delivery.failed = true;
      }
      return;
    }

    if (!id || !type) return; // not an event: the router dead-letters it, and we count it there
    if (topic.kind === 'inbound') {
      const facts = this.facts(network);
      facts.lastSeen = Math.max(facts.lastSeen ?? 0, record.timestamp);
      if (type === DELIVERED) {
        const regarding = headers[Header.causation];
        if (!regarding) return;
        const delivery = this.delivery(regarding, network);
        if (delivery.deliveredAt === undefined && time !== undefined) delivery.deliveredAt = time;
        this.observe(delivery);
        return;
      }
      if (TRANSPORT_RECEIPT_TYPES.has(type)) return;
      facts.received.add(id);
      return;
    }

    // outbound: what the router forwarded. Its own receipts (origin hub) and forwarded
    // transport receipts are not traffic between networks.
    if (!origin || origin === HUB || TRANSPORT_RECEIPT_TYPES.has(type)) return;
    this.facts(origin);
    this.facts(network);
    const delivery = this.delivery(id, network);
    delivery.routed = true;
    delivery.origin ??= origin;
    delivery.eventTime ??= time;
    this.observe(delivery);
  }

  /** Networks always listed (e.g. the federation's), even before any record about them. */
  declare(networks: Iterable<string>): void {
    for (const network of networks) this.facts(network);
  }

  view(): FlowView {
    const networkCounts = new Map<string, FlowCounts>();
    const pairCounts = new Map<string, FlowCounts>();
    const counts = (map: Map<string, FlowCounts>, key: string) => {
      let entry = map.get(key);
      if (!entry) map.set(key, (entry = { received: 0, routed: 0, delivered: 0, rejected: 0, queued: 0 }));
      return entry;
    };
    for (const [network, facts] of this.networks) {
      const entry = counts(networkCounts, network);
      entry.received = facts.received.size;
      entry.rejected = facts.rejected;
    }
    for (const delivery of this.deliveries.values()) {
      const destination = counts(networkCounts, delivery.destination);
      const pair = delivery.origin ? counts(pairCounts, `${delivery.origin}>${delivery.destination}`) : undefined;
      const delivered = delivery.deliveredAt !== undefined;
      const queued = delivery.routed && !delivered && !delivery.failed;
      if (pair) pair.received += 1;
      for (const target of pair ? [destination, pair] : [destination]) {
        if (delivery.routed) target.routed += 1;
        if (delivered) target.delivered += 1;
        if (queued) target.queued += 1;
      }
      if (pair && delivery.failed) pair.rejected += 1;
    }
    const networks: NetworkFlowView[] = [...this.networks.entries()]
      .map(([network, facts]) => ({
        network,
        counters: counts(networkCounts, network),
        deadLettersByReason: Object.fromEntries([...facts.reasons].sort(([a], [b]) => a.localeCompare(b))),
        ...(facts.lastSeen !== undefined ? { adapterLastSeen: facts.lastSeen } : {}),
      }))
      .sort((a, b) => a.network.localeCompare(b.network));
    const pairs: PairFlowView[] = [...pairCounts.entries()]
      .map(([key, counters]) => {
        const [origin = '', destination = ''] = key.split('>');
        return { origin, destination, counters, latency: summarise(this.latencies.get(key) ?? []) };
      })
      .sort((a, b) => a.origin.localeCompare(b.origin) || a.destination.localeCompare(b.destination));
    return { countingSince: this.earliest, records: this.applied, networks, pairs };
  }

  private facts(network: string): NetworkFacts {
    let facts = this.networks.get(network);
    if (!facts) this.networks.set(network, (facts = { received: new Set(), rejected: 0, reasons: new Map() }));
    return facts;
  }

  private delivery(eventId: string, destination: string): Delivery {
    const key = `${eventId}>${destination}`;
    let delivery = this.deliveries.get(key);
    if (!delivery) {
      delivery = { eventId, destination, routed: false, failed: false, latencyObserved: false };
      this.deliveries.set(key, delivery);
    }
    return delivery;
  }

  private observe(delivery: Delivery): void {
    if (delivery.latencyObserved || delivery.deliveredAt === undefined || delivery.eventTime === undefined || !delivery.origin) return;
    delivery.latencyObserved = true;
    const seconds = Math.max(0, (delivery.deliveredAt - delivery.eventTime) / 1000);
    const key = `${delivery.origin}>${delivery.destination}`;
    const window = this.latencies.get(key) ?? [];
    window.push(seconds);
    if (window.length > LATENCY_WINDOW) window.shift();
    this.latencies.set(key, window);
    this.hooks.onLatency?.(delivery.origin, delivery.destination, seconds);
  }
}

function parseTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Count, median, 95th percentile and maximum (nearest-rank). */
export function summarise(values: readonly number[]): LatencySummary {
  if (values.length === 0) return { count: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
  return { count: sorted.length, p50: rank(0.5), p95: rank(0.95), max: sorted[sorted.length - 1] };
}
