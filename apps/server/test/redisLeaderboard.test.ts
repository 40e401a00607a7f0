import { RedisBackplane } from '@hearth/actor/cluster';
import { canStopRedis, startRedis, type TestRedis } from '@hearth/actor/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisLeaderboard, ZADD_MEMBERS } from '../src/arena/RedisLeaderboard.ts';

/** `calls` of one command in INFO commandstats since the last CONFIG RESETSTAT (0 when never called). */
async function calls(bp: RedisBackplane, command: string): Promise<number> {
  const m = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(await bp.redis.info('commandstats'));
  return m ? Number(m[1]) : 0;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("RedisLeaderboard (a private real Redis): a turn's scores are one ZADD", () => {
  let redis: TestRedis;
  let bp: RedisBackplane;
  let scope = 0;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis[Symbol.asyncDispose]();
  });
  afterEach(async () => {
    await bp.close({ drain: false });
  });
  const start = async (): Promise<RedisLeaderboard> => {
    // no heartbeat during the test: the node's own registration script is a ZADD too
    bp = new RedisBackplane({ url: redis.url, keyPrefix: `${redis.prefix}${scope++}:`, nodeId: 'lb', heartbeatMs: 600_000 });
    await bp.start();
    await bp.redis.config('RESETSTAT');
    return new RedisLeaderboard(bp.redis, bp.keys.prefix, 0);
  };

  it('several tags in one turn go out as one ZADD GT, before the read issued after them; each name keeps its best', async () => {
    const board = await start();
    board.record('u1', 'ann', 5);
    board.record('u2', 'bob', 3);
    board.record('u1', 'ann', 9);
    board.record('u1', 'ann', 7);
    board.record('u3', 'cat', 4);
    expect(await board.top(10, 0)).toEqual([{ name: 'ann', score: 9 }, { name: 'cat', score: 4 }, { name: 'bob', score: 3 }]);
    expect(await calls(bp, 'zadd')).toBe(1);
    // a later turn: flushed by itself (no read); GT keeps a better score already in Redis
    board.record('u2', 'bob', 8);
    board.record('u1', 'ann', 2);
    await nextTurn();
    expect(await board.top(10, 1)).toEqual([{ name: 'ann', score: 9 }, { name: 'bob', score: 8 }, { name: 'cat', score: 4 }]);
    expect(await calls(bp, 'zadd')).toBe(2);
    expect(board.size).toBe(3);
    expect(board.dropped).toBe(0);
  });

  it(`more than ${ZADD_MEMBERS} names in a turn: one ZADD per ${ZADD_MEMBERS}, every score written`, async () => {
    const board = await start();
    const n = ZADD_MEMBERS * 2 + 1;
    for (let i = 0; i < n; i++) board.record(`u${i}`, `p${String(i).padStart(4, '0')}`, i);
    await board.flush();
    expect(await calls(bp, 'zadd')).toBe(3);
    expect(await bp.redis.zcard(`${bp.keys.prefix}{arena}:scores`)).toBe(n);
    expect((await board.top(2, 0)).map((e) => e.score)).toEqual([n - 1, n - 2]);
  });

  it.skipIf(!canStopRedis)('Redis down: every record of the turn is counted in dropped, and reads answer the last copy', async () => {
    const board = await start();
    board.record('u1', 'ann', 5);
    expect(await board.top(10, 0)).toEqual([{ name: 'ann', score: 5 }]);
    const down = new Promise<void>((resolve) => bp.on('down', () => resolve()));
    await redis.stop();
    await down;
    board.record('u1', 'ann', 6);
    board.record('u1', 'ann', 7);
    board.record('u2', 'bob', 1);
    board.record('u3', 'cat', Number.NaN);
    await board.flush();
    expect(board.dropped).toBe(4);
    expect(await board.top(10, 1)).toEqual([{ name: 'ann', score: 5 }]);
    await redis.restart();
  });
});
