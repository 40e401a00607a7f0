import { HearthClient, HearthError, type ClientOptions, type CloseInfo } from '@hearth/client';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, track, urlOf, type TransportName } from './support/clients.ts';
import {
  BoardKind,
  ChatKind,
  Dispose,
  Kick,
  LeaveByServer,
  Move,
  MoveLost,
  Said,
  Say,
  Unhandled,
  boardSnapshot,
  startRoomNode,
  type Line,
  type RoomNode,
} from './support/rooms.ts';

afterEach(cleanup);

async function roomNode(): Promise<RoomNode> {
  const n = await startRoomNode();
  track(() => n.close());
  return n;
}

async function player(n: RoomNode, name: string, transport: TransportName = 'tcp', options: Partial<ClientOptions> = {}): Promise<HearthClient> {
  const client = new HearthClient({ url: urlOf(transport, transport === 'tcp' ? n.tcpPort : n.wsPort), serverKey: n.publicKeyHex, ...options });
  track(() => client.close());
  await client.connect();
  await client.login({ name });
  return client;
}

/** Resolves with the first `count` payloads `subscribe` delivers. */
function collect<T>(subscribe: (handler: (value: T) => void) => () => void, count: number): Promise<T[]> {
  const got: T[] = [];
  return new Promise((resolve) => {
    const off = subscribe((value) => {
      got.push(value);
      if (got.length === count) {
        off();
        resolve(got);
      }
    });
  });
}

describe.each<TransportName>(['tcp', 'ws'])('rooms over %s', (transport) => {
  it('joins or creates, lists, sends, requests, hears only its room and leaves', async () => {
    const n = await roomNode();
    const ann = await player(n, 'ann', transport);
    const bob = await player(n, 'bob', transport);
    const a = await ann.joinOrCreate(ChatKind, { topic: 'cats' });
    expect(a.kind).toBe('chat');
    expect(a.state).toEqual({ topic: 'cats', lines: [] });
    expect(a.mirror).toBeUndefined();
    expect(ann.rooms.get(a.id)).toBe(a);
    // bob's joinOrCreate with the same filter finds ann's room; another topic makes a new one
    const b = await bob.joinOrCreate(ChatKind, { topic: 'cats' });
    expect(b.id).toBe(a.id);
    const dogs = await bob.create(ChatKind, { topic: 'dogs' });
    expect(dogs.id).not.toBe(a.id);
    const listing = await ann.listRooms(ChatKind);
    expect(listing.map((r) => [r.roomId, r.members, r.maxPlayers, r.metadata]).sort()).toEqual(
      [
        [a.id, 2, 2, { topic: 'cats' }],
        [dogs.id, 1, 2, { topic: 'dogs' }],
      ].sort(),
    );
    expect((await ann.listRooms('chat', { topic: 'dogs' })).map((r) => r.roomId)).toEqual([dogs.id]);

    const annHears = collect<Line>((h) => a.on(Said, h), 2);
    const bobHears = collect<Line>((h) => b.on(Said, h), 2);
    const dogsHeard: Line[] = [];
    dogs.on(Said, (line) => dogsHeard.push(line));
    await expect(a.request(Say, { text: 'hi' })).resolves.toEqual({ seq: 1 });
    expect(b.send(Say, { text: 'hello' })).toBe(true);
    expect(await annHears).toEqual([
      { seq: 1, from: 'ann', text: 'hi' },
      { seq: 2, from: 'bob', text: 'hello' },
    ]);
    expect(await bobHears).toEqual(await annHears);
    await expect(dogs.request(Say, { text: 'woof' })).resolves.toEqual({ seq: 1 });
    expect(dogsHeard).toEqual([{ seq: 1, from: 'bob', text: 'woof' }]); // the room's own push, not the cats'

    const left: CloseInfo[] = [];
    b.onLeave((info) => left.push(info));
    await expect(b.leave()).resolves.toBe(true);
    expect(left).toEqual([{ code: 'LEFT', text: 'left the room' }]);
    expect(bob.rooms.has(a.id)).toBe(false);
    expect(b.send(Say, { text: 'gone' })).toBe(false);
    await expect(b.request(Say, { text: 'gone' })).rejects.toMatchObject({ code: 'NOT_IN_ROOM' });
    expect(n.node.rooms.get(a.id)!.members.size).toBe(1);
    expect(bob.rooms.get(dogs.id)).toBe(dogs); // still in the other room
  });
});

describe('room errors and endings', () => {
  it('rejects with the coded errors: full, not found, unknown kind, refused by onJoin, unhandled type', async () => {
    const n = await roomNode();
    const [ann, bob, cy] = (await Promise.all(['ann', 'bob', 'cy'].map((name) => player(n, name)))) as [HearthClient, HearthClient, HearthClient];
    const room = await ann.create(ChatKind, {}, { private: true });
    expect(await ann.listRooms(ChatKind)).toEqual([]); // private: not listed
    await bob.join(room.id, {}, { kind: ChatKind });
    const full = cy.join(room.id);
    await expect(full).rejects.toBeInstanceOf(HearthError);
    await expect(full).rejects.toMatchObject({ code: 'ROOM_FULL' });
    await expect(cy.join('no-such-room')).rejects.toMatchObject({ code: 'ROOM_NOT_FOUND' });
    await expect(cy.joinOrCreate('nope')).rejects.toMatchObject({ code: 'ROOM_UNKNOWN_KIND' });
    await expect(cy.joinOrCreate(ChatKind, { topic: 'x', banned: true })).rejects.toMatchObject({ code: 'BANNED' });
    await expect(room.request(Unhandled, {})).rejects.toMatchObject({ code: 'UNKNOWN_TYPE', message: /rooms\.unhandled in room/ });
    expect(cy.rooms.size).toBe(0);
  });

  it('ends a handle on a kick, a disposal and the client closing, with the code; NOT_IN_ROOM after', async () => {
    const n = await roomNode();
    const ann = await player(n, 'ann');
    const kicked = await ann.create(ChatKind, { topic: 'k' });
    const disposed = await ann.create(ChatKind, { topic: 'd' });
    const closed = await ann.create(ChatKind, { topic: 'c' });
    const ends = (room: { onLeave(l: (i: CloseInfo) => void): () => void }) => new Promise<CloseInfo>((r) => room.onLeave(r));
    const [k, d, c] = [ends(kicked), ends(disposed), ends(closed)];
    await kicked.request(Kick, {});
    expect(await k).toMatchObject({ code: 'KICKED' });
    await expect(kicked.request(Say, { text: 'x' })).rejects.toMatchObject({ code: 'NOT_IN_ROOM' });
    await disposed.request(Dispose, {});
    expect(await d).toMatchObject({ code: 'ROOM_DISPOSED' });
    expect([...ann.rooms.keys()]).toEqual([closed.id]);
    ann.close('NORMAL');
    expect(await c).toMatchObject({ code: 'NORMAL' });
    expect(closed.left).toMatchObject({ code: 'NORMAL' });
    expect(ann.rooms.size).toBe(0);
  });

  it('ends a handle when server code takes the player out (player.rooms.leave pushes room.left LEFT)', async () => {
    const n = await roomNode();
    const ann = await player(n, 'ann');
    const room = await ann.joinOrCreate(ChatKind);
    await expect(ann.request(LeaveByServer, { roomId: room.id })).resolves.toBe(true);
    expect(room.left).toMatchObject({ code: 'LEFT' }); // room.left is pushed before the reply
    expect(ann.rooms.size).toBe(0);
    await expect(room.request(Say, { text: 'x' })).rejects.toMatchObject({ code: 'NOT_IN_ROOM' });
  });
});

describe('synchronised state', () => {
  it('keeps each member mirror equal to the server state through moves, joins and leaves', async () => {
    const n = await roomNode();
    const ann = await player(n, 'ann');
    const bob = await player(n, 'bob', 'ws');
    const a = await ann.joinOrCreate(BoardKind, {});
    expect(a.mirror).toBeDefined();
    expect([...a.state.players.keys()]).toEqual(['ann']);
    const b = await bob.join(a.id, {}, { kind: BoardKind });
    const server = n.node.rooms.get(a.id)!;
    const settled = async (room: typeof a, moves: number) => {
      while (room.state.moves < moves || room.state.players.size !== server.members.size) {
        await new Promise<void>((r) => room.onStateChange(() => r()));
      }
    };
    await a.request(Move, { dx: 1, dy: 2 });
    await b.request(Move, { dx: -3, dy: 0 });
    await a.request(Move, { dx: 1, dy: 1 });
    await Promise.all([settled(a, 3), settled(b, 3)]);
    expect(boardSnapshot(a.state)).toEqual(boardSnapshot(server.state));
    expect(boardSnapshot(b.state)).toEqual(boardSnapshot(server.state));
    expect(a.state.players.get('ann')).toMatchObject({ x: 2, y: 3 });
    await b.leave();
    while (a.state.players.has('bob')) await new Promise<void>((r) => a.onStateChange(() => r()));
    expect(boardSnapshot(a.state)).toEqual(boardSnapshot(server.state));
  });

  it('asks for the full state again when a patch was missed', async () => {
    const n = await roomNode();
    const ann = await player(n, 'ann');
    const bob = await player(n, 'bob');
    const a = await ann.joinOrCreate(BoardKind, {});
    const b = await bob.join(a.id, {}, { kind: BoardKind });
    await b.request(MoveLost, { dx: 5 }); // a patch no one gets
    await b.request(Move, { dx: 1, dy: 0 }); // the next one: ann's mirror sees the gap and resynchronises
    const server = n.node.rooms.get(a.id)!;
    while (a.state.moves < 2) await new Promise<void>((r) => a.onStateChange(() => r()));
    expect(a.mirror.stale).toBe(false);
    expect(boardSnapshot(a.state)).toEqual(boardSnapshot(server.state));
    expect(a.state.players.get('bob')).toMatchObject({ x: 6, y: 0 });
  });
});
