import type { Scenario } from './Scenario.ts';

/**
 * Logged in, in a room, and otherwise quiet: the client's own pings (after 5 s without sending)
 * keep the server's heartbeat alive and an echo every 10 s measures the round trip. For
 * connection capacity and memory per session.
 */
export function createIdleScenario(): Scenario {
  return {
    name: 'idle',
    expected: new Set(),
    act(bot, now) {
      if (now >= bot.nextEchoAt) {
        bot.echo(now);
        bot.nextEchoAt = now + 10_000;
      }
    },
  };
}
