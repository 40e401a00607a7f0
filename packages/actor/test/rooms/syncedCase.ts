// The synced-room case of synced.test.ts (one server) and cluster/clusterSynced.test.ts (the room on
// node A, bob on node B): a room whose state is a real `@hearth/state` encoder, read by real Mirrors.
// `@hearth/state` is imported from its sources: it has no dependencies, and `@hearth/actor` does not
// depend on it (the room sees only the structural `SyncedState`).
import { RoomCreate, RoomJoin, RoomState, type InboundMessage, type RoomStatePatch, type defineMessage } from '@hearth/protocol';
import { expect } from 'vitest';
import { Mirror, StateEncoder, f32, map, string, struct, u32 } from '../../../state/src/index.ts';
import { defineRoom } from '../../src/index.ts';
import type { ManualClock } from '../../src/testing/index.ts';
import { player, toRoom } from './roomServer.ts';

const World = struct({ players: map(string, struct({ x: f32, y: f32 })), tick: u32 });
/** The test's step message (each file defines its own id). */
export type StepMessage = ReturnType<typeof defineMessage<{ dx: number }, number>>;

const bytesOf = (m: InboundMessage) => (m.payload as RoomStatePatch)[1];

/** The `arena` room: a step moves the member, the tick writes `tick` every 5th tick only. */
export function syncedArena(Step: StepMessage) {
  return defineRoom({ name: 'arena', maxPlayers: 4, tickHz: 10, sync: () => new StateEncoder(World, { players: new Map(), tick: 0 }) })
    .handle(Step, (room, p, { dx }) => {
      const me = room.state.players.get(p.userId)!;
      me.x += dx;
      return me.x;
    })
    .tick((room, _dt, tick) => {
      if (tick % 5 === 0) room.state.tick = tick; // changes every 5th tick only: quiet ticks send nothing
    })
    .hooks({
      onJoin: (room, p) => void room.state.players.set(p.userId, { x: 0, y: 0 }),
      onLeave: (room, p) => void room.state.players.delete(p.userId),
    });
}

/**
 * Ann (on `annPort`, where the room runs on `clock`) creates the room, bob (on `bobPort`) joins: the
 * full state on join, then one patch per tick that changed it, the same bytes for every member.
 * `joined` runs once bob is in (e.g. to check where the room runs).
 */
export async function checkSynced(Step: StepMessage, clock: ManualClock, annPort: number, bobPort: number, joined?: (roomId: string) => void): Promise<void> {
  const ann = await player(annPort, 'ann');
  const bob = await player(bobPort, 'bob');
  const a = await ann.ref.request(RoomCreate, { kind: 'arena' });
  const annMirror = new Mirror(World);
  annMirror.apply(a.state as Uint8Array);
  expect([...annMirror.state!.players.keys()]).toEqual(['ann']);
  const b = await bob.ref.request(RoomJoin, { roomId: a.roomId });
  const bobMirror = new Mirror(World);
  bobMirror.apply(b.state as Uint8Array);
  expect([...bobMirror.state!.players.keys()].sort()).toEqual(['ann', 'bob']);
  joined?.(a.roomId);
  // bob's arrival reached ann as a patch (sent before bob's full state was taken)
  const [joinPatch] = await ann.received(RoomState.type, 1);
  annMirror.apply(bytesOf(joinPatch!));
  expect([...annMirror.state!.players.keys()].sort()).toEqual(['ann', 'bob']);

  expect(await toRoom(ann, a.roomId, Step, { dx: 3 })).toBe(3);
  expect(await toRoom(bob, a.roomId, Step, { dx: -1 })).toBe(-1);
  expect(ann.inbox.filter((m) => m.type === RoomState.type).length).toBe(1); // no patch before the tick
  clock.advance(100); // tick 1: the two moves, one patch
  clock.advance(300); // ticks 2-4: nothing changed, nothing sent
  clock.advance(100); // tick 5: state.tick
  const annPatches = await ann.received(RoomState.type, 3);
  const bobPatches = await bob.received(RoomState.type, 2);
  expect(annPatches.length).toBe(3);
  expect(bobPatches.length).toBe(2);
  // the same bytes went to both members
  expect(bobPatches.map(bytesOf)).toEqual(annPatches.slice(1).map(bytesOf));
  for (const m of annPatches.slice(1)) annMirror.apply(bytesOf(m));
  for (const m of bobPatches) bobMirror.apply(bytesOf(m));
  for (const mirror of [annMirror, bobMirror]) {
    expect(mirror.state!.players.get('ann')).toMatchObject({ x: 3, y: 0 });
    expect(mirror.state!.players.get('bob')).toMatchObject({ x: -1, y: 0 });
    expect(mirror.state!.tick).toBe(5);
  }
}
