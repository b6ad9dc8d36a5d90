/**
 * How __NETWORK__ messages arrive and leave: JSON over HTTP, with the SDK's HTTP transport.
 * A network with another channel (SFTP drop, e-mail, a message queue) writes its own
 * Transport here; the codec does not change.
 */
import type { Transport, TransportContext } from '../sdk/contract.js';
import { httpTransport } from '../sdk/transports/http.js';
import type { __NETWORK_PASCAL__Config } from './spec.js';

export function create__NETWORK_PASCAL__Transport(config: __NETWORK_PASCAL__Config, context: TransportContext): Transport {
  return httpTransport(config.http, context);
}
