// A synced room (`@hearth/state` encoder) on node A with a member on node B: the full state in the
// join reply crosses the node request, the patches reach B through the room's state group (the case
// is rooms/syncedCase.ts, shared with rooms/synced.test.ts).
import { defineMessage } from '@hearth/protocol';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/testing/index.ts';
import { cleanup } from '../helpers.ts';
import { checkSynced, syncedArena } from '../rooms/syncedCase.ts';
import { useClusterFixture } from './helpers.ts';
import { startRoomNode } from './roomNodes.ts';

const Step = defineMessage<{ dx: number }, number>(230, 'test.cluster.step');

describe('a synced room across nodes (real Redis)', () => {
  const fx = useClusterFixture(cleanup);

  it('sends a member on another node the full state in the join reply, then the same patches as the local members', async () => {
    const clock = new ManualClock();
    const Arena = syncedArena(Step);
    const a = await startRoomNode(fx.redis, 'sa', [Arena], fx.closers, { clock });
    const b = await startRoomNode(fx.redis, 'sb', [Arena], fx.closers);
    await checkSynced(Step, clock, a.port, b.port, (roomId) => expect(b.node.rooms.get(roomId)).toBeUndefined());
  });
});
