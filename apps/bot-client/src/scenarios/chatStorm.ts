import { ArenaErrorCode } from '@hearth/server/messages';
import { PLAY_EXPECTED, createPlayScenario } from './play.ts';
import type { Scenario } from './Scenario.ts';

/**
 * Play, but every bot chats every 100–300 ms: far above the server's chat limit, so most lines are
 * refused with `ARENA_CHAT_RATE_LIMITED` (expected) and the accepted ones fan out to full rooms.
 */
export function createChatStormScenario(): Scenario {
  return {
    ...createPlayScenario({ chatEveryMs: 200, expected: new Set([...PLAY_EXPECTED, ArenaErrorCode.CHAT_RATE_LIMITED]) }),
    name: 'chat-storm',
  };
}
