/**
 * Operations on a running federation, for the `comity` CLI and the monitor's dashboard: dead
 * letters (list, show, redrive), tailing topics, one request's record, the directory, consumer
 * lag. Everything goes through core/kafka; nothing here holds state between calls.
 */
export * from './dead-letters.js';
export * from './decode.js';
export * from './directory.js';
export * from './dlq.js';
export * from './lag.js';
export * from './redrive-headers.js';
export * from './requests.js';
export * from './tail.js';
