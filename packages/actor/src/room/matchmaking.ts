import type { RoomListing, RoomOptions } from '@hearth/protocol';
import type { RoomDefinition } from './RoomDefinition.ts';
import type { RoomInstance } from './RoomInstance.ts';

/** The public rooms of a kind a `joinOrCreate` may join now (open, `filterBy` options equal to the joiner's), in creation order. */
export function* joinableRooms(rooms: Iterable<RoomInstance>, definition: RoomDefinition<unknown, unknown>, options: RoomOptions): Generator<RoomInstance> {
  for (const room of rooms) {
    if (room.definition === definition && !room.private && room.open && matches(definition, room.options, options)) yield room;
  }
}

/** A `room.list` answer: the public rooms of a kind (with `options`: those whose filter matches), at most `limit`. */
export function listRooms(rooms: Iterable<RoomInstance>, definition: RoomDefinition<unknown, unknown>, options: RoomOptions | undefined, limit: number): RoomListing[] {
  const out: RoomListing[] = [];
  for (const room of rooms) {
    if (room.definition !== definition || room.private || room.disposed) continue;
    if (options !== undefined && !matches(definition, room.options, options)) continue;
    if (out.length >= limit) break;
    room.prune();
    out.push({ roomId: room.id, kind: definition.name, members: room.members.size, maxPlayers: room.maxPlayers, locked: room.locked, metadata: room.metadata });
  }
  return out;
}

/** True when every `filterBy` option of the room equals the joiner's. */
export function matches(definition: RoomDefinition<unknown, unknown>, roomOptions: unknown, options: RoomOptions): boolean {
  const filter = definition.spec.filterBy;
  if (filter === undefined || filter.length === 0) return true;
  const mine = (roomOptions ?? {}) as RoomOptions;
  return filter.every((key) => Object.is(mine[key], options[key]));
}
