/**
 * The `adapter:` section of the IberRed adapter's config file. The descriptions are the
 * documentation of the options (README.md's table repeats them).
 */
import { z } from 'zod';
import { httpTransportConfig } from '../sdk/transports/http.js';
import { DEFAULT_LIMITS } from './codec.js';

export const iberredConfig = z
  .strictObject({
    http: httpTransportConfig.describe(
      'JSON over HTTP: where the adapter listens for forms from the Iber@ gateway (listen), and the Iber@ endpoint it delivers forms to (deliverTo). http.maxBodyBytes must be larger than limits.maxBodyBytes, so that an oversized form reaches the codec and is refused with TOO_LARGE and kept in the DLQ; bodies beyond http.maxBodyBytes get 413 and are not kept.',
    ),
    limits: z
      .strictObject({
        maxBodyBytes: z
          .number()
          .int()
          .positive()
          .default(DEFAULT_LIMITS.maxBodyBytes)
          .describe('Largest form accepted, in bytes; larger ones are refused with TOO_LARGE. Keep it below the Kafka topics\u2019 max.message.bytes.'),
        maxDepth: z
          .number()
          .int()
          .min(8)
          .max(256)
          .default(DEFAULT_LIMITS.maxDepth)
          .describe('Deepest JSON nesting accepted (the top-level object is level 1); deeper forms are refused with JSON_TOO_DEEP before they are parsed.'),
        deadLetterHeadBytes: z
          .number()
          .int()
          .min(1024)
          .max(1024 * 1024)
          .default(64 * 1024)
          .describe('Of a form larger than maxBodyBytes, how many leading bytes go to the DLQ (with its real size and SHA-256 in the attributes), so the dead letter fits in a Kafka record.'),
      })
      .prefault({})
      .describe('Safety limits the codec applies to every form received.'),
  })
  .refine((config) => config.http.maxBodyBytes > config.limits.maxBodyBytes, {
    message: 'http.maxBodyBytes must be larger than limits.maxBodyBytes, so that oversized forms are refused by the codec (422 TOO_LARGE, in the DLQ)',
    path: ['http', 'maxBodyBytes'],
  })
  .describe('Settings of the IberRed adapter.');

export type IberredConfig = z.output<typeof iberredConfig>;
