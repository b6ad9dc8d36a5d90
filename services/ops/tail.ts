/**
 * Reading Comity topics as they flow (`comity tail`): a network's inbound, outbound and DLQ
 * topics, or any one topic, decoded, filtered on headers, live or up to the current end.
 */
import { randomBytes } from 'node:crypto';
import { ComityError } from '../../core/errors.js';
import { isNetworkId, parseTopic, topics, type IncomingRecord, type KafkaClient } from '../../core/kafka/index.js';
import { decodeRecord, matchesTailFilter, type DecodedRecord, type TailFilter } from './decode.js';
import { listTopics } from './dlq.js';

/** `<network>` → its inbound, outbound and DLQ topics; a topic name (with a dot) → itself. */
export function tailTopicsFor(target: string): string[] {
  if (target.includes('.')) {
    if (!parseTopic(target) && !target.startsWith('comity.')) {
      throw new ComityError('INVALID_TOPIC', `"${target}" is not a Comity topic (comity.inbound.<network>, comity.requests, …)`);
    }
    return [target];
  }
  if (!isNetworkId(target)) throw new ComityError('INVALID_NETWORK', `"${target}" is neither a network id nor a topic name`);
  return [topics.inbound(target), topics.outbound(target), topics.dlq(target)];
}

export interface TailOptions extends TailFilter {
  readonly topics: readonly string[];
  /** Start at the beginning of the topics instead of their current end. */
  readonly fromBeginning?: boolean;
  /** Keep reading new records until `signal` aborts (default); false: read from the beginning to the current end, then stop. */
  readonly follow?: boolean;
  /** Stop after this many matching records. */
  readonly limit?: number;
  readonly signal?: AbortSignal;
  readonly onRecord: (record: DecodedRecord) => void;
}

/** Calls `onRecord` for each matching record; resolves with their number when done or stopped. */
export async function tailRecords(kafka: KafkaClient, options: TailOptions): Promise<number> {
  const existing = new Set(await listTopics(kafka));
  const missing = options.topics.filter((topic) => !existing.has(topic));
  const present = options.topics.filter((topic) => existing.has(topic));
  if (present.length === 0) throw new ComityError('UNKNOWN_TOPIC', `no such topic: ${missing.join(', ')}`);
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let count = 0;
  const take = (record: IncomingRecord): boolean => {
    if (count >= limit || !matchesTailFilter(record, options)) return count < limit;
    count += 1;
    options.onRecord(decodeRecord(record));
    return count < limit;
  };

  if (options.follow === false) {
    const all = (await Promise.all(present.map((topic) => kafka.readToEnd(topic)))).flat();
    all.sort((a, b) => a.timestamp - b.timestamp);
    for (const record of all) if (!take(record)) break;
    return count;
  }

  // A group of its own that nobody else joins; it starts at the end unless asked otherwise.
  const consumer = await kafka.consumer({
    groupId: `comity-tail-${randomBytes(6).toString('hex')}`,
    topics: present,
    fromBeginning: options.fromBeginning ?? false,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      if (options.signal?.aborted || limit === 0) return resolve();
      options.signal?.addEventListener('abort', () => resolve(), { once: true });
      consumer
        .run(async (record) => {
          if (!take(record)) resolve();
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return count;
}
