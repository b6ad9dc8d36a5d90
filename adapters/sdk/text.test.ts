import { describe, expect, it } from 'vitest';
import { decodeUtf8, firstInvalidUtf8 } from './text.js';

describe('adapters/sdk/text', () => {
  it('decodes UTF-8 and drops a BOM', () => {
    expect(decodeUtf8(Buffer.from('\ufeffAutorité requérante — São Tomé'))).toEqual({ ok: true, text: 'Autorité requérante — São Tomé' });
  });

  it('points at the first byte that is not UTF-8', () => {
    const latin1 = Buffer.concat([Buffer.from('Secci'), Buffer.from([0xf3]), Buffer.from('n')]);
    expect(decodeUtf8(latin1)).toEqual({ ok: false, invalidAt: 5 });
    expect(firstInvalidUtf8(Buffer.from([0x41, 0xc0, 0x80]))).toBe(1); // overlong
    expect(firstInvalidUtf8(Buffer.from([0x41, 0xed, 0xa0, 0x80]))).toBe(1); // surrogate
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // beyond U+10FFFF
    expect(firstInvalidUtf8(Buffer.from([0x41, 0xe2, 0x82]))).toBe(1); // truncated
  });
});
