import { describe, expect, it } from 'vitest';
import { derivedEventId, isEventId, newEventId } from './ids.js';

describe('core/events/ids', () => {
  it('makes time-ordered UUIDv7 ids', () => {
    const a = newEventId();
    const b = newEventId();
    expect(isEventId(a)).toBe(true);
    expect(a < b || a.slice(0, 13) === b.slice(0, 13)).toBe(true);
    expect(isEventId('not-an-id')).toBe(false);
  });

  it('derives the same valid v7 id from the same event and purpose, a different one otherwise', () => {
    const source = newEventId();
    const receipt = derivedEventId(source, 'delivered:ejn');
    expect(isEventId(receipt)).toBe(true);
    expect(derivedEventId(source, 'delivered:ejn')).toBe(receipt);
    expect(derivedEventId(source, 'not-delivered:ejn')).not.toBe(receipt);
    expect(receipt.slice(0, 13)).toBe(source.slice(0, 13));
  });

});
