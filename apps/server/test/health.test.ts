import { canStopRedis, startRedis } from '@hearth/actor/testing';
import { describe, expect, it } from 'vitest';
import { startArena } from './fixtures/arenaProcess.ts';

async function health(admin: string): Promise<unknown> {
  const res = await fetch(`${admin}/health`);
  expect(res.status).toBe(200);
  return res.json();
}

describe('/health', { timeout: 60_000 }, () => {
  it('in memory: ok', async () => {
    await using server = startArena(['--protocol', 'msgpack']);
    const { admin } = await server.listening;
    expect(await health(admin)).toEqual({ status: 'ok', sessions: 0 });
  });

  it.runIf(canStopRedis)('cluster mode: degraded while Redis is down, ok again once it is back', async () => {
    await using redis = await startRedis();
    await using server = startArena(['--protocol', 'msgpack', '--redis', redis.url, '--redis-prefix', redis.prefix, '--cluster-heartbeat-ms', '200']);
    const { admin } = await server.listening;
    expect(await health(admin)).toEqual({ status: 'ok', sessions: 0, backplane: 'up' });
    await redis.stop();
    await server.record((r) => r['event'] === 'redis-down');
    expect(await health(admin)).toEqual({ status: 'degraded', sessions: 0, backplane: 'down' });
    await redis.restart();
    await server.record((r) => r['event'] === 'redis-up');
    expect(await health(admin)).toEqual({ status: 'ok', sessions: 0, backplane: 'up' });
  });
});
