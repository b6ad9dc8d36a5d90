/**
 * Headers of redriven records, and how the adapter runtime reads a redriven native message.
 * Pure and dependency-free apart from core types, so the adapter runtime can import it.
 *
 * A redriven record carries `comity_redrive_of` = `<dlq topic>/<partition>/<offset>` of the
 * dead letter it came from. A native message redriven to `comity.redrive.<network>` carries
 * its media type and transport attributes in the two `comity_native_*` headers (on the dead
 * letter they were `comity_dlq_native_content_type` / `comity_dlq_native_attributes`).
 */
import { ComityError } from '../../core/errors.js';
import type { IncomingRecord, RecordHeaders } from '../../core/kafka/records.js';

export const RedriveHeader = {
  /** `<dlq topic>/<partition>/<offset>` of the dead letter this record was redriven from. */
  of: 'comity_redrive_of',
  /** Media type of a redriven native message. */
  nativeContentType: 'comity_native_content_type',
  /** Transport attributes of a redriven native message, as a JSON object of strings. */
  nativeAttributes: 'comity_native_attributes',
} as const;

/** A native message as it came back from `comity.redrive.<network>`. */
export interface RedrivenNative {
  readonly body: Buffer;
  readonly contentType: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** The dead letter it was redriven from, `<dlq topic>/<partition>/<offset>`. */
  readonly redriveOf: string;
}

/** Reads a record of `comity.redrive.<network>`; throws ComityError REDRIVE_RECORD_INVALID. */
export function nativeFromRedriveRecord(record: IncomingRecord): RedrivenNative {
  const where = `${record.topic}/${record.partition}/${record.offset}`;
  if (record.value === null) throw new ComityError('REDRIVE_RECORD_INVALID', `redrive record ${where} has no value`);
  const header = (name: string) => record.headers[name]?.toString('utf8');
  let attributes: Record<string, string> = {};
  const rawAttributes = header(RedriveHeader.nativeAttributes);
  if (rawAttributes !== undefined) {
    try {
      const parsed: unknown = JSON.parse(rawAttributes);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('not an object');
      attributes = Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    } catch (cause) {
      throw new ComityError('REDRIVE_RECORD_INVALID', `redrive record ${where}: ${RedriveHeader.nativeAttributes} is not a JSON object`, { cause });
    }
  }
  return {
    body: record.value,
    contentType: header(RedriveHeader.nativeContentType) ?? 'application/octet-stream',
    attributes,
    redriveOf: header(RedriveHeader.of) ?? '',
  };
}

/** Header values as strings (values that are not UTF-8 come out with replacement characters). */
export function headerStrings(headers: RecordHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, value.toString('utf8')]));
}
