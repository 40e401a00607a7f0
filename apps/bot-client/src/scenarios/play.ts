import { ARENA, ArenaErrorCode } from '@hearth/server/messages';
import type { Bot } from '../Bot.ts';
import type { Scenario } from './Scenario.ts';

/** Bots move at this fraction of the speed limit (moves bunched by a loaded server stay legal). */
const SPEED_FRACTION = 0.6;
/** A move every 250 ms (4 Hz). */
const MOVE_PERIOD_MS = 250;
/** Never step for more than this much elapsed time (after a stall the bot does not leap). */
const MAX_STEP_MS = 400;

/** Codes an honest player meets in Arena: the target moved away or left, clocks disagree by a little. */
export const PLAY_EXPECTED: ReadonlySet<string> = new Set([ArenaErrorCode.TOO_FAR, ArenaErrorCode.NO_SUCH_PLAYER, ArenaErrorCode.TAG_COOLDOWN]);

/**
 * Moves toward the nearest player for a few seconds, then wanders for a few; tags whoever is in
 * reach when the cooldown allows; chats every few seconds; asks for the leaderboard now and then;
 * measures an echo round trip and checks its room (whereAmI) every two seconds.
 */
export function createPlayScenario(options: { chatEveryMs?: number; expected?: ReadonlySet<string> } = {}): Scenario {
  const chatEveryMs = options.chatEveryMs ?? 3000;
  return {
    name: 'play',
    expected: options.expected ?? PLAY_EXPECTED,
    act(bot, now) {
      if (now >= bot.nextMoveAt) step(bot, now);
      if (!bot.tagInFlight && now - bot.lastTagAt > ARENA.tagCooldownMs * 1.2) {
        const target = bot.nearest(ARENA.tagRadius * 0.7);
        if (target !== undefined) bot.tag(target, now);
      }
      if (now >= bot.nextChatAt) {
        bot.chat(`hello from ${bot.name} #${bot.chatsSent + 1}`);
        bot.nextChatAt = now + chatEveryMs * (0.5 + bot.random());
      }
      if (now >= bot.nextLeaderboardAt) {
        bot.leaderboard();
        bot.nextLeaderboardAt = now + 4000 + 2000 * bot.random();
      }
      if (now >= bot.nextEchoAt) {
        bot.echo(now);
        // and a room request: a bot whose room was restored elsewhere without it learns so (NOT_IN_ROOM)
        bot.checkRoom();
        bot.nextEchoAt = now + 2000;
      }
    },
  };
}

function step(bot: Bot, now: number): void {
  const dt = Math.min(MAX_STEP_MS, now - bot.lastMoveAt) / 1000;
  bot.lastMoveAt = now;
  bot.nextMoveAt = now + MOVE_PERIOD_MS;
  // Alternate 3 s of chasing with 3 s of wandering, so players meet and part again.
  if (now >= bot.modeUntil) {
    bot.chasing = !bot.chasing;
    bot.modeUntil = now + 2000 + 2000 * bot.random();
    bot.goalX = ARENA.worldSize * bot.random();
    bot.goalY = ARENA.worldSize * bot.random();
  }
  let gx = bot.goalX;
  let gy = bot.goalY;
  if (bot.chasing) {
    const target = bot.nearest(Infinity);
    if (target !== undefined) {
      gx = target.x;
      gy = target.y;
    }
  }
  const dx = gx - bot.x;
  const dy = gy - bot.y;
  const dist = Math.hypot(dx, dy);
  if (dist < 1) {
    bot.goalX = ARENA.worldSize * bot.random();
    bot.goalY = ARENA.worldSize * bot.random();
    return;
  }
  const reach = Math.min(dist, ARENA.maxSpeed * SPEED_FRACTION * dt);
  // Round toward the current position so rounding never adds distance.
  const nx = Math.round(bot.x + (dx / dist) * reach * 0.99);
  const ny = Math.round(bot.y + (dy / dist) * reach * 0.99);
  if (nx !== bot.x || ny !== bot.y) bot.move(nx, ny);
}
