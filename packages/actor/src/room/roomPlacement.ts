import type { RoomOptions } from '@hearth/protocol';
import { joinableRooms } from './matchmaking.ts';
import type { RoomDefinition } from './RoomDefinition.ts';
import type { RoomManager } from './RoomManager.ts';

/** Most of this node's open rooms a joinOrCreate names to the directory (RoomDirectory passes 8). */
const MAX_OPEN_HERE = 8;

/**
 * The ids of this node's public rooms of `definition` that a joinOrCreate with `options` may take a
 * seat in now, oldest first: the directory's script tries them before its window of the kind's
 * open rooms, so a node finds its own open room however many older ones other nodes have.
 */
export function openRoomsHere(manager: RoomManager, definition: RoomDefinition<unknown, unknown>, options: RoomOptions): string[] {
  const ids: string[] = [];
  for (const room of joinableRooms(manager.instances(), definition, options)) {
    ids.push(room.id);
    if (ids.length >= MAX_OPEN_HERE) break;
  }
  return ids;
}

/**
 * The node that gets a new room: this one (`nodeId`) while the players in its rooms are fewer than
 * `capacity`, else the live node with the fewest players (`nodes()`, this one when alone).
 */
export async function nodeForNewRoom(manager: RoomManager, nodeId: string, capacity: number, nodes: () => Promise<ReadonlyArray<{ readonly nodeId: string; readonly users: number }>>): Promise<string> {
  let seats = 0;
  for (const room of manager.rooms()) seats += room.members.size;
  if (seats < capacity) return nodeId;
  let best: { nodeId: string; users: number } | undefined;
  for (const n of await nodes()) if (n.nodeId !== nodeId && (best === undefined || n.users < best.users)) best = n;
  return best?.nodeId ?? nodeId;
}
