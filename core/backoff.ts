/**
 * Exponential back-off with full jitter and a cap (the AWS architecture blog's "full jitter"):
 * attempt n waits a random time in [0, min(cap, base·2^(n-1))], so retries from many clients
 * spread out instead of arriving together when an endpoint comes back.
 */
export interface BackoffPolicy {
  /** Base delay, milliseconds. */
  readonly initialMs: number;
  /** Cap on any single delay, milliseconds. */
  readonly maxMs: number;
}

export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Resolves after `ms`, or at once (with `false`) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
