import { RoomCreate, RoomJoin, RoomJoinOrCreate, RoomLeave, RoomPush } from '@hearth/protocol';
import { describe, expect, it } from 'vitest';
import { defineRoom } from '../../src/index.ts';
import { cleanup, until } from '../helpers.ts';
import { Said, Say, player, toRoom } from '../rooms/roomServer.ts';
import { useClusterFixture } from './helpers.ts';
import { startRoomNode } from './roomNodes.ts';

describe('joinOrCreate keeps players on their node (real Redis, two nodes)', () => {
  const fx = useClusterFixture(cleanup);

  it("players joining from node A fill A's open rooms first while B has an older open room; B's players fill B's", async () => {
    const Chat = defineRoom({ name: 'chat', maxPlayers: 3, emptyTimeout: false });
    const a = await startRoomNode(fx.redis, 'la', [Chat], fx.closers);
    const b = await startRoomNode(fx.redis, 'lb', [Chat], fx.closers);
    const onB = (await (await player(b.port, 'bo0')).request(RoomCreate, { kind: 'chat' })).roomId; // the older room
    const onA = (await (await player(a.port, 'an0')).request(RoomCreate, { kind: 'chat' })).roomId;
    const fromA = [];
    for (const name of ['an1', 'an2']) fromA.push((await (await player(a.port, name)).request(RoomJoinOrCreate, { kind: 'chat' })).roomId);
    expect(fromA).toEqual([onA, onA]);
    expect((await (await player(b.port, 'bo1')).request(RoomJoinOrCreate, { kind: 'chat' })).roomId).toBe(onB);
    // A's room is full: its next player takes a seat in B's open room (any node) before a new room is made
    expect((await (await player(a.port, 'an3')).request(RoomJoinOrCreate, { kind: 'chat' })).roomId).toBe(onB);
    expect([...a.node.rooms.get(onA)!.members.keys()].sort()).toEqual(['an0', 'an1', 'an2']);
    expect([...b.node.rooms.get(onB)!.members.values()].map((m) => `${m.userId}@${m.nodeId}`).sort()).toEqual(['an3@la', 'bo0@lb', 'bo1@lb']);
  });

  it("roomPlacement 'local': a node with capacity opens its own room rather than take a seat in another node's", async () => {
    const Chat = defineRoom({ name: 'chat', maxPlayers: 3, emptyTimeout: false });
    const a = await startRoomNode(fx.redis, 'pa', [Chat], fx.closers, { roomPlacement: 'local' });
    const b = await startRoomNode(fx.redis, 'pb', [Chat], fx.closers, { roomPlacement: 'local' });
    const onB = (await (await player(b.port, 'pb0')).request(RoomJoinOrCreate, { kind: 'chat' })).roomId; // older, open
    const fromA = [];
    for (const name of ['pa0', 'pa1', 'pa2', 'pa3']) fromA.push((await (await player(a.port, name)).request(RoomJoinOrCreate, { kind: 'chat' })).roomId);
    expect(fromA[0]).not.toBe(onB);
    expect(fromA.slice(0, 3)).toEqual([fromA[0], fromA[0], fromA[0]]);
    expect(fromA[3]).not.toBe(onB); // A's room is full: a second room on A, B's open room notwithstanding
    expect(a.node.rooms.get(fromA[3]!)).toBeDefined();
    expect((await (await player(b.port, 'pb1')).request(RoomJoinOrCreate, { kind: 'chat' })).roomId).toBe(onB);
    expect([...b.node.rooms.get(onB)!.members.values()].map((m) => m.nodeId)).toEqual(['pb', 'pb']);
  });

  it("a room whose members are all on its node broadcasts without Redis; with a member on another node, through it", async () => {
    const Chat = defineRoom({ name: 'chat', maxPlayers: 8, emptyTimeout: false }).handle(Say, (room, m, { text }) => {
      room.broadcast(Said, { from: m.userId, text }, { except: m });
      return { heard: room.members.size - 1 };
    });
    const a = await startRoomNode(fx.redis, 'ga', [Chat], fx.closers);
    const b = await startRoomNode(fx.redis, 'gb', [Chat], fx.closers);
    const ann = await player(a.port, 'gann');
    const amy = await player(a.port, 'gamy');
    const bob = await player(b.port, 'gbob');
    const { roomId } = await ann.request(RoomCreate, { kind: 'chat' });
    await amy.request(RoomJoin, { roomId });
    const published = (): number => a.backplane.stats().publishes;
    let before = published();
    for (let i = 0; i < 3; i++) expect(await toRoom(ann, roomId, Say, { text: `local ${i}` })).toEqual({ heard: 1 });
    expect((await amy.received(RoomPush.type, 3)).map((m) => (m.payload as [string, number, { text: string }])[2].text)).toEqual(['local 0', 'local 1', 'local 2']);
    expect(published() - before).toBe(0);
    await bob.request(RoomJoin, { roomId });
    before = published();
    expect(await toRoom(ann, roomId, Say, { text: 'to all' })).toEqual({ heard: 2 });
    expect(((await bob.received(RoomPush.type, 1))[0]!.payload as [string, number, { text: string }])[2].text).toBe('to all');
    expect(published() - before).toBeGreaterThan(0);
    expect(await bob.request(RoomLeave, { roomId })).toBe(true);
    await until(() => [...a.node.rooms.get(roomId)!.members.keys()].length === 2);
    before = published();
    expect(await toRoom(ann, roomId, Say, { text: 'local again' })).toEqual({ heard: 1 });
    expect(((await amy.received(RoomPush.type, 5))[4]!.payload as [string, number, { text: string }])[2].text).toBe('local again');
    expect(published() - before).toBe(0);
  });
});
