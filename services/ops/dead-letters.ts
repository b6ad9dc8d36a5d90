/**
 * Dead letters as operators see them, and what a redrive writes. Pure: records in, summaries
 * and records out; the Kafka side is in ./dlq.ts.
 *
 * Where a redrive puts a dead letter back (the stage says where it failed):
 *   route                         → its original topic, `comity.inbound.<network>` (the router reads it again)
 *   outbound-decode/encode/deliver → its original topic, `comity.outbound.<network>` (the adapter tries again)
 *   inbound-decode (a native message, no original topic) → `comity.redrive.<network>`, which
 *                                   the adapter runtime reads and decodes again
 * A redriven record has the dead letter's key, value and headers without the `comity_dlq_*`
 * ones, plus `comity_redrive_of` = the dead letter's id.
 */
import { DlqHeader, DlqStage, readDeadLetterReason, type DlqStageName } from '../../core/dlq.js';
import { ComityError } from '../../core/errors.js';
import { Header } from '../../core/events/headers.js';
import type { IncomingRecord, OutgoingRecord, RecordHeaders } from '../../core/kafka/records.js';
import { parseTopic, topics } from '../../core/kafka/topics.js';
import { RedriveHeader } from './redrive-headers.js';

/** `<dlq topic>/<partition>/<offset>`: the id of a dead letter everywhere (CLI, dashboard, redrive log). */
export function deadLetterId(topic: string, partition: number, offset: string): string {
  return `${topic}/${partition}/${offset}`;
}

export interface RecordPlace {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** Whether and where a redrive has put a dead letter (from `comity.redrive-log`). */
export interface RedriveMark {
  /** `pending`: being redriven (or the redrive stopped half-way); `done`: written to `target`. */
  readonly state: 'pending' | 'done';
  /** The dead letter's id. */
  readonly deadLetter: string;
  /** Topic it was redriven to. */
  readonly target: string;
  /** RFC 3339. */
  readonly at: string;
  /** Who redrove it (the operator's principal or user name). */
  readonly by: string;
}

export interface DeadLetterSummary {
  /** `<dlq topic>/<partition>/<offset>`. */
  readonly id: string;
  readonly network: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Record key: the request id for events, `sha256:<hex>` for native messages. */
  readonly key: string;
  /** When the dead letter was written (record timestamp), RFC 3339. */
  readonly timestamp: string;
  readonly code: string;
  readonly reason: string;
  readonly stage: DlqStageName;
  readonly retriable: boolean;
  readonly failedBy: string;
  readonly failedAt: string;
  readonly attempts?: number;
  /** Where the record was read from, for records that came from Kafka. */
  readonly original?: RecordPlace;
  /** From the CloudEvents headers, when the dead letter is (or claims to be) an event. */
  readonly eventId?: string;
  readonly eventType?: string;
  readonly requestId?: string;
  /** Media type of a native message that could not be decoded. */
  readonly nativeContentType?: string;
  /** Size of the value in bytes. */
  readonly bytes: number;
  /** Where a redrive would write it; undefined when it cannot be redriven (see `redriveProblem`). */
  readonly redriveTarget?: string;
  readonly redriveProblem?: string;
  /** Set once the redrive log knows about it. */
  readonly redrive?: RedriveMark;
}

/** The summary of a dead-letter record of `network`, or undefined for a record that is not one. */
export function summarizeDeadLetter(record: IncomingRecord, network: string): DeadLetterSummary | undefined {
  const reason = readDeadLetterReason(record.headers);
  if (!reason) return undefined;
  const header = (name: string) => record.headers[name]?.toString('utf8');
  const originalTopic = header(DlqHeader.originalTopic);
  const original: RecordPlace | undefined =
    originalTopic === undefined
      ? undefined
      : { topic: originalTopic, partition: Number(header(DlqHeader.originalPartition) ?? -1), offset: header(DlqHeader.originalOffset) ?? '' };
  const target = redriveTargetOf(reason.stage, original?.topic, network);
  return {
    id: deadLetterId(record.topic, record.partition, record.offset),
    network,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key?.toString('utf8') ?? '',
    timestamp: new Date(record.timestamp).toISOString(),
    code: reason.code,
    reason: reason.reason,
    stage: reason.stage,
    retriable: reason.retriable,
    failedBy: reason.failedBy,
    failedAt: reason.failedAt,
    ...(reason.attempts === undefined ? {} : { attempts: reason.attempts }),
    ...(original ? { original } : {}),
    ...optional('eventId', header(Header.id)),
    ...optional('eventType', header(Header.type)),
    ...optional('requestId', header(Header.subject)),
    ...optional('nativeContentType', header(DlqHeader.nativeContentType)),
    bytes: record.value?.length ?? 0,
    ...('topic' in target ? { redriveTarget: target.topic } : { redriveProblem: target.problem }),
  };
}

function optional<K extends string>(name: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [name]: value } as Record<K, string>);
}

/**
 * Where a dead letter of `network` goes back to. Only the network's own inbound, outbound and
 * redrive topics are ever targets: a header naming another topic is refused, so a redrive
 * cannot be used to write anywhere else.
 */
export function redriveTargetOf(stage: DlqStageName, originalTopic: string | undefined, network: string): { topic: string } | { problem: string } {
  if (stage === DlqStage.inboundDecode) {
    return originalTopic === undefined ? { topic: topics.redrive(network) } : { problem: `an inbound-decode dead letter with an original topic (${originalTopic})` };
  }
  if (originalTopic === undefined) return { problem: `stage ${stage} but no ${DlqHeader.originalTopic} header` };
  const parsed = parseTopic(originalTopic);
  const expected = stage === DlqStage.route ? 'inbound' : 'outbound';
  if (!parsed || parsed.network !== network || parsed.kind !== expected) {
    return { problem: `original topic ${originalTopic} is not ${expected === 'inbound' ? topics.inbound(network) : topics.outbound(network)}` };
  }
  return { topic: originalTopic };
}

/** The record a redrive writes for a dead letter: original key, value and headers, and where it came from. */
export function redrivenRecord(record: IncomingRecord): OutgoingRecord {
  const headers: RecordHeaders = {};
  for (const [name, value] of Object.entries(record.headers)) {
    if (!name.startsWith('comity_dlq_') && name !== RedriveHeader.of) headers[name] = value;
  }
  const contentType = record.headers[DlqHeader.nativeContentType];
  const attributes = record.headers[DlqHeader.nativeAttributes];
  if (contentType !== undefined) headers[RedriveHeader.nativeContentType] = contentType;
  if (attributes !== undefined) headers[RedriveHeader.nativeAttributes] = attributes;
  headers[RedriveHeader.of] = Buffer.from(deadLetterId(record.topic, record.partition, record.offset), 'utf8');
  return { key: record.key?.toString('utf8') ?? '', value: record.value ?? Buffer.alloc(0), headers };
}

/** How an operator names a dead letter: `<offset>`, `<partition>:<offset>`, `<partition>/<offset>` or the full id. */
export interface DeadLetterRef {
  readonly partition?: number;
  readonly offset: string;
}

export function parseDeadLetterRef(ref: string, network: string): DeadLetterRef {
  const dlq = topics.dlq(network);
  let rest = ref.trim();
  if (rest.startsWith('comity.')) {
    if (!rest.startsWith(`${dlq}/`)) throw new ComityError('DEAD_LETTER_REF_INVALID', `"${ref}" is not a dead letter of ${dlq}`);
    rest = rest.slice(dlq.length + 1);
  }
  const match = /^(?:(\d+)[:/])?(\d+)$/.exec(rest);
  if (!match) {
    throw new ComityError('DEAD_LETTER_REF_INVALID', `"${ref}" is not a dead letter offset (<offset>, <partition>:<offset> or ${dlq}/<partition>/<offset>)`);
  }
  return match[1] === undefined ? { offset: String(BigInt(match[2]!)) } : { partition: Number(match[1]), offset: String(BigInt(match[2]!)) };
}

/** The dead letters a ref names: one, none (not found) or several (a bare offset found in several partitions). */
export function findByRef<T extends { partition: number; offset: string }>(letters: readonly T[], ref: DeadLetterRef): T[] {
  return letters.filter((letter) => letter.offset === ref.offset && (ref.partition === undefined || letter.partition === ref.partition));
}

export interface DeadLetterFilter {
  /** Stable reason code, e.g. `NO_ROUTE` (compared case-insensitively). */
  readonly reason?: string;
  /** Stage, e.g. `route`, `inbound-decode`. */
  readonly stage?: string;
}

export function matchesDeadLetter(letter: Pick<DeadLetterSummary, 'code' | 'stage'>, filter: DeadLetterFilter): boolean {
  return (
    (filter.reason === undefined || letter.code.toUpperCase() === filter.reason.toUpperCase()) &&
    (filter.stage === undefined || letter.stage === filter.stage)
  );
}

// ---- the redrive log ------------------------------------------------------------------------

export function redriveMarkRecord(mark: RedriveMark): OutgoingRecord {
  return { key: mark.deadLetter, value: Buffer.from(JSON.stringify(mark), 'utf8'), headers: {} };
}

/** The latest mark per dead letter, replaying the log in order; records that are not marks are skipped. */
export function readRedriveMarks(records: readonly IncomingRecord[]): Map<string, RedriveMark> {
  const marks = new Map<string, RedriveMark>();
  for (const record of records) {
    const key = record.key?.toString('utf8');
    if (!key) continue;
    if (record.value === null) {
      marks.delete(key);
      continue;
    }
    try {
      const mark = JSON.parse(record.value.toString('utf8')) as Partial<RedriveMark>;
      if ((mark.state === 'pending' || mark.state === 'done') && mark.deadLetter === key && typeof mark.target === 'string') {
        marks.set(key, { state: mark.state, deadLetter: key, target: mark.target, at: String(mark.at ?? ''), by: String(mark.by ?? '') });
      }
    } catch {
      // not a mark: skipped
    }
  }
  return marks;
}

export type SkipCode = 'ALREADY_REDRIVEN' | 'NOT_REDRIVABLE' | 'NOT_FOUND' | 'AMBIGUOUS_OFFSET';

export interface SkippedDeadLetter {
  /** The dead letter's id, or the ref as given when it matched none or several. */
  readonly id: string;
  readonly code: SkipCode;
  readonly reason: string;
}

/**
 * Which dead letters a redrive takes: those matching the filter (or named by `refs`), less
 * those already redriven and those with no place to go back to. Dead letters with a `pending`
 * mark are selected: the caller checks whether their redrive reached the target.
 */
export function selectForRedrive(
  letters: readonly DeadLetterSummary[],
  options: { filter?: DeadLetterFilter; refs?: readonly DeadLetterRef[]; refTexts?: readonly string[] },
): { selected: DeadLetterSummary[]; skipped: SkippedDeadLetter[] } {
  const skipped: SkippedDeadLetter[] = [];
  let candidates: DeadLetterSummary[];
  if (options.refs && options.refs.length > 0) {
    const chosen = new Map<string, DeadLetterSummary>();
    options.refs.forEach((ref, index) => {
      const text = options.refTexts?.[index] ?? (ref.partition === undefined ? ref.offset : `${ref.partition}:${ref.offset}`);
      const found = findByRef(letters, ref);
      if (found.length === 0) skipped.push({ id: text, code: 'NOT_FOUND', reason: `no dead letter at ${text}` });
      else if (found.length > 1) {
        skipped.push({ id: text, code: 'AMBIGUOUS_OFFSET', reason: `offset ${ref.offset} is in partitions ${found.map((l) => l.partition).join(', ')}; write <partition>:<offset>` });
      } else chosen.set(found[0]!.id, found[0]!);
    });
    candidates = [...chosen.values()].filter((letter) => matchesDeadLetter(letter, options.filter ?? {}));
  } else {
    candidates = letters.filter((letter) => matchesDeadLetter(letter, options.filter ?? {}));
  }
  const selected: DeadLetterSummary[] = [];
  for (const letter of candidates) {
    if (letter.redrive?.state === 'done') {
      skipped.push({ id: letter.id, code: 'ALREADY_REDRIVEN', reason: `redriven to ${letter.redrive.target} at ${letter.redrive.at} by ${letter.redrive.by}` });
    } else if (letter.redriveTarget === undefined) {
      skipped.push({ id: letter.id, code: 'NOT_REDRIVABLE', reason: letter.redriveProblem ?? 'no target' });
    } else {
      selected.push(letter);
    }
  }
  return { selected, skipped };
}
