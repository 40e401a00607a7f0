import { ARENA } from '../constants.ts';

/** The rule-relevant state of one player (plain data; the rules below read and update it). */
export interface ArenaPlayer {
  /** Player number, unique on the server while connected. */
  readonly pid: number;
  /** The authenticated user id. */
  readonly userId: string;
  readonly name: string;
  x: number;
  y: number;
  score: number;
  /** Distance the player may still cover now (see {@link ARENA.moveBurstSeconds}). */
  moveBudget: number;
  /** When `moveBudget` was last brought up to date (ms). */
  moveBudgetAt: number;
  /** Set by an accepted move, cleared when the room's next patch includes it. */
  moved: boolean;
  /** When the player last tagged (ms), or -Infinity. */
  lastTagAt: number;
  /** Chat lines the player may send now (token bucket). */
  chatTokens: number;
  /** When `chatTokens` was last brought up to date (ms). */
  chatTokensAt: number;
}

/** A new player at `(x, y)` with full budgets. */
export function createArenaPlayer(pid: number, userId: string, name: string, x: number, y: number, now: number): ArenaPlayer {
  return {
    pid,
    userId,
    name,
    x,
    y,
    score: 0,
    moveBudget: ARENA.maxSpeed * ARENA.moveBurstSeconds,
    moveBudgetAt: now,
    moved: false,
    lastTagAt: -Infinity,
    chatTokens: ARENA.chatBurst,
    chatTokensAt: now,
  };
}
