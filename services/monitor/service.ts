/**
 * The monitor: counts the flows between networks from envelopes and headers only, and shows
 * them — Prometheus metrics, the gRPC MonitorService, and the dashboard's HTTP server.
 *
 * It reads, for every network of the federation, `comity.inbound|outbound|dlq.<network>`, and
 * the tracker's `comity.requests`, read_committed, from the beginning at every start (with a
 * consumer group of its own for each start), so its state is rebuilt from Kafka and it keeps
 * nothing on disk. When the federation file gains or loses a network, or a network's topics
 * appear, it starts reading again from the beginning. Bodies are never read, except the hub's
 * own `RequestTracked` records on comity.requests (envelope facts the tracker collected).
 */
import { EventEmitter } from 'node:events';
import { Server, ServerCredentials, status as GrpcStatus, type ServerWritableStream } from '@grpc/grpc-js';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { z } from 'zod';
import { ComityError } from '../../core/errors.js';
import { eventFromRecord } from '../../core/events/codec.js';
import { decodeBody } from '../../core/events/create.js';
import {
  MonitorServiceService,
  type DeadLetter,
  type FlowSnapshot,
  type MonitorServiceServer,
  type WatchFlowsRequest,
  type WatchFlowsResponse,
} from '../../core/gen/comity/v1/monitor_service.js';
import type { RequestTracked } from '../../core/gen/comity/v1/tracking.js';
import { kafkaConfigSchema, parseTopic, topics, type IncomingRecord, type KafkaClient, type RecordConsumer } from '../../core/kafka/index.js';
import type { Logger } from '../../core/log.js';
import { createMetricsRegistry, startStatusServer, type StatusServer } from '../../core/status.js';
import type { FederationIndex } from '../directory/federation.js';
import { FlowAggregator, type FlowView } from './aggregation.js';
import type { DeadLetterOperations, DeadLetterView } from './dead-letters.js';
import { startDashboardServer, type DashboardServer } from './http.js';
import { statisticsApi } from '../stats/web.js';

export const monitorConfigSchema = z.object({
  kafka: kafkaConfigSchema,
  federation: z.string().default('deploy/config/federation.yaml').describe('The federation file: the networks whose flows are shown.'),
  monitor: z
    .object({
      instanceId: z.string().regex(/^[a-z0-9-]+$/).default('main').describe('Names this instance\'s consumer groups (comity-monitor-<instanceId>-…).'),
      host: z.string().default('127.0.0.1').describe('Address of the dashboard and its JSON/SSE API.'),
      port: z.number().int().min(0).max(65535).default(8080).describe('Port of the dashboard; 0 picks one.'),
      grpcHost: z.string().default('127.0.0.1'),
      grpcPort: z.number().int().min(0).max(65535).default(50053).describe('MonitorService port; 0 picks one.'),
      statusHost: z.string().default('127.0.0.1'),
      statusPort: z.number().int().min(0).max(65535).default(0).describe('Port of /healthz, /readyz and /metrics; 0 picks one.'),
      updateIntervalMs: z.number().int().min(100).default(1000).describe('How often the dashboard and WatchFlows get a new snapshot.'),
      lagIntervalMs: z.number().int().min(500).default(5000).describe('How often consumer lag is measured.'),
      groups: z
        .object({
          router: z.string().default('comity-router').describe('Consumer group of the routers (their lag on the inbound topics).'),
          tracker: z.string().default('comity-tracker').describe('Consumer group of the trackers.'),
          adapterPrefix: z.string().default('comity-adapter-').describe('Adapters\' groups are <prefix><network>, on the outbound topic.'),
        })
        .prefault({}),
    })
    .prefault({}),
});

export type MonitorConfig = z.output<typeof monitorConfigSchema>;

export interface LagEntry {
  readonly group: string;
  readonly topic: string;
  readonly network?: string;
  readonly lag: number;
}

export interface NetworkInfo {
  readonly id: string;
  readonly name: string;
  readonly role: string;
}

/** Everything the dashboard shows at one instant. */
export interface MonitorSnapshot extends FlowView {
  readonly observedAt: number;
  /** The federation's networks (names, roles), in file order. */
  readonly federation: readonly NetworkInfo[];
  readonly lag: readonly LagEntry[];
  /** Requests known from comity.requests. */
  readonly requests: number;
  /** Milliseconds the last rebuild took, once it caught up. */
  readonly catchUpMs?: number;
}

export interface RunningMonitor {
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly statusPort: number;
  snapshot(): MonitorSnapshot;
  request(requestId: string): RequestTracked | undefined;
  /** Resolves when the current rebuild has read every topic to its end. */
  caughtUp(): Promise<number>;
  stop(): Promise<void>;
}

const HUB_GROUP_TOPICS = (networks: readonly string[]) => networks.flatMap((id) => [topics.inbound(id), topics.outbound(id), topics.dlq(id)]);

export async function startMonitor(options: {
  readonly kafka: KafkaClient;
  readonly federation: () => FederationIndex;
  readonly logger: Logger;
  readonly deadLetters?: DeadLetterOperations;
  readonly instanceId?: string;
  readonly host?: string;
  readonly port?: number;
  readonly grpcHost?: string;
  readonly grpcPort?: number;
  readonly statusHost?: string;
  readonly statusPort?: number;
  readonly updateIntervalMs?: number;
  readonly lagIntervalMs?: number;
  readonly groups?: Partial<MonitorConfig['monitor']['groups']>;
  readonly registry?: Registry;
}): Promise<RunningMonitor> {
  const logger = options.logger.child({ component: 'monitor' });
  const { kafka } = options;
  const groups = { router: 'comity-router', tracker: 'comity-tracker', adapterPrefix: 'comity-adapter-', ...options.groups };
  const updateIntervalMs = options.updateIntervalMs ?? 1000;
  const registry = options.registry ?? createMetricsRegistry({ process: 'monitor' });

  // ---- state -------------------------------------------------------------------------------

  let generation = 0;
  let aggregator = new FlowAggregator();
  let requests = new Map<string, RequestTracked>();
  let consumer: RecordConsumer | undefined;
  let subscribed = '';
  let lastRecordAt = 0;
  let catchUpMs: number | undefined;
  let caughtUpWaiters: ((ms: number) => void)[] = [];
  let lag: LagEntry[] = [];
  /** Offset after the last record (not transaction marker) read, per `<topic>/<partition>`. */
  let dataEnds = new Map<string, number>();
  const changes = new EventEmitter();
  changes.setMaxListeners(0);

  // ---- metrics -----------------------------------------------------------------------------

  let viewCache: { version: number; generation: number; view: FlowView } | undefined;
  const currentView = (): FlowView => {
    if (!viewCache || viewCache.version !== aggregator.version || viewCache.generation !== generation) {
      viewCache = { version: aggregator.version, generation, view: aggregator.view() };
    }
    return viewCache.view;
  };
  const OUTCOMES = ['received', 'routed', 'delivered', 'rejected'] as const;
  new Counter({
    name: 'comity_monitor_network_events_total',
    help: 'Events per network since the monitor started counting: received (sent by the network), routed (forwarded to its outbound topic), delivered (to its native system), rejected (dead letters on its DLQ).',
    labelNames: ['network', 'outcome'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const entry of currentView().networks) for (const outcome of OUTCOMES) this.inc({ network: entry.network, outcome }, entry.counters[outcome]);
    },
  });
  new Counter({
    name: 'comity_monitor_flow_events_total',
    help: 'Events from one network to another: received (reached the pair), routed, delivered, rejected (failed delivery at the destination).',
    labelNames: ['origin_network', 'destination_network', 'outcome'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const pair of currentView().pairs) {
        for (const outcome of OUTCOMES) this.inc({ origin_network: pair.origin, destination_network: pair.destination, outcome }, pair.counters[outcome]);
      }
    },
  });
  new Gauge({
    name: 'comity_monitor_network_queued_events',
    help: 'Events routed to a network and neither delivered nor dead-lettered yet.',
    labelNames: ['network'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const entry of currentView().networks) this.set({ network: entry.network }, entry.counters.queued);
    },
  });
  new Gauge({
    name: 'comity_monitor_flow_queued_events',
    help: 'Events from one network to another routed and neither delivered nor dead-lettered yet.',
    labelNames: ['origin_network', 'destination_network'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const pair of currentView().pairs) this.set({ origin_network: pair.origin, destination_network: pair.destination }, pair.counters.queued);
    },
  });
  new Gauge({
    name: 'comity_monitor_dead_letters',
    help: 'Records on a network\'s dead-letter topic, by reason code.',
    labelNames: ['network', 'code'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const entry of currentView().networks) {
        for (const [code, count] of Object.entries(entry.deadLettersByReason)) this.set({ network: entry.network, code }, count);
      }
    },
  });
  const latency = new Histogram({
    name: 'comity_monitor_delivery_latency_seconds',
    help: "Native-in to native-out: from an event's time (its adapter received the native message) to the time of the destination adapter's delivery receipt.",
    labelNames: ['origin_network', 'destination_network'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 86_400],
    registers: [registry],
  });
  new Gauge({
    name: 'comity_monitor_consumer_lag_records',
    help: 'Records a consumer group has not processed yet on a topic, summed over partitions.',
    labelNames: ['group', 'topic'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const entry of lag) this.set({ group: entry.group, topic: entry.topic }, entry.lag);
    },
  });
  const recordsRead = new Counter({ name: 'comity_monitor_records_read_total', help: 'Records the monitor read, by topic kind.', labelNames: ['kind'] as const, registers: [registry] });
  const catchUp = new Gauge({ name: 'comity_monitor_catch_up_seconds', help: 'How long the last rebuild from the beginning of the topics took.', registers: [registry] });
  new Gauge({
    name: 'comity_monitor_requests',
    help: 'Requests known from comity.requests.',
    registers: [registry],
    collect() {
      this.set(requests.size);
    },
  });

  // ---- reading -----------------------------------------------------------------------------

  const networkIds = () => options.federation().federation.networks.map((network) => network.id);

  async function wantedTopics(): Promise<string[]> {
    const admin = await kafka.admin();
    try {
      const existing = new Set(await admin.listTopics());
      return [...HUB_GROUP_TOPICS(networkIds()), topics.requests].filter((topic) => existing.has(topic)).sort();
    } finally {
      await admin.disconnect();
    }
  }

  function applyRequest(record: IncomingRecord, into: Map<string, RequestTracked>): void {
    const key = record.key?.toString('utf8') ?? '';
    if (record.value === null) {
      into.delete(key);
      return;
    }
    try {
      const body = decodeBody(eventFromRecord(record));
      if (body.$type === 'comity.v1.RequestTracked' && body.summary) into.set(body.summary.requestId, body);
    } catch (error) {
      if (!(error instanceof ComityError)) throw error;
      logger.warn({ topic: record.topic, offset: record.offset, code: error.code }, 'comity.requests record skipped');
    }
  }

  async function rebuild(topicList: string[]): Promise<void> {
    const previous = consumer;
    consumer = undefined;
    await previous?.disconnect().catch((error: unknown) => logger.warn({ err: error }, 'previous consumer did not stop cleanly'));
    generation += 1;
    const mine = generation;
    const fresh = new FlowAggregator({
      onLatency: (origin, destination, seconds) => {
        if (mine === generation) latency.observe({ origin_network: origin, destination_network: destination }, seconds);
      },
    });
    fresh.declare(networkIds());
    const freshRequests = new Map<string, RequestTracked>();
    aggregator = fresh;
    requests = freshRequests;
    latency.reset();
    catchUpMs = undefined;
    lastRecordAt = 0;
    subscribed = topicList.join(',');
    const started = Date.now();
    const groupId = `comity-monitor-${options.instanceId ?? 'main'}-${process.pid}-${started}`;
    if (topicList.length === 0) {
      settleCatchUp(0);
      return;
    }
    // Where each partition ended when the rebuild began: reading past those is catching up.
    const ends = await endOffsets(groupId, topicList);
    const reached = new Map<string, number>();
    const touched = new Map<string, number>();
    dataEnds = reached;
    const next = await kafka.consumer({ groupId, topics: topicList, fromBeginning: true, partitionsConcurrently: 8 });
    consumer = next;
    await next.run(async (record) => {
      if (mine !== generation) return;
      lastRecordAt = Date.now();
      reached.set(`${record.topic}/${record.partition}`, Number(record.offset) + 1);
      touched.set(`${record.topic}/${record.partition}`, lastRecordAt);
      const kind = parseTopic(record.topic)?.kind ?? 'other';
      recordsRead.inc({ kind });
      if (kind === 'requests') applyRequest(record, freshRequests);
      else fresh.apply(record);
    });
    logger.info({ groupId, topics: topicList.length }, 'reading the flows from the beginning');
    void watchCatchUp(ends, reached, touched, mine, started);
  }

  /** End offset of every non-empty partition (from a group that has committed nothing yet). */
  async function endOffsets(groupId: string, topicList: string[]): Promise<Map<string, number>> {
    const admin = await kafka.admin();
    try {
      const partitions = await admin.consumerLag(groupId, topicList);
      return new Map(partitions.filter((partition) => partition.lag > 0).map((partition) => [`${partition.topic}/${partition.partition}`, Number(partition.end)]));
    } finally {
      await admin.disconnect();
    }
  }

  function settleCatchUp(ms: number): void {
    catchUpMs = ms;
    catchUp.set(ms / 1000);
    for (const waiter of caughtUpWaiters) waiter(ms);
    caughtUpWaiters = [];
  }

  /**
   * Caught up when every partition has been read to where it ended when the rebuild began —
   * less one: a transactional topic ends with a commit marker, never handed to consumers. A
   * partition that ends with an aborted transaction never gets there: it counts as read once it
   * gave records and then none for 5 s; and everything is, when nothing came for 2 s.
   */
  async function watchCatchUp(
    ends: Map<string, number>,
    reached: Map<string, number>,
    touched: Map<string, number>,
    mine: number,
    started: number,
  ): Promise<void> {
    let reported = Date.now();
    while (mine === generation && running) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = Date.now();
      const pending = [...ends].filter(
        ([partition, end]) => (reached.get(partition) ?? 0) < end - 1 && !(now - (touched.get(partition) ?? now) > 5000),
      );
      // Idle counts only once records have come: joining the group may take seconds.
      const idle = lastRecordAt > started && now - lastRecordAt > 2000;
      if (pending.length > 0 && !idle) {
        if (now - reported > 10_000) {
          reported = now;
          logger.debug({ pending: pending.length, first: pending.slice(0, 5) }, 'still catching up');
        }
        continue;
      }
      if (mine !== generation) return;
      const ms = now - started;
      settleCatchUp(ms);
      logger.info({ ms, records: aggregator.view().records, requests: requests.size, how: pending.length === 0 ? 'end offsets reached' : 'idle' }, 'caught up with the flows');
      return;
    }
  }

  async function measureLag(): Promise<void> {
    const networks = options.federation().federation.networks;
    const admin = await kafka.admin();
    try {
      const existing = new Set(await admin.listTopics());
      const has = (topic: string) => existing.has(topic);
      const entries: LagEntry[] = [];
      const measure = async (group: string, topicList: string[]) => {
        const present = topicList.filter(has);
        if (present.length === 0) return;
        try {
          const partitions = await admin.consumerLag(group, present);
          const byTopic = new Map<string, number>();
          for (const partition of partitions) {
            // A transactional topic's end offset counts the commit marker that closes it, which
            // no consumer ever gets: measure up to the last record the monitor itself has read.
            const seen = dataEnds.get(`${partition.topic}/${partition.partition}`);
            const behind =
              partition.committed === '-1' || seen === undefined
                ? partition.lag
                : Math.min(Number(partition.end), seen) - Number(partition.committed);
            byTopic.set(partition.topic, (byTopic.get(partition.topic) ?? 0) + Math.max(0, behind));
          }
          for (const [topic, value] of byTopic) entries.push({ group, topic, network: parseTopic(topic)?.network, lag: value });
        } catch (error) {
          logger.debug({ err: error, group }, 'lag not measured');
        }
      };
      const members = networks.filter((network) => network.role === 'member').map((network) => network.id);
      await measure(groups.router, members.map((id) => topics.inbound(id)));
      await measure(groups.tracker, members.flatMap((id) => [topics.inbound(id), topics.outbound(id), topics.dlq(id)]));
      for (const network of networks) await measure(`${groups.adapterPrefix}${network.id}`, [topics.outbound(network.id)]);
      lag = entries;
    } finally {
      await admin.disconnect();
    }
  }

  let running = true;
  await rebuild(await wantedTopics());

  // The federation and the topics that exist are checked now and then; a change means reading
  // again from the beginning (cheap: a few thousand requests take a second or two).
  let checking = false;
  const topicCheck = setInterval(() => {
    if (checking || !running) return;
    checking = true;
    wantedTopics()
      .then(async (wanted) => {
        if (running && wanted.join(',') !== subscribed) {
          logger.info({ topics: wanted.length }, 'networks or topics changed; reading the flows again');
          await rebuild(wanted);
        }
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'topic check failed'))
      .finally(() => (checking = false));
  }, 5000);
  topicCheck.unref();

  let measuring = false;
  const lagTimer = setInterval(() => {
    if (measuring || !running) return;
    measuring = true;
    measureLag()
      .catch((error: unknown) => logger.warn({ err: error }, 'consumer lag not measured'))
      .finally(() => (measuring = false));
  }, options.lagIntervalMs ?? 5000);
  lagTimer.unref();
  void measureLag().catch(() => undefined);

  function snapshot(): MonitorSnapshot {
    const view = currentView();
    return {
      ...view,
      observedAt: Date.now(),
      federation: options.federation().federation.networks.map((network) => ({ id: network.id, name: network.name, role: network.role })),
      lag,
      requests: requests.size,
      ...(catchUpMs !== undefined ? { catchUpMs } : {}),
    };
  }

  // Listeners (SSE clients, WatchFlows streams) get a tick every interval; each decides to send.
  const ticker = setInterval(() => changes.emit('tick'), updateIntervalMs);
  ticker.unref();

  // ---- gRPC ----------------------------------------------------------------------------------

  const service: MonitorServiceServer = {
    getFlows: (call, callback) => callback(null, { $type: 'comity.v1.GetFlowsResponse', snapshot: toFlowSnapshot(snapshot(), call.request.networks) }),
    watchFlows: (call: ServerWritableStream<WatchFlowsRequest, WatchFlowsResponse>) => {
      const everyMs = Math.max(1, call.request.intervalSeconds || 1) * 1000;
      let last = 0;
      const send = () => {
        if (Date.now() - last < everyMs - updateIntervalMs / 2) return;
        last = Date.now();
        call.write({ $type: 'comity.v1.WatchFlowsResponse', snapshot: toFlowSnapshot(snapshot(), call.request.networks) });
      };
      const stopWatching = () => changes.off('tick', send);
      changes.on('tick', send);
      call.on('cancelled', stopWatching);
      call.on('close', stopWatching);
      send();
    },
    listDeadLetters: (call, callback) => {
      const { network, reasonCode, retriableOnly, pageSize } = call.request;
      if (!options.deadLetters) return callback({ code: GrpcStatus.UNIMPLEMENTED, details: 'dead-letter operations are not available in this build' });
      if (!network) return callback({ code: GrpcStatus.INVALID_ARGUMENT, details: 'network is required' });
      options.deadLetters
        .list(kafka, { network, reason: reasonCode || undefined, limit: Math.min(pageSize || 100, 1000) })
        .then((letters) =>
          callback(null, {
            $type: 'comity.v1.ListDeadLettersResponse',
            deadLetters: letters.filter((letter) => !retriableOnly || letter.retriable).map(toDeadLetter),
            nextPageToken: '',
          }),
        )
        .catch((error: unknown) => callback(grpcError(error)));
    },
    redriveDeadLetters: (call, callback) => {
      const { network, ids, reasonCode, dryRun, note } = call.request;
      if (!options.deadLetters) return callback({ code: GrpcStatus.UNIMPLEMENTED, details: 'dead-letter operations are not available in this build' });
      if (!network) return callback({ code: GrpcStatus.INVALID_ARGUMENT, details: 'network is required' });
      options.deadLetters
        .redrive(kafka, { network, ids, reason: reasonCode || undefined, dryRun, note })
        .then((outcome) =>
          callback(null, { $type: 'comity.v1.RedriveDeadLettersResponse', redrivenCount: outcome.redriven, notRedrivenIds: [...outcome.notRedriven] }),
        )
        .catch((error: unknown) => callback(grpcError(error)));
    },
  };
  const grpc = new Server();
  grpc.addService(MonitorServiceService, service);
  const grpcPort = await new Promise<number>((resolve, reject) =>
    grpc.bindAsync(`${options.grpcHost ?? '127.0.0.1'}:${options.grpcPort ?? 0}`, ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(port),
    ),
  );

  // ---- HTTP ----------------------------------------------------------------------------------

  const dashboard: DashboardServer = await startDashboardServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 8080,
    registry,
    logger,
    snapshot,
    changes,
    request: (id) => requests.get(id),
    searchRequests: (query, limit) => searchRequests(requests, query, limit),
    deadLetters: options.deadLetters ? { operations: options.deadLetters, kafka } : undefined,
    statistics: statisticsApi(kafka),
  });

  const status: StatusServer = await startStatusServer({
    host: options.statusHost,
    port: options.statusPort ?? 0,
    registry,
    readiness: {
      running: () => running || 'stopped',
      caughtUp: () => catchUpMs !== undefined || 'still reading the topics from the beginning',
    },
  });
  logger.info({ httpPort: dashboard.port, grpcPort, statusPort: status.port }, 'monitor started');

  return {
    httpPort: dashboard.port,
    grpcPort,
    statusPort: status.port,
    snapshot,
    request: (id) => requests.get(id),
    caughtUp: () => (catchUpMs !== undefined ? Promise.resolve(catchUpMs) : new Promise((resolve) => caughtUpWaiters.push(resolve))),
    async stop() {
      if (!running) return;
      running = false;
      clearInterval(topicCheck);
      clearInterval(lagTimer);
      clearInterval(ticker);
      await dashboard.close();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          grpc.forceShutdown();
          resolve();
        }, 2_000);
        grpc.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      await consumer?.disconnect();
      await status.close();
      logger.info('monitor stopped');
    },
  };
}

/** Request ids containing `query` (case-insensitive), most recent activity first. */
function searchRequests(requests: ReadonlyMap<string, RequestTracked>, query: string, limit: number) {
  const needle = query.trim().toLowerCase();
  const found: { requestId: string; originNetwork: string; lastEventAt?: string }[] = [];
  for (const [id, record] of requests) {
    if (needle && !id.toLowerCase().includes(needle)) continue;
    found.push({ requestId: id, originNetwork: record.summary?.originNetwork ?? '', lastEventAt: record.summary?.lastEventAt?.toISOString() });
  }
  return found.sort((a, b) => (b.lastEventAt ?? '').localeCompare(a.lastEventAt ?? '') || a.requestId.localeCompare(b.requestId)).slice(0, limit);
}

function toFlowSnapshot(snapshot: MonitorSnapshot, only: readonly string[]): FlowSnapshot {
  const wanted = (id: string) => only.length === 0 || only.includes(id);
  const counters = (c: { received: number; routed: number; delivered: number; rejected: number; queued: number }) => ({ $type: 'comity.v1.FlowCounters' as const, ...c });
  return {
    $type: 'comity.v1.FlowSnapshot',
    observedAt: new Date(snapshot.observedAt),
    countingSince: snapshot.countingSince !== undefined ? new Date(snapshot.countingSince) : undefined,
    networks: snapshot.networks
      .filter((entry) => wanted(entry.network))
      .map((entry) => ({
        $type: 'comity.v1.NetworkFlow',
        network: entry.network,
        counters: counters(entry.counters),
        consumerLags: snapshot.lag
          .filter((lag) => lag.network === entry.network)
          .map((lag) => ({ $type: 'comity.v1.ConsumerLag', group: lag.group, topic: lag.topic, lag: lag.lag })),
        deadLetters: Object.values(entry.deadLettersByReason).reduce((sum, n) => sum + n, 0),
        adapterLastSeen: entry.adapterLastSeen !== undefined ? new Date(entry.adapterLastSeen) : undefined,
      })),
    pairs: snapshot.pairs
      .filter((pair) => wanted(pair.origin) || wanted(pair.destination))
      .map((pair) => ({ $type: 'comity.v1.NetworkPairFlow', originNetwork: pair.origin, destinationNetwork: pair.destination, counters: counters(pair.counters) })),
  };
}

function toDeadLetter(letter: DeadLetterView): DeadLetter {
  const failedAt = letter.failedAt ? new Date(letter.failedAt) : undefined;
  return {
    $type: 'comity.v1.DeadLetter',
    id: letter.id,
    network: letter.network,
    stage: letter.stage,
    reasonCode: letter.code,
    reason: letter.reason,
    retriable: letter.retriable,
    attempts: letter.attempts,
    eventId: letter.eventId,
    eventType: letter.eventType,
    requestId: letter.requestId,
    firstFailedAt: failedAt,
    lastFailedAt: failedAt,
  };
}

function grpcError(error: unknown): { code: GrpcStatus; details: string } {
  if (error instanceof ComityError) {
    return { code: error.retriable ? GrpcStatus.UNAVAILABLE : GrpcStatus.INVALID_ARGUMENT, details: `${error.code}: ${error.message}` };
  }
  return { code: GrpcStatus.INTERNAL, details: (error as Error).message };
}
