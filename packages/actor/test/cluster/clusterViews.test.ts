// Interest management across nodes: views.test.ts with the member bob on another node than the
// room; its view's state group is joined on its node (the room's node says which, before its reply).
// The case is rooms/viewsCase.ts.
import { defineMessage } from '@hearth/protocol';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/testing/index.ts';
import { cleanup } from '../helpers.ts';
import { checkViews, viewsField } from '../rooms/viewsCase.ts';
import { useClusterFixture } from './helpers.ts';
import { startRoomNode } from './roomNodes.ts';

const GoTo = defineMessage<{ x: number; y: number }, boolean>(231, 'test.cluster.goto');

describe('views across nodes (real Redis)', () => {
  const fx = useClusterFixture(cleanup);

  it('a member on another node gets the patch of its view, and a switch then its new view', async () => {
    const clock = new ManualClock();
    const Field = viewsField(GoTo);
    const a1 = await startRoomNode(fx.redis, 'va', [Field], fx.closers, { clock });
    const b1 = await startRoomNode(fx.redis, 'vb', [Field], fx.closers);
    // the room runs on node va
    await checkViews(GoTo, clock, a1.port, b1.port, (roomId) => expect(b1.node.rooms.get(roomId)).toBeUndefined());
  });
});
