import { ARENA, ArenaErrorCode } from '../constants.ts';
import type { ArenaPlayer } from './ArenaPlayer.ts';

/** The limits {@link tryMove} applies (defaults: {@link ARENA}). */
export interface MoveRules {
  readonly maxSpeed: number;
  readonly moveBurstSeconds: number;
  readonly worldSize: number;
}

/**
 * Moves `player` to `(x, y)` if the rules allow it, and returns `undefined`; otherwise leaves the
 * player where it was and returns the refusal's code.
 *
 * The speed limit is a distance budget that refills at `maxSpeed` per second up to
 * `maxSpeed × moveBurstSeconds`: comparing each move with the time since the previous one would
 * reject honest moves that the network delivered together, while a budget only rejects a player
 * who covers more ground over time than the limit allows.
 */
export function tryMove(player: ArenaPlayer, x: number, y: number, now: number, rules: MoveRules = ARENA): ArenaErrorCode | undefined {
  const nx = Math.round(x);
  const ny = Math.round(y);
  if (nx < 0 || ny < 0 || nx > rules.worldSize || ny > rules.worldSize) return ArenaErrorCode.OUT_OF_BOUNDS;
  const cap = rules.maxSpeed * rules.moveBurstSeconds;
  const elapsed = Math.max(0, now - player.moveBudgetAt) / 1000;
  const budget = Math.min(cap, player.moveBudget + elapsed * rules.maxSpeed);
  const distance = Math.hypot(nx - player.x, ny - player.y);
  player.moveBudgetAt = now;
  if (distance > budget) {
    player.moveBudget = budget;
    return ArenaErrorCode.TOO_FAST;
  }
  player.moveBudget = budget - distance;
  if (distance > 0) {
    player.x = nx;
    player.y = ny;
    player.moved = true;
  }
  return undefined;
}
