/**
 * What every simulated native system shares: a source of randomness, realistic delays, an
 * HTTP endpoint that receives the adapter's deliveries, and a sender that retries like a
 * native gateway does (503, connection refused) and gives up on a refusal (4xx).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../core/log.js';

/** A random source; tests pass a seeded one so generated traffic is reproducible. */
export type Random = () => number;

export function pick<T>(random: Random, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick from an empty list');
  return items[Math.floor(random() * items.length) % items.length] as T;
}

/** A deterministic generator (mulberry32) for tests and reproducible runs. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A reference number that no earlier run used: time-based, readable, with a random tail. */
export function serial(random: Random): string {
  const tail = Math.floor(random() * 46656).toString(36).padStart(3, '0').toUpperCase();
  return `${Date.now().toString(36).toUpperCase().slice(-5)}${tail}`;
}

/** ISO 8601 UTC without milliseconds, as the native forms write it. */
export function isoSeconds(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function isoDay(date = new Date()): string {
  return date.toISOString().slice(0, 10);
}

/** Escapes text for XML element content and attribute values. */
export function xmlEscape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** A delay between `min` and `max` milliseconds, uniformly. */
export function between(random: Random, min: number, max: number): number {
  return Math.round(min + random() * Math.max(0, max - min));
}

/** One delivery the adapter made to the simulated system. */
export interface Delivery {
  readonly body: string;
  readonly contentType: string;
  readonly eventId: string;
  readonly requestId: string;
}

/** The native system's receiving endpoint: accepts every POST with 200 and hands it on. */
export async function startDeliveryEndpoint(options: {
  readonly host: string;
  readonly port: number;
  readonly onDelivery: (delivery: Delivery) => void;
  /** The id the native system gives what it accepted (X-Native-Message-Id). */
  readonly nativeId: () => string;
}): Promise<{ readonly url: string; close(): Promise<void> }> {
  const server: Server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST') {
        response.writeHead(405).end();
        return;
      }
      const nativeId = options.nativeId();
      response.writeHead(200, { 'content-type': 'application/json', 'x-native-message-id': nativeId }).end(JSON.stringify({ id: nativeId }));
      options.onDelivery({
        body: Buffer.concat(chunks).toString('utf8'),
        contentType: String(request.headers['content-type'] ?? ''),
        eventId: String(request.headers['idempotency-key'] ?? ''),
        requestId: String(request.headers['x-comity-request-id'] ?? ''),
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}/inbox`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export type SendOutcome = { readonly status: 'accepted'; readonly eventIds: string[] } | { readonly status: 'refused'; readonly code: string } | { readonly status: 'failed' };

/**
 * POSTs a native message to the adapter, as the network's gateway would: 202 is accepted;
 * 422 is a refusal (the message is in the DLQ, do not resend); 503 and connection errors are
 * retried with a growing pause until `signal` aborts or `attempts` run out.
 */
export async function postNative(
  url: string,
  body: string,
  contentType: string,
  options: { readonly signal: AbortSignal; readonly attempts?: number; readonly logger: Logger },
): Promise<SendOutcome> {
  const attempts = options.attempts ?? 8;
  for (let attempt = 1; attempt <= attempts && !options.signal.aborted; attempt++) {
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body, signal: options.signal });
      const text = await response.text();
      if (response.status === 202 || response.status === 200) {
        const json = JSON.parse(text) as { eventIds?: string[] };
        return { status: 'accepted', eventIds: json.eventIds ?? [] };
      }
      if (response.status >= 400 && response.status < 500) {
        const refusal = JSON.parse(text || '{}') as { code?: string; reason?: string };
        const code = refusal.code ?? `HTTP_${response.status}`;
        options.logger.warn({ url, status: response.status, code, reason: refusal.reason, head: body.slice(0, 200) }, 'the adapter refused a simulated message');
        return { status: 'refused', code };
      }
    } catch (error) {
      if (options.signal.aborted) break;
      options.logger.debug({ url, attempt, err: error }, 'the adapter did not answer; trying again');
    }
    await sleepUnless(options.signal, Math.min(500 * 2 ** (attempt - 1), 8000));
  }
  return { status: 'failed' };
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleepUnless(signal: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
