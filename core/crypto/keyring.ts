/**
 * Public keys by owner and key id: what a verifier (the router, an adapter) trusts. The owner
 * is a network id, or `hub` for the hub's own keys. Built from the federation file (the
 * router) or from hub-signed directory entries (adapters); see docs/signing.md.
 */
import type { KeyObject } from 'node:crypto';
import { type KeyPurposeName, publicKeyFromRaw } from './keys.js';

export interface PublicKeyEntry {
  /** Network id, or `hub`. */
  readonly owner: string;
  readonly keyId: string;
  readonly purpose: KeyPurposeName;
  /** Raw 32-byte public key. */
  readonly publicKey: Buffer;
  /** Validity window; unset ends are open. */
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Set when the key was revoked: nothing it signed is accepted any more. */
  readonly revokedAt?: Date;
}

export interface Keyring {
  find(owner: string, keyId: string): PublicKeyEntry | undefined;
  keysOf(owner: string): readonly PublicKeyEntry[];
  /** The KeyObject of an entry, made once. */
  keyObject(entry: PublicKeyEntry): KeyObject;
  /** Number of keys. */
  readonly size: number;
}

export function buildKeyring(entries: Iterable<PublicKeyEntry>): Keyring {
  const byId = new Map<string, PublicKeyEntry>();
  const byOwner = new Map<string, PublicKeyEntry[]>();
  for (const entry of entries) {
    byId.set(`${entry.owner}\u0000${entry.keyId}`, entry);
    byOwner.set(entry.owner, [...(byOwner.get(entry.owner) ?? []), entry]);
  }
  const objects = new WeakMap<PublicKeyEntry, KeyObject>();
  return {
    find: (owner, keyId) => byId.get(`${owner}\u0000${keyId}`),
    keysOf: (owner) => byOwner.get(owner) ?? [],
    keyObject(entry) {
      let object = objects.get(entry);
      if (!object) {
        object = publicKeyFromRaw(entry.purpose, entry.publicKey);
        objects.set(entry, object);
      }
      return object;
    },
    size: byId.size,
  };
}

/** Whether the key may be used for something dated `at`: inside its window, never revoked by `now`. */
export function keyUsableAt(entry: PublicKeyEntry, at: Date, now: Date = at): boolean {
  if (entry.revokedAt && entry.revokedAt.getTime() <= now.getTime()) return false;
  if (entry.notBefore && at.getTime() < entry.notBefore.getTime()) return false;
  if (entry.notAfter && at.getTime() > entry.notAfter.getTime()) return false;
  return true;
}

/**
 * The key to seal to for `owner` now: among its sealing keys usable now, the one whose window
 * started last (during a rotation's overlap, the new key). Undefined when it has none.
 */
export function currentSealingKey(keyring: Keyring, owner: string, now = new Date()): PublicKeyEntry | undefined {
  return keyring
    .keysOf(owner)
    .filter((entry) => entry.purpose === 'sealing' && keyUsableAt(entry, now))
    .sort((a, b) => (b.notBefore?.getTime() ?? 0) - (a.notBefore?.getTime() ?? 0) || a.keyId.localeCompare(b.keyId))[0];
}
