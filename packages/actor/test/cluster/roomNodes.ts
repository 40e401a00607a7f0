import { Service } from '@hearth/net';
import { pino } from 'pino';
import { createNode, type Clock, type HearthNode, type RoomDefinition, type RoomPlacement } from '../../src/index.ts';
import { devAuthenticator } from '../../src/index.ts';
import type { RedisBackplane } from '../../src/cluster/RedisBackplane.ts';
import type { TestRedis } from '../../src/testing/index.ts';
import { roomPlayer } from '../rooms/roomServer.ts';
import { startNode } from './helpers.ts';

/** A game node serving room kinds on a Redis backplane (no failover unless asked: the room layer alone). */
export interface RoomNode {
  readonly node: HearthNode<Record<string, never>, never>;
  readonly port: number;
  readonly backplane: RedisBackplane;
  /** Like a crash: the backplane disconnects without draining (the node stays in the registry until its lease lapses). */
  crash(): Promise<void>;
}

export async function startRoomNode(
  redis: TestRedis,
  nodeId: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any room kind
  rooms: readonly RoomDefinition<any, any>[],
  closers: Array<() => Promise<void>>,
  options: { clock?: Clock; roomNodeCapacity?: number; roomPlacement?: RoomPlacement; failover?: boolean } = {},
): Promise<RoomNode> {
  const backplane = await startNode(redis, nodeId);
  const service = new Service({ log: false });
  const node = await createNode({
    service,
    player: roomPlayer,
    authenticate: devAuthenticator,
    backplane,
    rooms,
    roomFailover: options.failover === true ? { checkMs: 100 } : false,
    timeouts: { grace: 10_000 },
    listen: [{ address: 'tcp://127.0.0.1:0', protocol: 'msgpack' }],
    logger: pino({ enabled: false }),
    ...(options.clock && { clock: options.clock }),
    ...(options.roomNodeCapacity !== undefined && { roomNodeCapacity: options.roomNodeCapacity }),
    ...(options.roomPlacement !== undefined && { roomPlacement: options.roomPlacement }),
  });
  let stopped: Promise<void> | undefined;
  const stop = (crash: boolean): Promise<void> =>
    (stopped ??= (async () => {
      if (crash) await backplane.close({ drain: false });
      await node.close();
      await service.close({ deadlineMs: 500 });
      await backplane.close();
    })());
  closers.push(() => stop(false));
  return { node, port: node.endpoints[0]!.port, backplane, crash: () => stop(true) };
}
