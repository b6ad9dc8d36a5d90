/**
 * Structured logs: pino JSON lines on stdout, one logger per process, children per component.
 * Every line about an event carries its ids (see {@link eventFields}) so that an operator can
 * follow one request across processes with a single grep.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export interface LoggerSettings {
  /** Process or component name, e.g. `router`, `adapter.ejn`. */
  readonly name: string;
  /** pino level; defaults to `COMITY_LOG_LEVEL`, else `info`. */
  readonly level?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to read them back. */
  readonly destination?: NodeJS.WritableStream;
}

export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    name: settings.name,
    level: settings.level ?? process.env.COMITY_LOG_LEVEL ?? 'info',
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: pino.stdSerializers.err },
    formatters: { level: (label) => ({ level: label }) },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

/** The fields that identify an event in a log line. */
export interface EventLogFields {
  readonly eventId: string;
  readonly requestId: string;
  readonly eventType: string;
  readonly originNetwork: string;
  readonly traceparent?: string;
}

/** Log fields for an event envelope; pass to `logger.child(...)` or as the first argument. */
export function eventFields(event: {
  id: string;
  subject: string;
  type: string;
  originNetwork: string;
  traceparent: string;
}): EventLogFields {
  return {
    eventId: event.id,
    requestId: event.subject,
    eventType: event.type,
    originNetwork: event.originNetwork,
    ...(event.traceparent ? { traceparent: event.traceparent } : {}),
  };
}
