/** Event ids are UUIDv7: unique without coordination and sortable by creation time. */
import { createHash } from 'node:crypto';
import { v7 as uuidv7, validate, version } from 'uuid';

export function newEventId(): string {
  return uuidv7();
}

export function isEventId(value: string): boolean {
  return validate(value) && version(value) === 7;
}

/**
 * A UUIDv7 derived from another event's id and a purpose, the same every time: the id of a
 * receipt or reply that may be produced more than once (after a crash) but must be recognised
 * downstream as one event. It keeps the source id's timestamp, so ids still sort by time.
 */
export function derivedEventId(fromEventId: string, purpose: string): string {
  const digest = createHash('sha256').update(`${fromEventId}\u0000${purpose}`).digest();
  const bytes = Buffer.from(fromEventId.replace(/-/g, '').slice(0, 12).padEnd(12, '0') + digest.subarray(6, 16).toString('hex'), 'hex');
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

