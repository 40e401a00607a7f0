import { StateEncoder } from '@hearth/state';
import { ARENA, ArenaErrorCode } from '../constants.ts';
import { ArenaState, type MemberInfo } from '../messages.ts';
import type { ArenaPlayer } from './ArenaPlayer.ts';

/**
 * The pure state of one room: its members and its synchronised state ({@link ArenaState}: positions,
 * names and scores), whose changes since the last patch each tick encodes once for every member.
 * The room actor (`roomMachine.ts`) owns one and performs the effects (broadcasts) around it.
 */
export class Room {
  readonly id: string;
  readonly capacity: number;
  readonly #members = new Map<number, ArenaPlayer>();
  #tick = 0;
  /** The synchronised state (positions, names, scores): what members' mirrors hold. */
  readonly sync = new StateEncoder(ArenaState, { players: [] });

  constructor(id: string, capacity: number = ARENA.roomCapacity) {
    this.id = id;
    this.capacity = capacity;
  }

  get size(): number {
    return this.#members.size;
  }

  get full(): boolean {
    return this.#members.size >= this.capacity;
  }

  /** Ticks taken so far ({@link takePatch}). */
  get tick(): number {
    return this.#tick;
  }

  /** Adds a player; returns the refusal's code when the room is full or already holds it. */
  add(player: ArenaPlayer): ArenaErrorCode | undefined {
    if (this.#members.has(player.pid)) return ArenaErrorCode.ALREADY_IN_ROOM;
    if (this.full) return ArenaErrorCode.ROOM_FULL;
    this.#members.set(player.pid, player);
    this.sync.state.players.set(player.pid, { name: player.name, x: player.x, y: player.y, score: player.score });
    return undefined;
  }

  /** Removes a player; returns whether it was a member. */
  remove(pid: number): boolean {
    this.sync.state.players.delete(pid);
    return this.#members.delete(pid);
  }

  /** Copies a player's score into the synchronised state. */
  scored(player: ArenaPlayer): void {
    const s = this.sync.state.players.get(player.pid);
    if (s !== undefined) s.score = Math.min(player.score, 0xffff);
  }

  /**
   * The state patch of what changed since the last one (positions are taken from the members first),
   * or undefined when nothing changed. Advances the tick and clears each player's `moved` flag.
   */
  takePatch(): Uint8Array | undefined {
    const sync = this.sync;
    this.#tick += 1;
    for (const p of this.#members.values()) {
      if (!p.moved) continue;
      p.moved = false;
      const s = sync.state.players.get(p.pid)!;
      s.x = p.x;
      s.y = p.y;
    }
    return this.flush();
  }

  /** The patch of the state changes not yet sent (a join), or undefined. */
  flush(): Uint8Array | undefined {
    const sync = this.sync;
    return sync.clean ? undefined : sync.encode();
  }

  get(pid: number): ArenaPlayer | undefined {
    return this.#members.get(pid);
  }

  members(): IterableIterator<ArenaPlayer> {
    return this.#members.values();
  }

  /** Public view of every member (for the join reply). */
  describe(): MemberInfo[] {
    const out: MemberInfo[] = [];
    for (const p of this.#members.values()) out.push(describePlayer(p));
    return out;
  }

}

/** Public view of a player. */
export function describePlayer(p: ArenaPlayer): MemberInfo {
  return { pid: p.pid, name: p.name, x: p.x, y: p.y, score: p.score };
}
