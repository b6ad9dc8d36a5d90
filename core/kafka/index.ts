export * from './client.js';
export * from './config.js';
export * from './records.js';
export * from './topics.js';
