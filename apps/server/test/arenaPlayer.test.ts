import { createNode, devAuthenticator, type HearthNode } from '@hearth/actor';
import { Service } from '@hearth/net';
import { ErrorCode } from '@hearth/protocol';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ArenaWorld } from '../src/arena/ArenaWorld.ts';
import { defineArenaPlayer, type ArenaPlayerData, type ArenaPlayerEvents } from '../src/arena/arenaPlayer.ts';
import { TestClients, type TestPlayer } from './fixtures/testClients.ts';
import { ARENA, ArenaErrorCode, ChatLine, Join, Leaderboard, MemberJoined, Move, Rejected, Tag, Chat } from '../src/arena/messages.ts';

/** An Arena node on an ephemeral port, with every player spawning at (500, 500) and manual ticks. */
async function startArena() {
  const server = new Service({ log: false });
  const late: { node?: HearthNode<ArenaPlayerData, ArenaPlayerEvents> } = {};
  const world = new ArenaWorld({
    outbox: { broadcast: (g, d, p) => late.node?.holder.broadcast(g, d, p) ?? 0, send: (u, d, p) => late.node?.holder.send(u, d, p) ?? false },
    tickHz: 0,
    spawn: () => ({ x: 500, y: 500 }),
  });
  const node = await createNode({
    service: server,
    player: defineArenaPlayer(world),
    authenticate: devAuthenticator,
    logger: pino({ level: 'silent' }),
    listen: [{ address: 'tcp://127.0.0.1:0', protocol: 'msgpack' }],
  });
  late.node = node;
  const clients = new TestClients();
  const address = node.endpoints[0]!.address;
  const arena = {
    world,
    /** A player logged in as `name` over TCP. */
    async player(name: string): Promise<TestPlayer> {
      return clients.login(address, name);
    },
    async close() {
      await clients[Symbol.asyncDispose]();
      await node.close();
      world[Symbol.dispose]();
      await server.close();
    },
  };
  return arena;
}

let arena: Awaited<ReturnType<typeof startArena>> | undefined;
afterEach(async () => {
  await arena?.close();
  arena = undefined;
});

describe('Arena player actor over real sockets', () => {
  it('joins a room (lobby → inRoom) and refuses a second join with ARENA_ALREADY_IN_ROOM', async () => {
    arena = await startArena();
    const a = await arena.player('ann');
    await expect(a.client.request(Tag, { target: 1 })).rejects.toMatchObject({ code: ArenaErrorCode.NOT_IN_ROOM });
    const reply = await a.client.request(Join, {});
    expect(reply).toMatchObject({ room: 'room-1', members: [{ name: 'ann', x: 500, y: 500 }] });
    await expect(a.client.request(Join, {})).rejects.toMatchObject({ code: ArenaErrorCode.ALREADY_IN_ROOM });
  });

  it('rejects a too-fast move with ARENA_TOO_FAST and broadcasts accepted moves in a state patch', async () => {
    arena = await startArena();
    const a = await arena.player('ann');
    const b = await arena.player('bob');
    const { you: pa } = await a.join();
    await b.join();
    const budget = ARENA.maxSpeed * ARENA.moveBurstSeconds;
    a.client.send(Move, { x: 500 + budget + 50, y: 500 });
    expect(await a.next(Rejected)).toEqual({ code: ArenaErrorCode.TOO_FAST, text: expect.any(String), x: 500, y: 500 });
    a.client.send(Move, { x: 520, y: 500 });
    await a.client.request(Leaderboard, { top: 1 }); // a round trip: the move was handled before the reply
    arena.world.tick();
    expect(await b.sees(pa, (p) => p.x !== 500)).toEqual({ name: 'ann', x: 520, y: 500, score: 0 });
  });

  it('scores a tag of a nearby player, refuses a far one, and ranks the tagger', async () => {
    arena = await startArena();
    const a = await arena.player('ann');
    const b = await arena.player('bob');
    const c = await arena.player('cy');
    await a.client.request(Join, {});
    const { you: pb } = await b.client.request(Join, {});
    const { you: pc } = await c.client.request(Join, {});
    // cy walks away, beyond the tag radius (within the speed budget)
    c.client.send(Move, { x: 500 + ARENA.tagRadius + 40, y: 500 });
    await c.client.request(Leaderboard, { top: 1 });
    await expect(a.client.request(Tag, { target: pc })).rejects.toMatchObject({ code: ArenaErrorCode.TOO_FAR });
    await expect(a.client.request(Tag, { target: pb })).resolves.toEqual({ score: 1 });
    await expect(a.client.request(Tag, { target: pb })).rejects.toMatchObject({ code: ArenaErrorCode.TAG_COOLDOWN });
    await expect(a.client.request(Tag, { target: 9999 })).rejects.toMatchObject({ code: ArenaErrorCode.NO_SUCH_PLAYER });
    await new Promise((r) => setTimeout(r, 260)); // the leaderboard is rebuilt at most every 250 ms
    expect(await b.client.request(Leaderboard, { top: 3 })).toEqual({ entries: [{ name: 'ann', score: 1 }] });
  });

  it('puts the 17th player in a second room (capacity 16) and tells members who joined', async () => {
    arena = await startArena();
    const players: TestPlayer[] = [];
    const rooms: string[] = [];
    for (let i = 0; i < ARENA.roomCapacity + 1; i++) {
      const player = await arena.player(`p${i}`);
      players.push(player);
      rooms.push((await player.client.request(Join, {})).room);
    }
    expect(rooms.filter((r) => r === 'room-1')).toHaveLength(16);
    expect(rooms[16]).toBe('room-2');
    expect(await players[0]!.next(MemberJoined, (m) => m.name === 'p15')).toMatchObject({ name: 'p15' });
    expect(arena.world.roomCount).toBe(2);
  });

  it('opens rooms without an xstate warning (a room actor is not created inside the join action)', async () => {
    const warn = vi.spyOn(console, 'warn');
    try {
      arena = await startArena();
      for (let i = 0; i < ARENA.roomCapacity + 1; i++) await (await arena.player(`w${i}`)).client.request(Join, {});
      expect(arena.world.roomCount).toBe(2);
      expect(warn.mock.calls.map((args) => String(args[0]))).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });

  it('relays chat to room members and leaves the room when the player disconnects', async () => {
    arena = await startArena();
    const a = await arena.player('ann');
    const b = await arena.player('bob');
    const { you: pa } = await a.client.request(Join, {});
    await b.client.request(Join, {});
    a.client.send(Chat, { text: 'hi bob' });
    expect(await b.next(ChatLine)).toEqual({ from: pa, name: 'ann', text: 'hi bob' });
    a.client.close(ErrorCode.NORMAL, 'bye');
    b.client.close(ErrorCode.NORMAL, 'bye');
    await expect.poll(() => arena!.world.roomCount).toBe(0);
  });
});
