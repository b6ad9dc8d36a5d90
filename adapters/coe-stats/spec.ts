/**
 * The `adapter:` section of the centres-of-excellence adapter's config file. The descriptions
 * are the documentation of the options (README.md's table repeats them).
 */
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { httpTransportConfig } from '../sdk/transports/http.js';
import { DEFAULT_LIMITS } from './codec.js';

export const coeStatsConfig = z
  .strictObject({
    inbox: z
      .strictObject({
        dir: z
          .string()
          .min(1)
          .describe('Folder the centre drops its SDMX-CSV files into (a shared folder, an SFTP drop). Only *.csv files are read: write name.csv.part (or elsewhere) and rename it to name.csv when complete.'),
        processedDir: z.string().min(1).optional().describe('Where accepted files are moved after their event is in Kafka. Default: <inbox.dir>/processed.'),
        rejectedDir: z
          .string()
          .min(1)
          .optional()
          .describe('Where refused files are moved, each with <file name>.reason.txt beside it (code, reason, line and column). Default: <inbox.dir>/rejected.'),
        pollIntervalMs: z
          .number()
          .int()
          .min(50)
          .default(2000)
          .describe('How often the folder is scanned, besides change notifications (which network filesystems do not always deliver).'),
        settleMs: z
          .number()
          .int()
          .min(0)
          .default(2000)
          .describe('A file is read only once its size and modification time have stayed the same over two scans at least this far apart: a second guard against files still being written.'),
      })
      .optional()
      .describe('The watched folder. At least one of inbox and http must be set.'),
    http: z
      .strictObject({
        listen: httpTransportConfig.shape.listen,
        maxBodyBytes: z
          .number()
          .int()
          .positive()
          .default(8 * 1024 * 1024)
          .describe('Largest upload the HTTP listener reads; larger ones get 413 and are not kept. Must be larger than limits.maxBytes.'),
      })
      .optional()
      .describe('HTTP upload: the centre POSTs a file to listen.path with Content-Type text/csv and gets 202, 422 (refused, with code and reason), 413 or 503 (send again).'),
    outbox: z
      .strictObject({
        dir: z
          .string()
          .min(1)
          .describe('Folder the adapter writes statistics reports from the hub into, as SDMX-CSV files named <report id>.r<revision>.csv. Files appear complete (written as hidden .part files, synced, renamed).'),
      })
      .describe('Where outbound reports are written for the centre.'),
    limits: z
      .strictObject({
        maxBytes: z
          .number()
          .int()
          .positive()
          .default(DEFAULT_LIMITS.maxBytes)
          .describe('Largest file accepted, in bytes; larger ones are refused with TOO_LARGE. Keep it well below the Kafka topics\u2019 max.message.bytes (16 MiB).'),
        maxRows: z
          .number()
          .int()
          .positive()
          .default(DEFAULT_LIMITS.maxRows)
          .describe('Most observation rows in one file; more are refused with TOO_MANY_ROWS.'),
        deadLetterHeadBytes: z
          .number()
          .int()
          .min(1024)
          .max(1024 * 1024)
          .default(64 * 1024)
          .describe('Of a file larger than maxBytes, how many leading bytes go to the DLQ (with its real size and SHA-256 in the attributes), so the dead letter fits in a Kafka record.'),
      })
      .prefault({})
      .describe('Safety limits the codec applies to every file received.'),
  })
  .refine((config) => config.inbox !== undefined || config.http !== undefined, {
    message: 'set inbox (a watched folder), http (uploads), or both: otherwise the adapter receives nothing',
    path: ['inbox'],
  })
  .refine((config) => config.http === undefined || config.http.maxBodyBytes > config.limits.maxBytes, {
    message: 'http.maxBodyBytes must be larger than limits.maxBytes, so that oversized files are refused by the codec (422 TOO_LARGE, in the DLQ)',
    path: ['http', 'maxBodyBytes'],
  })
  .refine(
    (config) => {
      if (!config.inbox) return true;
      const { dir, processed, rejected } = inboxDirs(config.inbox);
      return new Set([resolve(dir), resolve(processed), resolve(rejected), resolve(config.outbox.dir)]).size === 4;
    },
    { message: 'inbox.dir, inbox.processedDir, inbox.rejectedDir and outbox.dir must be four different folders', path: ['inbox'] },
  )
  .describe('Settings of the centres-of-excellence adapter.');

export type CoeStatsConfig = z.output<typeof coeStatsConfig>;
export type InboxConfig = NonNullable<CoeStatsConfig['inbox']>;

/** The inbox's folders, with their defaults. */
export function inboxDirs(inbox: { dir: string; processedDir?: string; rejectedDir?: string }): { dir: string; processed: string; rejected: string } {
  return {
    dir: inbox.dir,
    processed: inbox.processedDir ?? join(inbox.dir, 'processed'),
    rejected: inbox.rejectedDir ?? join(inbox.dir, 'rejected'),
  };
}
