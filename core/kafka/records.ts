/**
 * Kafka records as the rest of Comity sees them: plain data, no kafkajs types. core/events
 * turns events into {@link OutgoingRecord}s and {@link IncomingRecord}s back into events.
 */

/** Header values as they go on the wire. */
export type RecordHeaders = Record<string, Buffer>;

export interface OutgoingRecord {
  /** Record key; Comity uses the event subject (the request id) so a request stays in order. */
  readonly key: string;
  /**
   * null is a tombstone: on a compacted topic it deletes the key's earlier records. Readers
   * see a null value, which is not an event (`eventFromRecord` refuses it as EVENT_MALFORMED).
   */
  readonly value: Buffer | null;
  readonly headers: RecordHeaders;
}

/** A record that carries a value (every event record). */
export type ValueRecord = OutgoingRecord & { readonly value: Buffer };

/** The tombstone for `key` on a compacted topic. */
export function tombstone(key: string): OutgoingRecord {
  return { key, value: null, headers: {} };
}

export interface IncomingRecord {
  readonly topic: string;
  readonly partition: number;
  /** Offset as a decimal string (Kafka offsets are 64-bit). */
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: RecordHeaders;
  /** Broker or producer timestamp, milliseconds since the epoch. */
  readonly timestamp: number;
}
