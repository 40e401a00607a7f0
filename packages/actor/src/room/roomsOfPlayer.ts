import { pino } from 'pino';
import type { Player } from '../player/Player.ts';
import { systemClock } from '../time/Clock.ts';
import type { PlayerRooms } from './PlayerRooms.ts';
import { RoomManager } from './RoomManager.ts';

/** The room manager of each node, found from the (per-node) player definition its actors run. */
const managers = new WeakMap<object, RoomManager>();
let none: RoomManager | undefined;

/** @internal createNode: the actors of `definition` reach `manager` through `player.rooms`. */
export function bindRooms(definition: object, manager: RoomManager): void {
  managers.set(definition, manager);
}

/**
 * `player.rooms` of an actor running `definition`. On a node without room kinds every call is
 * refused `ROOM_UNKNOWN_KIND` (not a throw on access: logging or inspecting a player stays safe).
 * @internal
 */
export function roomsOfPlayer(definition: object, player: Player): PlayerRooms {
  const manager = managers.get(definition) ?? (none ??= new RoomManager({ kinds: [], hub: { broadcast: () => 0, clock: systemClock, nodeId: 'none' }, logger: pino({ enabled: false }) }));
  return manager.of(player);
}
