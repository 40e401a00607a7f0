import { RoomCreate, RoomJoin, RoomPush } from '@hearth/protocol';
import { describe, expect, it } from 'vitest';
import { defineRoom } from '../../src/index.ts';
import { canStopRedis } from '../../src/testing/index.ts';
import { cleanup } from '../helpers.ts';
import { Said, Say, player, toRoom } from '../rooms/roomServer.ts';
import { once, useClusterFixture } from './helpers.ts';
import { startRoomNode } from './roomNodes.ts';

describe.skipIf(!canStopRedis)('room broadcasts while Redis is down (private Redis stopped)', () => {
  const fx = useClusterFixture(cleanup);

  it('a room whose members are all on its node is not counted as dropped; one with a member elsewhere is', async () => {
    const Chat = defineRoom({ name: 'chat', maxPlayers: 8, emptyTimeout: false }).handle(Say, (room, m, { text }) => {
      room.broadcast(Said, { from: m.userId, text }, { except: m });
      return { heard: room.members.size - 1 };
    });
    const a = await startRoomNode(fx.redis, 'oa', [Chat], fx.closers);
    const b = await startRoomNode(fx.redis, 'ob', [Chat], fx.closers);
    const ann = await player(a.port, 'oann');
    const amy = await player(a.port, 'oamy');
    const cat = await player(a.port, 'ocat');
    const bob = await player(b.port, 'obob');
    const local = (await ann.request(RoomCreate, { kind: 'chat' })).roomId;
    await amy.request(RoomJoin, { roomId: local });
    const mixed = (await cat.request(RoomCreate, { kind: 'chat' })).roomId;
    await bob.request(RoomJoin, { roomId: mixed });

    const down = once(a.backplane, 'down');
    await fx.redis.stop();
    await down;
    const dropped = (): number => a.node.holder.stats.remoteDropped;
    const before = dropped();
    for (let i = 0; i < 3; i++) expect(await toRoom(ann, local, Say, { text: `local ${i}` })).toEqual({ heard: 1 });
    expect((await amy.received(RoomPush.type, 3)).map((m) => (m.payload as [string, number, { text: string }])[2].text)).toEqual(['local 0', 'local 1', 'local 2']);
    expect(dropped() - before).toBe(0); // delivered here, nothing had to leave the node
    // bob's copy cannot leave node A: that one is dropped, and counted
    expect(await toRoom(cat, mixed, Say, { text: 'to bob' })).toEqual({ heard: 1 });
    expect(dropped() - before).toBe(1);
  });
});
