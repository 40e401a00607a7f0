import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  BufferPool,
  Service,
  SessionIdAllocator,
  TokenBucket,
  backoffDelay,
  createNetLogger,
  netLogDisabledByEnv,
  nextPowerOfTwo,
  parseAddress,
  resolveReconnect,
} from '../src/index.ts';

describe('SessionIdAllocator', () => {
  it('never repeats an id within 2^20 allocations (32-bit, default stride)', () => {
    const ids = new SessionIdAllocator({ start: 12345 });
    const seen = new Set<number>();
    for (let i = 0; i < (1 << 20) + 1; i++) {
      const id = ids.next();
      if (id === 0 || seen.has(id)) throw new Error(`id ${id} repeated after ${i} allocations`);
      seen.add(id);
    }
    expect(seen.size).toBe((1 << 20) + 1);
    for (const id of seen) if (id < 0 || id > 0xffff_ffff || !Number.isInteger(id)) throw new Error(`bad id ${id}`);
  });

  it('consecutive ids are far apart (large stride)', () => {
    const ids = new SessionIdAllocator({ start: 0 });
    const a = ids.next();
    const b = ids.next();
    expect(Math.abs(b - a)).toBeGreaterThan(2 ** 20);
  });

  it('visits every value once per cycle, skipping 0 and live ids (small width)', () => {
    const ids = new SessionIdAllocator({ bits: 4, stride: 5, start: 0 });
    const cycle = Array.from({ length: 15 }, () => ids.next());
    expect(new Set(cycle).size).toBe(15);
    expect(cycle).not.toContain(0);
    const live = new Set([cycle[0]!, cycle[1]!]);
    const next = Array.from({ length: 13 }, () => ids.next((id) => live.has(id)));
    expect(next.some((id) => live.has(id))).toBe(false);
    expect(new Set(next).size).toBe(13);
    const full = new SessionIdAllocator({ bits: 2, stride: 1 });
    expect(() => full.next(() => true)).toThrow(RangeError);
  });

  it('rejects even strides', () => {
    expect(() => new SessionIdAllocator({ stride: 4 })).toThrow(RangeError);
  });
});

describe('BufferPool', () => {
  it('hands out power-of-two buffers and reuses released ones', () => {
    const pool = new BufferPool({ minBytes: 1024 });
    const a = pool.alloc(3000);
    expect(a.length).toBe(4096);
    pool.release(a);
    expect(pool.alloc(2049)).toBe(a);
    expect(pool.alloc(10).length).toBe(1024);
    expect(pool.stats()).toMatchObject({ hits: 1, misses: 2, outstanding: 2 });
  });

  it('keeps idle memory under the high-water mark and drops foreign buffers', () => {
    const pool = new BufferPool({ minBytes: 1024, highWaterBytes: 8192 });
    const bufs = Array.from({ length: 5 }, () => pool.alloc(4096));
    for (const b of bufs) pool.release(b);
    expect(pool.stats().idleBytes).toBe(8192);
    expect(pool.stats().dropped).toBe(3);
    pool.release(new Uint8Array(8192).subarray(0, 4096));
    expect(pool.stats().idleBytes).toBe(8192);
    pool.trim();
    expect(pool.stats().idleBytes).toBe(0);
  });

  it('nextPowerOfTwo', () => {
    expect([0, 1, 2, 3, 1024, 1025].map(nextPowerOfTwo)).toEqual([1, 1, 2, 4, 1024, 2048]);
  });
});

describe('TokenBucket', () => {
  it('allows a burst then the sustained rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 5, () => now);
    for (let i = 0; i < 5; i++) expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 100; // one token at 10/s
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 10_000;
    expect(bucket.tokens).toBe(5);
  });
});

describe('backoff', () => {
  it('grows exponentially to the cap, jittered downwards', () => {
    const policy = resolveReconnect({ initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0.5 });
    expect([1, 2, 3, 4, 5, 10].map((n) => backoffDelay(policy, n, () => 0))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(policy, 3, () => 1)).toBe(200);
    expect(() => resolveReconnect({ jitter: 2 })).toThrow(RangeError);
  });
});

describe('parseAddress', () => {
  it('parses tcp and ws addresses', () => {
    expect(parseAddress('tcp://127.0.0.1:0')).toMatchObject({ transport: 'tcp', host: '127.0.0.1', port: 0 });
    expect(parseAddress('ws://localhost:8080/game')).toMatchObject({ transport: 'ws', port: 8080, path: '/game' });
    expect(() => parseAddress('http://x:1')).toThrow(/tcp:\/\/host:port/);
    expect(() => parseAddress('tcp://x')).toThrow();
  });
});

describe('logging switch', () => {
  function capture(): { lines: string[]; logger: Logger } {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const logger: Logger = pino({ level: 'info' }, sink);
    return { lines, logger };
  }

  it('binds one component per log line (no duplicate keys from nested children)', async () => {
    const { lines, logger } = capture();
    const service = new Service({ logger });
    const acceptor = await service.accept('tcp://127.0.0.1:0', 'msgpack');
    await acceptor.close();
    await service.close();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.match(/"component"/g) ?? [], line).toHaveLength(1);
    expect(lines.map((l) => (JSON.parse(l) as { component: string }).component)).toContain('net.acceptor');
  });

  it('logs through the given logger with component bindings, and is silenced by HEARTH_NET_LOG=0 or log:false', async () => {
    const on = capture();
    createNetLogger({ logger: on.logger }, {}).child({ component: 'acceptor' }).info('hello');
    const off1 = capture();
    createNetLogger({ logger: off1.logger }, { HEARTH_NET_LOG: '0' }).info('hello');
    const off2 = capture();
    createNetLogger({ logger: off2.logger, log: false }, {}).info('hello');
    await new Promise((r) => setImmediate(r));
    expect(on.lines).toHaveLength(1);
    expect(JSON.parse(on.lines[0]!)).toMatchObject({ component: 'acceptor', msg: 'hello' });
    expect(off1.lines).toHaveLength(0);
    expect(off2.lines).toHaveLength(0);
    expect(netLogDisabledByEnv({ HEARTH_NET_LOG: 'off' })).toBe(true);
    expect(netLogDisabledByEnv({ HEARTH_NET_LOG: '1' })).toBe(false);
  });
});
