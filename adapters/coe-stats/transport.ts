/**
 * How the centres' statistics arrive and leave: SDMX-CSV files dropped in a watched folder
 * (transport-inbox.ts) or uploaded over HTTP, and reports for the centre written as files into
 * an outbox folder (transport-outbox.ts).
 *
 * HTTP upload reuses the receiving half of the SDK's HTTP transport: the centre POSTs a file to
 * `http.listen.path` with `Content-Type: text/csv` and gets 202 `{eventIds, requestIds,
 * duplicate}`, 422 `{code, reason}`, 413 or 503 (send again), as every HTTP adapter answers.
 * Its delivering half is not used: outbound reports go to the outbox.
 *
 * Every received file is handed to the codec with the configured limits as attributes (codec.ts
 * `ATTRIBUTES`); an upload larger than `limits.maxBytes` is handed on as its first
 * `limits.deadLetterHeadBytes` bytes with its real size and SHA-256, like an oversized file in
 * the inbox, so the codec refuses it as TOO_LARGE and its dead letter fits in a Kafka record.
 */
import { createHash } from 'node:crypto';
import type { NativeMessage, NativeReceiver, Transport, TransportContext } from '../sdk/contract.js';
import { httpTransport } from '../sdk/transports/http.js';
import { ATTRIBUTES } from './codec.js';
import { inboxDirs, type CoeStatsConfig } from './spec.js';
import { createInbox, type Inbox } from './transport-inbox.js';
import { createOutbox } from './transport-outbox.js';

export interface CoeStatsTransport extends Transport {
  /** The HTTP listener's address, when uploads are on. */
  address(): { host: string; port: number } | undefined;
  /** The watched folder, when it is on. */
  readonly inbox: Inbox | undefined;
}

export function createCoeStatsTransport(config: CoeStatsConfig, context: TransportContext): CoeStatsTransport {
  const { maxBytes, maxRows, deadLetterHeadBytes } = config.limits;
  const outbox = createOutbox(config.outbox.dir, context.logger);
  const http = config.http
    ? httpTransport(
        // Only the listener is used; `deliverTo` is never called.
        { listen: config.http.listen, maxBodyBytes: config.http.maxBodyBytes, deliverTo: 'http://127.0.0.1:9/unused', timeoutMs: 1, headers: {} },
        context,
      )
    : undefined;
  const inbox = config.inbox
    ? (() => {
        const dirs = inboxDirs(config.inbox);
        return createInbox({
          dir: dirs.dir,
          processedDir: dirs.processed,
          rejectedDir: dirs.rejected,
          pollIntervalMs: config.inbox.pollIntervalMs,
          settleMs: config.inbox.settleMs,
          maxBytes,
          headBytes: deadLetterHeadBytes,
          logger: context.logger,
        });
      })()
    : undefined;

  function withLimits(message: NativeMessage): NativeMessage {
    const attributes: Record<string, string> = { ...message.attributes, [ATTRIBUTES.maxBytes]: String(maxBytes), [ATTRIBUTES.maxRows]: String(maxRows) };
    if (message.body.length <= maxBytes) return { ...message, attributes };
    attributes[ATTRIBUTES.receivedBytes] = String(message.body.length);
    attributes[ATTRIBUTES.receivedSha256] = createHash('sha256').update(message.body).digest('hex');
    return { ...message, body: message.body.subarray(0, deadLetterHeadBytes), attributes };
  }

  return {
    inbox,
    async start(receive: NativeReceiver) {
      await outbox.prepare();
      const limited: NativeReceiver = (message) => receive(withLimits(message));
      await http?.start(limited);
      await inbox?.start(limited);
    },
    deliver: (message, delivery) => outbox.deliver(message, delivery),
    async stop() {
      await inbox?.stop();
      await http?.stop();
    },
    address: () => http?.address(),
  };
}
