/** The WACAP adapter, as the registry (adapters/registry.ts) knows it. */
import { defineAdapter } from '../sdk/contract.js';
import { NETWORK, wacapCodec } from './codec.js';
import { wacapConfig } from './spec.js';
import { createWacapTransport } from './transport.js';

export const wacapAdapter = defineAdapter({
  network: NETWORK,
  nativeFormat: 'wacap-mail-form',
  // Change whenever the codec's output for the same e-mail changes.
  mappingVersion: '1.0.0',
  summary: "WACAP (West African Network of Central Authorities and Prosecutors): focal points' e-mails with a bilingual French/English form, received over SMTP and sent through a relay.",
  config: wacapConfig,
  codec: wacapCodec,
  createTransport: createWacapTransport,
});
