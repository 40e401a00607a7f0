import type { Player } from '../player/Player.ts';
import { roomGroup } from './RoomInstance.ts';

/** The ids of the rooms whose broadcast group is among `groups`. */
export function roomIdsIn(groups: Iterable<string>): string[] {
  const prefix = roomGroup('');
  const ids: string[] = [];
  for (const g of groups) {
    const id = g.startsWith(prefix) ? g.slice(prefix.length) : '';
    if (/^[\w-]{1,64}$/.test(id)) ids.push(id);
  }
  return ids;
}

/** Takes `player` out of room `roomId`'s broadcast group and its state and view groups. */
export function leaveGroups(player: Player, roomId: string): void {
  const group = roomGroup(roomId);
  for (const g of [...player.groups]) if (g === group || g.startsWith(`${group}/`)) player.leave(g);
}
