/**
 * Dead letters on Kafka: list, show, redrive. Used by `comity dlq` and by the monitor's
 * dashboard. The pure rules (what a dead letter is, where it goes back to, what a redriven
 * record looks like) are in ./dead-letters.ts.
 *
 * Not redriven twice by accident: every redrive is written to the compacted
 * `comity.redrive-log` topic, keyed by the dead letter's id, in two steps — a `pending` mark
 * before the record is written to its target, a `done` mark after. A dead letter marked `done`
 * is skipped by later redrives. One marked `pending` (a redrive that stopped half-way) is
 * looked for in its target topic by its `comity_redrive_of` header: found, it is marked done and
 * skipped; not found, it is redriven. Two operators redriving the same dead letter at the very
 * same moment are not prevented from doing so (the log is not a lock); the receiving side
 * de-duplicates events by id (router: per request; adapters: delivery ledger).
 */
import { userInfo } from 'node:os';
import { ComityError } from '../../core/errors.js';
import { isNetworkId, topics, topicSpec, type IncomingRecord, type KafkaClient, type OutgoingRecord } from '../../core/kafka/index.js';
import {
  findByRef,
  matchesDeadLetter,
  parseDeadLetterRef,
  readRedriveMarks,
  redriveMarkRecord,
  redrivenRecord,
  selectForRedrive,
  summarizeDeadLetter,
  type DeadLetterFilter,
  type DeadLetterSummary,
  type RedriveMark,
  type SkippedDeadLetter,
} from './dead-letters.js';
import { decodeRecord, type DecodedRecord } from './decode.js';
import { RedriveHeader } from './redrive-headers.js';

export interface ListDeadLettersOptions extends DeadLetterFilter {
  readonly network: string;
  /** Only the most recent `limit` (after filtering); all when unset. */
  readonly limit?: number;
}

/** The network's dead letters, oldest first, each with its redrive mark if it has one. */
export async function listDeadLetters(kafka: KafkaClient, options: ListDeadLettersOptions): Promise<DeadLetterSummary[]> {
  const { letters } = await readDeadLetters(kafka, options.network);
  const matching = letters.filter((letter) => matchesDeadLetter(letter, options));
  return options.limit === undefined ? matching : matching.slice(Math.max(0, matching.length - options.limit));
}

export interface DeadLetterDetail {
  readonly summary: DeadLetterSummary;
  /** The record decoded: envelope and body (when not sealed), or a summary of native bytes. */
  readonly record: DecodedRecord;
}

/**
 * One dead letter by `offset`: `<offset>`, `<partition>:<offset>` or its full id. Throws
 * ComityError DEAD_LETTER_NOT_FOUND, or DEAD_LETTER_AMBIGUOUS for a bare offset found in
 * several partitions.
 */
export async function showDeadLetter(kafka: KafkaClient, options: { network: string; offset: string }): Promise<DeadLetterDetail> {
  const ref = parseDeadLetterRef(options.offset, options.network);
  const { letters, records } = await readDeadLetters(kafka, options.network);
  const found = findByRef(letters, ref);
  if (found.length === 0) throw new ComityError('DEAD_LETTER_NOT_FOUND', `no dead letter at ${options.offset} in ${topics.dlq(options.network)}`);
  if (found.length > 1) {
    throw new ComityError(
      'DEAD_LETTER_AMBIGUOUS',
      `offset ${ref.offset} is in partitions ${found.map((letter) => letter.partition).join(', ')} of ${topics.dlq(options.network)}; write <partition>:<offset>`,
    );
  }
  const summary = found[0]!;
  const record = records.get(summary.id)!;
  return { summary, record: decodeRecord(record) };
}

export interface RedriveProgress {
  readonly done: number;
  readonly total: number;
}

export interface RedriveOptions extends DeadLetterFilter {
  readonly network: string;
  /** Only these dead letters (`<offset>`, `<partition>:<offset>` or full ids); all matching the filter when unset. */
  readonly offsets?: readonly string[];
  /** Select and report, write nothing. */
  readonly dryRun?: boolean;
  /** Who redrives, for the redrive log; default: the OS user. */
  readonly by?: string;
  /** Records written per step (marks, records, marks); default 500. */
  readonly batchSize?: number;
  /** Called after each step with the number of dead letters redriven so far. */
  readonly onProgress?: (progress: RedriveProgress) => void;
}

export interface RedriveReport {
  readonly network: string;
  readonly dryRun: boolean;
  /** Dead letters redriven (or, in a dry run, that would be), with where they went. */
  readonly redriven: readonly { readonly id: string; readonly target: string; readonly code: string; readonly stage: string }[];
  /** Dead letters selected but not redriven, and ids/offsets that named none. */
  readonly skipped: readonly SkippedDeadLetter[];
  readonly durationMs: number;
}

export async function redriveDeadLetters(kafka: KafkaClient, options: RedriveOptions): Promise<RedriveReport> {
  const started = Date.now();
  const network = options.network;
  const refs = options.offsets?.map((text) => parseDeadLetterRef(text, network));
  const { letters, records } = await readDeadLetters(kafka, network);
  const { selected, skipped } = selectForRedrive(letters, { filter: options, refs, refTexts: options.offsets });
  const report = (redriven: DeadLetterSummary[], dryRun: boolean): RedriveReport => ({
    network,
    dryRun,
    redriven: redriven.map((letter) => ({ id: letter.id, target: letter.redriveTarget!, code: letter.code, stage: letter.stage })),
    skipped,
    durationMs: Date.now() - started,
  });
  if (options.dryRun || selected.length === 0) return report(selected, options.dryRun ?? false);

  const by = options.by ?? safeUserName();
  const targets = [...new Set(selected.map((letter) => letter.redriveTarget!))];
  const admin = await kafka.admin();
  try {
    await admin.ensureTopics([topics.redriveLog, ...targets].map((topic) => topicSpec(topic)));
  } finally {
    await admin.disconnect();
  }

  // A `pending` mark left by a redrive that stopped half-way: did the record reach its target?
  const pending = selected.filter((letter) => letter.redrive?.state === 'pending');
  const arrived = new Set<string>();
  for (const target of new Set(pending.map((letter) => letter.redriveTarget!))) {
    for (const record of await kafka.readToEnd(target)) {
      const of = record.headers[RedriveHeader.of]?.toString('utf8');
      if (of !== undefined) arrived.add(of);
    }
  }

  const producer = await kafka.producer();
  const redriven: DeadLetterSummary[] = [];
  try {
    const mark = (letter: DeadLetterSummary, state: RedriveMark['state']) =>
      redriveMarkRecord({ state, deadLetter: letter.id, target: letter.redriveTarget!, at: new Date().toISOString(), by });
    const settled = pending.filter((letter) => arrived.has(letter.id));
    if (settled.length > 0) {
      await producer.send(topics.redriveLog, settled.map((letter) => mark(letter, 'done')));
      for (const letter of settled) {
        skipped.push({ id: letter.id, code: 'ALREADY_REDRIVEN', reason: `an earlier redrive that stopped half-way had reached ${letter.redriveTarget}` });
      }
    }
    const todo = selected.filter((letter) => !arrived.has(letter.id));
    const batchSize = options.batchSize ?? 500;
    options.onProgress?.({ done: 0, total: todo.length });
    for (let start = 0; start < todo.length; start += batchSize) {
      const batch = todo.slice(start, start + batchSize);
      await producer.send(topics.redriveLog, batch.map((letter) => mark(letter, 'pending')));
      const byTarget = new Map<string, OutgoingRecord[]>();
      for (const letter of batch) {
        const outgoing = redrivenRecord(records.get(letter.id)!);
        byTarget.set(letter.redriveTarget!, [...(byTarget.get(letter.redriveTarget!) ?? []), outgoing]);
      }
      for (const [target, outgoing] of byTarget) await producer.send(target, outgoing);
      await producer.send(topics.redriveLog, batch.map((letter) => mark(letter, 'done')));
      redriven.push(...batch);
      options.onProgress?.({ done: redriven.length, total: todo.length });
    }
  } finally {
    await producer.disconnect();
  }
  return report(redriven, false);
}

/** Every dead letter of the network with its redrive mark, and the raw records by id. */
async function readDeadLetters(
  kafka: KafkaClient,
  network: string,
): Promise<{ letters: DeadLetterSummary[]; records: Map<string, IncomingRecord> }> {
  if (!isNetworkId(network)) {
    throw new ComityError('INVALID_NETWORK', `"${network}" is not a network id (lower-case letters, digits and '-', 3 to 32 characters)`);
  }
  const dlq = topics.dlq(network);
  const existing = new Set(await listTopics(kafka));
  if (!existing.has(dlq)) throw new ComityError('UNKNOWN_TOPIC', `${dlq} does not exist: is "${network}" a network of this federation?`);
  const [dlqRecords, logRecords] = await Promise.all([
    kafka.readToEnd(dlq),
    existing.has(topics.redriveLog) ? kafka.readToEnd(topics.redriveLog) : Promise.resolve([]),
  ]);
  const marks = readRedriveMarks(logRecords);
  const letters: DeadLetterSummary[] = [];
  const records = new Map<string, IncomingRecord>();
  for (const record of dlqRecords) {
    const summary = summarizeDeadLetter(record, network);
    if (!summary) continue;
    const mark = marks.get(summary.id);
    letters.push(mark ? { ...summary, redrive: mark } : summary);
    records.set(summary.id, record);
  }
  letters.sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  return { letters, records };
}

export async function listTopics(kafka: KafkaClient): Promise<string[]> {
  const admin = await kafka.admin();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
