// An Arena room restored on another node from its checkpoint (failover, drain) gives every seated
// member a record of the rules, including one whose join the checkpoint caught before a tick showed
// it (seated, no state record yet): it comes back without onJoin, and before 98c0499 every arena
// request of its answered ARENA_NO_SUCH_PLAYER. In-process: two nodes on one manual clock, the
// checkpoint taken, encoded and decoded as the failover does, and adopted by the second node.
import { createNode, devAuthenticator } from '@hearth/actor';
import { ManualClock } from '@hearth/actor/testing';
import { Service } from '@hearth/net';
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
// The checkpoint's internals (not the package's surface): what RoomFailover saves and restores.
import { checkpointOf } from '../../../packages/actor/src/room/checkpoint/checkpointOf.ts';
import { decodeCheckpoint, encodeCheckpoint } from '../../../packages/actor/src/room/checkpoint/checkpointCodec.ts';
import type { RoomInstance } from '../../../packages/actor/src/room/RoomInstance.ts';
import { defineArenaPlayer } from '../src/arena/arenaPlayer.ts';
import { defineArenaRoom } from '../src/arena/arenaRoom.ts';
import { ARENA, Move, WhereAmI } from '../src/arena/messages.ts';
import { Leaderboard } from '../src/arena/rules/Leaderboard.ts';
import { TestClients } from './fixtures/testClients.ts';

const TICK_MS = 1000 / ARENA.tickHz;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** An Arena node on an ephemeral port and `clock`, every player spawning at (500, 500). */
async function arenaNode(clock: ManualClock) {
  const service = new Service({ log: false });
  const leaderboard = new Leaderboard();
  const node = await createNode({
    service,
    player: defineArenaPlayer({ leaderboard, now: () => clock.now() }),
    rooms: [defineArenaRoom({ leaderboard, spawn: () => ({ x: 500, y: 500 }) })],
    authenticate: devAuthenticator,
    clock,
    logger: pino({ level: 'silent' }),
    listen: [{ address: 'tcp://127.0.0.1:0', protocol: 'msgpack' }],
  });
  const clients = new TestClients();
  closers.push(async () => {
    await clients[Symbol.asyncDispose]();
    await node.close();
    await service.close();
  });
  const address = node.endpoints[0]!.address;
  return { node, login: (name: string) => clients.login(address, name) };
}

it('a member the checkpoint caught before a tick showed it gets a record on restore: moves, whereAmI and the state work', async () => {
  const clock = new ManualClock();
  const a = await arenaNode(clock);
  const b = await arenaNode(clock);
  const bob = await a.login('bob');
  const { roomId } = await bob.join();
  clock.advance(TICK_MS); // bob is in the state
  const ann = await a.login('ann');
  expect(await ann.join(roomId)).toMatchObject({ you: 2 }); // seated, a record, but no tick yet: not in the state
  const room = a.node.rooms.get(roomId) as RoomInstance;
  expect([...(room.state as { players: Map<number, { user: string }> }).players.values()].map((p) => p.user)).toEqual(['bob']);

  const checkpoint = decodeCheckpoint(encodeCheckpoint(checkpointOf(room, 'node-a', 1, clock.now())));
  const restored = await b.node.rooms.adopt(checkpoint, 60_000);
  // Both come back on b (as a bot does after its node died: it joins its room by id) and play.
  const ann2 = await b.login('ann');
  const bob2 = await b.login('bob');
  const annBack = await ann2.join(roomId);
  expect(annBack).toMatchObject({ roomId, x: 500, y: 500 });
  expect(await bob2.join(roomId)).toMatchObject({ roomId, you: 1 });
  expect(annBack.you).not.toBe(1);
  ann2.send(Move, { x: 510, y: 505 });
  expect(await ann2.ask(WhereAmI, {})).toMatchObject({ pid: annBack.you, x: 510, y: 505 });
  clock.advance(TICK_MS); // the tick on b shows ann, moved
  await expect(bob2.sees(annBack.you, (p) => p.x === 510 && p.y === 505)).resolves.toMatchObject({ user: 'ann', name: 'ann' });
  expect(restored.members.get('ann')?.connected).toBe(true);
  const state = restored.state as { players: Map<number, { user: string }> };
  expect([...state.players.values()].map((p) => p.user).sort()).toEqual(['ann', 'bob']);
});
