import { RoomCreate, RoomJoin, RoomLeave, RoomLeft } from '@hearth/protocol';
import { afterEach, expect, it } from 'vitest';
import { defineRoom, type LeaveReason } from '../../src/index.ts';
import { cleanup } from '../helpers.ts';
import { cleanupRooms, player, ServerLeave, startRoomServer, Where, toRoom, codeOf } from './roomServer.ts';

afterEach(async () => {
  await cleanupRooms();
  await cleanup();
});

it('a leave by server code (player.rooms.leave) pushes room.left LEFT; a leave the client asked for answers its request only', async () => {
  const reasons: string[] = [];
  const Hall = defineRoom({ name: 'hall', maxPlayers: 4, emptyTimeout: false })
    .handle(Where, (room) => ({ roomId: room.id, members: [...room.members.keys()] }))
    .hooks({ onLeave: (_room, _p, reason: LeaveReason) => void reasons.push(reason.code) });
  const { port } = await startRoomServer([Hall]);
  const ann = await player(port, 'ann');
  const { roomId } = await ann.ref.request(RoomCreate, { kind: 'hall' });

  // The client asked: its request's answer says so, no room.left follows.
  expect(await ann.ref.request(RoomLeave, { roomId })).toBe(true);
  await ann.ref.request(RoomJoin, { roomId });
  expect(ann.inbox.filter((m) => m.type === RoomLeft.type)).toEqual([]);

  // Server code removed the player: the client is told, like a kick.
  expect(await ann.ref.request(ServerLeave, { roomId })).toBe(true);
  const [left] = await ann.received(RoomLeft.type, 1);
  expect(left!.payload).toEqual({ roomId, code: 'LEFT', text: 'left the room' });
  expect(reasons).toEqual(['LEFT', 'LEFT']);
  expect(await codeOf(toRoom(ann, roomId, Where, {}))).toBe('NOT_IN_ROOM');

  // Not in the room: false, and nothing is pushed.
  expect(await ann.ref.request(ServerLeave, { roomId })).toBe(false);
  expect(ann.inbox.filter((m) => m.type === RoomLeft.type).length).toBe(1);
});
