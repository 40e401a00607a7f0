import type { Room, RoomMember } from '@hearth/actor';
import { HearthError } from '@hearth/protocol';
import { tableOf } from './ArenaTable.ts';
import { ArenaErrorCode } from './constants.ts';

/**
 * `arena.whereAmI`, addressed to the room: the room's id, the asker's player number and name there,
 * and its position (as the rules hold it: its last accepted move, ahead of the state until the next
 * tick).
 */
export function whereAmI(room: Room, member: RoomMember): { roomId: string; pid: number; name: string; x: number; y: number } {
  const p = tableOf(room).players.get(member.userId);
  if (p === undefined) throw new HearthError(ArenaErrorCode.NO_SUCH_PLAYER, 'you are not in this room');
  return { roomId: room.id, pid: p.pid, name: p.name, x: p.x, y: p.y };
}
