import { createNode, devAuthenticator, type HearthNode } from '@hearth/actor';
import { Service, type SessionRef } from '@hearth/net';
import { ErrorCode, Login, type InboundMessage } from '@hearth/protocol';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ArenaWorld } from '../src/arena/ArenaWorld.ts';
import { defineArenaPlayer, type ArenaPlayerData, type ArenaPlayerEvents } from '../src/arena/arenaPlayer.ts';
import { ARENA, ArenaErrorCode, ChatLine, Join, Leaderboard, MemberJoined, Move, Rejected, Snapshot, Tag, Chat } from '../src/arena/messages.ts';

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
  const client = new Service({ log: false });
  const inbox = new Map<number, { msgs: InboundMessage[]; waiters: (() => void)[] }>();
  client.sub('message', (ref, msg) => {
    const box = inbox.get(ref.id);
    if (box === undefined) return;
    box.msgs.push(msg);
    for (const w of box.waiters.splice(0)) w();
  });
  const address = node.endpoints[0]!.address;
  const players: SessionRef[] = [];
  const arena = {
    world,
    async player(name: string) {
      const ref = await client.connect(address, 'msgpack', { reconnect: false });
      inbox.set(ref.id, { msgs: [], waiters: [] });
      await ref.request(Login, { name });
      players.push(ref);
      return ref;
    },
    /** Resolves the first push of `type` to `ref` matching `where`. */
    async next(ref: SessionRef, type: number, where: (payload: never) => boolean = () => true): Promise<unknown> {
      const box = inbox.get(ref.id)!;
      for (;;) {
        const i = box.msgs.findIndex((m) => m.type === type && where(m.payload as never));
        if (i >= 0) return box.msgs.splice(i, 1)[0]!.payload;
        await new Promise<void>((resolve) => box.waiters.push(resolve));
      }
    },
    async close() {
      await client.close();
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
    await expect(a.request(Tag, { target: 1 })).rejects.toMatchObject({ code: ArenaErrorCode.NOT_IN_ROOM });
    const reply = await a.request(Join, {});
    expect(reply).toMatchObject({ room: 'room-1', members: [{ name: 'ann', x: 500, y: 500 }] });
    await expect(a.request(Join, {})).rejects.toMatchObject({ code: ArenaErrorCode.ALREADY_IN_ROOM });
  });

  it('rejects a too-fast move with ARENA_TOO_FAST and broadcasts accepted moves in the snapshot', async () => {
    arena = await startArena();
    const a = await arena.player('ann');
    const b = await arena.player('bob');
    const { you: pa } = await a.request(Join, {});
    await b.request(Join, {});
    const budget = ARENA.maxSpeed * ARENA.moveBurstSeconds;
    a.send(Move, { x: 500 + budget + 50, y: 500 });
    expect(await arena.next(a, Rejected.type)).toEqual({ code: ArenaErrorCode.TOO_FAST, text: expect.any(String), x: 500, y: 500 });
    a.send(Move, { x: 520, y: 500 });
    await a.request(Leaderboard, { top: 1 }); // a round trip: the move was handled before the reply
    arena.world.tick();
    expect(await arena.next(b, Snapshot.type)).toEqual({ tick: 1, moved: [pa, 520, 500] });
  });

  it('scores a tag of a nearby player, refuses a far one, and ranks the tagger', async () => {
    arena = await startArena();
    const a = await arena.player('ann');
    const b = await arena.player('bob');
    const c = await arena.player('cy');
    await a.request(Join, {});
    const { you: pb } = await b.request(Join, {});
    const { you: pc } = await c.request(Join, {});
    // cy walks away, beyond the tag radius (within the speed budget)
    c.send(Move, { x: 500 + ARENA.tagRadius + 40, y: 500 });
    await c.request(Leaderboard, { top: 1 });
    await expect(a.request(Tag, { target: pc })).rejects.toMatchObject({ code: ArenaErrorCode.TOO_FAR });
    await expect(a.request(Tag, { target: pb })).resolves.toEqual({ score: 1 });
    await expect(a.request(Tag, { target: pb })).rejects.toMatchObject({ code: ArenaErrorCode.TAG_COOLDOWN });
    await expect(a.request(Tag, { target: 9999 })).rejects.toMatchObject({ code: ArenaErrorCode.NO_SUCH_PLAYER });
    await new Promise((r) => setTimeout(r, 260)); // the leaderboard is rebuilt at most every 250 ms
    expect(await b.request(Leaderboard, { top: 3 })).toEqual({ entries: [{ name: 'ann', score: 1 }] });
  });

  it('puts the 17th player in a second room (capacity 16) and tells members who joined', async () => {
    arena = await startArena();
    const refs: SessionRef[] = [];
    const rooms: string[] = [];
    for (let i = 0; i < ARENA.roomCapacity + 1; i++) {
      const ref = await arena.player(`p${i}`);
      refs.push(ref);
      rooms.push((await ref.request(Join, {})).room);
    }
    expect(rooms.filter((r) => r === 'room-1')).toHaveLength(16);
    expect(rooms[16]).toBe('room-2');
    expect(await arena.next(refs[0]!, MemberJoined.type, (m: { name: string }) => m.name === 'p15')).toMatchObject({ name: 'p15' });
    expect(arena.world.roomCount).toBe(2);
  });

  it('opens rooms without an xstate warning (a room actor is not created inside the join action)', async () => {
    const warn = vi.spyOn(console, 'warn');
    try {
      arena = await startArena();
      for (let i = 0; i < ARENA.roomCapacity + 1; i++) await (await arena.player(`w${i}`)).request(Join, {});
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
    const { you: pa } = await a.request(Join, {});
    await b.request(Join, {});
    a.send(Chat, { text: 'hi bob' });
    expect(await arena.next(b, ChatLine.type)).toEqual({ from: pa, name: 'ann', text: 'hi bob' });
    a.close(ErrorCode.NORMAL, 'bye');
    b.close(ErrorCode.NORMAL, 'bye');
    await expect.poll(() => arena!.world.roomCount).toBe(0);
  });
});
