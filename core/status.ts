/**
 * Every Comity process serves its status over HTTP on one port:
 *   GET /healthz  — 200 while the process is alive (liveness);
 *   GET /readyz   — 200 when every readiness check passes, else 503 with the failing ones;
 *   GET /metrics  — Prometheus text format (prom-client), including Node.js process metrics.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';

export type ReadinessCheck = () => boolean | string;

export function createMetricsRegistry(labels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry, prefix: 'comity_' });
  return registry;
}

export interface StatusServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startStatusServer(options: {
  readonly host?: string;
  readonly port: number;
  readonly registry: Registry;
  /** Named checks; a check returns true when ready, or a string saying why not. */
  readonly readiness: Readonly<Record<string, ReadinessCheck>>;
}): Promise<StatusServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET') {
      response.writeHead(405).end();
    } else if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const failing = Object.entries(options.readiness)
        .map(([name, check]) => [name, check()] as const)
        .filter(([, result]) => result !== true);
      const body = JSON.stringify({ ready: failing.length === 0, failing: Object.fromEntries(failing) });
      response.writeHead(failing.length === 0 ? 200 : 503, { 'content-type': 'application/json' }).end(body);
    } else if (path === '/metrics') {
      options.registry
        .metrics()
        .then((text) => response.writeHead(200, { 'content-type': options.registry.contentType }).end(text))
        .catch((error: unknown) => response.writeHead(500).end(String(error)));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
