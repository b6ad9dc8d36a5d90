/**
 * How EJN's e-CODEX connector and Comity exchange messages: XML over HTTP, with the SDK's HTTP
 * transport. The connector (or the small bridge EJN's IT team runs beside it) POSTs each backend
 * message to `http.listen.path`; Comity POSTs its messages to `http.deliverTo`.
 *
 * Before handing a message to the runtime the transport stamps the configured limits and party
 * on it as attributes (TRANSPORT_ATTRIBUTES; the codec has no configuration of its own). A
 * message larger than `maxXmlBytes` is handed over as its first 64 KiB with its real size: the
 * codec refuses it (TOO_LARGE) and the dead letter holds that prefix, enough to identify the
 * sender, instead of a record too large for Kafka. A body larger than `http.maxBodyBytes` never
 * reaches the runtime: the SDK transport answers 413 and nothing is dead-lettered.
 */
import type { NativeMessage, TransportContext } from '../sdk/contract.js';
import { httpTransport, type HttpTransport } from '../sdk/transports/http.js';
import { TRANSPORT_ATTRIBUTES } from './codec.js';
import type { EjnEcodexConfig } from './spec.js';

/** What of an oversized message is kept for the dead letter. */
export const OVERSIZED_PREFIX_BYTES = 64 * 1024;

export function createEjnEcodexTransport(config: EjnEcodexConfig, context: TransportContext): HttpTransport {
  const http = httpTransport(config.http, context);
  const stamp = (message: NativeMessage): NativeMessage => {
    const attributes = {
      ...message.attributes,
      [TRANSPORT_ATTRIBUTES.maxXmlBytes]: String(config.maxXmlBytes),
      [TRANSPORT_ATTRIBUTES.maxDepth]: String(config.maxDepth),
      [TRANSPORT_ATTRIBUTES.party]: config.party,
    };
    if (message.body.length <= config.maxXmlBytes) return { ...message, attributes };
    return {
      ...message,
      body: message.body.subarray(0, OVERSIZED_PREFIX_BYTES),
      attributes: { ...attributes, [TRANSPORT_ATTRIBUTES.receivedBytes]: String(message.body.length) },
    };
  };
  return {
    start: (receive) => http.start((message) => receive(stamp(message))),
    deliver: (message, delivery) => http.deliver(message, delivery),
    stop: () => http.stop(),
    address: () => http.address(),
  };
}
