// In-process game nodes for the room failover tests (failoverCluster, failoverRestart): each on its
// own Redis backplane, with room failover whose rounds the test runs (check()), never a timer.
import { Service } from '@hearth/net';
import { pino } from 'pino';
import { createNode, devAuthenticator, type RoomDefinition } from '../../src/index.ts';
import type { RestoredRoom, RoomFailoverOptions } from '../../src/room/checkpoint/RoomFailover.ts';
import { startNode, useClusterFixture } from '../cluster/helpers.ts';
import { cleanup } from '../helpers.ts';
import { roomPlayer } from './roomServer.ts';

/**
 * A private Redis per suite and a starter of nodes serving `kinds`; `restored` collects the rooms a
 * node restores. `kill()` is a crash (no drain, no checkpoint handoff), `stop()` a clean close.
 */
export function useFailoverNodes() {
  const fx = useClusterFixture(cleanup);
  async function roomNode(
    nodeId: string,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any room kind
    kinds: readonly RoomDefinition<any, any>[],
    restored: RestoredRoom[] = [],
    failoverOptions: RoomFailoverOptions = {},
  ) {
    const backplane = await startNode(fx.redis, nodeId);
    const service = new Service({ log: false });
    const node = await createNode({
      service,
      player: roomPlayer,
      authenticate: devAuthenticator,
      backplane,
      rooms: kinds,
      listen: [{ address: 'tcp://127.0.0.1:0', protocol: 'msgpack' }],
      logger: pino({ enabled: false }),
      // rounds are run by the test (check()) or as a node starts, not by the timer
      roomFailover: { checkMs: 60_000, awayGraceMs: 30_000, onRestored: (e) => restored.push(e), ...failoverOptions },
    });
    const failover = node.roomFailover!;
    let stopped = false;
    const stop = async (crash: boolean) => {
      if (stopped) return;
      stopped = true;
      if (crash) {
        failover.close();
        await backplane.close({ drain: false });
      }
      await node.close();
      await service.close({ deadlineMs: 500 });
      await backplane.close();
    };
    fx.closers.push(() => stop(false));
    return { node, backplane, failover, port: node.endpoints[0]!.port, kill: () => stop(true), stop: () => stop(false) };
  }
  return { fx, roomNode };
}
