/**
 * The tracker: follows every request through both lifecycle layers and keeps each one's
 * record on the compacted `comity.requests` topic; raises alerts for missed deadlines and
 * missing receipts; answers the gRPC FederationService (get, list, watch a request).
 *
 * It reads, for every member network, the inbound topic (everything the networks say), the
 * relayed receipts on the outbound topic (what the router did) and the dead letters (what the
 * router refused). Records are updated exactly once per event: the new records and the
 * consumer offsets are committed in one transaction per batch, and read back at start.
 */
import type { Keyring } from '../../core/crypto/keyring.js';
import { verifyEventSignature } from '../../core/crypto/signing.js';
import { EventEmitter } from 'node:events';
import { Server, ServerCredentials, status as GrpcStatus, type ServerWritableStream } from '@grpc/grpc-js';
import { Counter, Gauge, type Registry } from 'prom-client';
import { z } from 'zod';
import { readDeadLetterReason } from '../../core/dlq.js';
import { ComityError } from '../../core/errors.js';
import { eventFromRecord, eventToRecord, HUB_ORIGIN } from '../../core/events/codec.js';
import { createEvent, decodeBody } from '../../core/events/create.js';
import { derivedEventId } from '../../core/events/ids.js';
import { Classification, type Event } from '../../core/gen/comity/v1/event.js';
import {
  FederationServiceService,
  type FederationServiceServer,
  type WatchRequestRequest,
  type WatchRequestResponse,
} from '../../core/gen/comity/v1/federation_service.js';
import { TimelineEntry, type RequestTracked } from '../../core/gen/comity/v1/tracking.js';
import {
  kafkaConfigSchema,
  parseTopic,
  topics,
  topicSpec,
  type ExactlyOncePipeline,
  type IncomingRecord,
  type KafkaClient,
  type TransactionalOutput,
} from '../../core/kafka/index.js';
import type { Logger } from '../../core/log.js';
import { createMetricsRegistry, startStatusServer, type StatusServer } from '../../core/status.js';
import type { FederationIndex } from '../directory/federation.js';
import { alertsAt, DEFAULT_POLICY, ROUTE_REFUSED, summaryAt, track, type TrackerPolicy } from './lifecycle.js';

export const trackerConfigSchema = z.object({
  kafka: kafkaConfigSchema,
  federation: z.string().default('deploy/config/federation.yaml').describe('The federation file (which networks to follow).'),
  tracker: z
    .object({
      instanceId: z.string().regex(/^[a-z0-9-]+$/).default('main').describe('Stable id; transactional id comity-tracker-<instanceId>.'),
      groupId: z.string().min(1).default('comity-tracker').describe('Consumer group of the trackers of this federation.'),
      grpcHost: z.string().default('127.0.0.1'),
      grpcPort: z.number().int().min(0).max(65535).default(50052).describe('FederationService port; 0 picks one.'),
      statusHost: z.string().default('127.0.0.1'),
      statusPort: z.number().int().min(0).max(65535).default(0),
      receiptTimeoutMs: z.number().int().positive().default(DEFAULT_POLICY.receiptTimeoutMs).describe('How long after relaying an event its delivery receipt is expected.'),
      alertIntervalMs: z.number().int().positive().default(30_000).describe('How often deadlines and receipts are checked.'),
    })
    .prefault({}),
});

export type TrackerConfig = z.output<typeof trackerConfigSchema>;

/** The lifecycle bodies a request's record is made of. */
const LIFECYCLE_TYPES = new Set([
  'comity.v1.RequestSubmitted',
  'comity.v1.RequestRelayed',
  'comity.v1.RequestDelivered',
  'comity.v1.RequestNotDelivered',
  'comity.v1.RequestRetrieved',
  'comity.v1.RequestAcknowledged',
  'comity.v1.AdditionalInformationRequested',
  'comity.v1.AdditionalInformationProvided',
  'comity.v1.RequestRecognised',
  'comity.v1.RequestPostponed',
  'comity.v1.RequestExecuted',
  'comity.v1.RequestPartiallyExecuted',
  'comity.v1.RequestRefused',
  'comity.v1.RequestWithdrawn',
  'comity.v1.OnwardTransferConsented',
]);

const SOURCE = 'comity://hub/tracker';
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;

export interface RunningTracker {
  readonly grpcPort: number;
  readonly statusPort: number;
  /** The current record of a request, or undefined. */
  record(requestId: string): RequestTracked | undefined;
  /** Checks deadlines and receipts now (also done on a timer). */
  checkAlerts(now?: Date): void;
  stop(): Promise<void>;
}

export async function startTracker(options: {
  readonly kafka: KafkaClient;
  readonly federation: () => FederationIndex;
  readonly logger: Logger;
  readonly instanceId?: string;
  /** Consumer group; one per federation (tests that run their own federation use their own). */
  readonly groupId?: string;
  readonly grpcHost?: string;
  readonly grpcPort?: number;
  readonly statusHost?: string;
  readonly statusPort?: number;
  readonly policy?: TrackerPolicy;
  readonly alertIntervalMs?: number;
  readonly registry?: Registry;
  readonly now?: () => Date;
  /** The pipeline stopped for good (see ConsumerOptions.onCrash): `comity run` exits. */
  readonly onFatal?: (error: Error) => void;
}): Promise<RunningTracker> {
  const logger = options.logger.child({ component: 'tracker' });
  const now = options.now ?? (() => new Date());
  const policy = options.policy ?? DEFAULT_POLICY;
  const registry = options.registry ?? createMetricsRegistry({ process: 'tracker' });
  const tracked = new Counter({
    name: 'comity_tracker_events_total',
    help: 'Events added to request records, by type.',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const alertsRaised = new Counter({
    name: 'comity_tracker_alerts_total',
    help: 'Alerts raised: deadline-overdue, receipt-missing.',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const openAlerts = new Gauge({ name: 'comity_tracker_open_alerts', help: 'Alerts currently open.', labelNames: ['kind'] as const, registers: [registry] });
  const flagged = new Counter({ name: 'comity_tracker_flags_total', help: 'Events that did not fit the lifecycle.', registers: [registry] });

  const { kafka } = options;
  const members = options.federation().federation.networks.filter((network) => network.role === 'member');
  const inputTopics = members.flatMap((network) => [topics.inbound(network.id), topics.outbound(network.id), topics.dlq(network.id)]);
  const admin = await kafka.admin();
  try {
    await admin.ensureTopics([topics.requests, ...inputTopics].map((topic) => topicSpec(topic)));
  } finally {
    await admin.disconnect();
  }

  const records = new Map<string, RequestTracked>();
  for (const record of await kafka.readToEnd(topics.requests)) {
    if (record.value === null) continue;
    const body = decodeBody(eventFromRecord(record));
    if (body.$type === 'comity.v1.RequestTracked' && body.summary) records.set(body.summary.requestId, body);
  }
  logger.info({ requests: records.size }, 'request records loaded from comity.requests');
  const changes = new EventEmitter();
  changes.setMaxListeners(0);

  let crashed: Error | undefined;
  const pipeline: ExactlyOncePipeline = await kafka.exactlyOnce({
    onCrash: (error) => {
      crashed = error;
      logger.error({ err: error }, 'the tracking pipeline stopped for good; nothing more is tracked');
      options.onFatal?.(error);
    },
    groupId: options.groupId ?? 'comity-tracker',
    topics: inputTopics,
    transactionalId: `comity-tracker-${options.instanceId ?? 'main'}`,
  });

  await pipeline.run(async (batch) => {
    const staged = new Map<string, RequestTracked>();
    const current = (id: string) => staged.get(id) ?? records.get(id);
    const types: string[] = [];
    const keyring = options.federation().keyring;
    for (const record of batch) {
      const input = trackedInput(record, now(), keyring);
      if (!input) continue;
      const before = current(input.requestId);
      const after = track(before, input.entry, input.submission, policy);
      if (after === before) continue;
      staged.set(input.requestId, after);
      types.push(input.entry.type);
      if (after.flags.length > (before?.flags.length ?? 0)) {
        flagged.inc(after.flags.length - (before?.flags.length ?? 0));
        logger.warn({ requestId: input.requestId, flag: after.flags.at(-1) }, 'event does not fit the lifecycle');
      }
    }
    const outputs: TransactionalOutput[] = [...staged.entries()].map(([requestId, record]) => ({
      topic: topics.requests,
      record: eventToRecord(
        createEvent(record, {
          id: derivedEventId(record.timeline.at(-1)?.eventId ?? requestId, `tracked:${record.timeline.length}`),
          subject: requestId,
          source: SOURCE,
          originNetwork: HUB_ORIGIN,
          classification: Classification.CLASSIFICATION_RESTRICTED,
          requestType: record.summary?.requestType,
        }),
      ),
    }));
    return {
      outputs,
      onCommitted: () => {
        for (const [requestId, record] of staged) {
          const before = records.get(requestId);
          records.set(requestId, record);
          changes.emit('change', requestId, before, record);
        }
        for (const type of types) tracked.inc({ type });
      },
    };
  });

  // ---- alerts ------------------------------------------------------------------------------

  const raised = new Set<string>();
  function checkAlerts(at = now()): void {
    const open = new Map<string, number>();
    for (const record of records.values()) {
      for (const alert of alertsAt(record, at)) {
        open.set(alert.kind, (open.get(alert.kind) ?? 0) + 1);
        const key = `${alert.kind}/${alert.requestId}/${alert.subject}`;
        if (raised.has(key)) continue;
        raised.add(key);
        alertsRaised.inc({ kind: alert.kind });
        logger.warn({ requestId: alert.requestId, alert: alert.kind, subject: alert.subject }, alert.detail);
      }
    }
    for (const kind of ['deadline-overdue', 'receipt-missing']) openAlerts.set({ kind }, open.get(kind) ?? 0);
  }
  const timer = setInterval(() => checkAlerts(), options.alertIntervalMs ?? 30_000);
  timer.unref();

  // ---- gRPC ----------------------------------------------------------------------------------

  const unimplemented = (what: string) => ({
    code: GrpcStatus.UNIMPLEMENTED,
    details: `${what} needs per-network authentication of the caller, which the hub does not have yet; produce to your inbound topic through your adapter instead`,
  });
  const service: FederationServiceServer = {
    submitRequest: (_call, callback) => callback(unimplemented('SubmitRequest')),
    getRequest: (call, callback) => {
      const record = records.get(call.request.requestId);
      if (!record) return callback({ code: GrpcStatus.NOT_FOUND, details: `no request "${call.request.requestId}"` });
      callback(null, { $type: 'comity.v1.GetRequestResponse', summary: summaryAt(record, now()), timeline: record.timeline });
    },
    listRequests: (call, callback) => {
      const filter = call.request;
      const at = now();
      const pageSize = Math.min(filter.pageSize || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
      const offset = filter.pageToken ? Number.parseInt(filter.pageToken, 10) : 0;
      if (!Number.isInteger(offset) || offset < 0) return callback({ code: GrpcStatus.INVALID_ARGUMENT, details: 'bad page token' });
      const matching = [...records.values()]
        .map((record) => summaryAt(record, at))
        .filter(
          (summary) =>
            (!filter.network || summary.originNetwork === filter.network || summary.networks.includes(filter.network)) &&
            (!filter.requestedState || summary.requestedStates.includes(filter.requestedState)) &&
            (!filter.requestType || summary.requestType === filter.requestType) &&
            (!filter.transportStatus || summary.transportStatus === filter.transportStatus) &&
            (!filter.legalStatus || summary.legalStatus === filter.legalStatus) &&
            (!filter.submittedAfter || (summary.submittedAt?.getTime() ?? 0) >= filter.submittedAfter.getTime()) &&
            (!filter.submittedBefore || (summary.submittedAt?.getTime() ?? 0) < filter.submittedBefore.getTime()) &&
            (!filter.overdueOnly || summary.overdue),
        )
        .sort((a, b) => (b.submittedAt?.getTime() ?? 0) - (a.submittedAt?.getTime() ?? 0) || a.requestId.localeCompare(b.requestId));
      const page = matching.slice(offset, offset + pageSize);
      const next = offset + pageSize < matching.length ? String(offset + pageSize) : '';
      callback(null, { $type: 'comity.v1.ListRequestsResponse', requests: page, nextPageToken: next });
    },
    watchRequest: (call: ServerWritableStream<WatchRequestRequest, WatchRequestResponse>) => {
      const { requestId, afterEventId } = call.request;
      const sent = new Set<string>();
      const send = (record: RequestTracked) => {
        let skipping = afterEventId !== '' && !sent.size;
        for (const entry of record.timeline) {
          if (skipping) {
            sent.add(entry.eventId);
            if (entry.eventId === afterEventId) skipping = false;
            continue;
          }
          if (sent.has(entry.eventId)) continue;
          sent.add(entry.eventId);
          call.write({ $type: 'comity.v1.WatchRequestResponse', entry, summary: summaryAt(record, now()) });
        }
      };
      const onChange = (id: string, _before: RequestTracked | undefined, after: RequestTracked) => {
        if (id === requestId) send(after);
      };
      changes.on('change', onChange);
      call.on('cancelled', () => changes.off('change', onChange));
      call.on('close', () => changes.off('change', onChange));
      const existing = records.get(requestId);
      if (existing) send(existing);
    },
  };
  const grpc = new Server();
  grpc.addService(FederationServiceService, service);
  const grpcPort = await new Promise<number>((resolve, reject) =>
    grpc.bindAsync(`${options.grpcHost ?? '127.0.0.1'}:${options.grpcPort ?? 0}`, ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(port),
    ),
  );

  let running = true;
  const status: StatusServer = await startStatusServer({
    host: options.statusHost,
    port: options.statusPort ?? 0,
    registry,
    readiness: { pipeline: () => (crashed ? `crashed: ${crashed.message}` : running || 'stopped') },
  });
  logger.info({ grpcPort, statusPort: status.port }, 'tracker started');

  return {
    grpcPort,
    statusPort: status.port,
    record: (requestId) => records.get(requestId),
    checkAlerts,
    async stop() {
      if (!running) return;
      running = false;
      clearInterval(timer);
      // Watch streams stay open until their clients go; give calls a moment, then end them.
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
      await pipeline.disconnect();
      await status.close();
      logger.info('tracker stopped');
    },
  };
}

interface TrackedInput {
  readonly requestId: string;
  readonly entry: TimelineEntry;
  readonly submission: Parameters<typeof track>[2];
}

/** What one record contributes to a request's record, or undefined when it is not about one. */
function trackedInput(record: IncomingRecord, recordedAt: Date, keyring: Keyring): TrackedInput | undefined {
  const kind = parseTopic(record.topic)?.kind;
  if (kind === 'dlq') return refusalInput(record, recordedAt);
  let event: Event;
  try {
    event = eventFromRecord(record);
    // Only what its origin signed counts: a forged event must not change a request's record
    // (the router refuses it; the refusal is not attached to the request it claims either).
    verifyEventSignature(event, keyring);
  } catch (error) {
    if (error instanceof ComityError) return undefined; // the router dead-letters it; we see it there
    throw error;
  }
  if (!LIFECYCLE_TYPES.has(event.type)) return undefined;
  // Outbound topics repeat what the inbound topics said; only the router's receipts are new.
  if (kind === 'outbound' && event.type !== 'comity.v1.RequestRelayed') return undefined;
  return { requestId: event.subject, entry: entryFor(event, recordedAt), submission: submissionFacts(event) };
}

function entryFor(event: Event, recordedAt: Date): TimelineEntry {
  const entry = TimelineEntry.fromPartial({
    eventId: event.id,
    type: event.type,
    time: event.time,
    recordedAt,
    originNetwork: event.originNetwork,
    source: event.source,
    causationId: event.causationId,
    targets: event.targets,
    classification: event.classification,
    sealed: event.seal !== undefined,
  });
  if (event.seal) return entry;
  const body = decodeBody(event);
  switch (body.$type) {
    case 'comity.v1.RequestRelayed':
      return { ...entry, regardingEventId: body.regardingEventId, targets: body.networks.map((network) => ({ $type: 'comity.v1.Target', state: '', network, authority: '' })) };
    case 'comity.v1.RequestDelivered':
    case 'comity.v1.RequestRetrieved':
      return { ...entry, regardingEventId: body.regardingEventId };
    case 'comity.v1.RequestNotDelivered':
      return { ...entry, regardingEventId: body.regardingEventId, final: !body.retriable };
    default:
      return entry;
  }
}

function submissionFacts(event: Event): TrackedInput['submission'] {
  const facts: TrackedInput['submission'] = {
    requestId: event.subject,
    requestType: event.requestType,
    requestedStates: event.targets.map((target) => target.state).filter(Boolean),
    legalBasis: event.legalBasis,
    classification: event.classification,
  };
  if (event.type !== 'comity.v1.RequestSubmitted' || event.seal) return facts;
  const body = decodeBody(event);
  return body.$type === 'comity.v1.RequestSubmitted' && body.request?.deadline ? { ...facts, deadline: body.request.deadline } : facts;
}

/** Refusals for a signature that failed: the event's claims (its request id) are not to be believed. */
const SIGNATURE_REFUSALS = new Set(['SIGNATURE_MISSING', 'SIGNATURE_ALGORITHM_UNSUPPORTED', 'UNKNOWN_KEY', 'KEY_REVOKED', 'KEY_NOT_VALID', 'BAD_SIGNATURE']);

function refusalInput(record: IncomingRecord, recordedAt: Date): TrackedInput | undefined {
  const reason = readDeadLetterReason(record.headers);
  if (!reason || reason.stage !== 'route' || SIGNATURE_REFUSALS.has(reason.code)) return undefined;
  let event: Event;
  try {
    event = eventFromRecord(record);
  } catch {
    return undefined; // not an event at all: nothing to attach it to
  }
  if (!LIFECYCLE_TYPES.has(event.type)) return undefined;
  const entry = TimelineEntry.fromPartial({
    eventId: derivedEventId(event.id, 'route-refused'),
    type: ROUTE_REFUSED,
    time: event.time,
    recordedAt,
    originNetwork: HUB_ORIGIN,
    source: 'comity://hub/router',
    causationId: event.id,
    regardingEventId: event.id,
    final: true,
    note: `${reason.code}: ${reason.reason}`,
  });
  return { requestId: event.subject, entry, submission: submissionFacts(event) };
}

