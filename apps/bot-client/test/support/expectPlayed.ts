import { expect } from 'vitest';
import { UNTIL_LIMIT_S, type BotRun } from './runBots.ts';

/** What the play e2e runs wait for: every bot made and saw 20 moves, heard a chat, got a leaderboard; a tag scored. */
export const PLAY_GOAL = 'moves=20,others=20,chats=1,leaderboards=1,tags=1';

/** The bot flags of a play run that ends by {@link PLAY_GOAL} (its `--duration` only the limit). */
export const PLAY_UNTIL = ['--scenario', 'play', '--until', PLAY_GOAL, '--duration', UNTIL_LIMIT_S];

/** A play run of `bots` bots ended OK by its goal: every bot in, none failed, each saw the others play. */
export function expectAllPlayed(run: BotRun, bots: number): void {
  const s = run.summary;
  expect(s.failures, run.stdout).toEqual([]);
  expect(run.code).toBe(0);
  expect(s.ok).toBe(true);
  expect(s.until).toEqual({ goal: PLAY_GOAL, met: true });
  expect(s.bots).toMatchObject({ total: bots, connected: bots, loggedIn: bots, joined: bots, dropped: 0, failed: 0 });
  expect(s.unexpectedCount).toBe(0);
  expect(s.bots.withUnexpectedErrors).toBe(0);
  // each bot saw others in its room move; chat reached room members; the leaderboard answered
  expect(s.bots.sawOthersMove).toBe(bots);
  expect(s.bots.receivedChat).toBe(bots);
  expect(s.game.chatsReceived).toBeGreaterThan(s.game.chatsSent);
  expect(s.bots.gotLeaderboard).toBe(bots);
  expect(s.game.tagsScored).toBeGreaterThan(0);
}
