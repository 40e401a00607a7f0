// The client's room layer against an in-memory server the test scripts (manual clock): what a
// real node does not do on demand — hostile room pushes, pushes that overtake their join reply,
// resync refusals and transient failures. The server side of the state is a real StateEncoder.
import { Kind, RoomJoin, RoomJoinOrCreate, RoomLeave, RoomLeft, RoomPush, RoomState, defineMessage, type Message } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { Mirror, StateEncoder, map, string, struct, u32 } from '../../state/src/index.ts';
import { HearthClient, defineRoomKind, type CloseInfo } from '../src/index.ts';
import { cleanup, track } from './support/clients.ts';
import { ManualClock } from './support/ManualClock.ts';
import { MemoryServer, type MemoryPeer } from './support/MemoryServer.ts';

afterEach(cleanup);

const World = struct({ scores: map(string, u32), round: u32 });
const Board = defineRoomKind<{ mode?: string }>('board').synced(() => new Mirror(World));
const Notes = defineRoomKind<Record<string, never>, { topic: string }>('notes');
const Note = defineMessage<{ n: number }>(200, 'test.note');

interface Rig {
  clock: ManualClock;
  server: MemoryServer;
  client: HearthClient;
  encoder: StateEncoder<typeof World>;
  /** How the server answers a `room.join` (a resync): `'state'` (the state), or an error code. */
  rejoin: string;
  rejoins: number;
  /** The ref the server gives room b1 in its join replies (n1: 1). */
  boardRef: unknown;
  /** Sends messages to the client on the current connection. */
  push(fill: (w: Parameters<Parameters<MemoryPeer['send']>[0]>[0]) => void): Promise<void>;
}

async function rig(): Promise<Rig> {
  const clock = new ManualClock();
  const server = new MemoryServer();
  const encoder = new StateEncoder(World, { scores: new Map([['ann', 0]]), round: 0 });
  let tokens = 0;
  const r = { clock, server, encoder, rejoin: 'state', rejoins: 0, boardRef: 0 } as Rig;
  server.onMessage = (msg: Message, peer: MemoryPeer) => {
    if (msg.kind !== Kind.REQUEST) return;
    if (msg.type === 1 || msg.type === 2) peer.send((w) => w.reply(msg.rid, { userId: 'ann', resumeToken: `t${++tokens}` }));
    if (msg.type === RoomJoinOrCreate.type) {
      const kind = (msg.payload as { kind: string }).kind;
      peer.send((w) => w.reply(msg.rid, { roomId: kind === 'notes' ? 'n1' : 'b1', ref: kind === 'notes' ? 1 : r.boardRef, kind, state: kind === 'notes' ? { topic: 'hi' } : encoder.full() }));
    }
    if (msg.type === RoomJoin.type) {
      r.rejoins++;
      if (r.rejoin === 'state') peer.send((w) => w.reply(msg.rid, { roomId: 'b1', ref: r.boardRef, kind: 'board', state: encoder.full() }));
      else peer.send((w) => w.error(msg.rid, r.rejoin, 'refused by the test'));
    }
    if (msg.type === RoomLeave.type) peer.send((w) => w.reply(msg.rid, true));
  };
  r.client = new HearthClient({ url: 'tcp://memory:1', protocol: 'msgpack', transport: server.transport, clock, random: () => 0 });
  track(() => r.client.close());
  r.push = async (fill) => {
    server.last.send(fill);
    await clock.advance(0);
  };
  const connected = r.client.connect();
  await clock.advance(0);
  await connected;
  const login = r.client.login({ name: 'ann' });
  await clock.advance(0);
  await login;
  return r;
}

async function settle<T>(r: Rig, promise: Promise<T>): Promise<T> {
  await r.clock.advance(0);
  return promise;
}

/** The next patch of the server's state after `change`. */
function patch(r: Rig, change: (s: Rig['encoder']['state']) => void): Uint8Array {
  change(r.encoder.state);
  return r.encoder.encode();
}

describe('room messages from the server', () => {
  it('drops malformed room pushes and those of rooms it is not in, and routes the rest', async () => {
    const r = await rig();
    const room = await settle(r, r.client.joinOrCreate(Notes));
    expect(room.state).toEqual({ topic: 'hi' });
    const heard: number[] = [];
    room.on(Note, ({ n }) => heard.push(n));
    await r.push((w) => {
      w.push(RoomPush.type, 'not an envelope');
      w.push(RoomPush.type, ['n1', 'not a type', {}]);
      w.push(RoomPush.type, [{ roomId: 'n1' }, Note.type, { n: 0 }]);
      w.push(RoomPush.type, ['x'.repeat(65), Note.type, { n: 0 }]);
      w.push(RoomPush.type, ['other', Note.type, { n: 0 }]);
      w.push(RoomState.type, ['n1', 'not bytes']);
      w.push(RoomState.type, null);
      w.push(RoomLeft.type, { roomId: 7, code: 'KICKED' });
      w.push(RoomPush.type, ['n1', Note.type, { n: 1 }]);
    });
    expect(heard).toEqual([1]);
    expect(room.left).toBeUndefined();
    const left = new Promise<CloseInfo>((resolve) => room.onLeave(resolve));
    await r.push((w) => w.push(RoomLeft.type, { roomId: 'n1', code: 'X'.repeat(500), text: 42 }));
    expect((await left).code).toBe('X'.repeat(64)); // bounded
  });

  it('delivers the pushes and patches that overtook the join reply to the new handle, in order', async () => {
    const r = await rig();
    r.server.onMessage = ((inner) => (msg: Message, peer: MemoryPeer) => {
      if (msg.kind === Kind.REQUEST && msg.type === RoomJoinOrCreate.type) {
        const full = r.encoder.full();
        const p1 = patch(r, (s) => (s.round = 1));
        peer.send((w) => {
          w.push(RoomPush.type, ['b1', Note.type, { n: 1 }]);
          w.push(RoomState.type, ['b1', p1]);
          w.reply(msg.rid, { roomId: 'b1', kind: 'board', state: full });
        });
        return;
      }
      inner?.(msg, peer);
    })(r.server.onMessage);
    const room = await settle(r, r.client.joinOrCreate(Board, { mode: 'x' }));
    expect(room.state.round).toBe(1); // the early patch applied on top of the full state
    expect(room.mirror.stale).toBe(false);
  });
});

describe('resynchronising a room', () => {
  it('after a missed patch: asks once, ignores patches while waiting, then applies the next ones', async () => {
    const r = await rig();
    const room = await settle(r, r.client.joinOrCreate(Board));
    const changes: number[] = [];
    room.onStateChange((s) => changes.push(s.round));
    patch(r, (s) => (s.round = 1)); // lost
    const p2 = patch(r, (s) => (s.round = 2));
    const p3 = patch(r, (s) => (s.round = 3));
    r.server.onMessage = ((inner) => (msg: Message, peer: MemoryPeer) => {
      // the reply comes after one more patch (which the full state includes)
      if (msg.kind === Kind.REQUEST && msg.type === RoomJoin.type) peer.send((w) => w.push(RoomState.type, ['b1', p3]));
      inner?.(msg, peer);
    })(r.server.onMessage);
    await r.push((w) => w.push(RoomState.type, ['b1', p2]));
    await r.clock.advance(0);
    expect(r.rejoins).toBe(1);
    expect(room.state.round).toBe(3);
    await r.push((w) => w.push(RoomState.type, ['b1', patch(r, (s) => s.scores.set('bob', 5))]));
    expect(room.state.scores.get('bob')).toBe(5);
    expect(changes).toEqual([3, 3]);
    expect(r.rejoins).toBe(1);
  });

  it('applies `room.state` only as [roomId, bytes]: the map form, a missing or extra element, a bad id or non-bytes are dropped', async () => {
    const r = await rig();
    const room = await settle(r, r.client.joinOrCreate(Board));
    const p1 = patch(r, (s) => (s.round = 1));
    await r.push((w) => {
      w.push(RoomState.type, { roomId: 'b1', bytes: p1 });
      w.push(RoomState.type, ['b1']);
      w.push(RoomState.type, ['b1', p1, 0]);
      w.push(RoomState.type, [7, p1]);
      w.push(RoomState.type, ['x'.repeat(65), p1]);
      w.push(RoomState.type, ['b1', [...p1]]);
      w.push(RoomState.type, 'b1');
    });
    await r.clock.advance(0);
    expect(room.state.round).toBe(0); // none applied, and none made the mirror stale (no rejoin)
    expect(r.rejoins).toBe(0);
    await r.push((w) => w.push(RoomState.type, ['b1', p1]));
    expect(room.state.round).toBe(1);
  });

  it('routes `room.state` by the ref of the join reply; an unknown ref, or one that is not a uint32, is dropped', async () => {
    const r = await rig();
    const room = await settle(r, r.client.joinOrCreate(Board));
    const p1 = patch(r, (s) => (s.round = 1));
    await r.push((w) => {
      for (const ref of [1, 2, -1, 0.5, 2 ** 32, Number.NaN]) w.push(RoomState.type, [ref, p1]);
    });
    await r.clock.advance(0);
    expect(room.state.round).toBe(0); // none applied, none made the mirror stale
    expect(r.rejoins).toBe(0);
    await r.push((w) => w.push(RoomState.type, [0, p1]));
    expect(room.state.round).toBe(1);
  });

  it('refuses a join reply with a ref that is not a uint32 (BAD_REPLY)', async () => {
    for (const bad of ['0', -1, 1.5, 2 ** 32, null]) {
      const r = await rig();
      r.boardRef = bad;
      const refused = expect(r.client.joinOrCreate(Board)).rejects.toMatchObject({ code: 'BAD_REPLY' });
      await r.clock.advance(0);
      await refused;
      r.client.close();
    }
  });

  it('forgets the refs with the connection: after the resume, the resync reply gives the room its ref again', async () => {
    const r = await rig();
    const room = await settle(r, r.client.joinOrCreate(Board));
    r.boardRef = 5; // a player resumed on another node: new refs
    r.server.last.drop(undefined);
    await r.clock.advance(100);
    await r.clock.advance(0);
    expect(r.rejoins).toBe(1);
    const p1 = patch(r, (s) => (s.round = 1));
    await r.push((w) => w.push(RoomState.type, [0, p1])); // the old connection's ref: another room, maybe
    expect(room.state.round).toBe(0);
    await r.push((w) => w.push(RoomState.type, [5, p1]));
    expect(room.state.round).toBe(1);
    expect(r.rejoins).toBe(1);
  });

  it('a resync after the resume that failed (INTERNAL) is asked again as patches come under the unknown new ref', async () => {
    const r = await rig();
    const room = await settle(r, r.client.joinOrCreate(Board));
    r.boardRef = 5;
    r.rejoin = 'INTERNAL';
    r.server.last.drop(undefined);
    await r.clock.advance(100);
    await r.clock.advance(0);
    expect(r.rejoins).toBe(1); // refused: the room has no ref now
    r.rejoin = 'state';
    await r.push((w) => w.push(RoomState.type, [5, patch(r, (s) => (s.round = 1))])); // backoff: waits this one
    expect(r.rejoins).toBe(1);
    await r.push((w) => w.push(RoomState.type, [5, patch(r, (s) => (s.round = 2))]));
    expect(r.rejoins).toBe(2);
    expect(room.state.round).toBe(2);
    await r.push((w) => w.push(RoomState.type, [5, patch(r, (s) => (s.round = 3))]));
    expect(room.state.round).toBe(3);
    expect(room.left).toBeUndefined();
  });

  it('after a resume: refreshes every room; a refusal ends the handle with its code', async () => {
    const r = await rig();
    const board = await settle(r, r.client.joinOrCreate(Board));
    const notes = await settle(r, r.client.joinOrCreate(Notes));
    patch(r, (s) => (s.round = 4)); // lost with the old connection
    const resumed: string[] = [];
    board.on('resumed', () => resumed.push('board'));
    r.server.onMessage = ((inner) => (msg: Message, peer: MemoryPeer) => {
      if (msg.kind === Kind.REQUEST && msg.type === RoomJoin.type && (msg.payload as { roomId: string }).roomId === 'n1') {
        peer.send((w) => w.error(msg.rid, 'ROOM_NOT_FOUND', 'gone'));
        return;
      }
      inner?.(msg, peer);
    })(r.server.onMessage);
    const notesLeft = new Promise<CloseInfo>((resolve) => notes.onLeave(resolve));
    r.server.last.drop(undefined);
    await r.clock.advance(100);
    await r.clock.advance(0);
    expect(resumed).toEqual(['board']);
    expect(board.state.round).toBe(4);
    expect(await notesLeft).toMatchObject({ code: 'ROOM_NOT_FOUND' });
    expect([...r.client.rooms.keys()]).toEqual(['b1']);
  });

  it('backs off on transient failures (INTERNAL): asks again after 1, 3, 7 … patches, never more than one at a time', async () => {
    const r = await rig();
    const room = await settle(r, r.client.joinOrCreate(Board));
    r.rejoin = 'INTERNAL';
    patch(r, (s) => (s.round = 1)); // lost: the mirror goes stale at the next one
    const asked: number[] = [];
    for (let i = 0; i < 12; i++) {
      await r.push((w) => w.push(RoomState.type, ['b1', patch(r, (s) => s.round++)]));
      await r.clock.advance(0);
      asked.push(r.rejoins);
    }
    // stale from patch 1 on: ask (1); wait 1 patch, ask (2); wait 3, ask (3); wait 7 …
    expect(asked).toEqual([1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3]);
    expect(room.left).toBeUndefined();
    r.rejoin = 'state';
    for (let i = 0; i < 8; i++) await r.push((w) => w.push(RoomState.type, ['b1', patch(r, (s) => s.round++)]));
    await r.clock.advance(0);
    expect(room.mirror.stale).toBe(false);
    expect(room.state.round).toBe(r.encoder.state.round);
  });

  it('undoes a resync join that answered after the room ended the membership', async () => {
    const r = await rig();
    const room = await settle(r, r.client.joinOrCreate(Board));
    r.server.onMessage = ((inner) => (msg: Message, peer: MemoryPeer) => {
      // kicked while the resync is on its way: room.left first, then the join seats the player again
      if (msg.kind === Kind.REQUEST && msg.type === RoomJoin.type) peer.send((w) => w.push(RoomLeft.type, { roomId: 'b1', code: 'KICKED', text: 'out' }));
      inner?.(msg, peer);
    })(r.server.onMessage);
    r.server.last.drop(undefined);
    await r.clock.advance(100);
    await r.clock.advance(0);
    expect(room.left).toMatchObject({ code: 'KICKED' });
    const leaves = r.server.last.received.filter((m) => m.kind === Kind.REQUEST && m.type === RoomLeave.type);
    expect(leaves.map((m) => (m as { payload: unknown }).payload)).toEqual([{ roomId: 'b1' }]);
  });
});
