/**
 * Sealed bodies: a confidential event's `data` encrypted to the recipient network's X25519 key,
 * so the hub routes on the envelope and cannot read the body. docs/sealing.md is the spec:
 *
 *   shared = X25519(ephemeral private, recipient public)
 *   key    = HKDF-SHA256(ikm = shared, salt = ephemeral public ‖ recipient public, info = INFO, 32 bytes)
 *   data   = AES-256-GCM(key, nonce = 12 random bytes, aad = sealAad(envelope, seal header)) ; tag = 16 bytes
 *
 * The AAD carries the whole envelope (the fields the signature covers) and the seal header, so
 * ciphertext moved to another event, or an envelope edited in transit, does not open.
 */
import { createCipheriv, createDecipheriv, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes } from 'node:crypto';
import type { Event, Seal } from '../gen/comity/v1/event.js';
import { TrustError } from './errors.js';
import type { PublicKeyEntry } from './keyring.js';
import { publicKeyFromRaw, rawPublicKey, type PrivateKey } from './keys.js';
import { CanonicalWriter, writeEnvelope, writeSeal } from './signing.js';

export const SEAL_ALGORITHM = 'X25519-HKDF-SHA256-AES-256-GCM';
export const SEAL_CONTEXT = 'comity.v1.Event/seal/1';
export const SEAL_HKDF_INFO = `${SEAL_CONTEXT} ${SEAL_ALGORITHM}`;

/** The AAD of a seal: the envelope and the seal header without its tag. */
export function sealAad(event: Event, seal: Seal): Buffer {
  const writer = new CanonicalWriter().str(SEAL_CONTEXT);
  writeEnvelope(writer, event);
  return writeSeal(writer, seal, false).finish();
}

function contentKey(shared: Buffer, ephemeralPublicKey: Uint8Array, recipientPublicKey: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeralPublicKey, recipientPublicKey]), SEAL_HKDF_INFO, 32));
}

/**
 * The event with `data` encrypted to `recipient` (a sealing key of the recipient network).
 * Any signature is dropped: sign after sealing.
 */
export function sealEvent(event: Event, recipient: PublicKeyEntry, options: { nonce?: Buffer; ephemeral?: PrivateKey } = {}): Event {
  if (recipient.purpose !== 'sealing') throw new TrustError('KEY_INVALID', `key ${recipient.keyId} of ${recipient.owner} is not a sealing key`);
  if (event.seal) throw new TrustError('KEY_INVALID', `event ${event.id} is already sealed`);
  const ephemeral = options.ephemeral?.privateKey ?? generateKeyPairSync('x25519').privateKey;
  const ephemeralPublicKey = rawPublicKey(ephemeral);
  const shared = diffieHellman({ privateKey: ephemeral, publicKey: publicKeyFromRaw('sealing', recipient.publicKey) });
  const nonce = options.nonce ?? randomBytes(12);
  const header: Seal = {
    $type: 'comity.v1.Seal',
    algorithm: SEAL_ALGORITHM,
    recipientNetwork: recipient.owner,
    recipientKeyId: recipient.keyId,
    ephemeralPublicKey,
    nonce,
    tag: Buffer.alloc(0),
  };
  const unsigned: Event = { ...event, signature: undefined };
  const cipher = createCipheriv('aes-256-gcm', contentKey(shared, ephemeralPublicKey, recipient.publicKey), nonce, { authTagLength: 16 });
  cipher.setAAD(sealAad(unsigned, header));
  const data = Buffer.concat([cipher.update(event.data), cipher.final()]);
  return { ...unsigned, data, seal: { ...header, tag: cipher.getAuthTag() } };
}

/**
 * The event with its body opened: `data` is the plaintext and `seal` is unset (the signature,
 * which covers the sealed form, is kept but no longer verifies — verify before opening).
 * `network` is the network opening it; `keys` its sealing private keys.
 */
export function openEvent(event: Event, network: string, keys: readonly PrivateKey[]): Event {
  const seal = event.seal;
  if (!seal) return event;
  if (seal.algorithm !== SEAL_ALGORITHM) {
    throw new TrustError('SEAL_ALGORITHM_UNSUPPORTED', `event ${event.id} is sealed with "${seal.algorithm}", not ${SEAL_ALGORITHM}`);
  }
  if (seal.recipientNetwork !== network) {
    throw new TrustError('SEAL_NOT_FOR_US', `event ${event.id} is sealed to "${seal.recipientNetwork}", not to "${network}"`);
  }
  const key = keys.find((candidate) => candidate.keyId === seal.recipientKeyId && candidate.purpose === 'sealing');
  if (!key) throw new TrustError('SEAL_KEY_UNKNOWN', `event ${event.id} is sealed to key "${seal.recipientKeyId}", which "${network}" does not hold`);
  try {
    const shared = diffieHellman({ privateKey: key.privateKey, publicKey: publicKeyFromRaw('sealing', seal.ephemeralPublicKey) });
    const decipher = createDecipheriv('aes-256-gcm', contentKey(shared, seal.ephemeralPublicKey, key.publicKey), seal.nonce, { authTagLength: 16 });
    decipher.setAAD(sealAad(event, seal));
    decipher.setAuthTag(seal.tag);
    const data = Buffer.concat([decipher.update(event.data), decipher.final()]);
    return { ...event, data, seal: undefined };
  } catch (cause) {
    throw new TrustError('SEAL_CANNOT_OPEN', `event ${event.id} cannot be opened with key "${seal.recipientKeyId}": the ciphertext, seal or envelope was changed`, {
      cause,
    });
  }
}
