/** The __NETWORK__ adapter, as the registry (adapters/registry.ts) knows it. */
import { defineAdapter } from '../sdk/contract.js';
import { __NETWORK_CAMEL__Codec } from './codec.js';
import { __NETWORK_CAMEL__Config } from './spec.js';
import { create__NETWORK_PASCAL__Transport } from './transport.js';

export const __NETWORK_CAMEL__Adapter = defineAdapter({
  network: '__NETWORK__',
  nativeFormat: '__NETWORK__-json',
  // Change whenever the codec's output for the same native message changes.
  mappingVersion: '1.0.0',
  summary: '__NETWORK__ requests and acknowledgements, as JSON over HTTP.',
  config: __NETWORK_CAMEL__Config,
  codec: __NETWORK_CAMEL__Codec,
  createTransport: create__NETWORK_PASCAL__Transport,
});
