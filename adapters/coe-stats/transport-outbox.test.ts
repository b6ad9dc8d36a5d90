import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.js';
import type { DeliveryContext, NativeMessage } from '../sdk/contract.js';
import { DeliveryError } from '../sdk/errors.js';
import { ATTRIBUTES } from './codec.js';
import { createOutbox, outboxFileName } from './transport-outbox.js';

const logger = createLogger({ name: 'test.coe-stats-outbox', level: 'silent' });

function message(body: string, reportId = 'hub/2025-Q3', revision = '1'): NativeMessage {
  return { body: Buffer.from(body), contentType: 'text/csv; charset=utf-8', attributes: { [ATTRIBUTES.reportId]: reportId, [ATTRIBUTES.revision]: revision } };
}

function context(eventId: string): DeliveryContext {
  return { eventId, requestId: 'hub/2025-Q3', attempt: 1, signal: new AbortController().signal };
}

describe('adapters/coe-stats/transport-outbox', () => {
  it('names files from the report id and revision, safely', () => {
    expect(outboxFileName({ [ATTRIBUTES.reportId]: 'hub/2025-Q3', [ATTRIBUTES.revision]: '2' }, 'e1')).toBe('hub_2025-Q3.r2.csv');
    expect(outboxFileName({ [ATTRIBUTES.reportId]: '../../etc/passwd', [ATTRIBUTES.revision]: '../1' }, 'e1')).toBe('etc_passwd.r0.csv');
    expect(outboxFileName({}, '0193a6f2')).toBe('0193a6f2.r0.csv');
  });

  it('writes the file whole under its final name, leaving no .part behind', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'coe-outbox-')), 'salida');
    const outbox = createOutbox(dir, logger);
    await outbox.prepare();
    const receipt = await outbox.deliver(message('DATAFLOW,REF_AREA\r\n'), context('e1'));
    expect(receipt).toEqual({ nativeMessageId: 'hub_2025-Q3.r1.csv' });
    expect(readdirSync(dir)).toEqual(['hub_2025-Q3.r1.csv']);
    expect(readFileSync(join(dir, 'hub_2025-Q3.r1.csv'), 'utf8')).toBe('DATAFLOW,REF_AREA\r\n');
  });

  it('does nothing when the same file is delivered again, and never overwrites a different one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coe-outbox-'));
    const outbox = createOutbox(dir, logger);
    await outbox.deliver(message('first'), context('e1'));
    expect(await outbox.deliver(message('first'), context('e1'))).toEqual({ nativeMessageId: 'hub_2025-Q3.r1.csv' });
    expect(await outbox.deliver(message('other'), context('e2'))).toEqual({ nativeMessageId: 'hub_2025-Q3.r1.e2.csv' });
    expect(readFileSync(join(dir, 'hub_2025-Q3.r1.csv'), 'utf8')).toBe('first');
    expect(readdirSync(dir).sort()).toEqual(['hub_2025-Q3.r1.csv', 'hub_2025-Q3.r1.e2.csv']);
  });

  it('fails retriably when the folder cannot be written, so the runtime tries again', async () => {
    // A file where the folder should be: what a share that went away or a wrong mount looks like.
    const notAFolder = join(mkdtempSync(join(tmpdir(), 'coe-outbox-')), 'salida');
    writeFileSync(notAFolder, '');
    const error = await createOutbox(notAFolder, logger)
      .deliver(message('x'), context('e1'))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ code: 'OUTBOX_WRITE_FAILED', retriable: true });
  });
});
