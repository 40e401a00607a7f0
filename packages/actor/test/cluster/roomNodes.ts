import type { Clock, HearthNode, RoomDefinition, RoomPlacement } from '../../src/index.ts';
import type { RedisBackplane } from '../../src/cluster/RedisBackplane.ts';
import type { TestRedis } from '../../src/testing/index.ts';
import { roomPlayer } from '../rooms/roomServer.ts';
import { startClusterNode } from './clusterNode.ts';

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
  return startClusterNode(redis, nodeId, closers, {
    player: roomPlayer,
    rooms,
    roomFailover: options.failover === true ? { checkMs: 100 } : false,
    timeouts: { grace: 10_000 },
    ...(options.clock && { clock: options.clock }),
    ...(options.roomNodeCapacity !== undefined && { roomNodeCapacity: options.roomNodeCapacity }),
    ...(options.roomPlacement !== undefined && { roomPlacement: options.roomPlacement }),
  });
}
