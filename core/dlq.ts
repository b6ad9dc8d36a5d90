/**
 * Dead letters: what could not be translated, verified, routed or delivered goes to
 * `comity.dlq.<network>` with the original bytes as the value and the reason in headers, so
 * nothing is lost and an operator can redrive it once the cause is fixed.
 *
 * The original record's headers (the CloudEvents `ce_*` ones, when there were any) are kept
 * as they were; the reason headers below are added next to them. Header names are constants:
 * dashboards, `comity dlq` and scripts rely on them.
 */
import type { ComityError } from './errors.js';
import type { IncomingRecord, RecordHeaders, ValueRecord } from './kafka/records.js';

export const DlqHeader = {
  /** Stable error code, e.g. `MISSING_FIELD`, `EVENT_MALFORMED`, `NO_ROUTE`, `DELIVERY_GAVE_UP`. */
  code: 'comity_dlq_code',
  /** Human-readable reason. */
  reason: 'comity_dlq_reason',
  /** Where it failed: one of {@link DlqStage}. */
  stage: 'comity_dlq_stage',
  /** Whether the same bytes may succeed later (a redrive is worth trying as is). */
  retriable: 'comity_dlq_retriable',
  /** The process that gave up, e.g. `adapter.ejn`, `router`. */
  failedBy: 'comity_dlq_failed_by',
  /** When, RFC 3339. */
  failedAt: 'comity_dlq_failed_at',
  /** Delivery attempts made, for delivery failures. */
  attempts: 'comity_dlq_attempts',
  /** Where the record was read from, for records that came from Kafka. */
  originalTopic: 'comity_dlq_original_topic',
  originalPartition: 'comity_dlq_original_partition',
  originalOffset: 'comity_dlq_original_offset',
  /** Media type of a native message that could not be decoded. */
  nativeContentType: 'comity_dlq_native_content_type',
  /** Transport attributes of a native message, as JSON. */
  nativeAttributes: 'comity_dlq_native_attributes',
} as const;

export const DlqStage = {
  /** A native message the adapter's codec could not decode. */
  inboundDecode: 'inbound-decode',
  /** A record on an outbound topic that is not a valid event. */
  outboundDecode: 'outbound-decode',
  /** An event the adapter's codec could not express natively. */
  outboundEncode: 'outbound-encode',
  /** An event the native system refused, or that could not be delivered in time. */
  outboundDeliver: 'outbound-deliver',
  /** An event the router refused or could not route. */
  route: 'route',
} as const;

export type DlqStageName = (typeof DlqStage)[keyof typeof DlqStage];

export interface DeadLetterReason {
  readonly code: string;
  readonly reason: string;
  readonly stage: DlqStageName;
  readonly retriable: boolean;
  readonly failedBy: string;
  readonly attempts?: number;
}

export function reasonFrom(error: ComityError, stage: DlqStageName, failedBy: string, attempts?: number): DeadLetterReason {
  return { code: error.code, reason: error.message, stage, retriable: error.retriable, failedBy, attempts };
}

function reasonHeaders(reason: DeadLetterReason, now: Date): Record<string, string> {
  const headers: Record<string, string> = {
    [DlqHeader.code]: reason.code,
    [DlqHeader.reason]: reason.reason.slice(0, 4000),
    [DlqHeader.stage]: reason.stage,
    [DlqHeader.retriable]: String(reason.retriable),
    [DlqHeader.failedBy]: reason.failedBy,
    [DlqHeader.failedAt]: now.toISOString(),
  };
  if (reason.attempts !== undefined) headers[DlqHeader.attempts] = String(reason.attempts);
  return headers;
}

function toBuffers(headers: Record<string, string>): RecordHeaders {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Buffer.from(value, 'utf8')]));
}

/** A dead letter for a Kafka record: same key, value and headers, plus the reason. */
export function deadLetterForRecord(record: IncomingRecord, reason: DeadLetterReason, now = new Date()): ValueRecord {
  return {
    key: record.key?.toString('utf8') ?? '',
    value: record.value ?? Buffer.alloc(0),
    headers: {
      ...record.headers,
      ...toBuffers({
        ...reasonHeaders(reason, now),
        [DlqHeader.originalTopic]: record.topic,
        [DlqHeader.originalPartition]: String(record.partition),
        [DlqHeader.originalOffset]: record.offset,
      }),
    },
  };
}

/** A dead letter for a native message that never became an event; keyed by its SHA-256. */
export function deadLetterForNative(
  native: { body: Buffer; contentType: string; attributes: Readonly<Record<string, string>> },
  digestHex: string,
  reason: DeadLetterReason,
  now = new Date(),
): ValueRecord {
  return {
    key: `sha256:${digestHex}`,
    value: native.body,
    headers: toBuffers({
      ...reasonHeaders(reason, now),
      [DlqHeader.nativeContentType]: native.contentType,
      [DlqHeader.nativeAttributes]: JSON.stringify(native.attributes),
    }),
  };
}

/** The reason recorded on a dead letter, or undefined for a record that is not one. */
export function readDeadLetterReason(headers: RecordHeaders): (DeadLetterReason & { failedAt: string }) | undefined {
  const get = (name: string) => headers[name]?.toString('utf8');
  const code = get(DlqHeader.code);
  if (code === undefined) return undefined;
  const attempts = get(DlqHeader.attempts);
  return {
    code,
    reason: get(DlqHeader.reason) ?? '',
    stage: (get(DlqHeader.stage) ?? DlqStage.route) as DlqStageName,
    retriable: get(DlqHeader.retriable) === 'true',
    failedBy: get(DlqHeader.failedBy) ?? '',
    failedAt: get(DlqHeader.failedAt) ?? '',
    ...(attempts === undefined ? {} : { attempts: Number(attempts) }),
  };
}
