import type { RoomJoined } from '@hearth/protocol';
import type { Player } from '../player/Player.ts';
import { RoomErrorCode, roomError } from './errors.ts';
import type { RoomInstance } from './RoomInstance.ts';
import { LocalMember, type MemberLink } from './RoomMember.ts';

/**
 * Each local player's rooms on this node, its joins in flight, and the `maxRoomsPerPlayer` cap
 * counted over both (`TOO_MANY_ROOMS`). @internal a part of {@link RoomManager}
 */
export class PlayerRoomIndex {
  readonly #byPlayer = new Map<Player, Set<RoomInstance>>();
  /** Joins in flight per player (counted against the cap with its rooms). */
  readonly #joining = new Map<Player, number>();
  readonly #max: number;

  constructor(maxRoomsPerPlayer: number) {
    this.#max = maxRoomsPerPlayer;
  }

  /** `player` became a member of `room`. */
  add(player: Player, room: RoomInstance): void {
    let set = this.#byPlayer.get(player);
    if (set === undefined) this.#byPlayer.set(player, (set = new Set()));
    set.add(room);
  }

  /** `player` is no longer a member of `room`. */
  remove(player: Player, room: RoomInstance): void {
    const set = this.#byPlayer.get(player);
    if (set?.delete(room) === true && set.size === 0) this.#byPlayer.delete(player);
  }

  /** The rooms `player` is a member of. */
  roomsOf(player: Player): RoomInstance[] {
    return [...(this.#byPlayer.get(player) ?? [])];
  }

  /** Refuses `TOO_MANY_ROOMS` when `player` is in (or joining) its limit of rooms other than `room`. */
  checkCap(player: Player, room: RoomInstance | undefined): void {
    if (room !== undefined && localLink(room, player) !== undefined) return; // a re-join: idempotent
    const count = (this.#byPlayer.get(player)?.size ?? 0) + (this.#joining.get(player) ?? 0);
    if (count >= this.#max) throw roomError(RoomErrorCode.TOO_MANY_ROOMS, `in ${this.#max} rooms already; leave one first`);
  }

  /** Runs a join counted against the player's room limit while it is in flight. */
  async counted(player: Player, room: RoomInstance, join: () => Promise<RoomJoined>): Promise<RoomJoined> {
    this.checkCap(player, room);
    this.#joining.set(player, (this.#joining.get(player) ?? 0) + 1);
    try {
      return await join();
    } finally {
      const left = this.#joining.get(player)! - 1;
      if (left === 0) this.#joining.delete(player);
      else this.#joining.set(player, left);
    }
  }
}

/** The member link of a local `player` (that actor) in `room`, if a member. */
export function localLink(room: RoomInstance, player: Player): MemberLink | undefined {
  const link = room.member(player.userId);
  return link instanceof LocalMember && link.player === player ? link : undefined;
}
