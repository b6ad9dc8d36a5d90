/**
 * Event signatures: the origin's Ed25519 signature over the canonical signing input, never
 * over re-serialized protobuf. docs/signing.md states the input byte by byte so that a network
 * can verify (and sign) in another language; ./signing.test.ts checks the worked example there.
 *
 *   input   = str(CONTEXT) ‖ envelope ‖ seal ‖ bytes(SHA-256(data)) ‖ str(sig.algorithm) ‖ str(sig.key_id)
 *   str(s)  = u32be(len(utf8(s))) ‖ utf8(s)      bytes(b) = u32be(len(b)) ‖ b
 */
import { createHash, sign, verify } from 'node:crypto';
import type { Event, Seal, Signature } from '../gen/comity/v1/event.js';
import { TrustError } from './errors.js';
import { keyUsableAt, type Keyring } from './keyring.js';
import type { PrivateKey } from './keys.js';

export const SIGNATURE_ALGORITHM = 'Ed25519';
/** First field of every signing input: the domain and version of what is signed. */
export const SIGNING_CONTEXT = 'comity.v1.Event/signature/1';

/** Appends length-prefixed fields; the one encoder of signing inputs and seal AADs. */
export class CanonicalWriter {
  private readonly parts: Buffer[] = [];

  str(value: string): this {
    return this.bytes(Buffer.from(value, 'utf8'));
  }

  bytes(value: Uint8Array): this {
    this.u32(value.length);
    this.parts.push(Buffer.from(value));
    return this;
  }

  u32(value: number): this {
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32BE(value >>> 0);
    this.parts.push(buffer);
    return this;
  }

  u8(value: number): this {
    this.parts.push(Buffer.from([value & 0xff]));
    return this;
  }

  i64(value: number): this {
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64BE(BigInt(Math.trunc(value)));
    this.parts.push(buffer);
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/**
 * The envelope fields, in the documented order. Shared by the signing input and the seal's
 * AAD, so a sealed body is bound to the same envelope the signature covers.
 */
export function writeEnvelope(writer: CanonicalWriter, event: Event): CanonicalWriter {
  writer.str(event.id).str(event.source).str(event.type).i64(event.time?.getTime() ?? 0).str(event.subject);
  writer.str(event.originState).str(event.originNetwork);
  writer.u32(event.targets.length);
  for (const target of event.targets) writer.str(target.state).str(target.network).str(target.authority);
  writer.str(event.causationId).u32(event.classification);
  writer.str(event.legalBasis?.instrument ?? '').str(event.legalBasis?.article ?? '').str(event.legalBasis?.note ?? '');
  writer.str(event.language);
  const provenance = event.provenance;
  writer
    .str(provenance?.nativeFormat ?? '')
    .str(provenance?.mappingVersion ?? '')
    .bytes(provenance?.nativeSha256 ?? Buffer.alloc(0))
    .str(provenance?.nativeId ?? '');
  writer.u32(event.requestType).str(event.traceparent);
  const extensions = Object.entries(event.extensions).sort(([a], [b]) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  writer.u32(extensions.length);
  for (const [key, value] of extensions) writer.str(key).str(value);
  return writer;
}

/** The seal's header; `withTag` false for the AAD, which is fixed before the tag exists. */
export function writeSeal(writer: CanonicalWriter, seal: Seal | undefined, withTag = true): CanonicalWriter {
  if (!seal) return writer.u8(0);
  writer.u8(1).str(seal.algorithm).str(seal.recipientNetwork).str(seal.recipientKeyId).bytes(seal.ephemeralPublicKey).bytes(seal.nonce);
  return withTag ? writer.bytes(seal.tag) : writer;
}

/** The bytes the origin signs for `event`, with the signature's algorithm and key id. */
export function signingInput(event: Event, signature: Pick<Signature, 'algorithm' | 'keyId'>): Buffer {
  const writer = new CanonicalWriter().str(SIGNING_CONTEXT);
  writeEnvelope(writer, event);
  writeSeal(writer, event.seal);
  writer.bytes(createHash('sha256').update(event.data).digest());
  return writer.str(signature.algorithm).str(signature.keyId).finish();
}

/** The event with its signature set. Seal first, then sign: the signature covers the ciphertext. */
export function signEvent(event: Event, key: PrivateKey): Event {
  if (key.purpose !== 'signing') throw new TrustError('KEY_INVALID', `key ${key.keyId} is a ${key.purpose} key, not a signing key`);
  const header = { algorithm: SIGNATURE_ALGORITHM, keyId: key.keyId };
  const value = sign(null, signingInput(event, header), key.privateKey);
  return { ...event, signature: { $type: 'comity.v1.Signature', ...header, value } };
}

/**
 * Checks the origin's signature; throws {@link TrustError} (`SIGNATURE_MISSING`,
 * `SIGNATURE_ALGORITHM_UNSUPPORTED`, `UNKNOWN_KEY`, `KEY_REVOKED`, `KEY_NOT_VALID`,
 * `BAD_SIGNATURE`). The key is looked up under the event's `origin_network` (`hub` for the
 * hub's events) and must be valid at the event's `time` and not revoked by `now`.
 */
export function verifyEventSignature(event: Event, keyring: Keyring, now = new Date()): void {
  const signature = event.signature;
  if (!signature || signature.value.length === 0) throw new TrustError('SIGNATURE_MISSING', `event ${event.id} is not signed`);
  if (signature.algorithm !== SIGNATURE_ALGORITHM) {
    throw new TrustError('SIGNATURE_ALGORITHM_UNSUPPORTED', `event ${event.id} is signed with "${signature.algorithm}", not ${SIGNATURE_ALGORITHM}`);
  }
  const entry = keyring.find(event.originNetwork, signature.keyId);
  if (!entry || entry.purpose !== 'signing') {
    throw new TrustError('UNKNOWN_KEY', `"${event.originNetwork}" has no signing key "${signature.keyId}"`);
  }
  if (entry.revokedAt && entry.revokedAt.getTime() <= now.getTime()) {
    throw new TrustError('KEY_REVOKED', `key "${signature.keyId}" of "${event.originNetwork}" was revoked at ${entry.revokedAt.toISOString()}`);
  }
  const time = event.time ?? new Date(0);
  if (!keyUsableAt(entry, time, now)) {
    throw new TrustError(
      'KEY_NOT_VALID',
      `key "${signature.keyId}" of "${event.originNetwork}" is valid ${entry.notBefore?.toISOString() ?? '-∞'} – ${entry.notAfter?.toISOString() ?? '∞'}, the event is dated ${time.toISOString()}`,
    );
  }
  let valid: boolean;
  try {
    valid = verify(null, signingInput(event, signature), keyring.keyObject(entry), signature.value);
  } catch {
    valid = false;
  }
  if (!valid) throw new TrustError('BAD_SIGNATURE', `the signature of event ${event.id} does not match its envelope and body`);
}
