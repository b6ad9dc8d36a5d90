/**
 * Key material: Ed25519 (signing) and X25519 (sealing) key pairs, raw 32-byte public keys as
 * the directory publishes them, and PKCS#8 PEM private key files. node:crypto only.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { TrustError } from './errors.js';

export type KeyPurposeName = 'signing' | 'sealing';

const CURVE: Readonly<Record<KeyPurposeName, 'ed25519' | 'x25519'>> = { signing: 'ed25519', sealing: 'x25519' };
const JWK_CURVE: Readonly<Record<KeyPurposeName, 'Ed25519' | 'X25519'>> = { signing: 'Ed25519', sealing: 'X25519' };

/** A private key and what identifies it. */
export interface PrivateKey {
  readonly keyId: string;
  readonly purpose: KeyPurposeName;
  readonly privateKey: KeyObject;
  /** Raw 32-byte public key. */
  readonly publicKey: Buffer;
}

export function generateKey(purpose: KeyPurposeName, keyId: string): PrivateKey {
  const { privateKey } = generateKeyPairSync(CURVE[purpose] as 'ed25519');
  return { keyId, purpose, privateKey, publicKey: rawPublicKey(privateKey) };
}

/**
 * A key id that says whose key it is, what for, and which one: `<owner>:<purpose>:<8 hex of
 * SHA-256(public key)>`, e.g. `ejn:signing:3f9a01c2`. Any id matching the federation file's
 * pattern works; this is just the one `comity keys generate` picks.
 */
export function defaultKeyId(owner: string, purpose: KeyPurposeName, publicKey: Buffer): string {
  return `${owner}:${purpose}:${createHash('sha256').update(publicKey).digest('hex').slice(0, 8)}`;
}

/** Raw 32-byte public key of a private or public Ed25519/X25519 KeyObject. */
export function rawPublicKey(key: KeyObject): Buffer {
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new TrustError('KEY_INVALID', 'not an Ed25519 or X25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

/** A public KeyObject from raw bytes. */
export function publicKeyFromRaw(purpose: KeyPurposeName, raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new TrustError('KEY_INVALID', `a ${purpose} public key is 32 bytes, not ${raw.length}`);
  return createPublicKey({ key: { kty: 'OKP', crv: JWK_CURVE[purpose], x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

const PKCS8_SEED_PREFIX: Readonly<Record<KeyPurposeName, Buffer>> = {
  signing: Buffer.from('302e020100300506032b657004220420', 'hex'),
  sealing: Buffer.from('302e020100300506032b656e04220420', 'hex'),
};

/** A private key from its 32-byte seed (RFC 8032 / RFC 7748 private key bytes): test vectors. */
export function privateKeyFromSeed(purpose: KeyPurposeName, keyId: string, seed: Uint8Array): PrivateKey {
  if (seed.length !== 32) throw new TrustError('KEY_INVALID', `a ${purpose} private key is 32 bytes, not ${seed.length}`);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_SEED_PREFIX[purpose], seed]), format: 'der', type: 'pkcs8' });
  return { keyId, purpose, privateKey, publicKey: rawPublicKey(privateKey) };
}

/** The private key as PKCS#8 PEM, the format of key files. */
export function privateKeyPem(key: PrivateKey): string {
  return key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** Parses a PKCS#8 PEM private key of the given purpose. */
export function privateKeyFromPem(purpose: KeyPurposeName, keyId: string, pem: string, where = 'key'): PrivateKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new TrustError('KEY_INVALID', `${where} is not a PEM private key: ${(cause as Error).message}`, { cause });
  }
  if (privateKey.asymmetricKeyType !== CURVE[purpose]) {
    throw new TrustError('KEY_INVALID', `${where} is an ${privateKey.asymmetricKeyType ?? 'unknown'} key; a ${purpose} key is ${CURVE[purpose]}`);
  }
  return { keyId, purpose, privateKey, publicKey: rawPublicKey(privateKey) };
}

/** Reads a private key file (PKCS#8 PEM). */
export function readPrivateKeyFile(purpose: KeyPurposeName, keyId: string, file: string): PrivateKey {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new TrustError('KEY_INVALID', `cannot read key file ${file}: ${(cause as Error).message}`, { cause });
  }
  return privateKeyFromPem(purpose, keyId, pem, file);
}

/** Writes a private key file readable by its owner only (0600). */
export function writePrivateKeyFile(key: PrivateKey, file: string): void {
  writeFileSync(file, privateKeyPem(key), { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
}
