import { defineMessage, RoomCreate, RoomJoin, RoomLeft, RoomPush } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { defineRoom, type RoomMember } from '../../src/index.ts';
import { cleanup } from '../helpers.ts';
import { Said, cleanupRooms, player, startRoomServer, toRoom } from './roomServer.ts';

afterEach(async () => {
  await cleanupRooms();
  await cleanup();
});

/** Asks the room to act on another member by user id: `send`, `except`, `kick`. */
const Act = defineMessage<{ op: 'send' | 'except' | 'kick' | 'self'; to: string }, boolean | number>(210, 'test.room.act');
const Who = defineMessage<Record<string, never>, { userId: string; options: unknown; nodeId: string; connected: boolean; joinedAt: number }>(211, 'test.room.who');

describe('rooms: members', () => {
  it('gives handlers and hooks a RoomMember (options, node, connected); send, broadcast except, kick by member or user id', async () => {
    const seen: RoomMember[] = [];
    const Room = defineRoom({ name: 'm', maxPlayers: 4, emptyTimeout: false })
      .handle(Who, (_room, m) => ({ userId: m.userId, options: m.options, nodeId: m.nodeId, connected: m.connected, joinedAt: m.joinedAt }))
      .handle(Act, async (room, m, { op, to }) => {
        if (op === 'send') return room.send(to, Said, { from: m.userId, text: 'direct' });
        if (op === 'self') return m.send(Said, { from: m.userId, text: 'self' });
        if (op === 'except') return room.broadcast(Said, { from: m.userId, text: 'all but' }, { except: to });
        return room.kick(to, 'OUT', 'bye');
      })
      .hooks({ onJoin: (_room, m) => void seen.push(m) });
    const { port, node } = await startRoomServer([Room]);
    const [ann, bob, cid] = await Promise.all([player(port, 'ann'), player(port, 'bob'), player(port, 'cid')]);
    const { roomId } = await ann.ref.request(RoomCreate, { kind: 'm', options: { team: 'red' } });
    await bob.ref.request(RoomJoin, { roomId, options: { team: 'blue' } });
    await cid.ref.request(RoomJoin, { roomId });
    expect(await toRoom(bob, roomId, Who, {})).toEqual({ userId: 'bob', options: { team: 'blue' }, nodeId: node.holder.nodeId, connected: true, joinedAt: seen[1]!.joinedAt });
    expect([...node.rooms.get(roomId)!.members.keys()]).toEqual(['ann', 'bob', 'cid']);
    expect(node.rooms.get(roomId)!.members.get('ann')).toBe(seen[0]);

    expect(await toRoom(ann, roomId, Act, { op: 'send', to: 'bob' })).toBe(true);
    expect((await bob.received(RoomPush.type, 1))[0]!.payload).toEqual([roomId, Said.type, { from: 'ann', text: 'direct' }]);
    expect(await toRoom(ann, roomId, Act, { op: 'send', to: 'nobody' })).toBe(false);
    expect(await toRoom(cid, roomId, Act, { op: 'self', to: '' })).toBe(true);
    expect((await cid.received(RoomPush.type, 1))[0]!.payload).toEqual([roomId, Said.type, { from: 'cid', text: 'self' }]);

    // except by user id: ann (the sender) gets it, bob does not
    expect(await toRoom(ann, roomId, Act, { op: 'except', to: 'bob' })).toBe(2);
    expect((await ann.received(RoomPush.type, 1))[0]!.payload).toEqual([roomId, Said.type, { from: 'ann', text: 'all but' }]);
    expect((await cid.received(RoomPush.type, 2))[1]!.payload).toEqual([roomId, Said.type, { from: 'ann', text: 'all but' }]);
    expect(bob.inbox.filter((m) => m.type === RoomPush.type)).toHaveLength(1);

    // a member that left: its stale handle sends nothing; kick by user id
    expect(await toRoom(ann, roomId, Act, { op: 'kick', to: 'cid' })).toBe(true);
    expect((await cid.received(RoomLeft.type, 1))[0]!.payload).toEqual({ roomId, code: 'OUT', text: 'bye' });
    expect(seen[2]!.send(Said, { from: 'x', text: 'stale' })).toBe(false);
    expect(await toRoom(ann, roomId, Act, { op: 'kick', to: 'cid' })).toBe(false);
  });
});
