import { describe, expect, it } from 'vitest';
import { AdminServer } from '../src/admin/AdminServer.ts';
import type { AdminSource, AdminStats } from '../src/admin/AdminSource.ts';
import { createMetrics } from '../src/admin/createMetrics.ts';
import { RequestTimes } from '../src/admin/RequestTimes.ts';
import { timed } from '../src/admin/timed.ts';
import { DashboardFeed } from '../src/web/DashboardFeed.ts';
import { findPromtool, lintMetrics, promtoolCheck } from './fixtures/lintMetrics.ts';

const promtool = findPromtool();
const TYPES = ['arena.move', 'arena.tag', 'arena.whereAmI'];

function source(): AdminSource {
  const stats: AdminStats = { sessionsOpen: 0, handshaking: 0, upgrading: 0, accepted: 0, closedByCode: {}, bytesIn: 0, bytesOut: 0, messagesIn: 0, messagesOut: 0 };
  return { stats: () => stats, sessions: () => ({ total: 0, sessions: [] }), actorsByState: () => ({}), gameGauges: () => ({}) };
}

/** The `hearth_request_duration_seconds*` lines of an exposition. */
const requestLines = (text: string) => text.split('\n').filter((l) => l.startsWith('hearth_request_duration_seconds'));
/** `name{labels} value` → value, or undefined when the series is absent. */
function sampleOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('RequestTimes', () => {
  it('counts into fixed buckets per type (a time equal to a bound is in that bucket, `le`)', () => {
    const times = new RequestTimes(['a', 'b', 'a'], [0.001, 0.01]);
    expect(times.types).toEqual(['a', 'b']);
    times.observe('a', 0.0005);
    times.observe('a', 0.001); // = the first bound
    times.observe('a', 0.002);
    times.observe('a', 5); // above every bound: +Inf only
    const b = times.recorder('b');
    b(0.5); // ms
    b(Number.NaN); // not counted
    expect(times.snapshot()).toEqual([
      { type: 'a', cumulative: [2, 3, 4], sum: expect.closeTo(5.0035, 9) as number, count: 4 },
      { type: 'b', cumulative: [1, 1, 1], sum: expect.closeTo(0.0005, 9) as number, count: 1 },
    ]);
    expect(() => new RequestTimes([], [0.01, 0.001])).toThrow(RangeError);
  });

  it('drops a type it was not made with: counted as unknown, never a new type', () => {
    const times = new RequestTimes(['a']);
    times.observe('zzz', 0.001);
    times.recorder('__proto__')(1);
    times.recorder('constructor')(1);
    expect(times.unknown).toBe(3);
    expect(times.snapshot().map((t) => t.type)).toEqual(['a']);
    expect(times.snapshot()[0]!.count).toBe(0);
  });

  it('timed() records a return, a throw and a settled promise under its type, through the recorder resolved once', async () => {
    const times = new RequestTimes(['ok', 'boom', 'later']);
    const calls: string[] = [];
    const observe = Object.assign((type: string, seconds: number) => times.observe(type, seconds), {
      recorder: (type: string) => {
        calls.push(type);
        return times.recorder(type);
      },
    });
    const ok = timed(observe, 'ok', (a: number, b: number) => a + b);
    const boom = timed(observe, 'boom', () => {
      throw new Error('refused');
    });
    let settle!: () => void;
    const later = timed(observe, 'later', () => new Promise<void>((r) => (settle = r)));
    expect(ok(1, 2)).toBe(3);
    expect(ok(3, 4)).toBe(7);
    expect(() => boom()).toThrow('refused');
    const pending = later();
    const count = (type: string) => times.snapshot().find((t) => t.type === type)!.count;
    expect([count('ok'), count('boom'), count('later')]).toEqual([2, 1, 0]);
    settle();
    await pending;
    await Promise.resolve(); // the timing's then() runs after the caller's
    expect(count('later')).toBe(1);
    expect(calls).toEqual(['ok', 'boom', 'later']);
    // Without a recorder, the plain (type, seconds) call is used.
    const seen: string[] = [];
    timed((type: string) => seen.push(type), 'plain', () => 1)();
    expect(seen).toEqual(['plain']);
  });
});

describe('hearth_request_duration_seconds over HTTP', () => {
  it('one histogram per defined message type (all of them, zero until timed), promtool-clean', async () => {
    const src = source();
    const metrics = createMetrics(src, { requestTypes: TYPES });
    for (let i = 0; i < 3; i++) metrics.observe('arena.move', 0.00002); // 20 us
    metrics.observe('arena.tag', 0.003); // 3 ms
    await using admin = await AdminServer.listen({ source: src, registry: metrics.registry, port: 0 });
    const text = await (await fetch(`${admin.url}/metrics`)).text();
    const s = (series: string) => sampleOf(text, `hearth_request_duration_seconds${series}`);
    expect(text).toContain('# TYPE hearth_request_duration_seconds histogram');
    expect(s('_count{type="arena.move"}')).toBe(3);
    expect(s('_bucket{le="0.00001",type="arena.move"}')).toBe(0);
    expect(s('_bucket{le="0.00005",type="arena.move"}')).toBe(3);
    expect(s('_bucket{le="+Inf",type="arena.move"}')).toBe(3);
    expect(s('_sum{type="arena.move"}')).toBeCloseTo(0.00006, 9);
    expect(s('_count{type="arena.tag"}')).toBe(1);
    expect(s('_bucket{le="0.001",type="arena.tag"}')).toBe(0);
    expect(s('_bucket{le="0.005",type="arena.tag"}')).toBe(1);
    expect(s('_count{type="arena.whereAmI"}')).toBe(0);
    expect(new Set(requestLines(text).map((l) => /type="([^"]*)"/.exec(l)?.[1]))).toEqual(new Set(TYPES));
    // 9 bounds + Inf + sum + count per type.
    expect(requestLines(text)).toHaveLength(TYPES.length * 12);
    expect(lintMetrics(text)).toEqual([]);
    if (promtool !== undefined) expect(promtoolCheck(promtool, text)).toEqual({ status: 0, output: '' });
  });

  it('a hostile message name never creates a series: the exposition is the same as without it', async () => {
    const src = source();
    const metrics = createMetrics(src, { requestTypes: TYPES });
    metrics.observe('arena.tag', 0.001);
    await using admin = await AdminServer.listen({ source: src, registry: metrics.registry, port: 0 });
    const before = requestLines(await (await fetch(`${admin.url}/metrics`)).text());
    const hostile = ['arena.tag"} 1e9\nevil_metric 1\n#', 'ARENA.TAG', 'arena.tag ', '', '__proto__', 'toString', 'x'.repeat(100_000)];
    for (let i = 0; i < 10_000; i++) hostile.push(`arena.random-${i}`);
    for (const name of hostile) {
      metrics.observe(name, 0.002);
      timed(metrics.observe, name, () => undefined)();
    }
    const text = await (await fetch(`${admin.url}/metrics`)).text();
    expect(requestLines(text)).toEqual(before);
    expect(text).not.toContain('evil_metric');
    expect(text).not.toContain('random-');
    expect(metrics.requestTimes.unknown).toBe(hostile.length * 2);
    expect(lintMetrics(text)).toEqual([]);
  });

  it('the dashboard feed splits p50/p99 and the rate by message type', async () => {
    const src = source();
    const metrics = createMetrics(src, { requestTypes: TYPES });
    let now = 10_000;
    const feed = new DashboardFeed({ source: src, registry: metrics.registry, now: () => now });
    expect((await feed.sample()).requestsByType).toEqual({});
    for (let i = 0; i < 100; i++) metrics.observe('arena.move', 0.00002); // 20 us
    for (let i = 0; i < 10; i++) metrics.observe('arena.tag', 0.003); // 3 ms
    metrics.observe('nope', 1);
    now += 2000;
    const second = await feed.sample();
    expect(Object.keys(second.requestsByType).sort()).toEqual(['arena.move', 'arena.tag']);
    const { 'arena.move': move, 'arena.tag': tag } = second.requestsByType;
    expect(move).toMatchObject({ perS: 50 });
    expect(move!.p50Ms).toBeGreaterThan(0.01);
    expect(move!.p99Ms).toBeLessThanOrEqual(0.05);
    expect(tag).toMatchObject({ perS: 5 });
    expect(tag!.p50Ms).toBeGreaterThan(1);
    expect(tag!.p99Ms).toBeLessThanOrEqual(5);
    expect(second.requestsPerS).toBe(55); // all types together, as before
    expect(second.requestP99Ms).toBeGreaterThan(1);
    now += 1000;
    metrics.observe('arena.tag', 0.003);
    expect((await feed.sample()).requestsByType).toEqual({ 'arena.tag': { perS: 1, p50Ms: expect.any(Number) as number, p99Ms: expect.any(Number) as number } });
    feed.close();
  });
});
