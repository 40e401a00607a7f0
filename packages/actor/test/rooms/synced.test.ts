// A room whose state is a real `@hearth/state` encoder, read by a real Mirror (the case is
// syncedCase.ts, shared with cluster/clusterSynced.test.ts).
import { defineMessage } from '@hearth/protocol';
import { afterEach, it } from 'vitest';
import { ManualClock } from '../../src/testing/index.ts';
import { cleanup } from '../helpers.ts';
import { cleanupRooms, startRoomServer } from './roomServer.ts';
import { checkSynced, syncedArena } from './syncedCase.ts';

const Step = defineMessage<{ dx: number }, number>(220, 'test.room.step');

afterEach(async () => {
  await cleanupRooms();
  await cleanup();
});

it('sends the full state on join and one patch per tick that changed it, encoded once for every member', async () => {
  const clock = new ManualClock();
  const { port } = await startRoomServer([syncedArena(Step)], { clock });
  await checkSynced(Step, clock, port, port);
});
