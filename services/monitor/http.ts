/**
 * The dashboard's HTTP server: the static page (services/monitor/web/) and its API, on
 * 127.0.0.1 by default. Nothing is loaded from anywhere else.
 *
 *   GET  /                         the dashboard (also /index.html, /app.js, /style.css, …)
 *   GET  /api/flows                the current snapshot (counters, pairs, lag), JSON
 *   GET  /api/stream               the same as server-sent events (`flows`), pushed when it changes
 *   GET  /api/requests?q=&limit=   request ids containing q, most recent first
 *   GET  /api/requests/<id>        one request's record (RequestTracked, proto3 JSON)
 *   GET  /api/dead-letters?network=&reason=&limit=
 *   POST /api/dead-letters/redrive {"network", "reason"?, "ids"?, "note"?}  (application/json only)
 *   GET  /api/stats?month=&format=   published statistics (JSON, or format=sdmx-csv), for statistics.html
 *   GET  /metrics /healthz
 *
 * A POST must be `application/json` and, when the browser sends an Origin, come from this
 * server's own origin: a page on another site cannot make an operator's browser redrive.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import type { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Registry } from 'prom-client';
import { ComityError } from '../../core/errors.js';
import { RequestTracked } from '../../core/gen/comity/v1/tracking.js';
import type { KafkaClient } from '../../core/kafka/index.js';
import type { Logger } from '../../core/log.js';
import type { DeadLetterOperations } from './dead-letters.js';
import type { StatisticsResponse } from '../stats/web.js';

export interface DashboardServer {
  readonly port: number;
  close(): Promise<void>;
}

const MEDIA_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** The page's own files; in a build (dist/) they are not copied, so fall back to the source tree. */
export function webRoot(): string {
  const here = fileURLToPath(new URL('./web/', import.meta.url));
  return existsSync(join(here, 'index.html')) ? here : resolve('services/monitor/web');
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export async function startDashboardServer(options: {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly snapshot: () => unknown;
  /** Emits `tick` at the update interval. */
  readonly changes: EventEmitter;
  readonly request: (id: string) => RequestTracked | undefined;
  readonly searchRequests: (query: string, limit: number) => unknown[];
  readonly deadLetters?: { operations: DeadLetterOperations; kafka: KafkaClient };
  /** `GET /api/stats` for the statistics page (services/stats/web.ts). */
  readonly statistics?: (query: URLSearchParams) => Promise<StatisticsResponse>;
}): Promise<DashboardServer> {
  const root = webRoot();
  const logger = options.logger.child({ component: 'dashboard' });
  const streams = new Set<ServerResponse>();

  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS });
    response.end(JSON.stringify(body));
  };
  const problem = (response: ServerResponse, status: number, code: string, reason: string) => json(response, status, { code, reason });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (request.method === 'POST') {
      if (path !== '/api/dead-letters/redrive') return problem(response, 404, 'NOT_FOUND', `no POST ${path}`);
      return redrive(request, response);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return problem(response, 405, 'METHOD_NOT_ALLOWED', 'GET or POST only');

    if (path === '/healthz') return void response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    if (path === '/metrics') {
      const text = await options.registry.metrics();
      return void response.writeHead(200, { 'content-type': options.registry.contentType }).end(text);
    }
    if (path === '/api/flows') return json(response, 200, options.snapshot());
    if (path === '/api/stream') return stream(request, response);
    if (path === '/api/requests') {
      const limit = clampLimit(url.searchParams.get('limit'), 20, 200);
      return json(response, 200, { requests: options.searchRequests(url.searchParams.get('q') ?? '', limit) });
    }
    if (path.startsWith('/api/requests/')) {
      const id = decodeURIComponent(path.slice('/api/requests/'.length));
      const record = options.request(id);
      if (!record) return problem(response, 404, 'REQUEST_NOT_FOUND', `no request "${id}" on comity.requests`);
      return json(response, 200, RequestTracked.toJSON(record));
    }
    if (path === '/api/dead-letters') {
      if (!options.deadLetters) return problem(response, 501, 'DLQ_UNAVAILABLE', 'dead-letter operations are not available in this build');
      const network = url.searchParams.get('network') ?? '';
      if (!network) return problem(response, 400, 'NETWORK_REQUIRED', 'network is required');
      const reason = url.searchParams.get('reason') || undefined;
      const letters = await options.deadLetters.operations.list(options.deadLetters.kafka, {
        network,
        reason,
        limit: clampLimit(url.searchParams.get('limit'), 200, 2000),
      });
      return json(response, 200, { deadLetters: letters });
    }
    if (path === '/api/stats') {
      if (!options.statistics) return problem(response, 501, 'STATS_UNAVAILABLE', 'statistics are not available in this build');
      const result = await options.statistics(url.searchParams);
      response.writeHead(result.status, { 'content-type': result.contentType, 'cache-control': 'no-store', ...SECURITY_HEADERS, ...result.headers });
      return void response.end(result.body);
    }
    if (path.startsWith('/api/')) return problem(response, 404, 'NOT_FOUND', `no ${path}`);
    return serveStatic(path, response);
  }

  function serveStatic(path: string, response: ServerResponse): void {
    const relative = normalize(path === '/' ? '/index.html' : path).replace(/^([/\\])+/, '');
    const file = resolve(root, relative);
    if (!file.startsWith(root) || !MEDIA_TYPES[extname(file)] || !existsSync(file)) {
      // Unknown paths get the page: it has its own navigation (#/flows, #/requests …).
      if (extname(file) === '' ) return serveStatic('/index.html', response);
      return void response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
    response.writeHead(200, { 'content-type': MEDIA_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache', ...SECURITY_HEADERS });
    response.end(readFileSync(file));
  }

  function stream(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', ...SECURITY_HEADERS });
    let last = '';
    let quietTicks = 0;
    const send = () => {
      const body = JSON.stringify(options.snapshot());
      // observedAt changes every time; compare the rest.
      const comparable = body.replace(/"observedAt":\d+,?/, '');
      if (comparable === last) {
        // A comment now and then keeps proxies from closing an idle stream.
        if ((quietTicks += 1) % 15 === 0) response.write(': idle\n\n');
        return;
      }
      last = comparable;
      response.write(`event: flows\ndata: ${body}\n\n`);
    };
    streams.add(response);
    options.changes.on('tick', send);
    const close = () => {
      options.changes.off('tick', send);
      streams.delete(response);
    };
    request.on('close', close);
    send();
  }

  async function redrive(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!options.deadLetters) return problem(response, 501, 'DLQ_UNAVAILABLE', 'dead-letter operations are not available in this build');
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
      return problem(response, 415, 'JSON_REQUIRED', 'send the redrive as application/json');
    }
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `http://${request.headers.host ?? ''}`) {
      return problem(response, 403, 'FOREIGN_ORIGIN', `a redrive must come from this dashboard, not ${origin}`);
    }
    const body = await readJson(request, 64 * 1024);
    if (body === undefined || typeof body !== 'object' || body === null) return problem(response, 400, 'BAD_REQUEST', 'expected a JSON object');
    const { network, reason, ids, note } = body as Record<string, unknown>;
    if (typeof network !== 'string' || !network) return problem(response, 400, 'NETWORK_REQUIRED', 'network is required');
    if (ids !== undefined && !(Array.isArray(ids) && ids.every((id) => typeof id === 'string'))) {
      return problem(response, 400, 'BAD_REQUEST', 'ids must be a list of dead-letter ids');
    }
    const outcome = await options.deadLetters.operations.redrive(options.deadLetters.kafka, {
      network,
      reason: typeof reason === 'string' && reason ? reason : undefined,
      ids,
      note: typeof note === 'string' ? note : 'redriven from the dashboard',
    });
    logger.info({ network, reason, ids, redriven: outcome.redriven }, 'dead letters redriven from the dashboard');
    return json(response, 200, outcome);
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const known = error instanceof ComityError;
      if (!known) logger.error({ err: error, url: request.url }, 'dashboard request failed');
      if (response.headersSent) return void response.end();
      if (known) return problem(response, error.retriable ? 503 : 400, error.code, error.message);
      return problem(response, 500, 'INTERNAL', 'internal error; see the monitor log');
    });
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolvePromise());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolvePromise) => {
        for (const response of streams) response.end();
        server.close(() => resolvePromise());
        server.closeAllConnections();
      }),
  };
}

function clampLimit(raw: string | null, fallback: number, max: number): number {
  const value = raw === null ? fallback : Number.parseInt(raw, 10);
  return Number.isInteger(value) && value > 0 ? Math.min(value, max) : fallback;
}

async function readJson(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}
