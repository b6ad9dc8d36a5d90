import { describe, expect, it } from 'vitest';
import { EAW_LIST_OFFENCES, listOffence } from './eaw-list.js';
import { ICCS, iccsEntry, iccsSection, isIccsCode } from './iccs.js';

describe('core/reference', () => {
  it('has all 11 ICCS sections, valid codes, and parents that exist', () => {
    expect(ICCS.filter((entry) => entry.level === 1).map((entry) => entry.code)).toEqual([
      '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11',
    ]);
    for (const entry of ICCS) {
      expect(isIccsCode(entry.code), entry.code).toBe(true);
      expect(entry.code.length, entry.code).toBe([0, 2, 4, 5, 6][entry.level]);
      if (entry.level > 1) {
        expect(entry.parent && entry.code.startsWith(entry.parent), entry.code).toBe(true);
        expect(iccsSection(entry.code)).toBe(entry.code.slice(0, 2));
      }
    }
    expect(new Set(ICCS.map((entry) => entry.code)).size).toBe(ICCS.length);
  });

  it('tells codes from non-codes', () => {
    for (const code of ['01', '0101', '02011', '020111', '11']) expect(isIccsCode(code), code).toBe(true);
    for (const code of ['00', '12', '1', '010', '0101111', 'ab', '']) expect(isIccsCode(code), code).toBe(false);
  });

  it('maps the 32 EAW list offences, in order, to ICCS codes of the table', () => {
    expect(EAW_LIST_OFFENCES.map((offence) => offence.n)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
    for (const offence of EAW_LIST_OFFENCES) expect(iccsEntry(offence.iccs), `${offence.n} → ${offence.iccs}`).toBeDefined();
    expect(listOffence(28)).toMatchObject({ label: 'rape', iccs: '0301' });
    expect(listOffence(33)).toBeUndefined();
  });
});
