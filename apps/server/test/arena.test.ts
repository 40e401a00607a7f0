import { createNode, devAuthenticator } from '@hearth/actor';
import { ManualClock } from '@hearth/actor/testing';
import { Service } from '@hearth/net';
import { ErrorCode, RoomJoin, RoomJoinOrCreate, RoomSend } from '@hearth/protocol';
import { Mirror } from '@hearth/state';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { defineArenaPlayer } from '../src/arena/arenaPlayer.ts';
import { defineArenaRoom } from '../src/arena/arenaRoom.ts';
import { tableOf } from '../src/arena/ArenaTable.ts';
import { Leaderboard as Board } from '../src/arena/rules/Leaderboard.ts';
import { ARENA, ArenaErrorCode, ArenaState, Chat, ChatLine, Leaderboard, MemberJoined, MemberLeft, Move, Rejected, Tag, Tagged, WhereAmI } from '../src/arena/messages.ts';
import { TestClients, type TestPlayer } from './fixtures/testClients.ts';

const TICK_MS = 1000 / ARENA.tickHz;

/** An Arena node on an ephemeral port, on a manual clock, with every player spawning at (500, 500). */
async function startArena(displayName?: (userId: string) => Promise<string | undefined>) {
  const clock = new ManualClock();
  const service = new Service({ log: false });
  const leaderboard = new Board();
  const node = await createNode({
    service,
    player: defineArenaPlayer({ leaderboard, now: () => clock.now() }),
    rooms: [defineArenaRoom({ leaderboard, spawn: () => ({ x: 500, y: 500 }), ...(displayName && { displayName }) })],
    authenticate: devAuthenticator,
    clock,
    logger: pino({ level: 'silent' }),
    listen: [{ address: 'tcp://127.0.0.1:0', protocol: 'msgpack' }],
  });
  const clients = new TestClients();
  const address = node.endpoints[0]!.address;
  return {
    node,
    clock,
    /** Runs the rooms' next tick (state patches go out). */
    tick: () => clock.advance(TICK_MS),
    player: (name: string): Promise<TestPlayer> => clients.login(address, name),
    async close() {
      await clients[Symbol.asyncDispose]();
      await node.close();
      await service.close();
    },
  };
}

let arena: Awaited<ReturnType<typeof startArena>> | undefined;
afterEach(async () => {
  await arena?.close();
  arena = undefined;
});

describe('Arena room over real sockets', () => {
  it('arena.whereAmI answers the room, your player number and your position; NOT_IN_ROOM outside it', async () => {
    arena = await startArena();
    const a = await arena.player('ann');
    await expect(a.client.request(RoomSend, ['nowhere', WhereAmI.type, {}])).rejects.toMatchObject({ code: 'NOT_IN_ROOM' });
    const joined = await a.join();
    expect(joined).toEqual({ roomId: expect.any(String), you: 1, x: 500, y: 500 });
    a.send(Move, { x: 520, y: 510 });
    expect(await a.ask(WhereAmI, {})).toEqual({ roomId: joined.roomId, pid: 1, name: 'ann', x: 520, y: 510 });
    const b = await arena.player('bob');
    expect(await b.join()).toMatchObject({ roomId: joined.roomId, you: 2 });
  });

  it('rejects a too-fast move with ARENA_TOO_FAST; accepted moves reach the others in the next tick patch', async () => {
    arena = await startArena();
    const a = await arena.player('ann');
    const b = await arena.player('bob');
    const { you: pa } = await a.join();
    await b.join();
    const budget = ARENA.maxSpeed * ARENA.moveBurstSeconds;
    a.send(Move, { x: 500 + budget + 50, y: 500 });
    expect(await a.next(Rejected)).toEqual({ code: ArenaErrorCode.TOO_FAST, text: expect.any(String), x: 500, y: 500 });
    a.send(Move, { x: 520, y: 500 });
    await a.ask(WhereAmI, {}); // a round trip: the move was handled before the reply
    arena.tick();
    expect(await b.sees(pa, (p) => p.x !== 500)).toEqual({ user: 'ann', name: 'ann', x: 520, y: 500, score: 0 });
  });

  it('a member joining again gets the full state at any time (only the tick writes it): the resync of a client that missed a patch', async () => {
    arena = await startArena();
    const a = await arena.player('ann');
    const b = await arena.player('bob');
    const { you: pa, roomId } = await a.join();
    await b.join();
    arena.tick();
    a.send(Move, { x: 530, y: 500 });
    await a.ask(WhereAmI, {}); // the move is in the rules' record, not yet in the state
    const full = async () => {
      const mirror = new Mirror(ArenaState);
      mirror.apply((await b.client.request(RoomJoin, { roomId })).state as Uint8Array);
      return mirror.state!.players.get(pa);
    };
    expect(await full()).toMatchObject({ name: 'ann', x: 500, y: 500 });
    arena.tick();
    expect(await full()).toMatchObject({ name: 'ann', x: 530, y: 500 });
  });

  it('scores a tag of a nearby player, refuses a far one, and ranks the tagger', async () => {
    arena = await startArena();
    const [a, b, c] = await Promise.all(['ann', 'bob', 'cy'].map((n) => arena!.player(n)));
    await a!.join();
    const { you: pb } = await b!.join();
    const { you: pc } = await c!.join();
    c!.send(Move, { x: 500 + ARENA.tagRadius + 40, y: 500 }); // beyond the tag radius, within the speed budget
    await c!.ask(WhereAmI, {});
    await expect(a!.ask(Tag, { target: pc })).rejects.toMatchObject({ code: ArenaErrorCode.TOO_FAR });
    await expect(a!.ask(Tag, { target: pb })).resolves.toEqual({ score: 1 });
    expect(await b!.next(Tagged)).toEqual({ by: 1, target: pb, score: 1 });
    await expect(a!.ask(Tag, { target: pb })).rejects.toMatchObject({ code: ArenaErrorCode.TAG_COOLDOWN });
    await expect(a!.ask(Tag, { target: 9999 })).rejects.toMatchObject({ code: ArenaErrorCode.NO_SUCH_PLAYER });
    arena.clock.advance(300); // the leaderboard is rebuilt at most every 250 ms
    expect(await b!.client.request(Leaderboard, { top: 3 })).toEqual({ entries: [{ name: 'ann', score: 1 }] });
    expect(await b!.sees(1, (p) => p.score === 1)).toMatchObject({ name: 'ann', score: 1 });
  });

  it('puts the 17th player in a second room (16 players a room) and tells members who joined', async () => {
    arena = await startArena();
    const players: TestPlayer[] = [];
    const rooms: string[] = [];
    for (let i = 0; i < ARENA.roomCapacity + 1; i++) {
      const player = await arena.player(`p${i}`);
      players.push(player);
      rooms.push((await player.join()).roomId);
    }
    expect(rooms.filter((r) => r === rooms[0])).toHaveLength(16);
    expect(rooms[16]).not.toBe(rooms[0]);
    expect([...arena.node.rooms.rooms()].map((r) => r.members.size)).toEqual([16, 1]);
    arena.tick();
    expect(await players[0]!.next(MemberJoined, (m) => m.name === 'p15')).toMatchObject({ name: 'p15', x: 500, y: 500 });
    await expect(players[16]!.client.request(RoomJoinOrCreate, { kind: 'nope' })).rejects.toMatchObject({ code: 'ROOM_UNKNOWN_KIND' });
  });

  it('relays chat, refuses a chat flood, and leaves the room when the player disconnects', async () => {
    arena = await startArena();
    const a = await arena.player('ann');
    const b = await arena.player('bob');
    const { you: pa } = await a.join();
    await b.join();
    a.send(Chat, { text: 'hi bob' });
    expect(await b.next(ChatLine)).toEqual({ from: pa, name: 'ann', text: 'hi bob' });
    for (let i = 0; i < ARENA.chatBurst; i++) a.send(Chat, { text: `line ${i}` });
    expect(await a.next(Rejected)).toMatchObject({ code: ArenaErrorCode.CHAT_RATE_LIMITED });
    a.client.close(ErrorCode.NORMAL, 'bye');
    await a.closed;
    await expect.poll(() => { arena!.tick(); return b.seen(MemberLeft); }).toEqual([{ pid: pa }]);
    b.client.close(ErrorCode.NORMAL, 'bye');
    await expect.poll(() => [...arena!.node.rooms.rooms()].length).toBe(0);
  });

  it('frees the record of a join refused after onJoin ran (the player closed during it): no leak per refused join', async () => {
    let release: () => void = () => {};
    let asked: () => void = () => {};
    const bobAsked = new Promise<void>((resolve) => (asked = resolve));
    // bob's display name arrives only once the test says so: his onJoin is running meanwhile.
    arena = await startArena(async (userId) => {
      if (userId !== 'bob') return userId;
      asked();
      await new Promise<void>((resolve) => (release = resolve));
      return 'Bob';
    });
    const a = await arena.player('ann');
    const b = await arena.player('bob');
    await a.join();
    const refused = b.client.request(RoomJoinOrCreate, { kind: 'arena' }).catch((err: unknown) => (err as { code: string }).code);
    await bobAsked;
    b.client.close(ErrorCode.NORMAL, 'bye');
    await b.closed;
    await expect.poll(() => arena!.node.holder.size).toBe(1);
    release();
    const [room] = [...arena.node.rooms.rooms()];
    await expect.poll(() => tableOf(room!).players.has('bob')).toBe(true);
    expect(await refused).toBe('CLOSED');
    arena.tick();
    arena.tick();
    expect([...tableOf(room!).players.keys()]).toEqual(['ann']);
    expect(room!.members.has('bob')).toBe(false);
  });
});
