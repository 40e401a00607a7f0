// `room.state` names a room by the member's ref (a small uint from its join reply), not by the room id:
// the room broadcasts `[roomId, bytes]` once, each member's player rewrites it (RoomRefs.ts).
import { Kind, RoomCreate, RoomLeave, RoomState, decodeBatch, defineMessage, encodeMessage, type Message, type RoomStatePatch } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { StateEncoder, map, string, struct, u32 } from '../../../state/src/index.ts';
import { defineRoom } from '../../src/index.ts';
import { RoomRefs, roomStateOf } from '../../src/room/RoomRefs.ts';
import { ManualClock } from '../../src/testing/index.ts';
import { cleanup } from '../helpers.ts';
import { cleanupRooms, player, startRoomServer, toRoom } from './roomServer.ts';

const Bump = defineMessage<Record<string, never>, number>(230, 'test.room.bump');
const World = struct({ hits: map(string, u32) });
const counter = defineRoom({ name: 'counter', maxPlayers: 4, tickHz: 10, sync: () => new StateEncoder(World, { hits: new Map() }) }).handle(Bump, (room, p) => {
  const n = (room.state.hits.get(p.userId) ?? 0) + 1;
  room.state.hits.set(p.userId, n);
  return n;
});

afterEach(async () => {
  await cleanupRooms();
  await cleanup();
});

function decodeOne(bytes: Uint8Array): Message {
  const out: Message[] = [];
  decodeBatch(bytes, (m) => out.push(m));
  expect(out).toHaveLength(1);
  return out[0]!;
}

describe('room refs', () => {
  it('each join reply gives the room a ref of its own; its patches carry the ref, not the room id; a ref is never reused', async () => {
    const clock = new ManualClock();
    const { port } = await startRoomServer([counter], { clock });
    const ann = await player(port, 'ann');
    const a = await ann.ref.request(RoomCreate, { kind: 'counter' });
    const b = await ann.ref.request(RoomCreate, { kind: 'counter' });
    expect([a.ref, b.ref]).toEqual([0, 1]);
    // b's patch first: the ref its bytes carry is the one b's join reply gave, not the first one free
    await toRoom(ann, b.roomId, Bump, {});
    clock.advance(100);
    const [pb] = await ann.received(RoomState.type, 1);
    expect((pb!.payload as RoomStatePatch)[0]).toBe(1);
    await toRoom(ann, a.roomId, Bump, {});
    clock.advance(100);
    const [, pa] = await ann.received(RoomState.type, 2);
    expect((pa!.payload as RoomStatePatch)[0]).toBe(0);
    expect(await ann.ref.request(RoomLeave, { roomId: a.roomId })).toBe(true);
    const c = await ann.ref.request(RoomCreate, { kind: 'counter' });
    expect(c.ref).toBe(2);
    await toRoom(ann, c.roomId, Bump, {});
    clock.advance(100);
    const [, , last] = await ann.received(RoomState.type, 3);
    expect((last!.payload as RoomStatePatch)[0]).toBe(2);
  });

  it('rewrites an encoded room.state once per ref (members sharing a ref share the bytes) and leaves other messages alone', () => {
    const patch = new Uint8Array([5, 1, 2, 3]);
    const source = encodeMessage({ kind: Kind.PUSH, type: RoomState.type, payload: roomStateOf('r-abcdefghij', patch) });
    const ann = new RoomRefs();
    const bob = new RoomRefs();
    const out = ann.rewrite(source);
    expect(out.length).toBe(source.length - 12); // a 13-byte fixstr id became a 1-byte fixint
    expect(decodeOne(out)).toEqual({ kind: Kind.PUSH, type: RoomState.type, payload: [0, patch] });
    expect(bob.rewrite(source)).toBe(out);
    expect(ann.of('r-abcdefghij')).toBe(0);
    expect(ann.of('another')).toBe(1);
    const other = encodeMessage({ kind: Kind.PUSH, type: RoomState.type, payload: roomStateOf('another', patch) });
    expect((decodeOne(ann.rewrite(other)) as { payload: unknown }).payload).toEqual([1, patch]);
    const push = encodeMessage({ kind: Kind.PUSH, type: 16, payload: ['r-abcdefghij', 200, {}] });
    expect(ann.rewrite(push)).toBe(push);
    expect(ann.payload(['r-abcdefghij', patch])).toEqual([0, patch]);
  });

  it('refs past 127 take a msgpack uint 8 / uint 16', () => {
    const refs = new RoomRefs();
    for (let i = 0; i < 300; i++) refs.of(`room-${i}`);
    const patch = new Uint8Array([9]);
    const msg = (id: string) => refs.rewrite(encodeMessage({ kind: Kind.PUSH, type: RoomState.type, payload: roomStateOf(id, patch) }));
    expect((decodeOne(msg('x-200')) as { payload: unknown }).payload).toEqual([300, patch]);
    expect((decodeOne(msg('room-299')) as { payload: unknown }).payload).toEqual([299, patch]);
    const small = new RoomRefs();
    for (let i = 0; i < 150; i++) small.of(`room-${i}`);
    const m = small.rewrite(encodeMessage({ kind: Kind.PUSH, type: RoomState.type, payload: roomStateOf('room-149', patch) }));
    expect(m[4]).toBe(0xcc);
    expect((decodeOne(m) as { payload: unknown }).payload).toEqual([149, patch]);
  });
});

describe('room refs table bound', () => {
  it('forgets the room whose patches stopped longest ago, not a busy one joined first', () => {
    const refs = new RoomRefs();
    const patch = new Uint8Array([1]);
    const busy = encodeMessage({ kind: Kind.PUSH, type: RoomState.type, payload: roomStateOf('busy', patch) });
    expect((decodeOne(refs.rewrite(busy)) as { payload: unknown }).payload).toEqual([0, patch]);
    for (let i = 0; i < 200; i++) {
      refs.of(`left-${i}`);
      expect((decodeOne(refs.rewrite(busy)) as { payload: unknown }).payload).toEqual([0, patch]);
    }
    expect(refs.of('left-0')).toBe(201); // forgotten long ago: a new ref, never an old one
  });
});
