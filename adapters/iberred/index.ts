/** The IberRed adapter, as the registry (adapters/registry.ts) knows it. */
import { defineAdapter } from '../sdk/contract.js';
import { iberredCodec, NETWORK } from './codec.js';
import { iberredConfig } from './spec.js';
import { createIberredTransport } from './transport.js';

export const iberredAdapter = defineAdapter({
  network: NETWORK,
  nativeFormat: 'iberred-json',
  // Change whenever the codec's output for the same native message changes.
  mappingVersion: '1.0.0',
  summary: 'IberRed (Red Iberoamericana de Cooperación Jurídica Internacional): requests and answers as Spanish or Portuguese JSON forms over HTTP, next to Iber@.',
  config: iberredConfig,
  codec: iberredCodec,
  createTransport: createIberredTransport,
});
