/**
 * The adapter of the Central American centres of excellence, as the registry
 * (adapters/registry.ts) knows it. The folder is `coe-stats`, for what it carries; the network
 * id is the federation's: `central-america-coe` (deploy/config/federation.yaml).
 */
import { defineAdapter } from '../sdk/contract.js';
import { coeStatsCodec, NETWORK } from './codec.js';
import { coeStatsConfig } from './spec.js';
import { createCoeStatsTransport } from './transport.js';

export const coeStatsAdapter = defineAdapter({
  network: NETWORK,
  nativeFormat: 'sdmx-csv',
  // Change whenever the codec's output for the same native message changes.
  mappingVersion: '1.0.0',
  summary:
    'Central American centres of excellence (UNODC/SICA): statistics on cooperation requests as SDMX-CSV files, dropped in a watched folder or uploaded over HTTP; reports for the centres written back as SDMX-CSV files.',
  config: coeStatsConfig,
  codec: coeStatsCodec,
  createTransport: createCoeStatsTransport,
});
