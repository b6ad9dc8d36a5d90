/**
 * Kafka records as the rest of Comity sees them: plain data, no kafkajs types. core/events
 * turns events into {@link OutgoingRecord}s and {@link IncomingRecord}s back into events.
 */

/** Header values as they go on the wire. */
export type RecordHeaders = Record<string, Buffer>;

export interface OutgoingRecord {
  /** Record key; Comity uses the event subject (the request id) so a request stays in order. */
  readonly key: string;
  readonly value: Buffer;
  readonly headers: RecordHeaders;
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

/** Where a record was stored. */
export interface RecordPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}
