import { createChatStormScenario } from './chatStorm.ts';
import { createIdleScenario } from './idle.ts';
import { createPlayScenario } from './play.ts';
import type { Scenario, ScenarioName } from './Scenario.ts';

/** The scenario of a name. */
export function createScenario(name: ScenarioName): Scenario {
  switch (name) {
    case 'play':
      return createPlayScenario();
    case 'idle':
      return createIdleScenario();
    case 'chat-storm':
      return createChatStormScenario();
  }
}
