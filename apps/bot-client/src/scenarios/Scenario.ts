import type { Bot } from '../Bot.ts';

/** What a swarm's bots do once logged in. */
export interface Scenario {
  readonly name: ScenarioName;
  /** Error codes that are part of playing this scenario; any other error fails the run. */
  readonly expected: ReadonlySet<string>;
  /** Called on every shared tick for each bot in a room. `now` is `performance.now()`. */
  act(bot: Bot, now: number): void;
}

/** The scenarios `--scenario` accepts. */
export const SCENARIO_NAMES = ['play', 'idle', 'chat-storm'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];
