import { RoomCreate, RoomJoinOrCreate } from '@hearth/protocol';
import { describe, expect, it } from 'vitest';
import { defineRoom } from '../../src/index.ts';
import { cleanup } from '../helpers.ts';
import { player } from '../rooms/roomServer.ts';
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
});
