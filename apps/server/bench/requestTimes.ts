/**
 * The per-message cost of the admin request timing: a room handler wrapped by `timed()` recording
 * into {@link RequestTimes} (typed arrays, its recorder resolved once), against the baseline in the
 * same run: the previous wrapper (a closure per call) into prom-client's `Histogram.observe({ type })`
 * (what the game bench profile showed at ≈ 3.3 % of the server's busy time). Also the record alone,
 * both ways, and the bare handler. 7 message types, called round-robin; ns per call, median of 3
 * runs of 2,000,000 calls each, after a warm-up.
 * `node --import tsx --conditions=@hearth/source bench/requestTimes.ts`; writes bench/results/request-times.json.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { Histogram, Registry } from 'prom-client';
import { REQUEST_TIME_BOUNDS, RequestTimes } from '../src/admin/RequestTimes.ts';
import { timed, type ObserveTime } from '../src/admin/timed.ts';

const CALLS = 2_000_000;
const RUNS = 3;
const TYPES = ['arena.move', 'arena.chat', 'arena.tag', 'arena.whereAmI', 'arena.leaderboard', 'arena.whisper', 'arena.echo'];

/** The wrapper before this change (apps/server/src/admin/timed.ts at b893ecc), as the baseline. */
function previousTimed<A extends unknown[], R>(observe: (type: string, seconds: number) => void, type: string, handler: (...args: A) => R): (...args: A) => R {
  return (...args: A): R => {
    const t0 = performance.now();
    const done = () => observe(type, (performance.now() - t0) / 1000);
    let out: R;
    try {
      out = handler(...args);
    } catch (err) {
      done();
      throw err;
    }
    if (out instanceof Promise) void out.then(done, done);
    else done();
    return out;
  };
}

interface Member {
  x: number;
}
/** A room handler's shape and a little work (a move's bounds check). */
const handler = (_room: unknown, member: Member, msg: { x: number; y: number }): void => {
  if (msg.x >= 0 && msg.x < 1000) member.x = msg.x;
};
type Handler = typeof handler;

/** ns per call of `call(i)` over CALLS calls. */
function measure(call: (i: number) => void): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) call(i);
  return Number(process.hrtime.bigint() - t0) / CALLS;
}

const CASES = ['bareHandler', 'timedPromClient', 'timedRequestTimes', 'observePromClient', 'observeRequestTimes', 'recordRequestTimes'] as const;
type Case = (typeof CASES)[number];

function cases(): Record<Case, (i: number) => void> {
  const hist = new Histogram({ name: 'x_seconds', help: 'x', labelNames: ['type'], buckets: [...REQUEST_TIME_BOUNDS], registers: [new Registry()] });
  const promObserve = (type: string, seconds: number) => hist.observe({ type }, seconds);
  const times = new RequestTimes(TYPES);
  const observe: ObserveTime = Object.assign((type: string, seconds: number) => times.observe(type, seconds), { recorder: (type: string) => times.recorder(type) });
  const member = { x: 0 };
  const msg = { x: 510, y: 500 };
  const n = TYPES.length;
  const wrap = (f: (type: string) => Handler) => TYPES.map(f);
  const bare = wrap(() => handler);
  const before = wrap((type) => previousTimed(promObserve, type, handler));
  const after = wrap((type) => timed(observe, type, handler));
  const recorders = TYPES.map((t) => times.recorder(t));
  return {
    bareHandler: (i) => bare[i % n]!(null, member, msg),
    timedPromClient: (i) => before[i % n]!(null, member, msg),
    timedRequestTimes: (i) => after[i % n]!(null, member, msg),
    observePromClient: (i) => promObserve(TYPES[i % n]!, 0.00002),
    observeRequestTimes: (i) => times.observe(TYPES[i % n]!, 0.00002),
    recordRequestTimes: (i) => recorders[i % n]!(0.02),
  };
}

const all = cases();
for (const name of CASES) measure(all[name]); // warm-up (and JIT)
const runs = Object.fromEntries(CASES.map((k) => [k, [] as number[]])) as Record<Case, number[]>;
for (let r = 0; r < RUNS; r++) for (const name of CASES) runs[name].push(Math.round(measure(all[name]) * 10) / 10);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const m = Object.fromEntries(CASES.map((k) => [k, median(runs[k])])) as Record<Case, number>;
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const result = {
  benchmark: 'server: per-message cost of the admin request timing (timed() + histogram), ns per call',
  date: new Date().toISOString(),
  node: process.version,
  loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
  config: { calls: CALLS, runs: RUNS, types: TYPES.length },
  nsPerCall: m,
  ratios: {
    /** The timing's own cost (the wrapped handler minus the bare one), before / after. */
    timingOverheadBeforeOverAfter: ratio(m.timedPromClient - m.bareHandler, m.timedRequestTimes - m.bareHandler),
    observePromClientOverRequestTimes: ratio(m.observePromClient, m.observeRequestTimes),
  },
  runs,
};
const out = resolve(import.meta.dirname, '../../../bench/results/request-times.json');
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
