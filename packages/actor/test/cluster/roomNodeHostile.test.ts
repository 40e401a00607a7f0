// Another node's room requests and messages are checked field by field: malformed ones are refused
// (BAD_REQUEST) or dropped, nothing throws, and the rooms carry on.
import { RoomCreate, RoomJoin } from '@hearth/protocol';
import { describe, expect, it } from 'vitest';
import { defineRoom } from '../../src/index.ts';
import { RoomEnter, RoomExit, RoomForward } from '../../src/room/RoomNode.ts';
import { cleanup } from '../helpers.ts';
import { Say, codeOf, player, toRoom } from '../rooms/roomServer.ts';
import { useClusterFixture } from './helpers.ts';
import { startRoomNode } from './roomNodes.ts';

const Chat = defineRoom({ name: 'chat', maxPlayers: 4 }).handle(Say, (room) => ({ heard: room.members.size - 1 }));

describe('room node requests from another node are hostile input', () => {
  const fx = useClusterFixture(cleanup);

  it('refuses malformed enter/forward/exit requests, drops malformed room messages, and keeps serving', async () => {
    const a = await startRoomNode(fx.redis, 'ha', [Chat], fx.closers);
    const b = await startRoomNode(fx.redis, 'hb', [Chat], fx.closers);
    const ann = await player(a.port, 'ann');
    const { roomId } = await ann.ref.request(RoomCreate, { kind: 'chat' });
    const c = b.node.cluster;
    for (const bad of [null, [], 'x', { roomId: 1, userId: 'u' }, { roomId, userId: 'bad user' }, { roomId: '../x', userId: 'u' }, { roomId, userId: 'u', create: { kind: 7 } }, { roomId, userId: 'u', options: [1] }]) {
      expect(await codeOf(c.request('ha', RoomEnter, bad as never))).toBe('BAD_REQUEST');
    }
    expect(await codeOf(c.request('ha', RoomEnter, { roomId: 'nosuchroom00', userId: 'u', options: {} }))).toBe('ROOM_NOT_FOUND');
    for (const bad of [null, [roomId], [1, 2, 3, 4], { roomId }]) expect(await codeOf(c.request('ha', RoomForward, bad as never))).toBe('BAD_REQUEST');
    // a forward naming a member of another node (ann is held by ha, not hb): not in the room
    expect(await codeOf(c.request('ha', RoomForward, [roomId, 'ann', Say.type, { text: 'forged' }]))).toBe('NOT_IN_ROOM');
    for (const bad of [null, { roomId, userId: 'ann' }, { roomId, userId: 'ann', code: 'X'.repeat(65), text: '' }]) expect(await codeOf(c.request('ha', RoomExit, bad as never))).toBe('BAD_REQUEST');
    expect(await c.request('ha', RoomExit, { roomId, userId: 'ann', code: 'LEFT', text: '' })).toBe(false); // not hb's member: ann stays
    for (const bad of ['x', [], ['left'], ['left', '../x', 'ann'], ['g', roomId, 'ann', 'other.group', 1], ['g', roomId, 'ann', `hearth.room/${roomId}/${'v'.repeat(40)}`, 1], ['c', roomId, 'ann', 0], ['zz', roomId, 'ann']]) {
      b.backplane.sendToNode('ha', 'hearth.room', bad);
    }
    const bob = await player(b.port, 'bob');
    await bob.ref.request(RoomJoin, { roomId });
    expect(await toRoom(bob, roomId, Say, { text: 'still fine' })).toEqual({ heard: 1 });
    expect([...a.node.rooms.get(roomId)!.members.keys()]).toEqual(['ann', 'bob']);
    // (the messages above went first on the same channel as bob's join: all handled by now)
    expect(a.node.rooms.get(roomId)!.members.get('ann')!.connected).toBe(true); // 'c' from a node that does not hold ann
    expect([...a.node.holder.get('ann')!.groups].filter((g) => !g.startsWith(`hearth.room/${roomId}`))).toEqual([]);
  });
});
