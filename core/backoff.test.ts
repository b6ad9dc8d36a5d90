import { describe, expect, it } from 'vitest';
import { backoffDelay, sleep } from './backoff.js';

describe('core/backoff', () => {
  const policy = { initialMs: 100, maxMs: 5000 };

  it('doubles the ceiling per attempt up to the cap', () => {
    const top = () => 0.999999;
    expect(backoffDelay(policy, 1, top)).toBe(99);
    expect(backoffDelay(policy, 2, top)).toBe(199);
    expect(backoffDelay(policy, 5, top)).toBe(1599);
    expect(backoffDelay(policy, 30, top)).toBe(4999);
  });

  it('jitters over the whole range', () => {
    expect(backoffDelay(policy, 4, () => 0)).toBe(0);
    const samples = Array.from({ length: 200 }, () => backoffDelay(policy, 4));
    expect(Math.min(...samples)).toBeLessThan(200);
    expect(Math.max(...samples)).toBeGreaterThan(600);
    expect(Math.max(...samples)).toBeLessThan(800);
  });

  it('wakes early when aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const slept = sleep(10_000, controller.signal);
    controller.abort();
    expect(await slept).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await sleep(1)).toBe(true);
  });
});
