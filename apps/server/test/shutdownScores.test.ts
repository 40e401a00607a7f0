import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis, type TestRedis } from '@hearth/actor/testing';
import { RedisBackplane } from '@hearth/actor/cluster';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerConfig } from '../src/config/ServerConfig.ts';
import { startServer } from '../src/startServer.ts';

describe('shutdown with --redis (a private real Redis)', () => {
  let redis: TestRedis;
  let dir: string;
  beforeAll(async () => {
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'hearth-shutdown-scores-'));
  });
  afterAll(async () => {
    await redis[Symbol.asyncDispose]();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a score recorded in the turn the server closes is written before the backplane goes (not dropped)", async () => {
    const prefix = `${redis.prefix}close:`;
    const config = parseServerConfig(
      ['--redis', redis.url, '--redis-prefix', prefix, '--protocol', 'msgpack', '--tcp-port', '0', '--ws-port', '0', '--admin-port=-1', '--web-dir', 'off', '--key-file', join(dir, 'server.key'), '--auth', 'dev'],
      {},
    );
    if (config === 'help') throw new Error('help');
    const server = await startServer(config, pino({ level: 'silent' }));
    server.leaderboard.record('u1', 'ann', 7);
    await server.close();
    const check = new RedisBackplane({ url: redis.url, keyPrefix: `${redis.prefix}check:`, nodeId: 'check', heartbeatMs: 600_000 });
    await check.start();
    try {
      expect(await check.redis.zscore(`${prefix}{arena}:scores`, 'ann')).toBe('7');
    } finally {
      await check.close({ drain: false });
    }
  });
});
