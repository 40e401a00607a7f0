// Two real `hearth-server` cluster nodes stopped at once (a whole cluster's SIGTERM, Ctrl-C on
// scripts/devCluster.mjs): each drains to the other while that one stops too. Both exit 0, no error is
// logged, and no room ends with them: a node started afterwards on the prefix restores every room.
import { RoomCreate } from '@hearth/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '@hearth/actor/testing';
import { ARENA_ROOM } from '../src/arena/messages.ts';
import { startArena, type ArenaProcess } from './fixtures/arenaProcess.ts';
import { TestClients } from './fixtures/testClients.ts';

/** The records of a node's log at level error or above (pino: 50), for failure messages too. */
const errorsOf = (p: ArenaProcess) => p.log.filter((line) => /"level":(5|6)\d/.test(line));

describe('two cluster nodes SIGTERMed at once', () => {
  let redis: TestRedis;
  const nodeArgs = () => ['--redis', redis.url, '--redis-prefix', redis.prefix, '--protocol', 'msgpack', '--cluster-heartbeat-ms', '300'];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis[Symbol.asyncDispose]();
  });

  it('both exit 0 without an error, and the next node restores every room of both', async () => {
    const a = startArena(nodeArgs());
    const b = startArena(nodeArgs());
    const [la, lb] = await Promise.all([a.listening, b.listening]);
    const rooms: string[] = [];
    {
      await using clients = new TestClients();
      // two rooms on each node (room.create opens it on the node the player is on)
      for (const [l, name] of [[la, 'ann'], [la, 'bob'], [lb, 'cat'], [lb, 'dan']] as const) {
        const p = await clients.login(l.tcp, name);
        rooms.push((await p.client.request(RoomCreate, { kind: ARENA_ROOM })).roomId);
      }
      const [ea, eb] = await Promise.all([a.stop(), b.stop()]);
      expect({ a: ea, errors: errorsOf(a) }, a.stderr()).toEqual({ a: { code: 0, signal: null }, errors: [] });
      expect({ b: eb, errors: errorsOf(b) }, b.stderr()).toEqual({ b: { code: 0, signal: null }, errors: [] });
    }
    await using c = startArena(nodeArgs());
    await c.listening; // its first failover round (before it listens) claimed the rooms left in Redis
    const restored = await Promise.all(rooms.map((roomId) => c.record((r) => r['msg'] === 'room restored' && r['roomId'] === roomId)));
    expect(restored.map((r) => r['roomId'])).toEqual(rooms);
  }, 60_000); // three process starts on a loaded machine
});
