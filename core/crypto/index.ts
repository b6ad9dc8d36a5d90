export * from './errors.js';
export * from './keyring.js';
export * from './keys.js';
export * from './sealing.js';
export * from './signing.js';
