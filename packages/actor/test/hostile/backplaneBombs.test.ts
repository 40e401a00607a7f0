/**
 * msgpack allocation bombs published on a node's Redis backplane channels (issue 9): someone with
 * access to Redis (no `clusterSecret` set) publishes hostile bytes. The node must drop and count
 * each one (`stats().rejected`), keep delivering the next real message, and its memory stay flat.
 * Before bounded decoding, the first bomb allocated ~512 KB per 3 bytes in this process.
 */
import { encodeMessage, Kind } from '@hearth/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisBackplane } from '../../src/cluster/RedisBackplane.ts';
import { startRedis, type TestRedis } from '../../src/testing/index.ts';
import { inbox, rawClient, startNode } from '../cluster/helpers.ts';

const MiB = 1 << 20;

function repeat(pattern: number[], times: number): Buffer {
  const out = Buffer.alloc(pattern.length * times);
  for (let i = 0; i < times; i++) out.set(pattern, i * pattern.length);
  return out;
}

const BOMBS: Array<[string, Buffer]> = [
  ['dc ff ff x2,000', repeat([0xdc, 0xff, 0xff], 2_000)],
  ['de ff ff x2,000', repeat([0xde, 0xff, 0xff], 2_000)],
  ['a lone array32 header of 2^32-1', Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff])],
  ['1 MiB of 0x91', Buffer.alloc(MiB, 0x91)],
  // Last: before the fix this one alone takes the process past its heap limit.
  ['dc ff ff x10,000', repeat([0xdc, 0xff, 0xff], 10_000)],
];

const msg = (n: number): Uint8Array => encodeMessage({ kind: Kind.PUSH, type: 100, payload: { n } });

describe('backplane decoding bombs (real Redis)', () => {
  let redis: TestRedis;
  let a: RedisBackplane;
  let b: RedisBackplane;
  let raw: ReturnType<typeof rawClient>;
  let box: ReturnType<typeof inbox>;
  let rssBefore: number;
  let n = 0;
  let slowestMs = 0;

  beforeAll(async () => {
    redis = await startRedis();
    a = await startNode(redis, 'a');
    b = await startNode(redis, 'b');
    raw = rawClient(redis);
    await b.directory.claim({ userId: 'u1', nodeId: 'b', sessionId: 1 });
    b.watchGroup('room1', true);
    box = inbox(b);
    // Warm up the path once before the RSS baseline.
    const first = box.next(1);
    a.publish('b', { kind: 'push', userId: 'u1', bytes: msg(n++) });
    await first;
    rssBefore = process.memoryUsage().rss;
  }, 30_000);

  afterAll(async () => {
    console.log(`backplane bombs: bomb + next message handled in ${slowestMs.toFixed(1)} ms at most; RSS ${(rssBefore / MiB).toFixed(0)} -> ${(process.memoryUsage().rss / MiB).toFixed(0)} MiB`);
    await raw?.[Symbol.asyncDispose]();
    await b?.close();
    await a?.close();
    await redis?.[Symbol.asyncDispose]();
  });

  /** Publishes `bomb` on `channel`, then a real push from node a; the push must still arrive. */
  async function bombThenPush(channel: string, bomb: Buffer): Promise<void> {
    const rejected = b.stats().rejected;
    const next = box.next(1);
    const t = performance.now();
    // Awaited: Redis has queued the bomb to node b's subscriber before a's push, on the same connection.
    await raw.publish(channel, bomb);
    const i = n++;
    a.publish('b', { kind: 'push', userId: 'u1', bytes: msg(i) });
    const [got] = await next;
    slowestMs = Math.max(slowestMs, performance.now() - t);
    expect(got).toEqual({ kind: 'push', userId: 'u1', bytes: msg(i) });
    expect(b.stats().rejected).toBe(rejected + 1);
  }

  it.each(BOMBS)('a bomb of %s on the node channel is dropped and counted; the node carries on', async (_, bomb) => {
    await bombThenPush(b.keys.nodeChannel('b'), bomb);
  });

  it.each(BOMBS.slice(0, 2))('a bomb of %s on a group channel is dropped and counted', async (_, bomb) => {
    await bombThenPush(b.keys.groupChannel('room1'), bomb);
  });

  it('memory stays flat: RSS grew < 64 MiB over all the bombs', () => {
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * MiB);
  });
});
