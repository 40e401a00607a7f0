// Interest management in a room: members see the part of a `@hearth/state` world their view holds
// (GridViews), one patch encoding per view (the case is viewsCase.ts, shared with
// cluster/clusterViews.test.ts).
import { defineMessage } from '@hearth/protocol';
import { afterEach, it } from 'vitest';
import { ManualClock } from '../../src/testing/index.ts';
import { cleanup } from '../helpers.ts';
import { cleanupRooms, startRoomServer } from './roomServer.ts';
import { checkViews, viewsField } from './viewsCase.ts';

const GoTo = defineMessage<{ x: number; y: number }, boolean>(230, 'test.room.goto');

afterEach(async () => {
  await cleanupRooms();
  await cleanup();
});

it('sends each member the patch of its view; a member changing view gets a switch, then its new view', async () => {
  const clock = new ManualClock();
  const { port } = await startRoomServer([viewsField(GoTo)], { clock });
  await checkViews(GoTo, clock, port, port);
});
