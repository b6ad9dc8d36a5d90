/**
 * The `adapter:` section of the __NETWORK__ adapter's config file. The descriptions are the
 * documentation of the options (README.md's table repeats them).
 */
import { z } from 'zod';
import { httpTransportConfig } from '../sdk/transports/http.js';

export const __NETWORK_CAMEL__Config = z
  .strictObject({
    http: httpTransportConfig.describe(
      'JSON over HTTP: where the adapter listens for messages from the __NETWORK__ system (listen), and the __NETWORK__ endpoint it delivers to (deliverTo).',
    ),
  })
  .describe('Settings of the __NETWORK__ adapter.');

export type __NETWORK_PASCAL__Config = z.output<typeof __NETWORK_CAMEL__Config>;
