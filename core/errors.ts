/**
 * The one error hierarchy of Comity.
 *
 * Every failure that crosses a module boundary is a {@link ComityError} with a stable `code`
 * (for logs, metrics, DLQ reason headers and scripts) and a `retriable` flag. Retry decisions
 * are taken from `retriable` alone, never from message text: a retriable error means "the
 * same input may succeed later" (a broker or native endpoint down, a timeout); a non-retriable
 * one means "this input will never succeed as it is" (malformed, unknown type, bad config).
 */
export class ComityError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(code: string, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }

  /** A plain object for structured logs and JSON output. */
  toJSON(): { name: string; code: string; retriable: boolean; message: string } {
    return { name: this.name, code: this.code, retriable: this.retriable, message: this.message };
  }
}

/** Configuration that cannot be used. `field` is the dotted path, `source` the file or `env`. */
export class ConfigError extends ComityError {
  constructor(
    message: string,
    readonly source: string,
    readonly issues: readonly ConfigIssue[] = [],
  ) {
    super('CONFIG_INVALID', message);
  }
}

export interface ConfigIssue {
  /** Dotted path of the offending field, e.g. `kafka.brokers.0`. */
  readonly field: string;
  readonly message: string;
  /** 1-based line in the source file, when the source is a file and the field is in it. */
  readonly line?: number;
}

/** A Kafka record whose value or headers are not a Comity event. Never retriable. */
export class EventDecodeError extends ComityError {
  constructor(code: EventDecodeErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { retriable: false, ...options });
  }
}

export type EventDecodeErrorCode =
  | 'EVENT_MALFORMED'
  | 'EVENT_HEADER_MISMATCH'
  | 'EVENT_UNKNOWN_TYPE'
  | 'EVENT_BODY_MALFORMED'
  | 'EVENT_INVALID';

/** An event that cannot be written (missing id, type, subject…). A programming error. */
export class EventEncodeError extends ComityError {
  constructor(message: string) {
    super('EVENT_INVALID', message, { retriable: false });
  }
}

/** The Kafka cluster did not answer or refused an operation that may succeed later. */
export class BrokerUnavailableError extends ComityError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('BROKER_UNAVAILABLE', message, { retriable: true, ...options });
  }
}

/** No Kafka broker could be found or started; the message names every way that was tried. */
export class NoBrokerError extends ComityError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('NO_BROKER', message, { retriable: false, ...options });
  }
}

/** True when `error` is worth retrying: a retriable ComityError, or a kafkajs retriable error. */
export function isRetriable(error: unknown): boolean {
  if (error instanceof ComityError) return error.retriable;
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}
