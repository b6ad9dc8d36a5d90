/**
 * One request as the tracker recorded it (`comity request <id>`, the dashboard's search): read
 * from the compacted `comity.requests` topic, so it needs no running tracker, only the broker.
 * Alerts and `overdue` are judged against the clock at read time, as the tracker does.
 */
import { ComityError } from '../../core/errors.js';
import { eventFromRecord } from '../../core/events/codec.js';
import { decodeBody } from '../../core/events/create.js';
import { RequestSummary, RequestTracked } from '../../core/gen/comity/v1/tracking.js';
import { topics, type IncomingRecord, type KafkaClient } from '../../core/kafka/index.js';
import { alertsAt, summaryAt, type Alert } from '../tracker/lifecycle.js';
import { listTopics } from './dlq.js';

/** A request's record in the proto3 JSON mapping (enum names, RFC 3339 times), with its alerts now. */
export interface RequestView {
  readonly summary: Record<string, unknown>;
  readonly timeline: readonly Record<string, unknown>[];
  readonly deadlines: readonly Record<string, unknown>[];
  readonly expectedReceipts: readonly Record<string, unknown>[];
  readonly flags: readonly Record<string, unknown>[];
  readonly alerts: readonly Alert[];
}

/** The latest record of each request among `records` of comity.requests (latest wins; tombstones delete). */
export function latestRequestRecord(records: readonly IncomingRecord[], requestId: string): RequestTracked | undefined {
  let latest: RequestTracked | undefined;
  for (const record of records) {
    if (record.key?.toString('utf8') !== requestId) continue;
    if (record.value === null) {
      latest = undefined;
      continue;
    }
    try {
      const body = decodeBody(eventFromRecord(record));
      if (body.$type === 'comity.v1.RequestTracked') latest = body;
    } catch {
      // not a tracker record: skipped
    }
  }
  return latest;
}

export function requestView(record: RequestTracked, now: Date): RequestView {
  const json = RequestTracked.toJSON(record) as Record<string, unknown[] | undefined>;
  const summary = summaryAt(record, now);
  return {
    // The JSON mapping leaves out fields at their default; `overdue` is always there for scripts.
    summary: { ...(RequestSummary.toJSON(summary) as Record<string, unknown>), overdue: summary.overdue },
    timeline: (json.timeline ?? []) as Record<string, unknown>[],
    deadlines: (json.deadlines ?? []) as Record<string, unknown>[],
    expectedReceipts: (json.expectedReceipts ?? []) as Record<string, unknown>[],
    flags: (json.flags ?? []) as Record<string, unknown>[],
    alerts: alertsAt(record, now),
  };
}

/** Throws ComityError REQUEST_NOT_FOUND when the tracker has no record of the request. */
export async function findRequest(kafka: KafkaClient, requestId: string, now = new Date()): Promise<RequestView> {
  if (!(await listTopics(kafka)).includes(topics.requests)) {
    throw new ComityError('REQUEST_NOT_FOUND', `${topics.requests} does not exist yet: no tracker has run on this cluster`);
  }
  const record = latestRequestRecord(await kafka.readToEnd(topics.requests), requestId);
  if (!record) throw new ComityError('REQUEST_NOT_FOUND', `no request "${requestId}" in ${topics.requests}`);
  return requestView(record, now);
}
