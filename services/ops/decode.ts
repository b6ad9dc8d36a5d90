/**
 * Any Comity record, decoded for people and scripts (`comity tail`, `comity dlq show`, the
 * dashboard): envelope, headers, the body when it is not sealed, the reason of a dead letter,
 * a summary of native bytes. Pure; never throws for a bad record: what cannot be decoded is
 * reported in `error`.
 */
import { createHash } from 'node:crypto';
import { DlqHeader, readDeadLetterReason, type DeadLetterReason } from '../../core/dlq.js';
import { ComityError } from '../../core/errors.js';
import { bodyMessageType } from '../../core/events/bodies.js';
import { eventFromRecord } from '../../core/events/codec.js';
import { decodeBody } from '../../core/events/create.js';
import { Header } from '../../core/events/headers.js';
import { Event } from '../../core/gen/comity/v1/event.js';
import type { IncomingRecord } from '../../core/kafka/records.js';
import { headerStrings } from './redrive-headers.js';

export interface NativeBytesSummary {
  readonly contentType: string;
  readonly bytes: number;
  readonly sha256: string;
  /** The first characters when the bytes are UTF-8 text, else the first bytes in hex. */
  readonly preview: string;
  readonly text: boolean;
}

export interface DecodedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Record timestamp, RFC 3339. */
  readonly timestamp: string;
  readonly key: string | null;
  readonly headers: Record<string, string>;
  /** event: a Comity event; native: native bytes (a dead letter that never became an event); other: neither. */
  readonly kind: 'event' | 'native' | 'tombstone' | 'other';
  /** The envelope in the proto3 JSON mapping, without `data` (see `dataBytes`). */
  readonly event?: Record<string, unknown>;
  readonly dataBytes?: number;
  /** The body in the proto3 JSON mapping; absent when sealed or undecodable. */
  readonly body?: unknown;
  readonly sealed?: boolean;
  readonly deadLetter?: DeadLetterReason & { failedAt: string; originalTopic?: string; originalPartition?: number; originalOffset?: string };
  readonly native?: NativeBytesSummary;
  /** Why the value or the body could not be decoded. */
  readonly error?: { readonly code: string; readonly message: string };
}

const PREVIEW_CHARS = 240;

export function decodeRecord(record: IncomingRecord): DecodedRecord {
  const base = {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: new Date(record.timestamp).toISOString(),
    key: record.key?.toString('utf8') ?? null,
    headers: headerStrings(record.headers),
  };
  const reason = readDeadLetterReason(record.headers);
  const deadLetter = reason
    ? {
        ...reason,
        ...optionalString('originalTopic', record.headers[DlqHeader.originalTopic]),
        ...optionalNumber('originalPartition', record.headers[DlqHeader.originalPartition]),
        ...optionalString('originalOffset', record.headers[DlqHeader.originalOffset]),
      }
    : undefined;
  const withReason = deadLetter ? { ...base, deadLetter } : base;
  if (record.value === null) return { ...withReason, kind: 'tombstone' };

  const nativeContentType = record.headers[DlqHeader.nativeContentType]?.toString('utf8');
  if (nativeContentType !== undefined) return { ...withReason, kind: 'native', native: summarizeNative(record.value, nativeContentType) };

  let event: Event;
  try {
    event = eventFromRecord(record);
  } catch (error) {
    if (!(error instanceof ComityError)) throw error;
    return {
      ...withReason,
      kind: 'other',
      native: summarizeNative(record.value, record.headers[Header.contentType]?.toString('utf8') ?? 'application/octet-stream'),
      error: { code: error.code, message: error.message },
    };
  }
  const envelope = Event.toJSON({ ...event, data: Buffer.alloc(0) }) as Record<string, unknown>;
  delete envelope.data;
  const decoded = { ...withReason, kind: 'event' as const, event: envelope, dataBytes: event.data.length, sealed: event.seal !== undefined };
  if (event.seal) return decoded;
  try {
    const body = decodeBody(event);
    return { ...decoded, body: bodyMessageType(event.type).toJSON(body) };
  } catch (error) {
    if (!(error instanceof ComityError)) throw error;
    return { ...decoded, error: { code: error.code, message: error.message } };
  }
}

function optionalNumber<K extends string>(name: K, value: Buffer | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [name]: Number(value.toString('utf8')) } as Record<K, number>);
}

function optionalString<K extends string>(name: K, value: Buffer | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [name]: value.toString('utf8') } as Record<K, string>);
}

export function summarizeNative(bytes: Buffer, contentType: string): NativeBytesSummary {
  const text = isUtf8Text(bytes);
  const preview = text
    ? bytes.toString('utf8').slice(0, PREVIEW_CHARS)
    : bytes.subarray(0, PREVIEW_CHARS / 2).toString('hex');
  return { contentType, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), preview, text };
}

function isUtf8Text(bytes: Buffer): boolean {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    // eslint-disable-next-line no-control-regex
    return !/[\u0000-\u0008\u000e-\u001f]/.test(text);
  } catch {
    return false;
  }
}

// ---- filtering (on headers: no decoding needed to skip a record) ----------------------------

export interface TailFilter {
  /** Body type: the full name (`comity.v1.RequestSubmitted`) or the short one (`RequestSubmitted`). */
  readonly type?: string;
  /** Request id: the event subject, or the record key. */
  readonly subject?: string;
}

export function matchesTailFilter(record: Pick<IncomingRecord, 'headers' | 'key'>, filter: TailFilter): boolean {
  if (filter.type !== undefined) {
    const type = record.headers[Header.type]?.toString('utf8');
    if (type === undefined || (type !== filter.type && !type.endsWith(`.${filter.type}`))) return false;
  }
  if (filter.subject !== undefined) {
    const subject = record.headers[Header.subject]?.toString('utf8') ?? record.key?.toString('utf8');
    if (subject !== filter.subject) return false;
  }
  return true;
}

/** One line for people: when, where, what, about which request. */
export function formatTailLine(decoded: DecodedRecord): string {
  const where = `${decoded.topic}/${decoded.partition}@${decoded.offset}`;
  const reason = decoded.deadLetter ? `  DLQ ${decoded.deadLetter.stage} ${decoded.deadLetter.code}: ${decoded.deadLetter.reason}` : '';
  if (decoded.kind === 'event' && decoded.event) {
    const field = (name: string) => stringField(decoded.event, name);
    const targets = decoded.headers[Header.targets] ? ` → ${decoded.headers[Header.targets]}` : '';
    const sealed = decoded.sealed ? ' [sealed]' : '';
    const broken = decoded.error ? ` [${decoded.error.code}]` : '';
    return `${field('time') || decoded.timestamp}  ${where}  ${shortType(field('type'))}  ${field('subject')}  ${field('originNetwork')}${targets}${sealed}${broken}${reason}`;
  }
  if (decoded.kind === 'tombstone') return `${decoded.timestamp}  ${where}  (tombstone)  ${decoded.key ?? ''}`;
  const native = decoded.native ? `${decoded.native.contentType}, ${decoded.native.bytes} bytes` : '';
  const broken = decoded.error ? ` [${decoded.error.code}]` : '';
  return `${decoded.timestamp}  ${where}  (${decoded.kind === 'native' ? 'native message' : 'not an event'}: ${native})${broken}  ${decoded.key ?? ''}${reason}`;
}

/** A string field of a JSON object, or '' when absent or not a string. */
export function stringField(object: Record<string, unknown> | undefined, name: string): string {
  const value = object?.[name];
  return typeof value === 'string' ? value : '';
}

export function shortType(type: string): string {
  return type.replace(/^comity\.v1\./, '');
}
