import { Redis } from 'ioredis';
import type { Envelope } from '../../src/backplane/Backplane.ts';
import { RedisBackplane } from '../../src/cluster/RedisBackplane.ts';
import type { RedisBackplaneOptions } from '../../src/cluster/RedisBackplaneOptions.ts';
import { startRedis, type TestRedis } from '../../src/testing/index.ts';
import { afterAll, afterEach, beforeAll } from 'vitest';

/** A started node on the fixture's server and prefix, disposed with `await using`. */
export async function startNode(redis: TestRedis, nodeId: string, options: RedisBackplaneOptions = {}): Promise<RedisBackplane> {
  const bp = new RedisBackplane({ url: redis.url, keyPrefix: redis.prefix, nodeId, heartbeatMs: 200, ...options });
  try {
    await bp.start();
  } catch (e) {
    await bp.close({ drain: false });
    throw e;
  }
  return bp;
}

/** Records every envelope a node receives; `next(n)` resolves once n more have arrived. */
export function inbox(bp: RedisBackplane): { readonly got: Envelope[]; next(n: number): Promise<Envelope[]> } {
  const got: Envelope[] = [];
  const waiters: Array<{ until: number; resolve: () => void }> = [];
  bp.onEnvelope((e) => {
    got.push("bytes" in e ? { ...e, bytes: new Uint8Array(e.bytes) } : e); // bytes are views of the received buffer
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (got.length >= waiters[i]!.until) waiters.splice(i, 1)[0]!.resolve();
    }
  });
  return {
    got,
    next(n) {
      const until = got.length + n;
      return new Promise((resolve) => waiters.push({ until, resolve: () => resolve(got.slice(until - n, until)) }));
    },
  };
}

/** A plain client on the fixture's server for inspecting keys and counters. */
export function rawClient(redis: TestRedis): Redis & AsyncDisposable {
  const r = new Redis(redis.url, { lazyConnect: false, maxRetriesPerRequest: 1 }) as Redis & AsyncDisposable;
  r.on('error', () => {}); // outage tests stop the server under it
  r[Symbol.asyncDispose] = async () => {
    await r.quit().catch(() => r.disconnect());
  };
  return r;
}

/** `calls` of one command in INFO commandstats (0 when it was never called). */
export async function commandCalls(r: Redis, command: string): Promise<number> {
  const info = await r.info('commandstats');
  const m = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info);
  return m ? Number(m[1]) : 0;
}

/** Resolves on the backplane's next event of that name. */
export function once(bp: RedisBackplane, event: 'up' | 'down'): Promise<void> {
  return new Promise((resolve) => {
    const off = bp.on(event, () => {
      off();
      resolve();
    });
  });
}

/**
 * One private Redis for a describe block, and the closers its tests register: hooks start Redis
 * before all tests, run the closers (last first) and the shared test cleanup after each, stop Redis after all.
 */
export function useClusterFixture(cleanup: () => Promise<void>): { readonly redis: TestRedis; readonly closers: Array<() => Promise<void>> } {
  let redis: TestRedis | undefined;
  const closers: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await cleanup();
    for (const close of closers.splice(0).reverse()) await close();
  });
  afterAll(async () => {
    await redis?.[Symbol.asyncDispose]();
  });
  return {
    get redis(): TestRedis {
      if (redis === undefined) throw new Error('the cluster fixture starts Redis in beforeAll');
      return redis;
    },
    closers,
  };
}
