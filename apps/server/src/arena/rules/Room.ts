import { ARENA, ArenaErrorCode } from '../constants.ts';
import type { MemberInfo } from '../messages.ts';
import type { ArenaPlayer } from './ArenaPlayer.ts';

/**
 * The pure state of one room: its members and what changed since the last tick. The room actor
 * (`roomMachine.ts`) owns one and performs the effects (broadcasts) around it.
 */
export class Room {
  readonly id: string;
  readonly capacity: number;
  readonly #members = new Map<number, ArenaPlayer>();
  #tick = 0;

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

  /** Snapshots taken so far. */
  get tick(): number {
    return this.#tick;
  }

  /** Adds a player; returns the refusal's code when the room is full or already holds it. */
  add(player: ArenaPlayer): ArenaErrorCode | undefined {
    if (this.#members.has(player.pid)) return ArenaErrorCode.ALREADY_IN_ROOM;
    if (this.full) return ArenaErrorCode.ROOM_FULL;
    this.#members.set(player.pid, player);
    return undefined;
  }

  /** Removes a player; returns whether it was a member. */
  remove(pid: number): boolean {
    return this.#members.delete(pid);
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

  /**
   * Advances the tick and returns the moves since the previous one as flat `[pid, x, y, …]`
   * (empty when nobody moved), clearing each player's `moved` flag.
   */
  takeMoves(): number[] {
    this.#tick += 1;
    const moved: number[] = [];
    for (const p of this.#members.values()) {
      if (p.moved) {
        moved.push(p.pid, p.x, p.y);
        p.moved = false;
      }
    }
    return moved;
  }
}

/** Public view of a player. */
export function describePlayer(p: ArenaPlayer): MemberInfo {
  return { pid: p.pid, name: p.name, x: p.x, y: p.y, score: p.score };
}
