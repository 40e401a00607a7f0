import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Backplane } from '../backplane/Backplane.ts';
import type { ClusterRequests } from '../cluster/ClusterRequests.ts';
import { nodeTransportOf } from '../cluster/NodeTransport.ts';
import { RoomDirectory, type RoomPlacement } from '../cluster/RoomDirectory.ts';
import type { Player } from '../player/Player.ts';
import type { Clock } from '../time/Clock.ts';
import { ClusterRooms } from './ClusterRooms.ts';
import { isLocalRoomGroup } from './localGroups.ts';
import type { RoomManager } from './RoomManager.ts';
import { RoomNode } from './RoomNode.ts';

/** What a backplane needs for cluster rooms besides node messages (`RedisBackplane` has it). */
interface RoomBackplane extends Backplane {
  readonly redis: Redis;
  readonly keys: { readonly prefix: string };
  nodes(): Promise<ReadonlyArray<{ readonly nodeId: string; readonly users: number }>>;
  /** Broadcasts of the groups `isLocal` names are not published (`RedisBackplane.keepLocal`). */
  keepLocal?(isLocal: (group: string) => boolean): void;
}

/** Options of {@link startClusterRooms}. */
export interface ClusterRoomsSetup {
  readonly backplane: Backplane | undefined;
  readonly rooms: RoomManager;
  readonly cluster: ClusterRequests;
  readonly player: (userId: string) => Player | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Players in rooms placed on this node before new rooms go elsewhere. @defaultValue Infinity */
  readonly nodeCapacity?: number | undefined;
  /** Where joinOrCreate seats a player when the open room is on another node. @defaultValue 'fill' */
  readonly placement?: RoomPlacement | undefined;
}

/**
 * Makes a node's rooms cluster-wide when its backplane is Redis and it serves room kinds: the room
 * directory in Redis, joins and messages across nodes; a room's updates cross Redis only while it
 * has members on other nodes. Otherwise (in memory) the rooms stay this
 * node's and nothing changes. @internal createNode calls it
 */
export function startClusterRooms(setup: ClusterRoomsSetup): ClusterRooms | undefined {
  const b = setup.backplane as Partial<RoomBackplane> | undefined;
  const transport = nodeTransportOf(b);
  if (b === undefined || transport === undefined || b.redis === undefined || b.keys === undefined || typeof b.nodes !== 'function' || setup.rooms.kinds.length === 0) return undefined;
  const backplane = b as RoomBackplane;
  const timeoutMs = 5_000;
  const node = new RoomNode({
    manager: setup.rooms,
    cluster: setup.cluster,
    transport,
    publish: (nodeId, envelope) => backplane.publish(nodeId, envelope),
    player: setup.player,
    clock: setup.clock,
    logger: setup.logger,
    timeoutMs,
  });
  const clusterRooms = new ClusterRooms({
    manager: setup.rooms,
    directory: new RoomDirectory(backplane.redis, backplane.keys.prefix),
    cluster: setup.cluster,
    node,
    clock: setup.clock,
    logger: setup.logger,
    nodes: () => backplane.nodes(),
    isNodeLive: (nodeId) => transport.isNodeLive(nodeId),
    ...(setup.nodeCapacity !== undefined && { nodeCapacity: setup.nodeCapacity }),
    ...(setup.placement !== undefined && { placement: setup.placement }),
  });
  setup.rooms.serveThrough(clusterRooms);
  // A room whose members are all here broadcasts on this node only (localGroups.ts).
  backplane.keepLocal?.((group) => isLocalRoomGroup(setup.rooms, setup.cluster.nodeId, group));
  return clusterRooms;
}
