import type { Logger } from 'pino';
import type { Clock, HearthNode } from '../../src/index.ts';
import type { PlayerTimeouts } from '../../src/PlayerTimeouts.ts';
import type { RedisBackplane } from '../../src/cluster/RedisBackplane.ts';
import type { RedisBackplaneOptions } from '../../src/cluster/RedisBackplaneOptions.ts';
import type { TestRedis } from '../../src/testing/index.ts';
import { testPlayer, type HookLog } from '../helpers.ts';
import { startClusterNode } from './clusterNode.ts';

export type Node = HearthNode<unknown, { type: string }>;

/** One game node of a test cluster: service + node (holder, binder, TCP port) on a Redis backplane. */
export interface GameNode {
  readonly node: Node;
  readonly port: number;
  readonly backplane: RedisBackplane;
  /** What the node's player hooks saw (`join USER SID`, `leave USER SID CODE`). */
  readonly hooks: HookLog;
  /** Like a crash: the backplane disconnects without draining, then the node and its sockets go. */
  kill(): Promise<void>;
}

/** Starts a game node; its shutdown (node, service, then backplane: the documented order) is pushed on `closers`. */
export async function startGameNode(
  redis: TestRedis,
  nodeId: string,
  closers: Array<() => Promise<void>>,
  options: { timeouts?: PlayerTimeouts; backplane?: RedisBackplaneOptions; logger?: Logger; clock?: Clock } = {},
): Promise<GameNode> {
  const hooks: HookLog = [];
  const started = await startClusterNode(redis, nodeId, closers, {
    player: testPlayer(hooks),
    timeouts: { grace: 10_000, ...options.timeouts },
    ...(options.backplane && { backplaneOptions: options.backplane }),
    ...(options.logger && { logger: options.logger }),
    ...(options.clock && { clock: options.clock }),
  });
  return { node: started.node as unknown as Node, port: started.port, backplane: started.backplane, hooks, kill: () => started.crash() };
}
