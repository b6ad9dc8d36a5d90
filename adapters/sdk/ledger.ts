/**
 * A small durable set of keys with a value each, kept in an append-only file: the adapter's
 * memory of what it already did, so that a restart does not do it twice.
 *
 * - `delivered`: event ids delivered to the native system (outbound de-duplication);
 * - `received`: SHA-256 of native messages already published, with the event ids they became
 *   (inbound de-duplication, so a native system that resends gets the same answer).
 *
 * Each {@link Ledger.record} is appended and flushed to disk (fdatasync) before it returns, so
 * an entry that was recorded survives a crash. Entries older than the retention are dropped
 * when the ledger is opened, and the file is rewritten when most of it is stale. A torn last
 * line (a crash in the middle of a write) is ignored.
 */
import { closeSync, existsSync, fdatasync, fdatasyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface LedgerOptions {
  /** Entries older than this are forgotten; default 30 days. */
  readonly retentionMs?: number;
  readonly now?: () => number;
}

export class Ledger {
  private readonly entries = new Map<string, { at: number; value: string }>();
  private fd: number;

  private constructor(
    readonly file: string,
    private readonly options: Required<LedgerOptions>,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    let lines = 0;
    if (existsSync(file)) {
      const cutoff = options.now() - options.retentionMs;
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const entry = parseLine(line);
        if (!entry) continue;
        lines += 1;
        if (entry.at >= cutoff) this.entries.set(entry.key, { at: entry.at, value: entry.value });
      }
    }
    if (lines > 1000 && this.entries.size < lines / 2) this.rewrite();
    this.fd = openSync(file, 'a');
  }

  static open(file: string, options: LedgerOptions = {}): Ledger {
    return new Ledger(file, { retentionMs: options.retentionMs ?? 30 * 24 * 3600 * 1000, now: options.now ?? Date.now });
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): string | undefined {
    return this.entries.get(key)?.value;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Records `key` durably; returns once the line is on disk. */
  record(key: string, value = ''): void {
    this.append(key, value);
    fdatasyncSync(this.fd);
  }

  /**
   * Records `key` durably like {@link record}, but resolves once the line is on disk without
   * blocking the event loop, and with one fdatasync for all the lines written meanwhile (group
   * commit): concurrent callers share a sync instead of queueing one ~5 ms sync each. The entry
   * is visible to {@link get} at once.
   */
  async recordDurably(key: string, value = ''): Promise<void> {
    this.append(key, value);
    await this.sync();
  }

  /** Closes the file once the syncs in progress are done. */
  close(): void {
    if (this.syncInFlight || this.syncQueued) {
      const fd = this.fd;
      void Promise.allSettled([this.syncInFlight, this.syncQueued]).then(() => closeSync(fd));
      return;
    }
    closeSync(this.fd);
  }

  private syncInFlight: Promise<void> | undefined;
  private syncQueued: Promise<void> | undefined;

  private append(key: string, value: string): void {
    if (/[\t\n]/.test(key) || /[\t\n]/.test(value)) throw new RangeError('ledger keys and values may not contain tabs or newlines');
    const at = this.options.now();
    writeSync(this.fd, `${at}\t${key}\t${value}\n`);
    this.entries.set(key, { at, value });
  }

  /** A sync that starts after every write made so far: the one in progress may have started before them. */
  private sync(): Promise<void> {
    if (this.syncQueued) return this.syncQueued;
    if (!this.syncInFlight) {
      const started = new Promise<void>((resolve, reject) => fdatasync(this.fd, (error) => (error ? reject(error) : resolve())));
      this.syncInFlight = started.finally(() => (this.syncInFlight = undefined));
      return this.syncInFlight;
    }
    this.syncQueued = this.syncInFlight
      .catch(() => undefined)
      .then(() => {
        this.syncQueued = undefined;
        return this.sync();
      });
    return this.syncQueued;
  }

  private rewrite(): void {
    const temporary = `${this.file}.tmp`;
    const fd = openSync(temporary, 'w');
    for (const [key, { at, value }] of this.entries) writeSync(fd, `${at}\t${key}\t${value}\n`);
    fdatasyncSync(fd);
    closeSync(fd);
    renameSync(temporary, this.file);
  }
}

function parseLine(line: string): { at: number; key: string; value: string } | undefined {
  const parts = line.split('\t');
  if (parts.length !== 3) return undefined;
  const at = Number(parts[0]);
  if (!Number.isFinite(at) || !parts[1]) return undefined;
  return { at, key: parts[1], value: parts[2] ?? '' };
}
