/**
 * A native system's receiving endpoint for tests: a real HTTP server on 127.0.0.1 that counts
 * what it accepted by Idempotency-Key (the event id) and can be told to fail.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface NativeEndpoint {
  readonly url: string;
  /** Accepted deliveries, in arrival order: event id and parsed body. */
  readonly accepted: { eventId: string; body: string }[];
  /** Every POST, accepted or not. */
  readonly attempts: { eventId: string; status: number }[];
  /** How many times each event id was accepted. */
  acceptedCount(eventId: string): number;
  /** Answer 503 to the next `n` deliveries of every event id that arrives. */
  failFirst(n: number): void;
  /** Answer 503 to everything until `up()`. */
  down(): void;
  up(): void;
  /** Delay before answering, ms. */
  delay(ms: number): void;
  close(): Promise<void>;
}

export async function startNativeEndpoint(): Promise<NativeEndpoint> {
  const accepted: { eventId: string; body: string }[] = [];
  const attempts: { eventId: string; status: number }[] = [];
  const failuresLeft = new Map<string, number>();
  let failFirstN = 0;
  let isDown = false;
  let delayMs = 0;

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const eventId = String(request.headers['idempotency-key'] ?? '');
      const answer = () => {
        if (!failuresLeft.has(eventId)) failuresLeft.set(eventId, failFirstN);
        const left = failuresLeft.get(eventId) ?? 0;
        let status = 200;
        if (isDown || left > 0) {
          failuresLeft.set(eventId, Math.max(0, left - 1));
          status = 503;
        } else {
          accepted.push({ eventId, body: Buffer.concat(chunks).toString('utf8') });
        }
        attempts.push({ eventId, status });
        response.writeHead(status, { 'content-type': 'application/json', 'x-native-message-id': `native-${accepted.length}` });
        response.end(JSON.stringify(status === 200 ? { id: `native-${accepted.length}` } : { error: 'unavailable' }));
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/inbox`,
    accepted,
    attempts,
    acceptedCount: (eventId) => accepted.filter((entry) => entry.eventId === eventId).length,
    failFirst: (n) => void (failFirstN = n),
    down: () => void (isDown = true),
    up: () => void (isDown = false),
    delay: (ms) => void (delayMs = ms),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
