import type { Logger } from 'pino';
import type { RoomManager } from '../RoomManager.ts';
import { RoomFailover, type FailoverBackplane, type RoomFailoverOptions } from './RoomFailover.ts';

/** True for a backplane with what failover needs (a `RedisBackplane`; the in-memory one has no Redis). */
function isFailoverBackplane(value: unknown): value is FailoverBackplane {
  if (typeof value !== 'object' || value === null) return false;
  const b = value as Partial<Record<keyof FailoverBackplane, unknown>>;
  const keys = b.keys as { prefix?: unknown } | undefined;
  return typeof b.redis === 'object' && typeof b.nodes === 'function' && typeof b.sendToNode === 'function' && typeof b.onNodeMessage === 'function' && typeof keys?.prefix === 'string';
}

/**
 * The node's room failover (docs/rooms.md, "Rooms outlive their node"), started when the node has
 * room kinds and a Redis backplane, unless `options` is `false`. @internal createNode
 */
export function startFailover(rooms: RoomManager, backplane: unknown, logger: Logger, options: RoomFailoverOptions | false | undefined): RoomFailover | undefined {
  if (options === false || rooms.kinds.length === 0 || !isFailoverBackplane(backplane)) return undefined;
  const failover = new RoomFailover(rooms, backplane, logger, options);
  failover.start();
  return failover;
}
