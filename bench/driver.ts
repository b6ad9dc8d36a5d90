/**
 * Load for one part of the benchmark: a closed loop (N sends, C at a time: the most it can take)
 * and an open loop (a fixed offered rate for a fixed time, sends scheduled on a clock so a slow
 * system does not slow the offered load down). Latency is arrival at the far end minus the
 * *scheduled* send time, so queueing in front of a saturated system counts.
 */
import { mb, percentile, progress, progressDone, round, waitFor } from './support.js';

/** Sends message `index`; resolves with the id under which it will arrive. */
export type Send = (index: number) => Promise<string>;

export interface Target {
  readonly name: string;
  readonly send: Send;
  /** First arrival time (performance.now()) by id. */
  readonly arrivals: ReadonlyMap<string, number>;
  /** Peak RSS, bytes, of the processes of this part (for progress lines). */
  readonly memory?: () => Record<string, number>;
}

export interface ThroughputResult {
  readonly sent: number;
  readonly delivered: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly sendErrors: number;
  /** The first send error, if any. */
  readonly firstError?: string;
}

export async function closedLoop(target: Target, options: { count: number; concurrency: number; firstIndex: number; drainTimeoutMs: number }): Promise<ThroughputResult> {
  const ids: string[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const tick = () => {
    const delivered = countArrived(target.arrivals, ids);
    const seconds = (performance.now() - started) / 1000;
    progress(`  ${target.name}: sent ${ids.length}/${options.count}, delivered ${delivered} (${round(delivered / seconds, 0)}/s)${memoryLine(target)}`);
  };
  const timer = setInterval(tick, 1000);
  const worker = async () => {
    while (next < options.count) {
      const index = options.firstIndex + next++;
      try {
        ids.push(await target.send(index));
      } catch (error) {
        errors += 1;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  await waitFor(() => countArrived(target.arrivals, ids) === ids.length, options.drainTimeoutMs);
  clearInterval(timer);
  const arrived = ids.map((id) => target.arrivals.get(id)).filter((t): t is number => t !== undefined);
  const last = arrived.reduce((a, b) => Math.max(a, b), arrived.length > 0 ? 0 : performance.now());
  const seconds = (last - started) / 1000;
  const result = { sent: ids.length, delivered: arrived.length, seconds: round(seconds, 2), eventsPerSecond: round(arrived.length / seconds, 0), sendErrors: errors, ...(firstError ? { firstError } : {}) };
  progressDone(`  ${target.name}: ${result.delivered}/${options.count} delivered in ${result.seconds} s = ${result.eventsPerSecond} events/s`);
  return result;
}

export interface LatencyResult {
  readonly offeredPerSecond: number;
  readonly seconds: number;
  readonly sent: number;
  readonly delivered: number;
  /** Delivered per second over the time from the first scheduled send to the last arrival. */
  readonly sustainedPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly sendErrors: number;
}

export async function openLoop(
  target: Target,
  options: { ratePerSecond: number; seconds: number; firstIndex: number; drainTimeoutMs: number },
): Promise<LatencyResult> {
  const total = Math.round(options.ratePerSecond * options.seconds);
  const scheduled = new Map<string, number>();
  let issued = 0;
  let errors = 0;
  const pending = new Set<Promise<void>>();
  const started = performance.now();
  const tick = () => {
    const delivered = countArrived(target.arrivals, scheduled.keys());
    progress(`  ${target.name} @ ${options.ratePerSecond}/s: sent ${issued}/${total}, delivered ${delivered}${memoryLine(target)}`);
  };
  const progressTimer = setInterval(tick, 1000);
  // Every 5 ms, issue what the clock says is due.
  await new Promise<void>((resolve) => {
    const pump = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * options.ratePerSecond) + 1);
      while (issued < due) {
        const index = options.firstIndex + issued;
        const at = started + (issued / options.ratePerSecond) * 1000;
        issued += 1;
        const work = target
          .send(index)
          .then((id) => void scheduled.set(id, at))
          .catch(() => void (errors += 1));
        pending.add(work);
        void work.finally(() => pending.delete(work));
      }
      if (issued >= total) {
        clearInterval(pump);
        resolve();
      }
    }, 5);
  });
  await Promise.all(pending);
  await waitFor(() => countArrived(target.arrivals, scheduled.keys()) === scheduled.size, options.drainTimeoutMs);
  clearInterval(progressTimer);
  const latencies: number[] = [];
  let last = started;
  for (const [id, at] of scheduled) {
    const arrival = target.arrivals.get(id);
    if (arrival === undefined) continue;
    latencies.push(arrival - at);
    last = Math.max(last, arrival);
  }
  const result: LatencyResult = {
    offeredPerSecond: options.ratePerSecond,
    seconds: options.seconds,
    sent: scheduled.size,
    delivered: latencies.length,
    sustainedPerSecond: round(latencies.length / ((last - started) / 1000), 0),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(percentile(latencies, 100)),
    sendErrors: errors,
  };
  progressDone(
    `  ${target.name} @ ${options.ratePerSecond}/s offered: ${result.delivered}/${total} delivered, sustained ${result.sustainedPerSecond}/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`,
  );
  return result;
}

function countArrived(arrivals: ReadonlyMap<string, number>, ids: Iterable<string>): number {
  let n = 0;
  for (const id of ids) if (arrivals.has(id)) n += 1;
  return n;
}

function memoryLine(target: Target): string {
  if (!target.memory) return '';
  const figures = Object.entries(target.memory()).map(([name, bytes]) => `${name} ${mb(bytes)}`);
  return figures.length > 0 ? `; peak RSS MB: ${figures.join(', ')}` : '';
}
