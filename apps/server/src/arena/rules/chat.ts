import { ARENA, ArenaErrorCode } from '../constants.ts';
import type { ArenaPlayer } from './ArenaPlayer.ts';

/** The limits {@link tryChat} applies (defaults: {@link ARENA}). */
export interface ChatRules {
  readonly chatMaxLength: number;
  readonly chatBurst: number;
  readonly chatRefillMs: number;
}

/**
 * Whether `player` may say `text` now: returns `undefined` (and spends a chat token) or the
 * refusal's code. Tokens come back one per `chatRefillMs`, up to `chatBurst`.
 */
export function tryChat(player: ArenaPlayer, text: string, now: number, rules: ChatRules = ARENA): ArenaErrorCode | undefined {
  if (text.length === 0 || text.length > rules.chatMaxLength) return ArenaErrorCode.CHAT_TOO_LONG;
  const refilled = Math.floor(Math.max(0, now - player.chatTokensAt) / rules.chatRefillMs);
  if (refilled > 0) {
    player.chatTokens = Math.min(rules.chatBurst, player.chatTokens + refilled);
    player.chatTokensAt = player.chatTokens === rules.chatBurst ? now : player.chatTokensAt + refilled * rules.chatRefillMs;
  }
  if (player.chatTokens < 1) return ArenaErrorCode.CHAT_RATE_LIMITED;
  player.chatTokens -= 1;
  return undefined;
}
