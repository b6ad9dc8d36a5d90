/**
 * Reads V8 CPU profiles (`node --cpu-prof`) and says where the time went: self time by
 * function and by area (kafkajs, protobuf, pino, the codec, the runtime, Node's own, idle, GC).
 */
import { readFileSync } from 'node:fs';
import { round } from './support.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  readonly process: string;
  readonly file: string;
  /** CPU time, not idle. */
  readonly totalMs: number;
  /** Length of the profile. */
  readonly wallMs: number;
  /** Share of non-idle time by area, percent. */
  readonly areas: { area: string; ms: number; percent: number }[];
  /** The functions with the most self time (non-idle). */
  readonly functions: { name: string; where: string; ms: number; percent: number }[];
}

const AREAS: [string, RegExp][] = [
  ['kafkajs', /node_modules\/kafkajs\//],
  ['protobuf (ts-proto / protobufjs / @bufbuild)', /node_modules\/(protobufjs|@bufbuild|long)\/|core\/gen\//],
  ['pino logging', /node_modules\/(pino|pino-std-serializers|sonic-boom|thread-stream)\//],
  ['zod', /node_modules\/zod\//],
  ['xml parsing (fast-xml-parser)', /node_modules\/fast-xml-parser\//],
  ['prom-client', /node_modules\/prom-client\//],
  ['tsx loader', /node_modules\/(tsx|esbuild|get-tsconfig)\//],
  ['adapter codecs', /adapters\/(?!sdk\/)[^/]+\//],
  ['adapter runtime + transports', /adapters\/sdk\//],
  ['router + services', /services\//],
  ['core (events, dlq, kafka wrapper)', /\/core\//],
  ['node internals (http, streams, crypto, fs)', /^node:|^internal\/|^$/],
];

export function summariseProfile(file: string, process: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i += 1) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const areaUs = new Map<string, number>();
  const fnUs = new Map<string, { name: string; where: string; us: number }>();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)' || frame.functionName === '(program)') continue;
    busyUs += us;
    const area =
      frame.functionName === '(garbage collector)' ? 'garbage collection' : (AREAS.find(([, pattern]) => pattern.test(frame.url))?.[0] ?? 'other');
    areaUs.set(area, (areaUs.get(area) ?? 0) + us);
    const where = `${frame.url.replace(/^file:\/\/.*?\/(node_modules|adapters|core|services|bench)\//, '$1/')}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName}@${where}`;
    const entry = fnUs.get(key) ?? { name: frame.functionName || '(anonymous)', where, us: 0 };
    entry.us += us;
    fnUs.set(key, entry);
  }
  const percent = (us: number) => round((100 * us) / Math.max(1, busyUs));
  return {
    process,
    file,
    totalMs: round(busyUs / 1000, 0),
    wallMs: round((profile.endTime - profile.startTime) / 1000, 0),
    areas: [...areaUs].sort((a, b) => b[1] - a[1]).map(([area, us]) => ({ area, ms: round(us / 1000, 0), percent: percent(us) })),
    functions: [...fnUs.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, ms: round(f.us / 1000, 0), percent: percent(f.us) })),
  };
}
