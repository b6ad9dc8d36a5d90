import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ledger } from './ledger.js';

const file = () => join(mkdtempSync(join(tmpdir(), 'comity-ledger-')), 'sub', 'delivered.log');

describe('adapters/sdk/ledger', () => {
  it('remembers what was recorded across a reopen', () => {
    const path = file();
    const ledger = Ledger.open(path);
    ledger.record('event-1');
    ledger.record('sha-1', '["e1","e2"]');
    ledger.close();
    const again = Ledger.open(path);
    expect(again.has('event-1')).toBe(true);
    expect(again.get('sha-1')).toBe('["e1","e2"]');
    expect(again.has('event-2')).toBe(false);
    again.close();
  });

  it('ignores a torn last line', () => {
    const path = file();
    const ledger = Ledger.open(path);
    ledger.record('event-1');
    ledger.close();
    appendFileSync(path, '17000000');
    const again = Ledger.open(path);
    expect(again.size).toBe(1);
    again.record('event-2');
    again.close();
    expect(Ledger.open(path).has('event-2')).toBe(true);
  });

  it('forgets entries past the retention and compacts the file', () => {
    const path = file();
    let now = 1_000_000;
    const ledger = Ledger.open(path, { retentionMs: 1000, now: () => now });
    for (let i = 0; i < 1500; i += 1) ledger.record(`old-${i}`);
    now += 5000;
    ledger.record('fresh');
    ledger.close();
    const again = Ledger.open(path, { retentionMs: 1000, now: () => now });
    expect(again.size).toBe(1);
    expect(again.has('fresh')).toBe(true);
    again.close();
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('recordDurably: concurrent records share syncs, are all on disk when they resolve, and survive a reopen', async () => {
    const path = file();
    const ledger = Ledger.open(path);
    await Promise.all(Array.from({ length: 200 }, (_, i) => ledger.recordDurably(`event-${i}`, `native-${i}`)));
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(200);
    expect(ledger.get('event-7')).toBe('native-7');
    const late = ledger.recordDurably('event-late');
    ledger.close();
    await late;
    const again = Ledger.open(path);
    expect(again.size).toBe(201);
    expect(again.has('event-late')).toBe(true);
    again.close();
  });

  it('refuses keys that would break the file format', () => {
    const ledger = Ledger.open(file());
    expect(() => ledger.record('a\tb')).toThrow(RangeError);
    ledger.close();
  });
});
