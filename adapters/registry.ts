/**
 * The adapters this build of Comity can run, registered explicitly: nothing registers itself
 * by being imported. `comity adapter new <network>` adds the two lines for a new adapter.
 */
import type { AdapterDefinition } from './sdk/contract.js';
import { iberredAdapter } from './iberred/index.js';
import { ejnEcodexAdapter } from './ejn-ecodex/index.js';
import { coeStatsAdapter } from './coe-stats/index.js';
import { wacapAdapter } from './wacap/index.js';
// comity:adapter-imports (the scaffold inserts imports above this line)

export const adapters: readonly AdapterDefinition[] = [
  iberredAdapter,
  ejnEcodexAdapter,
  coeStatsAdapter,
  wacapAdapter,
  // comity:adapter-entries (the scaffold inserts entries above this line)
];

/** The adapter for `network`, or undefined. */
export function findAdapter(network: string): AdapterDefinition | undefined {
  return adapters.find((adapter) => adapter.network === network);
}
