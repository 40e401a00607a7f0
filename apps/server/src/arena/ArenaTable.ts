import type { Room } from '@hearth/actor';
import type { ArenaPlayer } from './rules/ArenaPlayer.ts';

/**
 * The rules' side of one Arena room: each member's {@link ArenaPlayer} (budgets, cooldowns, the
 * position its last accepted move reached) by user id, the next player number, and the player
 * numbers that left since the last tick. The room's synchronised state is written from it only in
 * the tick, so between ticks that state is always clean (a `fullState` can be answered at any time).
 */
export class ArenaTable {
  readonly players = new Map<string, ArenaPlayer>();
  /** Player numbers that left since the last tick (the tick removes them from the state). */
  readonly gone: number[] = [];
  #nextPid = 1;

  nextPid(): number {
    return this.#nextPid++;
  }

  /** Player numbers below `pid` are taken (a room restored from its checkpoint). */
  skipPast(pid: number): void {
    this.#nextPid = Math.max(this.#nextPid, pid + 1);
  }
}

const tables = new WeakMap<Room, ArenaTable>();

/** The table of `room` (made on first use; it goes with the room). */
export function tableOf(room: Room): ArenaTable {
  let table = tables.get(room);
  if (table === undefined) tables.set(room, (table = new ArenaTable()));
  return table;
}
