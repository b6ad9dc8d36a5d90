import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.js';
import type { NativeMessage, ReceiveOutcome } from '../sdk/contract.js';
import { ATTRIBUTES } from './codec.js';
import { createInbox, isInboxFileName, type Inbox } from './transport-inbox.js';

const logger = createLogger({ name: 'test.coe-stats-inbox', level: 'silent' });
const SETTLE_MS = 150;

interface Harness {
  readonly dir: string;
  readonly processed: string;
  readonly rejected: string;
  readonly received: NativeMessage[];
  readonly inbox: Inbox;
  /** Answer for the next messages; a function may throw (nothing kept). */
  answer: (message: NativeMessage) => ReceiveOutcome;
}

const running: Inbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((inbox) => inbox.stop()));
});

async function startInbox(options: { maxBytes?: number; before?: (dir: string) => void } = {}): Promise<Harness> {
  const root = mkdtempSync(join(tmpdir(), 'coe-inbox-'));
  const dir = join(root, 'inbox');
  mkdirSync(dir);
  options.before?.(dir);
  const harness: Harness = {
    dir,
    processed: join(dir, 'processed'),
    rejected: join(dir, 'rejected'),
    received: [],
    answer: () => ({ status: 'accepted', eventIds: ['e1'], requestIds: ['central-america-coe:r1'], duplicate: false }),
    inbox: createInbox({
      dir,
      processedDir: join(dir, 'processed'),
      rejectedDir: join(dir, 'rejected'),
      pollIntervalMs: 50,
      settleMs: SETTLE_MS,
      maxBytes: options.maxBytes ?? 1024 * 1024,
      headBytes: 16,
      logger,
    }),
  };
  running.push(harness.inbox);
  await harness.inbox.start(async (message) => {
    const outcome = harness.answer(message);
    harness.received.push(message);
    return outcome;
  });
  return harness;
}

async function until(predicate: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes a file the way the README asks writers to: `.part`, then rename. */
function drop(dir: string, name: string, content: string | Buffer): void {
  writeFileSync(join(dir, `${name}.part`), content);
  renameSync(join(dir, `${name}.part`), join(dir, name));
}

describe('adapters/coe-stats/transport-inbox', () => {
  it('reads only *.csv names that are not hidden', () => {
    expect(isInboxFileName('gt-2025-q3.csv')).toBe(true);
    expect(isInboxFileName('GT-2025-Q3.CSV')).toBe(true);
    for (const name of ['gt.csv.part', '.gt.csv', 'gt.csv.tmp', 'gt.xlsx', 'processed', '.csv', 'leeme.txt']) expect(isInboxFileName(name), name).toBe(false);
  });

  it('hands a dropped file on once, with its name, and moves it to processed/', async () => {
    const harness = await startInbox();
    drop(harness.dir, 'gt-2025-q3.csv', 'DATAFLOW,REF_AREA\n');
    await until(() => existsSync(join(harness.processed, 'gt-2025-q3.csv')), 'the file in processed/');
    await sleep(4 * 50);
    expect(harness.received).toHaveLength(1);
    expect(harness.received[0]).toMatchObject({ contentType: 'text/csv', attributes: { [ATTRIBUTES.fileName]: 'gt-2025-q3.csv' } });
    expect(harness.received[0]?.body.toString()).toBe('DATAFLOW,REF_AREA\n');
    expect(readdirSync(harness.dir).filter((name) => name.endsWith('.csv'))).toEqual([]);
  });

  it('leaves .part files and other names alone', async () => {
    const harness = await startInbox();
    writeFileSync(join(harness.dir, 'gt-2025-q3.csv.part'), 'DATAFLOW,REF');
    writeFileSync(join(harness.dir, 'leeme.txt'), 'hola');
    await sleep(SETTLE_MS * 3);
    expect(harness.received).toHaveLength(0);
    expect(readdirSync(harness.dir).sort()).toEqual(['gt-2025-q3.csv.part', 'leeme.txt', 'processed', 'rejected']);
  });

  it('waits for a file that is still growing, and reads it whole once it has settled', async () => {
    const harness = await startInbox();
    const path = join(harness.dir, 'hn-2025.csv');
    writeFileSync(path, 'DATAFLOW,REF_AREA\n');
    for (let index = 0; index < 12; index += 1) {
      await sleep(40);
      appendFileSync(path, `COMITY:CJ_COOPERATION(1.0),HN${index}\n`);
      expect(harness.received, `read while still being written (append ${index})`).toHaveLength(0);
    }
    await until(() => harness.received.length === 1, 'the settled file');
    expect(harness.received[0]?.body.toString().split('\n').filter(Boolean)).toHaveLength(13);
  });

  it('processes files left in the inbox before it started', async () => {
    const harness = await startInbox({ before: (dir) => writeFileSync(join(dir, 'pa-2025.csv'), 'left over') });
    await until(() => harness.received.length === 1, 'the file left from before');
    expect(harness.received[0]?.body.toString()).toBe('left over');
  });

  it('moves a refused file to rejected/ with its reason beside it', async () => {
    const harness = await startInbox();
    harness.answer = () => ({ status: 'rejected', code: 'UNKNOWN_ICCS_CODE', reason: '"0199" is not in the ICCS table (at line 3, column ICCS)' });
    drop(harness.dir, 'sv-2025-10.csv', 'DATAFLOW\n');
    await until(() => existsSync(join(harness.rejected, 'sv-2025-10.csv')), 'the file in rejected/');
    const reason = readFileSync(join(harness.rejected, 'sv-2025-10.csv.reason.txt'), 'utf8');
    expect(reason).toContain('code: UNKNOWN_ICCS_CODE');
    expect(reason).toContain('(at line 3, column ICCS)');
    expect(reason).toContain(`sha256: ${createHash('sha256').update('DATAFLOW\n').digest('hex')}`);
    expect(existsSync(join(harness.dir, 'sv-2025-10.csv'))).toBe(false);
  });

  it('keeps a file the receiver could not keep, and hands it on again later', async () => {
    const harness = await startInbox();
    let attempts = 0;
    harness.answer = () => {
      attempts += 1;
      if (attempts < 3) throw Object.assign(new Error('Kafka unreachable'), { retriable: true });
      return { status: 'accepted', eventIds: ['e1'], requestIds: ['r1'], duplicate: false };
    };
    drop(harness.dir, 'do-2025.csv', 'x');
    await until(() => existsSync(join(harness.processed, 'do-2025.csv')), 'the file in processed/ after retries');
    expect(attempts).toBe(3);
  });

  it('does not overwrite an earlier file of the same name', async () => {
    const harness = await startInbox();
    drop(harness.dir, 'cr.csv', 'first');
    await until(() => existsSync(join(harness.processed, 'cr.csv')), 'the first file');
    drop(harness.dir, 'cr.csv', 'second');
    await until(() => existsSync(join(harness.processed, 'cr~2.csv')), 'the second file');
    expect(readFileSync(join(harness.processed, 'cr.csv'), 'utf8')).toBe('first');
    expect(readFileSync(join(harness.processed, 'cr~2.csv'), 'utf8')).toBe('second');
  });

  it('refuses a symbolic link or a folder named like a file without opening it', async () => {
    const outside = join(mkdtempSync(join(tmpdir(), 'coe-secret-')), 'secret.txt');
    writeFileSync(outside, 'not for the adapter');
    const harness = await startInbox();
    symlinkSync(outside, join(harness.dir, 'link.csv'));
    mkdirSync(join(harness.dir, 'folder.csv'));
    await until(() => existsSync(join(harness.rejected, 'link.csv.reason.txt')) && existsSync(join(harness.rejected, 'folder.csv.reason.txt')), 'both refused');
    expect(harness.received).toHaveLength(0);
    expect(readFileSync(join(harness.rejected, 'link.csv.reason.txt'), 'utf8')).toContain('NOT_A_REGULAR_FILE');
    expect(readFileSync(outside, 'utf8')).toBe('not for the adapter');
  });

  it('hands on only the head of an oversized file, with its real size and SHA-256', async () => {
    const harness = await startInbox({ maxBytes: 1024 });
    const big = Buffer.alloc(300_000, 'x');
    drop(harness.dir, 'huge.csv', big);
    await until(() => harness.received.length === 1, 'the oversized file');
    const message = harness.received[0] as NativeMessage;
    expect(message.body.length).toBe(16);
    expect(message.attributes).toMatchObject({
      [ATTRIBUTES.receivedBytes]: String(big.length),
      [ATTRIBUTES.receivedSha256]: createHash('sha256').update(big).digest('hex'),
    });
  });

  it('goes on with the other files when one cannot be handled, and copes with a name too long for its reason file', async () => {
    const harness = await startInbox();
    harness.answer = (message) =>
      message.attributes[ATTRIBUTES.fileName]?.startsWith('a-')
        ? { status: 'rejected', code: 'NOT_SDMX_CSV', reason: 'the first column must be DATAFLOW (at line 1, column 1)' }
        : { status: 'accepted', eventIds: ['e1'], requestIds: ['r1'], duplicate: false };
    const long = `a-${'x'.repeat(240)}.csv`;
    drop(harness.dir, long, 'x');
    drop(harness.dir, 'b.csv', 'y');
    await until(() => existsSync(join(harness.processed, 'b.csv')), 'the file after the long-named one');
    await until(() => readdirSync(harness.rejected).some((name) => name.endsWith('.csv.reason.txt')), 'the long-named file refused');
    const [refused] = readdirSync(harness.rejected).filter((name) => name.endsWith('.csv'));
    expect(refused).toMatch(/^a-x{58}-[0-9a-f]{16}\.csv$/);
  });

  it('stops scanning when stopped', async () => {
    const harness = await startInbox();
    await harness.inbox.stop();
    drop(harness.dir, 'late.csv', 'x');
    await sleep(SETTLE_MS * 3);
    expect(harness.received).toHaveLength(0);
  });
});
