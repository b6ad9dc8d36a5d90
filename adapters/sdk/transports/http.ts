/**
 * A transport for native systems that speak HTTP: they POST their messages to the adapter and
 * receive Comity's by POST at an endpoint of their own.
 *
 * Inbound, `POST <listen.path>` with the native message as the body (any content type):
 *   202 `{ "eventIds": [...], "requestIds": [...], "duplicate": false }` — kept in Kafka;
 *   422 `{ "code": "...", "reason": "..." }` — cannot be translated; in the DLQ; do not resend;
 *   413 — larger than `maxBodyBytes`;
 *   503 with Retry-After — nothing kept (Kafka unreachable); send it again.
 * The request headers are given to the codec as attributes `http.<lower-case name>`, except
 * those that carry credentials (Authorization, Cookie, …), which never leave the transport.
 *
 * Outbound, `POST <deliverTo>` with the native message, its content type, and the headers
 * `Idempotency-Key: <event id>`, `X-Comity-Request-Id: <request id>` and the W3C `traceparent`
 * of the event (a `traceparent` header the native system sent in is carried through the hub). 2xx means accepted (the
 * native id is taken from the `X-Native-Message-Id` header or a JSON body's `id`); 408, 425,
 * 429, 5xx, timeouts and connection errors are retriable; any other status (a redirect too:
 * it is not followed) is a refusal. Deliveries go over kept-alive connections (node:http's
 * Agent, not fetch: a delivery is one small POST, and fetch's streams cost an adapter about a
 * tenth of its CPU under load, docs/benchmarks.md).
 */
import { Agent as HttpAgent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { isRetriable } from '../../../core/errors.js';
import type { DeliveryContext, DeliveryReceipt, NativeMessage, NativeReceiver, Transport, TransportContext } from '../contract.js';
import { DeliveryError } from '../errors.js';

export const httpTransportConfig = z.object({
  listen: z
    .object({
      host: z.string().default('127.0.0.1').describe('Address to listen on for the native system.'),
      port: z.number().int().min(0).max(65535).describe('Port to listen on; 0 picks a free one.'),
      path: z.string().startsWith('/').default('/messages').describe('Path the native system POSTs its messages to.'),
    })
    .describe('Where the native system sends its messages.'),
  deliverTo: z.url().describe("URL of the native system's endpoint that receives Comity's messages."),
  timeoutMs: z.number().int().positive().default(10_000).describe('Time allowed for one delivery attempt.'),
  maxBodyBytes: z.number().int().positive().default(25 * 1024 * 1024).describe('Largest native message accepted.'),
  headers: z
    .record(z.string(), z.string())
    .default({})
    .describe('Extra headers sent with every delivery, e.g. an Authorization token of the native system.'),
});

export type HttpTransportConfig = z.output<typeof httpTransportConfig>;

/** Request headers that carry credentials; they are not passed on as attributes. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);

/** Statuses after which the same delivery may succeed later. */
const RETRIABLE_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

export interface HttpTransport extends Transport {
  /** The address actually bound (useful with port 0). */
  address(): { host: string; port: number } | undefined;
}

/** Connections kept open to the native endpoint, at most (deliveries of several partitions at once). */
const MAX_SOCKETS = 32;

export function httpTransport(config: HttpTransportConfig, context: TransportContext): HttpTransport {
  let server: Server | undefined;
  const logger = context.logger.child({ component: 'http-transport' });
  const target = new URL(config.deliverTo);
  const secure = target.protocol === 'https:';
  const agent = secure ? new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }) : new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS });

  async function handle(receive: NativeReceiver, request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST' || (request.url ?? '').split('?')[0] !== config.listen.path) {
      return reply(response, 404, { code: 'NOT_FOUND', reason: `POST ${config.listen.path} only` });
    }
    const body = await readBody(request, config.maxBodyBytes);
    if (body === 'too-large') {
      return reply(response, 413, { code: 'TOO_LARGE', reason: `larger than ${config.maxBodyBytes} bytes` });
    }
    const attributes: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      // Credentials never become attributes: attributes end up in events and dead letters.
      if (typeof value === 'string' && !CREDENTIAL_HEADERS.has(name)) attributes[`http.${name}`] = value;
    }
    const message: NativeMessage = {
      body,
      contentType: request.headers['content-type'] ?? 'application/octet-stream',
      attributes,
    };
    try {
      const outcome = await receive(message);
      if (outcome.status === 'accepted') {
        return reply(response, 202, { eventIds: outcome.eventIds, requestIds: outcome.requestIds, duplicate: outcome.duplicate });
      }
      return reply(response, 422, { code: outcome.code, reason: outcome.reason });
    } catch (error) {
      logger.warn({ err: error }, 'native message not kept; the sender should retry');
      const code = isRetriable(error) ? 503 : 500;
      response.setHeader('Retry-After', '5');
      return reply(response, code, { code: 'NOT_KEPT', reason: (error as Error).message });
    }
  }

  return {
    async start(receive) {
      server = createServer((request, response) => {
        handle(receive, request, response).catch((error: unknown) => {
          logger.error({ err: error }, 'http transport failed to answer');
          if (!response.headersSent) reply(response, 500, { code: 'INTERNAL', reason: 'internal error' });
        });
      });
      server.keepAliveTimeout = 5_000;
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(config.listen.port, config.listen.host, () => resolve());
      });
      logger.info({ address: this.address(), path: config.listen.path }, 'listening for native messages');
    },

    async deliver(message: NativeMessage, delivery: DeliveryContext): Promise<DeliveryReceipt> {
      const signal = AbortSignal.any([delivery.signal, AbortSignal.timeout(config.timeoutMs)]);
      let response: { status: number; headers: IncomingHttpHeaders; text: string };
      try {
        response = await post(secure, target, agent, signal, message.body, {
          ...config.headers,
          'content-type': message.contentType,
          'content-length': String(message.body.length),
          'idempotency-key': delivery.eventId,
          'x-comity-request-id': delivery.requestId,
          ...(delivery.traceparent ? { traceparent: delivery.traceparent } : {}),
        });
      } catch (cause) {
        throw new DeliveryError('ENDPOINT_UNAVAILABLE', `${config.deliverTo} did not answer: ${describe(cause, signal)}`, {
          retriable: true,
          cause,
        });
      }
      if (response.status >= 200 && response.status < 300) {
        const header = response.headers['x-native-message-id'];
        return { nativeMessageId: (typeof header === 'string' ? header : undefined) ?? idFromJson(response.text) };
      }
      throw new DeliveryError(
        RETRIABLE_STATUSES.has(response.status) ? 'ENDPOINT_UNAVAILABLE' : 'REJECTED_BY_NATIVE_SYSTEM',
        `${config.deliverTo} answered ${response.status}: ${response.text.slice(0, 500)}`,
        { retriable: RETRIABLE_STATUSES.has(response.status) },
      );
    },

    async stop() {
      // The agent is left alone: deliveries in flight finish while the runtime drains (its
      // idle kept-alive sockets do not hold the process).
      const current = server;
      server = undefined;
      if (!current) return;
      await new Promise<void>((resolve) => {
        current.close(() => resolve());
        current.closeIdleConnections();
      });
    },

    address() {
      const address = server?.address() as AddressInfo | null | undefined;
      return address ? { host: address.address, port: address.port } : undefined;
    },
  };
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** After a 413, what is still read (and dropped) so that the sender gets the answer; beyond it the connection is cut. */
const DISCARD_AFTER_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * The body, or 'too-large' as soon as it passes `limit`. The rest of a too-large body is still
 * read and dropped (up to DISCARD_AFTER_LIMIT_BYTES): a server that stops reading resets the
 * connection, and the sender, still writing, may see the reset before the 413.
 */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      if (!over) {
        over = true;
        chunks = [];
        resolve('too-large');
      }
      if (size > limit + DISCARD_AFTER_LIMIT_BYTES) request.destroy();
    });
    request.once('end', () => resolve(size > limit ? 'too-large' : Buffer.concat(chunks)));
    request.once('error', reject);
  });
}

function idFromJson(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { id?: unknown }).id === 'string') {
      return (parsed as { id: string }).id;
    }
  } catch {
    // not JSON: no id
  }
  return undefined;
}

/** One POST; resolves with the whole answer (its text kept for the error message, at most 64 KiB). */
function post(
  secure: boolean,
  target: URL,
  agent: HttpAgent,
  signal: AbortSignal,
  body: Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsRequest : httpRequest)(target, { method: 'POST', agent, headers, signal }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= 64 * 1024) chunks.push(chunk);
      });
      response.once('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
      response.once('error', reject);
    });
    request.once('error', reject);
    request.end(body);
  });
}

function describe(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return signal.reason instanceof Error && signal.reason.name === 'TimeoutError' ? 'timed out' : 'aborted';
  return (error as { code?: string }).code ?? (error as Error).message;
}
