/**
 * The `adapter:` section of the EJN e-CODEX adapter's config file. The descriptions are the
 * documentation of the options (README.md's table repeats them).
 */
import { z } from 'zod';
import { httpTransportConfig } from '../sdk/transports/http.js';
import { DEFAULT_LIMITS } from './codec.js';

export const ejnEcodexConfig = z
  .strictObject({
    http: httpTransportConfig.describe(
      "XML over HTTP: where the adapter listens for the messages EJN's e-CODEX connector POSTs (listen), and the connector endpoint it POSTs Comity's messages to (deliverTo). Keep maxBodyBytes above maxXmlBytes, so a too-large message is answered 422 TOO_LARGE and dead-lettered rather than cut off with 413.",
    ),
    party: z
      .string()
      .min(1)
      .describe(
        "Comity's party id in EJN's e-CODEX connector: an incoming message whose details/toParty names another party is refused (WRONG_PARTY). Messages without toParty are accepted.",
      ),
    maxXmlBytes: z
      .number()
      .int()
      .positive()
      .default(DEFAULT_LIMITS.maxBytes)
      .describe('Largest XML message accepted, in bytes (default 5 MiB); a larger one is refused with TOO_LARGE.'),
    maxDepth: z
      .number()
      .int()
      .min(8)
      .max(1000)
      .default(DEFAULT_LIMITS.maxDepth)
      .describe('Deepest element nesting accepted (default 64; the message format itself needs 8); deeper is refused with XML_TOO_DEEP before parsing.'),
  })
  .superRefine((config, context) => {
    if (config.http.maxBodyBytes <= config.maxXmlBytes) {
      context.addIssue({
        code: 'custom',
        path: ['http', 'maxBodyBytes'],
        message: `must be larger than maxXmlBytes (${config.maxXmlBytes}), so that a too-large message reaches the codec and is refused with TOO_LARGE and dead-lettered`,
      });
    }
  })
  .describe("Settings of the EJN adapter: the HTTP link to EJN's e-CODEX connector and the limits on incoming XML.");

export type EjnEcodexConfig = z.output<typeof ejnEcodexConfig>;
