/**
 * The adapter errors. Codecs throw {@link DecodeError} and {@link EncodeError} (never
 * retriable: the same input will fail the same way); transports throw {@link DeliveryError},
 * retriable or not. Codes are stable and end up in DLQ reason headers and metrics, so choose
 * them like API names: `MISSING_FIELD`, `UNKNOWN_MEASURE`, `NOT_XML`.
 */
import { ComityError } from '../../core/errors.js';

/** A native message that cannot be translated into canonical events. */
export class DecodeError extends ComityError {
  constructor(
    code: string,
    message: string,
    /** Where in the native message, e.g. `/request/offences/0/code` or `line 12`. */
    readonly path?: string,
    options: { cause?: unknown } = {},
  ) {
    super(code, path ? `${message} (at ${path})` : message, { retriable: false, ...options });
  }
}

/** A canonical event that cannot be expressed in the network's native format. */
export class EncodeError extends ComityError {
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { retriable: false, ...options });
  }
}

/**
 * The native system did not accept a message. `retriable: true` for an endpoint that is down,
 * overloaded or timed out; `false` for a refusal that will not change (a 4xx, a schema error).
 */
export class DeliveryError extends ComityError {
  constructor(code: string, message: string, options: { retriable: boolean; cause?: unknown }) {
    super(code, message, options);
  }
}
