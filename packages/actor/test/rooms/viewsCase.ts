// The interest-management case of views.test.ts (one server) and cluster/clusterViews.test.ts (bob on
// another node than the room): members see the part of a `@hearth/state` world their view holds
// (GridViews), one patch encoding per view. `@hearth/state` from its sources (see syncedCase.ts).
import { RoomJoin, RoomCreate, RoomState, type InboundMessage, type RoomStatePatch, type defineMessage } from '@hearth/protocol';
import { expect } from 'vitest';
import { GridViews, Mirror, StateEncoder, f32, map, string, struct, type View } from '../../../state/src/index.ts';
import { defineRoom, type Room } from '../../src/index.ts';
import type { ManualClock } from '../../src/testing/index.ts';
import { player, toRoom } from './roomServer.ts';

const World = struct({ players: map(string, struct({ x: f32, y: f32 })) });
/** The test's go-to message (each file defines its own id). */
export type GoToMessage = ReturnType<typeof defineMessage<{ x: number; y: number }, boolean>>;

const bytesOf = (m: InboundMessage) => (m.payload as RoomStatePatch)[1];

/** The `field` room: each member's view is its 3×3 grid cells; a go-to moves it, switching its view when it changes cell. */
export function viewsField(GoTo: GoToMessage) {
  const grids = new WeakMap<object, GridViews>();
  const views = new Map<string, View>();
  function grid(room: Room): GridViews {
    const enc = room.synced as StateEncoder<typeof World>;
    let g = grids.get(enc);
    if (g === undefined) grids.set(enc, (g = new GridViews(enc, 'players', { cellSize: 100, radius: 1 })));
    return g;
  }
  return defineRoom({ name: 'field', maxPlayers: 8, tickHz: 10, sync: () => new StateEncoder(World, { players: new Map() }, { views: ['players'] }) })
    .handle(GoTo, (room, p, { x, y }) => {
      const me = room.state.players.get(p.userId)!;
      me.x = x;
      me.y = y;
      grid(room).place(p.userId, x, y);
      const view = views.get(p.userId)!;
      const next = grid(room).move(view, x, y);
      if (next === view) return true;
      // as in docs/state.md: the pending patch, then the switch (setView sends both), then leave the old view
      const switched = room.setView(p, next);
      grid(room).leave(view);
      views.set(p.userId, next);
      return switched;
    })
    .hooks({
      onJoin: (room, p, options) => {
        const x = options['x'] as number;
        const y = options['y'] as number;
        room.state.players.set(p.userId, { x, y });
        grid(room).place(p.userId, x, y);
        const view = grid(room).join(x, y);
        views.set(p.userId, view);
        room.setView(p, view);
      },
    });
}

/**
 * Ann (on `annPort`, where the room runs on `clock`) creates a field room far from bob (on
 * `bobPort`): each gets the patch of its own view; bob walking next to ann gets a view switch, then
 * both views carry his steps. `joined` runs once bob is in.
 */
export async function checkViews(GoTo: GoToMessage, clock: ManualClock, annPort: number, bobPort: number, joined?: (roomId: string) => void): Promise<void> {
  const ann = await player(annPort, 'ann');
  const bob = await player(bobPort, 'bob');
  const a = await ann.ref.request(RoomCreate, { kind: 'field', options: { x: 10, y: 10 } });
  const annMirror = new Mirror(World);
  annMirror.apply(a.state as Uint8Array);
  const b = await bob.ref.request(RoomJoin, { roomId: a.roomId, options: { x: 1000, y: 1000 } });
  const bobMirror = new Mirror(World);
  bobMirror.apply(b.state as Uint8Array);
  expect([...bobMirror.state!.players.keys()]).toEqual(['bob']); // far away: bob's view holds bob only
  joined?.(a.roomId);
  clock.advance(100);
  const applied = ann.inbox.filter((x) => x.type === RoomState.type).length;
  for (const m of ann.inbox.filter((x) => x.type === RoomState.type)) annMirror.apply(bytesOf(m));
  expect([...annMirror.state!.players.keys()]).toEqual(['ann']); // bob is out of ann's view

  // bob walks next to ann: a view switch for bob (ann comes in), and ann's view now holds bob
  expect(await toRoom(bob, a.roomId, GoTo, { x: 60, y: 40 })).toBe(true);
  // the patch of bob's old view (bob left it), then the switch to the new one
  for (const m of await bob.received(RoomState.type, 2)) bobMirror.apply(bytesOf(m));
  expect([...bobMirror.state!.players.keys()].sort()).toEqual(['ann', 'bob']);
  // ann's view got bob with the patch sent before bob's switch (bob entered ann's 3×3 cells)
  const annSeen = await ann.received(RoomState.type, applied + 1);
  for (const m of annSeen.slice(applied)) annMirror.apply(bytesOf(m));
  expect([...annMirror.state!.players.keys()].sort()).toEqual(['ann', 'bob']);
  // a step inside the same cell: no switch; the next tick's patch carries it to both views
  expect(await toRoom(bob, a.roomId, GoTo, { x: 70, y: 45 })).toBe(true);
  clock.advance(100);
  const [annTick] = (await ann.received(RoomState.type, annSeen.length + 1)).slice(-1);
  annMirror.apply(bytesOf(annTick!));
  expect(annMirror.state!.players.get('bob')).toMatchObject({ x: 70, y: 45 });
  const [bobTick] = (await bob.received(RoomState.type, 3)).slice(-1);
  bobMirror.apply(bytesOf(bobTick!));
  expect(bobMirror.state!.players.get('bob')).toMatchObject({ x: 70, y: 45 });
}
