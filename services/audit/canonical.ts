/**
 * The canonical bytes of an audit record: what its hash (and a checkpoint's signature) is
 * computed over. Never the protobuf bytes, which are not canonical across implementations.
 *
 *   canonical = "comity.audit.v1" 0x00
 *               then, for every field with a non-default value, sorted by name (bytewise):
 *               u16be(len(name)) name u32be(len(value)) value
 *
 * Names are the proto field names, joined with "." below the record (`fact.source_offset`,
 * `fact.provenance.native_sha256`). `format`, `prev_hash` and `hash` are not fields: the format
 * is the prefix, prev_hash is hashed in front of these bytes, and hash is their result.
 * Values: strings UTF-8; bytes as they are; integers and enums in decimal ASCII; booleans
 * `true` (false is the default, left out); timestamps as decimal milliseconds since the Unix
 * epoch; a repeated string as the concatenation of u32be(len(item)) item.
 * docs/audit.md states the same for implementers in other languages; keep the two in step.
 */
import type { AuditCheckpoint, AuditFact, AuditRecord } from '../../core/gen/comity/v1/audit.js';

export const AUDIT_FORMAT = 'comity.audit.v1';
/** Prefix of a checkpoint's signing input, so an audit signature can never pass for another. */
export const CHECKPOINT_SIGNING_LABEL = 'comity.audit.checkpoint.v1';

type Value = string | number | boolean | Buffer | Uint8Array | Date | readonly string[] | undefined;

function encodeValue(value: Value): Buffer | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value === '' ? undefined : Buffer.from(value, 'utf8');
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`audit field value ${value} is not a safe integer`);
    return value === 0 ? undefined : Buffer.from(String(value), 'ascii');
  }
  if (typeof value === 'boolean') return value ? Buffer.from('true', 'ascii') : undefined;
  if (value instanceof Date) return Buffer.from(String(value.getTime()), 'ascii');
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    return Buffer.concat(value.flatMap((item: string) => [u32(Buffer.byteLength(item, 'utf8')), Buffer.from(item, 'utf8')]));
  }
  const bytes = value as Uint8Array;
  return bytes.length === 0 ? undefined : Buffer.from(bytes);
}

function u32(n: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(n);
  return buffer;
}

function factFields(fact: AuditFact): [string, Value][] {
  const provenance = fact.provenance;
  return [
    ['fact.kind', fact.kind],
    ['fact.source_topic', fact.sourceTopic],
    ['fact.source_partition', fact.sourcePartition],
    ['fact.source_offset', fact.sourceOffset],
    ['fact.source_timestamp', fact.sourceTimestamp],
    ['fact.network', fact.network],
    ['fact.event_sha256', fact.eventSha256],
    ['fact.event_id', fact.eventId],
    ['fact.event_type', fact.eventType],
    ['fact.subject', fact.subject],
    ['fact.origin_network', fact.originNetwork],
    ['fact.origin_state', fact.originState],
    ['fact.causation_id', fact.causationId],
    ['fact.targets', fact.targets],
    ['fact.classification', fact.classification],
    ['fact.request_type', fact.requestType],
    ['fact.legal_basis', fact.legalBasis],
    ['fact.sealed', fact.sealed],
    ['fact.signature_key_id', fact.signatureKeyId],
    ['fact.provenance.native_format', provenance?.nativeFormat],
    ['fact.provenance.mapping_version', provenance?.mappingVersion],
    ['fact.provenance.native_sha256', provenance?.nativeSha256],
    ['fact.provenance.native_id', provenance?.nativeId],
    ['fact.regarding_event_id', fact.regardingEventId],
    ['fact.destinations', fact.destinations],
    ['fact.rule', fact.rule],
    ['fact.native_message_id', fact.nativeMessageId],
    ['fact.reason_code', fact.reasonCode],
    ['fact.reason', fact.reason],
    ['fact.stage', fact.stage],
    ['fact.failed_by', fact.failedBy],
    ['fact.attempts', fact.attempts],
    ['fact.retriable', fact.retriable],
    ['fact.original_topic', fact.originalTopic],
    ['fact.original_partition', fact.originalPartition],
    ['fact.original_offset', fact.originalOffset],
  ];
}

function checkpointFields(checkpoint: AuditCheckpoint, withSignature: boolean): [string, Value][] {
  return [
    ['checkpoint.algorithm', checkpoint.algorithm],
    ['checkpoint.key_id', checkpoint.keyId],
    ['checkpoint.facts', checkpoint.facts],
    ['checkpoint.signature', withSignature ? checkpoint.signature : undefined],
  ];
}

/**
 * The canonical bytes of a record. `withoutSignature` leaves out `checkpoint.signature`: the
 * bytes a checkpoint's signature covers.
 */
export function canonicalBytes(record: AuditRecord, options: { withoutSignature?: boolean } = {}): Buffer {
  const fields: [string, Value][] = [
    ['sequence', record.sequence],
    ['recorded_at', record.recordedAt],
    ...(record.fact ? factFields(record.fact) : []),
    ...(record.checkpoint ? checkpointFields(record.checkpoint, !options.withoutSignature) : []),
  ];
  const present: [Buffer, Buffer][] = [];
  for (const [name, value] of fields) {
    const encoded = encodeValue(value);
    if (encoded !== undefined) present.push([Buffer.from(name, 'ascii'), encoded]);
  }
  present.sort(([a], [b]) => Buffer.compare(a, b));
  const parts: Buffer[] = [Buffer.from(AUDIT_FORMAT, 'ascii'), Buffer.from([0])];
  for (const [name, value] of present) {
    const nameLength = Buffer.alloc(2);
    nameLength.writeUInt16BE(name.length);
    parts.push(nameLength, name, u32(value.length), value);
  }
  return Buffer.concat(parts);
}

/** What a checkpoint's Ed25519 signature covers: label 0x00 prev_hash canonical-without-signature. */
export function checkpointSigningInput(record: AuditRecord): Buffer {
  return Buffer.concat([
    Buffer.from(CHECKPOINT_SIGNING_LABEL, 'ascii'),
    Buffer.from([0]),
    Buffer.from(record.prevHash),
    canonicalBytes(record, { withoutSignature: true }),
  ]);
}
