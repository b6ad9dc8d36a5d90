/** The EJN adapter (e-CODEX connector, XML), as the registry (adapters/registry.ts) knows it. */
import { defineAdapter } from '../sdk/contract.js';
import { ejnEcodexCodec } from './codec.js';
import { ejnEcodexConfig } from './spec.js';
import { createEjnEcodexTransport } from './transport.js';

export const ejnEcodexAdapter = defineAdapter({
  network: 'ejn',
  nativeFormat: 'ejn-ecodex-xml',
  // Change whenever the codec's output for the same native message changes.
  mappingVersion: '1.0.0',
  summary: "EJN through its e-CODEX connector: EIOs, EAWs, MLA requests, their answers and the connector's confirmations, as XML over HTTP.",
  config: ejnEcodexConfig,
  codec: ejnEcodexCodec,
  createTransport: createEjnEcodexTransport,
});
