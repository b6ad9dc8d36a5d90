/** The adapter SDK: what an adapter imports. */
export * from './contract.js';
export * from './errors.js';
