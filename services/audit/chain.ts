/**
 * The audit hash chain, without I/O: appending facts and signed checkpoints ({@link AuditChain}),
 * and checking a chain record by record ({@link ChainVerifier}).
 *
 *   hash(n) = SHA-256(hash(n-1) || canonical bytes of record n),  hash(0) = 32 zero bytes
 *
 * A checkpoint is a record of the chain whose Ed25519 signature covers its prev_hash — the
 * head of the chain before it — and its own canonical bytes without the signature.
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { AuditCheckpoint, AuditRecord, type AuditFact } from '../../core/gen/comity/v1/audit.js';
import { AUDIT_FORMAT, canonicalBytes, checkpointSigningInput } from './canonical.js';

export const GENESIS_HASH: Buffer = Buffer.alloc(32);
export const CHECKPOINT_ALGORITHM = 'Ed25519';

export function recordHash(prevHash: Uint8Array, canonical: Uint8Array): Buffer {
  return createHash('sha256').update(prevHash).update(canonical).digest();
}

/** The end of a chain: the last record's sequence and hash (0 and zeros for an empty chain). */
export interface ChainHead {
  readonly sequence: number;
  readonly hash: Buffer;
  /** Facts after the last checkpoint. */
  readonly factsSinceCheckpoint: number;
}

export const EMPTY_HEAD: ChainHead = { sequence: 0, hash: GENESIS_HASH, factsSinceCheckpoint: 0 };

/** The hub's audit signing key. */
export interface AuditSigningKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
}

export interface CheckpointPolicy {
  /** A checkpoint after this many facts. */
  readonly everyFacts: number;
  /** A checkpoint when facts have waited this long since the last one. */
  readonly everyMs: number;
}

/**
 * Appends to a chain in memory. Records made by {@link AuditChain.append} are staged: the
 * head moves only when {@link AuditChain.commit} says they were durably written, and
 * {@link AuditChain.rollback} forgets them when the write failed.
 */
export class AuditChain {
  #committed: ChainHead;
  #staged: ChainHead;
  #lastCheckpointAt: number;

  constructor(
    head: ChainHead,
    private readonly key: AuditSigningKey,
    private readonly policy: CheckpointPolicy,
    now = Date.now(),
  ) {
    this.#committed = head;
    this.#staged = head;
    this.#lastCheckpointAt = now;
  }

  get head(): ChainHead {
    return this.#committed;
  }

  /** Whether records are staged and neither committed nor rolled back yet. */
  get pending(): boolean {
    return this.#staged !== this.#committed;
  }

  /** The staged head (equal to {@link head} when nothing is pending). */
  get stagedHead(): ChainHead {
    return this.#staged;
  }

  /** Appends one fact; and a checkpoint after it when one is due. */
  append(fact: AuditFact, now = new Date()): AuditRecord[] {
    const records = [this.#next({ fact }, now)];
    this.#staged = { ...this.#staged, factsSinceCheckpoint: this.#staged.factsSinceCheckpoint + 1 };
    if (this.checkpointDue(now.getTime())) records.push(this.checkpoint(now));
    return records;
  }

  /** Whether facts are waiting for a checkpoint, by count or by age. */
  checkpointDue(now = Date.now()): boolean {
    const waiting = this.#staged.factsSinceCheckpoint;
    return waiting > 0 && (waiting >= this.policy.everyFacts || now - this.#lastCheckpointAt >= this.policy.everyMs);
  }

  /** Appends a signed checkpoint over the chain so far. */
  checkpoint(now = new Date()): AuditRecord {
    const facts = this.#staged.factsSinceCheckpoint;
    const unsigned = AuditCheckpoint.fromPartial({ algorithm: CHECKPOINT_ALGORITHM, keyId: this.key.keyId, facts });
    const record = this.#next({ checkpoint: unsigned }, now, (draft) => {
      unsigned.signature = sign(null, checkpointSigningInput(draft), this.key.privateKey);
    });
    this.#staged = { ...this.#staged, factsSinceCheckpoint: 0 };
    this.#lastCheckpointAt = now.getTime();
    return record;
  }

  commit(): void {
    this.#committed = this.#staged;
  }

  rollback(): void {
    this.#staged = this.#committed;
  }

  /** Replaces the head (after reading the chain back from the topic). */
  reset(head: ChainHead): void {
    this.#committed = head;
    this.#staged = head;
  }

  #next(entry: Pick<AuditRecord, 'fact' | 'checkpoint'>, now: Date, beforeHash?: (draft: AuditRecord) => void): AuditRecord {
    const record = AuditRecord.fromPartial({
      format: AUDIT_FORMAT,
      sequence: this.#staged.sequence + 1,
      prevHash: this.#staged.hash,
      recordedAt: now,
    });
    if (entry.fact) record.fact = entry.fact;
    if (entry.checkpoint) record.checkpoint = entry.checkpoint;
    beforeHash?.(record);
    record.hash = recordHash(record.prevHash, canonicalBytes(record));
    this.#staged = { ...this.#staged, sequence: record.sequence, hash: record.hash };
    return record;
  }
}

// ---- verification --------------------------------------------------------------------------

/** The first place where a chain does not hold. */
export interface BrokenLink {
  /** Offset of the record on the topic (or its position in a file). */
  readonly offset: string;
  /** The record's sequence as written, when it could be decoded. */
  readonly sequence?: number;
  /** The sequence the chain expected here. */
  readonly expectedSequence: number;
  readonly problem:
    | 'not-a-record'
    | 'unknown-format'
    | 'sequence'
    | 'prev-hash'
    | 'hash'
    | 'signature'
    | 'unknown-key'
    | 'duplicate-source';
  /** What does not match, in a sentence. */
  readonly detail: string;
}

export interface VerifySummary {
  readonly records: number;
  readonly facts: number;
  readonly checkpoints: number;
  /** Checkpoints whose signature was checked (all, when keys were given). */
  readonly checkpointsVerified: number;
  /** Sequence of the last checkpoint whose signature verified, 0 if none. */
  readonly lastSignedSequence: number;
  /** Facts after the last checkpoint: chained, not yet signed. */
  readonly unsignedFacts: number;
  readonly head: ChainHead;
  readonly broken?: BrokenLink;
}

/**
 * The hub's audit public keys, for checking checkpoint signatures: the candidate keys for a
 * key id at the time a checkpoint was recorded, or why there is none.
 */
export interface CheckpointKeys {
  find(keyId: string, recordedAt: Date | undefined): readonly KeyObject[] | string;
}

/** Keys given by hand: under their key id, or under `*` for any key id. */
export function fixedKeys(keys: ReadonlyMap<string, KeyObject>): CheckpointKeys {
  return {
    find(keyId) {
      const named = keys.get(keyId);
      if (named) return [named];
      const any = keys.get('*');
      return any ? [any] : `checkpoint signed with key "${keyId}", which is not among the given audit keys`;
    },
  };
}

/**
 * Checks records in chain order. Give it every record once ({@link push}); it stops at the
 * first broken link and reports it. Without `keys`, signatures are not checked (and the
 * summary says so: `checkpointsVerified` stays 0).
 */
export class ChainVerifier {
  #head: ChainHead = EMPTY_HEAD;
  #records = 0;
  #facts = 0;
  #checkpoints = 0;
  #verified = 0;
  #lastSigned = 0;
  #broken: BrokenLink | undefined;
  /** Last source offset per `topic/partition`: facts of one source partition come in order. */
  readonly #sources = new Map<string, number>();

  constructor(private readonly keys?: CheckpointKeys) {}

  get broken(): BrokenLink | undefined {
    return this.#broken;
  }

  /** Checks the next record; returns the broken link when this record breaks the chain. */
  push(offset: string, value: Uint8Array | null): BrokenLink | undefined {
    if (this.#broken) return this.#broken;
    const expected = this.#head.sequence + 1;
    const fail = (problem: BrokenLink['problem'], detail: string, sequence?: number): BrokenLink =>
      (this.#broken = { offset, sequence, expectedSequence: expected, problem, detail });

    let record: AuditRecord;
    try {
      if (value === null || value.length === 0) throw new Error('the record has no value');
      record = AuditRecord.decode(value);
    } catch (error) {
      return fail('not-a-record', `not a comity.v1.AuditRecord: ${(error as Error).message}`);
    }
    const { sequence } = record;
    if (record.format !== AUDIT_FORMAT) {
      return fail('unknown-format', `format "${record.format}" is not ${AUDIT_FORMAT}; this verifier cannot check it`, sequence);
    }
    if (sequence !== expected) {
      const what = sequence <= this.#head.sequence ? 'repeats or goes back' : 'skips ahead';
      return fail('sequence', `sequence ${sequence} ${what}: expected ${expected}`, sequence);
    }
    if (!this.#head.hash.equals(record.prevHash)) {
      return fail(
        'prev-hash',
        `prev_hash ${hex(record.prevHash)} is not the hash of sequence ${this.#head.sequence} (${hex(this.#head.hash)}): that record, or this link, was changed`,
        sequence,
      );
    }
    const computed = recordHash(record.prevHash, canonicalBytes(record));
    if (!computed.equals(record.hash)) {
      return fail('hash', `hash ${hex(record.hash)} does not match the record's content (recomputed ${hex(computed)}): the record was changed`, sequence);
    }
    if (record.fact) {
      const fact = record.fact;
      const source = `${fact.sourceTopic}/${fact.sourcePartition}`;
      const last = this.#sources.get(source);
      if (last !== undefined && fact.sourceOffset <= last) {
        return fail('duplicate-source', `source ${source}@${fact.sourceOffset} is not after ${source}@${last}, already in the chain`, sequence);
      }
      this.#sources.set(source, fact.sourceOffset);
      this.#facts += 1;
      this.#head = { sequence, hash: computed, factsSinceCheckpoint: this.#head.factsSinceCheckpoint + 1 };
    } else if (record.checkpoint) {
      const checkpoint = record.checkpoint;
      this.#checkpoints += 1;
      if (this.keys) {
        const candidates = this.keys.find(checkpoint.keyId, record.recordedAt);
        if (typeof candidates === 'string') return fail('unknown-key', candidates, sequence);
        if (checkpoint.algorithm !== CHECKPOINT_ALGORITHM) {
          return fail('signature', `checkpoint algorithm "${checkpoint.algorithm}" is not ${CHECKPOINT_ALGORITHM}`, sequence);
        }
        const input = checkpointSigningInput(record);
        if (!candidates.some((key) => verify(null, input, key, checkpoint.signature))) {
          return fail('signature', `checkpoint signature does not verify with key "${checkpoint.keyId}"`, sequence);
        }
        this.#verified += 1;
        this.#lastSigned = sequence;
      }
      this.#head = { sequence, hash: computed, factsSinceCheckpoint: 0 };
    } else {
      return fail('not-a-record', 'the record has neither a fact nor a checkpoint', sequence);
    }
    this.#records += 1;
    return undefined;
  }

  summary(): VerifySummary {
    return {
      records: this.#records,
      facts: this.#facts,
      checkpoints: this.#checkpoints,
      checkpointsVerified: this.#verified,
      lastSignedSequence: this.#lastSigned,
      unsignedFacts: this.#head.factsSinceCheckpoint,
      head: this.#head,
      ...(this.#broken ? { broken: this.#broken } : {}),
    };
  }

  /** Last audited source offset per `topic/partition`. */
  sources(): ReadonlyMap<string, number> {
    return this.#sources;
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
