/**
 * The outbox: statistics reports for the centre, written as SDMX-CSV files into a folder the
 * centre reads (the same share or SFTP account as the inbox, another folder).
 *
 * A file appears complete or not at all: it is written as a hidden `.<name>.<event id>.part`,
 * flushed to disk (fsync), renamed to `<report id>.r<revision>.csv`, and the folder is synced.
 * The delivery counts as done once the rename is durable; the file name is the native message
 * id in the `RequestDelivered` receipt. Delivering the same event again (after a crash between
 * the rename and the runtime's ledger) finds the same name with the same bytes and does
 * nothing; a different report under a name already taken gets the event id in its name rather
 * than overwriting anything.
 */
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../core/log.js';
import type { DeliveryContext, DeliveryReceipt, NativeMessage } from '../sdk/contract.js';
import { DeliveryError } from '../sdk/errors.js';
import { ATTRIBUTES } from './codec.js';

export interface Outbox {
  prepare(): Promise<void>;
  deliver(message: NativeMessage, context: DeliveryContext): Promise<DeliveryReceipt>;
}

/** Filesystem errors that writing again will not cure. */
const PERMANENT = new Set(['ENAMETOOLONG', 'EINVAL']);

export function createOutbox(dir: string, parentLogger: Logger): Outbox {
  const logger = parentLogger.child({ component: 'coe-stats-outbox', outbox: dir });
  return {
    async prepare() {
      await mkdir(dir, { recursive: true });
    },

    async deliver(message, context) {
      try {
        await mkdir(dir, { recursive: true });
        const preferred = outboxFileName(message.attributes, context.eventId);
        for (const name of [preferred, preferred.replace(/\.csv$/, `.${context.eventId}.csv`)]) {
          const target = join(dir, name);
          const existing = await readFile(target).catch((error: NodeJS.ErrnoException) => {
            if (error.code === 'ENOENT') return undefined;
            throw error;
          });
          if (existing?.equals(message.body)) {
            logger.info({ file: name, eventId: context.eventId }, 'already in the outbox');
            return { nativeMessageId: name };
          }
          if (existing !== undefined) continue;
          await writeDurably(dir, name, context.eventId, message.body);
          logger.info({ file: name, eventId: context.eventId, bytes: message.body.length }, 'written to the outbox');
          return { nativeMessageId: name };
        }
        throw new DeliveryError('OUTBOX_NAME_TAKEN', `both ${preferred} and its event-specific name hold other files`, { retriable: false });
      } catch (error) {
        if (error instanceof DeliveryError) throw error;
        const code = (error as NodeJS.ErrnoException).code ?? 'UNKNOWN';
        // A full disk, a share that went away, a permission fixed by an operator: worth retrying.
        throw new DeliveryError('OUTBOX_WRITE_FAILED', `could not write to the outbox ${dir}: ${code} ${(error as Error).message}`, {
          retriable: !PERMANENT.has(code),
          cause: error,
        });
      }
    },
  };
}

/** `<report id>.r<revision>.csv`, with anything but letters, digits, `.`, `_` and `-` made `_`. */
export function outboxFileName(attributes: Readonly<Record<string, string>>, eventId: string): string {
  const reportId = (attributes[ATTRIBUTES.reportId] ?? '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+/, '')
    .slice(0, 120);
  const revision = /^\d{1,9}$/.test(attributes[ATTRIBUTES.revision] ?? '') ? attributes[ATTRIBUTES.revision] : '0';
  return `${reportId || eventId}.r${revision}.csv`;
}

async function writeDurably(dir: string, name: string, eventId: string, body: Buffer): Promise<void> {
  const part = join(dir, `.${name}.${eventId}.part`);
  try {
    const handle = await open(part, 'w');
    try {
      await handle.writeFile(body);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(part, join(dir, name));
  } catch (error) {
    await unlink(part).catch(() => undefined);
    throw error;
  }
  await syncFolder(dir);
}

/** Makes the rename durable; not every platform can open a folder, which is then left to the OS. */
async function syncFolder(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // EISDIR/EPERM on platforms that cannot fsync a directory.
  } finally {
    await handle?.close();
  }
}
