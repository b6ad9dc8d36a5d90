/**
 * How IberRed forms arrive and leave: JSON over HTTP with the SDK's HTTP transport, next to the
 * Iber@ gateway. The Iber@ side POSTs forms to `http.listen`; Comity POSTs forms to
 * `http.deliverTo` with an `Idempotency-Key` (the event id).
 *
 * One addition to the SDK transport: every received form is handed to the codec with the
 * configured limits as attributes (codec.ts `ATTRIBUTES`), and a form larger than
 * `limits.maxBodyBytes` is handed on as its first `limits.deadLetterHeadBytes` bytes with its real
 * size and SHA-256, so the codec refuses it as TOO_LARGE and its dead letter fits in a Kafka
 * record.
 */
import { createHash } from 'node:crypto';
import type { NativeMessage, NativeReceiver, TransportContext } from '../sdk/contract.js';
import { httpTransport, type HttpTransport } from '../sdk/transports/http.js';
import { ATTRIBUTES } from './codec.js';
import type { IberredConfig } from './spec.js';

export function createIberredTransport(config: IberredConfig, context: TransportContext): HttpTransport {
  const http = httpTransport(config.http, context);
  const { maxBodyBytes, maxDepth, deadLetterHeadBytes } = config.limits;

  function withLimits(message: NativeMessage): NativeMessage {
    const attributes: Record<string, string> = {
      ...message.attributes,
      [ATTRIBUTES.maxBodyBytes]: String(maxBodyBytes),
      [ATTRIBUTES.maxDepth]: String(maxDepth),
    };
    if (message.body.length <= maxBodyBytes) return { ...message, attributes };
    attributes[ATTRIBUTES.receivedBytes] = String(message.body.length);
    attributes[ATTRIBUTES.receivedSha256] = createHash('sha256').update(message.body).digest('hex');
    return { ...message, body: message.body.subarray(0, deadLetterHeadBytes), attributes };
  }

  return {
    start: (receive: NativeReceiver) => http.start((message) => receive(withLimits(message))),
    deliver: (message, delivery) => http.deliver(message, delivery),
    stop: () => http.stop(),
    address: () => http.address(),
  };
}
