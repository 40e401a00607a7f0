import type { RoomManager } from './RoomManager.ts';
import { roomGroup } from './RoomInstance.ts';

const PREFIX = roomGroup('');

/**
 * True when `group` is a room's broadcast, state or view group and every member of that room, on
 * this node, is a connected player of this node: no other node has a member to reach, so the
 * broadcast need not cross the backplane (a PUBLISH that only this node would read back). A member
 * held by another node, held away after a restore, or in its grace period (it may be resuming on
 * another node, which then watches the group) keeps the broadcasts published; so does any other
 * group, and the group of a room not on this node. Members joining are not in `members` yet: the
 * full state of their join answer is taken after the last patch they miss (RoomMembership.join).
 * scripts/benchWorkers.mjs (docs/running.md): with rooms placed on their players' worker and their
 * updates kept off Redis, `--workers 2` costs 1.25× one process's CPU per bot (median of 6 rounds; 2.06× before).
 */
export function isLocalRoomGroup(manager: RoomManager, nodeId: string, group: string): boolean {
  if (!group.startsWith(PREFIX)) return false;
  const slash = group.indexOf('/', PREFIX.length);
  const room = manager.instance(slash < 0 ? group.slice(PREFIX.length) : group.slice(PREFIX.length, slash));
  if (room === undefined || room.disposed) return false;
  for (const member of room.members.values()) if (member.nodeId !== nodeId || !member.connected) return false;
  return true;
}
