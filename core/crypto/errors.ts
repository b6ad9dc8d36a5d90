/**
 * Why an event is not trusted or cannot be opened. Codes are stable: they end up in DLQ reason
 * headers (`comity_dlq_code`), metrics labels and the audit log. None is retriable: the same
 * bytes will never verify later (a key published late is the one exception, and a redrive
 * from the DLQ handles it).
 */
import { ComityError } from '../errors.js';

export type TrustErrorCode =
  /** The event carries no signature. */
  | 'SIGNATURE_MISSING'
  /** The signature names an algorithm other than Ed25519. */
  | 'SIGNATURE_ALGORITHM_UNSUPPORTED'
  /** No signing key of the origin network has this key id. */
  | 'UNKNOWN_KEY'
  /** The key was revoked (compromised): nothing it signed is accepted any more. */
  | 'KEY_REVOKED'
  /** The event's time lies outside the key's validity window. */
  | 'KEY_NOT_VALID'
  /** The signature does not match the signing input: the envelope or the body was changed. */
  | 'BAD_SIGNATURE'
  /** A confidential event that is not sealed. */
  | 'NOT_SEALED'
  /** A sealed event whose seal names an algorithm suite other than ours. */
  | 'SEAL_ALGORITHM_UNSUPPORTED'
  /** A sealed event addressed to another network. */
  | 'SEAL_NOT_FOR_US'
  /** The recipient holds no private key with the seal's key id. */
  | 'SEAL_KEY_UNKNOWN'
  /** The ciphertext, the seal or the envelope bound to it was changed, or the key is wrong. */
  | 'SEAL_CANNOT_OPEN'
  /** A confidential event whose recipient network cannot be determined. */
  | 'SEAL_RECIPIENT_UNKNOWN'
  /** The recipient network has no current sealing key. */
  | 'NO_SEALING_KEY'
  /** A key file or key material that cannot be used. */
  | 'KEY_INVALID';

export class TrustError extends ComityError {
  declare readonly code: TrustErrorCode;

  constructor(code: TrustErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { retriable: false, ...options });
  }
}
