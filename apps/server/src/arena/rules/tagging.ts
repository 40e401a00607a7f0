import { ARENA, ArenaErrorCode } from '../constants.ts';
import type { ArenaPlayer } from './ArenaPlayer.ts';

/** The limits {@link tryTag} applies (defaults: {@link ARENA}). */
export interface TagRules {
  readonly tagRadius: number;
  readonly tagCooldownMs: number;
}

/**
 * `tagger` tags `target`: within `tagRadius` and off cooldown, the tagger scores a point and
 * `undefined` is returned; otherwise nothing changes and the refusal's code is returned.
 */
export function tryTag(
  tagger: ArenaPlayer,
  target: ArenaPlayer | undefined,
  now: number,
  rules: TagRules = ARENA,
): ArenaErrorCode | undefined {
  if (target === undefined || target === tagger) return ArenaErrorCode.NO_SUCH_PLAYER;
  if (now - tagger.lastTagAt < rules.tagCooldownMs) return ArenaErrorCode.TAG_COOLDOWN;
  if (Math.hypot(target.x - tagger.x, target.y - tagger.y) > rules.tagRadius) return ArenaErrorCode.TOO_FAR;
  tagger.lastTagAt = now;
  tagger.score += 1;
  return undefined;
}
