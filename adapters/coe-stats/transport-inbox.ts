/**
 * The watched inbox: SDMX-CSV files a centre drops in a folder (a shared folder, an SFTP drop).
 *
 * What is read, and when:
 * - only regular files named `*.csv` (any case) directly in the folder; `name.csv.part`, hidden
 *   files, sub-folders and other names are left alone. Writers write `name.csv.part` (or write
 *   elsewhere) and rename it to `name.csv` when it is complete: a rename within one filesystem
 *   is atomic, so a `.csv` is never seen half-written;
 * - as a second guard, a file is read only once its size, modification time and inode have
 *   stayed the same over two scans at least `settleMs` apart, and it is given up for this scan
 *   if they changed while it was being read (a writer that appends in place);
 * - the folder is scanned every `pollIntervalMs` and whenever `fs.watch` reports a change
 *   (change notifications alone are not reliable, least of all on network filesystems); files
 *   already there when the adapter starts are processed the same way, so nothing is lost by a
 *   restart.
 *
 * Each file is handed to the runtime's receiver once it is settled; the file is moved only on
 * the receiver's answer: `accepted` (its event is durable in Kafka, or the same bytes were
 * published before) → `processed/`; `rejected` (refused, in the DLQ) → `rejected/`, with
 * `<name>.reason.txt` beside it; a thrown error (Kafka unreachable, adapter stopping) → left in
 * the inbox and tried again on a later scan. The receiver's ledger of received digests makes
 * the same bytes published once, however often the file is dropped.
 *
 * A file larger than `maxBytes` is not read whole: its first `headBytes` are handed on with its
 * real size and SHA-256 (attributes), so the codec refuses it as TOO_LARGE and the dead letter
 * fits in a Kafka record. Entries named `*.csv` that are not regular files (symbolic links,
 * folders, pipes) are moved to `rejected/` without being opened.
 */
import { createHash } from 'node:crypto';
import { constants, watch, type FSWatcher, type Stats } from 'node:fs';
import { copyFile, lstat, mkdir, open, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Logger } from '../../core/log.js';
import type { NativeMessage, NativeReceiver, ReceiveOutcome } from '../sdk/contract.js';
import { ATTRIBUTES } from './codec.js';

export interface InboxOptions {
  readonly dir: string;
  readonly processedDir: string;
  readonly rejectedDir: string;
  readonly pollIntervalMs: number;
  readonly settleMs: number;
  /** Files larger than this are handed on as their first `headBytes` only. */
  readonly maxBytes: number;
  readonly headBytes: number;
  readonly logger: Logger;
}

export interface Inbox {
  start(receive: NativeReceiver): Promise<void>;
  /** Stops scanning; the file being handed on, if any, is finished. */
  stop(): Promise<void>;
  /** Runs a scan now and waits for it (tests, and after start). */
  scan(): Promise<void>;
}

/** What a settled file's name must look like. */
export function isInboxFileName(name: string): boolean {
  return !name.startsWith('.') && name.toLowerCase().endsWith('.csv') && name.length > 4;
}

export function createInbox(options: InboxOptions): Inbox {
  const logger = options.logger.child({ component: 'coe-stats-inbox', inbox: options.dir });
  /** Files seen, by name: what they looked like and since when. */
  const seen = new Map<string, { signature: string; since: number }>();
  /** Files that failed at the last scan, with the error code: logged once per new error. */
  const failing = new Map<string, string>();
  let receive: NativeReceiver | undefined;
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  function requestScan(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = scanOnce()
      .catch((error: unknown) => logger.error({ err: error }, 'inbox scan failed; trying again at the next scan'))
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          void requestScan();
        }
      });
    return running;
  }

  async function scanOnce(): Promise<void> {
    let entries: string[];
    try {
      entries = await readdir(options.dir);
    } catch (error) {
      // The folder went away (an unmounted share): make it again and wait for the next scan.
      if (!isMissing(error)) throw error;
      await mkdir(options.dir, { recursive: true });
      return;
    }
    const names = entries.filter(isInboxFileName).sort();
    const present = new Set(names);
    for (const name of seen.keys()) if (!present.has(name)) seen.delete(name);
    for (const name of [...failing.keys()]) if (!present.has(name)) failing.delete(name);
    for (const name of names) {
      if (stopped) return;
      try {
        await consider(name);
        failing.delete(name);
      } catch (error) {
        // One file that cannot be read or moved must not hold up the others.
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        if (failing.get(name) !== code) logger.error({ file: name, err: error }, 'cannot handle this file; trying again at every scan');
        failing.set(name, code);
      }
    }
  }

  async function consider(name: string): Promise<void> {
    const path = join(options.dir, name);
    let stats: Stats;
    try {
      stats = await lstat(path);
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    if (!stats.isFile()) {
      await refuseLocally(name, path, 'NOT_A_REGULAR_FILE', `${describeEntry(stats)} named like a statistics file; only regular files are read`);
      return;
    }
    const signature = `${stats.size}:${stats.mtimeMs}:${stats.ino}`;
    const previous = seen.get(name);
    const now = Date.now();
    if (previous?.signature !== signature) {
      seen.set(name, { signature, since: now });
      return;
    }
    if (now - previous.since < options.settleMs) return;
    await handOn(name, path, signature);
  }

  async function handOn(name: string, path: string, signature: string): Promise<void> {
    const message = await readSettled(name, path, signature);
    if (!message) {
      seen.delete(name);
      logger.info({ file: name }, 'file changed while being read; waiting for it to settle');
      return;
    }
    let outcome: ReceiveOutcome;
    try {
      outcome = await (receive as NativeReceiver)(message);
    } catch (error) {
      // Nothing kept: the file stays and is handed on again at a later scan.
      logger.warn({ file: name, err: error }, 'file not kept; will try again');
      return;
    }
    seen.delete(name);
    if (outcome.status === 'accepted') {
      const target = await moveAway(path, options.processedDir, name);
      logger.info({ file: name, movedTo: target, eventIds: outcome.eventIds, requestIds: outcome.requestIds, duplicate: outcome.duplicate }, 'statistics file accepted');
    } else {
      const target = await refuse(path, name, outcome.code, outcome.reason, message);
      logger.warn({ file: name, movedTo: target, code: outcome.code, reason: outcome.reason }, 'statistics file refused');
    }
  }

  /** The file's message, or undefined when it changed (or went away) while it was read. */
  async function readSettled(name: string, path: string, signature: string): Promise<NativeMessage | undefined> {
    let handle;
    try {
      // O_NOFOLLOW: a symbolic link swapped in since the scan is not followed.
      handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    } catch (error) {
      if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'ELOOP') return undefined;
      throw error;
    }
    try {
      const before = await handle.stat();
      if (`${before.size}:${before.mtimeMs}:${before.ino}` !== signature) return undefined;
      const attributes: Record<string, string> = { [ATTRIBUTES.fileName]: name };
      let body: Buffer;
      if (before.size > options.maxBytes) {
        body = Buffer.alloc(Math.min(options.headBytes, before.size));
        await handle.read(body, 0, body.length, 0);
        const hash = createHash('sha256');
        for await (const chunk of handle.createReadStream({ start: 0, autoClose: false })) hash.update(chunk as Buffer);
        attributes[ATTRIBUTES.receivedBytes] = String(before.size);
        attributes[ATTRIBUTES.receivedSha256] = hash.digest('hex');
      } else {
        body = await handle.readFile();
      }
      const after = await handle.stat();
      if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) return undefined;
      return { body, contentType: 'text/csv', attributes };
    } finally {
      await handle.close();
    }
  }

  async function refuse(path: string, name: string, code: string, reason: string, message: NativeMessage): Promise<string> {
    await mkdir(options.rejectedDir, { recursive: true });
    const target = freeName(options.rejectedDir, name, await namesIn(options.rejectedDir));
    const sha256 = message.attributes[ATTRIBUTES.receivedSha256] ?? createHash('sha256').update(message.body).digest('hex');
    // The reason first: if we stop between the two, the file is still in the inbox and the
    // ledger gives the same refusal again.
    await writeAtomically(`${target}.reason.txt`, reasonText({ file: name, code, reason, sha256, bytes: message.attributes[ATTRIBUTES.receivedBytes] ?? String(message.body.length) }));
    await moveTo(path, target);
    return target;
  }

  async function refuseLocally(name: string, path: string, code: string, reason: string): Promise<void> {
    await mkdir(options.rejectedDir, { recursive: true });
    const target = freeName(options.rejectedDir, name, await namesIn(options.rejectedDir));
    await writeAtomically(`${target}.reason.txt`, reasonText({ file: name, code, reason }));
    await moveTo(path, target);
    seen.delete(name);
    logger.warn({ file: name, movedTo: target, code }, 'inbox entry refused without reading it');
  }

  async function moveAway(path: string, dir: string, name: string): Promise<string> {
    await mkdir(dir, { recursive: true });
    const target = freeName(dir, name, await namesIn(dir));
    await moveTo(path, target);
    return target;
  }

  return {
    async start(receiver) {
      receive = receiver;
      stopped = false;
      await mkdir(options.dir, { recursive: true });
      await mkdir(options.processedDir, { recursive: true });
      await mkdir(options.rejectedDir, { recursive: true });
      try {
        watcher = watch(options.dir, () => void requestScan());
        watcher.on('error', (error) => logger.warn({ err: error }, 'folder notifications failed; scanning on the timer only'));
      } catch (error) {
        logger.warn({ err: error }, 'folder notifications unavailable; scanning on the timer only');
      }
      timer = setInterval(() => void requestScan(), options.pollIntervalMs);
      await requestScan();
      logger.info({ processed: options.processedDir, rejected: options.rejectedDir, pollIntervalMs: options.pollIntervalMs, settleMs: options.settleMs }, 'watching the inbox');
    },

    async stop() {
      stopped = true;
      watcher?.close();
      watcher = undefined;
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },

    scan: () => requestScan(),
  };
}

function reasonText(fields: Record<string, string>): string {
  const lines = [
    'This statistics file was refused by the Comity adapter of the Central American centres of excellence.',
    'Correct it and drop it into the inbox again (under the same or another name).',
    '',
    ...Object.entries(fields).map(([key, value]) => `${key}: ${value.replace(/[\r\n]+/g, ' ')}`),
    '',
  ];
  return lines.join('\n');
}

async function namesIn(dir: string): Promise<Set<string>> {
  return new Set(await readdir(dir));
}

/**
 * `name`, or `stem~2.csv`, `stem~3.csv`… when the name is taken (with or without its reason
 * file). A name too long to take the `.reason.txt` suffix is shortened, keeping it unique.
 */
function freeName(dir: string, name: string, taken: ReadonlySet<string>): string {
  const extension = extname(name);
  let stem = basename(name, extension);
  if (Buffer.byteLength(name) > 200) stem = `${stem.slice(0, 60)}-${createHash('sha256').update(name).digest('hex').slice(0, 16)}`;
  for (let n = 1; ; n += 1) {
    const candidate = n === 1 ? `${stem}${extension}` : `${stem}~${n}${extension}`;
    if (!taken.has(candidate) && !taken.has(`${candidate}.reason.txt`)) return join(dir, candidate);
  }
}

/** Rename, or copy and delete when the target is on another filesystem. */
async function moveTo(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await copyFile(from, to, constants.COPYFILE_EXCL);
    await unlink(from);
  }
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const part = `${path}.part`;
  await writeFile(part, text, 'utf8');
  await rename(part, path);
}

function describeEntry(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isDirectory()) return 'a folder';
  return 'a special file';
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}
