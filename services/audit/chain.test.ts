import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuditFact, AuditFactKind, AuditRecord } from '../../core/gen/comity/v1/audit.js';
import { canonicalBytes } from './canonical.js';
import { AuditChain, ChainVerifier, EMPTY_HEAD, fixedKeys, GENESIS_HASH, type AuditSigningKey } from './chain.js';

// A fixed Ed25519 key (RFC 8032 test 1 secret), so the vectors below are reproducible.
const SEED = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
const PRIVATE = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), SEED]), format: 'der', type: 'pkcs8' });
const PUBLIC = createPublicKey(PRIVATE);
const KEY: AuditSigningKey = { keyId: 'hub:audit:1', privateKey: PRIVATE };

function fact(offset: number, kind = AuditFactKind.AUDIT_FACT_KIND_RECEIVED): AuditFact {
  return AuditFact.fromPartial({
    kind,
    sourceTopic: 'comity.inbound.ejn',
    sourcePartition: 1,
    sourceOffset: offset,
    network: 'ejn',
    eventId: `event-${offset}`,
    eventType: 'comity.v1.RequestSubmitted',
    eventSha256: createHash('sha256').update(`event-${offset}`).digest(),
    provenance: { nativeFormat: 'ecodex-xml', mappingVersion: '1.2.0', nativeSha256: Buffer.alloc(32, 7) },
  });
}

function build(facts: number, everyFacts = 3): AuditRecord[] {
  const chain = new AuditChain(EMPTY_HEAD, KEY, { everyFacts, everyMs: 3_600_000 }, 1_800_000_000_000);
  const records: AuditRecord[] = [];
  for (let i = 0; i < facts; i += 1) records.push(...chain.append(fact(i), new Date(1_800_000_000_000 + i)));
  chain.commit();
  return records;
}

function verifyAll(records: readonly AuditRecord[], keys?: Map<string, KeyObject>) {
  const verifier = new ChainVerifier(keys ? fixedKeys(keys) : undefined);
  records.forEach((record, index) => verifier.push(String(index), AuditRecord.encode(record).finish()));
  return verifier.summary();
}

describe('services/audit/canonical', () => {
  it('encodes present fields sorted by name, length-prefixed, after the format label', () => {
    const record = AuditRecord.fromPartial({
      sequence: 5,
      recordedAt: new Date(1000),
      fact: AuditFact.fromPartial({ kind: AuditFactKind.AUDIT_FACT_KIND_ROUTED, destinations: ['ab', 'c'], sealed: false, rule: 'r' }),
    });
    const expected = Buffer.concat([
      Buffer.from('comity.audit.v1\0'),
      Buffer.from('0011', 'hex'), Buffer.from('fact.destinations'), Buffer.from('0000000b', 'hex'), Buffer.from('00000002', 'hex'), Buffer.from('ab'), Buffer.from('00000001', 'hex'), Buffer.from('c'),
      Buffer.from('0009', 'hex'), Buffer.from('fact.kind'), Buffer.from('00000001', 'hex'), Buffer.from('5'),
      Buffer.from('0009', 'hex'), Buffer.from('fact.rule'), Buffer.from('00000001', 'hex'), Buffer.from('r'),
      Buffer.from('000b', 'hex'), Buffer.from('recorded_at'), Buffer.from('00000004', 'hex'), Buffer.from('1000'),
      Buffer.from('0008', 'hex'), Buffer.from('sequence'), Buffer.from('00000001', 'hex'), Buffer.from('5'),
    ]);
    expect(canonicalBytes(record).toString('hex')).toBe(expected.toString('hex'));
  });

  it('keeps the documented test vector (docs/audit.md)', () => {
    const record = AuditRecord.fromPartial({
      format: 'comity.audit.v1',
      sequence: 1,
      prevHash: GENESIS_HASH,
      recordedAt: new Date('2026-01-01T00:00:00.000Z'),
      fact: AuditFact.fromPartial({
        kind: AuditFactKind.AUDIT_FACT_KIND_RECEIVED,
        sourceTopic: 'comity.inbound.ejn',
        sourcePartition: 0,
        sourceOffset: 42,
        network: 'ejn',
        eventId: '0190d2c6-0000-7000-8000-000000000001',
        eventSha256: createHash('sha256').update('event').digest(),
      }),
    });
    const canonical = canonicalBytes(record);
    expect(canonical.toString('hex')).toBe(
      '636f6d6974792e61756469742e763100000d666163742e6576656e745f69640000002430313930643263362d303030302d373030302d383030302d3030303030303030303030310011666163742e6576656e745f73686132353600000020b8e1f80bd70ae0784c7855a451731b745fddb67749d23f637be9082b75e9575b0009666163742e6b696e640000000131000c666163742e6e6574776f726b00000003656a6e0012666163742e736f757263655f6f66667365740000000234320011666163742e736f757263655f746f70696300000012636f6d6974792e696e626f756e642e656a6e000b7265636f726465645f61740000000d31373637323235363030303030000873657175656e63650000000131',
    );
    expect(createHash('sha256').update(GENESIS_HASH).update(canonical).digest('hex')).toBe('04f4674e0478fe2537bee1eb05663aa50aa38c4f6eec2cfe0f02a144180e22fd');
    const [first] = build(1);
    expect(first!.prevHash).toEqual(GENESIS_HASH);
    expect(createHash('sha256').update(GENESIS_HASH).update(canonicalBytes(first!)).digest()).toEqual(first!.hash);
  });
});

describe('services/audit/chain', () => {
  it('numbers records from 1, links each to the previous hash, and signs a checkpoint every N facts', () => {
    const records = build(7, 3);
    expect(records.map((r) => (r.checkpoint ? `c${r.sequence}` : `f${r.sequence}`))).toEqual(['f1', 'f2', 'f3', 'c4', 'f5', 'f6', 'f7', 'c8', 'f9']);
    for (let i = 1; i < records.length; i += 1) expect(records[i]!.prevHash).toEqual(records[i - 1]!.hash);
    expect(records[3]!.checkpoint).toMatchObject({ algorithm: 'Ed25519', keyId: 'hub:audit:1', facts: 3 });
    expect(records[3]!.checkpoint!.signature).toHaveLength(64);
  });

  it('signs a checkpoint when facts have waited longer than the interval', () => {
    const chain = new AuditChain(EMPTY_HEAD, KEY, { everyFacts: 100, everyMs: 1000 }, 0);
    expect(chain.append(fact(0), new Date(10))).toHaveLength(1);
    expect(chain.checkpointDue(500)).toBe(false);
    expect(chain.checkpointDue(1000)).toBe(true);
    expect(chain.append(fact(1), new Date(1500)).map((r) => Boolean(r.checkpoint))).toEqual([false, true]);
    expect(chain.checkpointDue(5000)).toBe(false);
  });

  it('moves its head only on commit; rollback forgets staged records', () => {
    const chain = new AuditChain(EMPTY_HEAD, KEY, { everyFacts: 100, everyMs: 3_600_000 }, 0);
    const [first] = chain.append(fact(0));
    expect(chain.pending).toBe(true);
    expect(chain.head.sequence).toBe(0);
    chain.rollback();
    const [again] = chain.append(fact(0));
    expect(again!.sequence).toBe(first!.sequence);
    chain.commit();
    expect(chain.head).toMatchObject({ sequence: 1, factsSinceCheckpoint: 1 });
    expect(chain.head.hash).toEqual(again!.hash);
  });

  it('verifies an intact chain and its signatures', () => {
    const records = build(10, 4);
    const summary = verifyAll(records, new Map([['hub:audit:1', PUBLIC]]));
    expect(summary).toMatchObject({ records: 12, facts: 10, checkpoints: 2, checkpointsVerified: 2, lastSignedSequence: 10, unsignedFacts: 2 });
    expect(summary.broken).toBeUndefined();
    expect(verifyAll(records).checkpointsVerified).toBe(0);
  });

  it('names a changed record by its offset and sequence', () => {
    const records = build(6);
    records[4] = { ...records[4]!, fact: { ...records[4]!.fact!, eventId: 'forged' } };
    expect(verifyAll(records).broken).toMatchObject({ offset: '4', sequence: 5, problem: 'hash' });
  });

  it('names the link after a record whose hash was recomputed', () => {
    const records = build(6);
    const forged = { ...records[1]!, fact: { ...records[1]!.fact!, network: 'elsewhere' } };
    forged.hash = createHash('sha256').update(forged.prevHash).update(canonicalBytes(forged)).digest();
    records[1] = forged;
    expect(verifyAll(records).broken).toMatchObject({ offset: '2', sequence: 3, problem: 'prev-hash' });
  });

  it('finds removed, repeated and duplicated-source records', () => {
    const records = build(6);
    expect(verifyAll([...records.slice(0, 2), ...records.slice(3)]).broken).toMatchObject({ offset: '2', sequence: 4, expectedSequence: 3, problem: 'sequence' });
    expect(verifyAll([...records.slice(0, 3), records[2]!]).broken).toMatchObject({ offset: '3', problem: 'sequence' });

    const chain = new AuditChain(EMPTY_HEAD, KEY, { everyFacts: 100, everyMs: 3_600_000 });
    const twice = [...chain.append(fact(9)), ...chain.append(fact(9))];
    expect(verifyAll(twice).broken).toMatchObject({ offset: '1', sequence: 2, problem: 'duplicate-source' });
  });

  it('refuses a checkpoint signed by another key, or one whose signature was changed', () => {
    const records = build(3);
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(verifyAll(records, new Map([['hub:audit:1', other]])).broken).toMatchObject({ sequence: 4, problem: 'signature' });
    expect(verifyAll(records, new Map([['hub:audit:2', PUBLIC]])).broken).toMatchObject({ sequence: 4, problem: 'unknown-key' });
    expect(verifyAll(records, new Map([['*', PUBLIC]])).broken).toBeUndefined();
  });

  it('reports bytes that are not an audit record', () => {
    const verifier = new ChainVerifier();
    expect(verifier.push('0', Buffer.from([0xff, 0xff, 0xff]))).toMatchObject({ offset: '0', problem: 'not-a-record' });
    expect(new ChainVerifier().push('0', AuditRecord.encode(AuditRecord.fromPartial({ format: 'other', sequence: 1 })).finish())).toMatchObject({
      problem: 'unknown-format',
    });
  });
});
