import { Service } from '@hearth/net';
import { pino, type Logger } from 'pino';
import { createNode, type Clock, type HearthNode, devAuthenticator } from '../../src/index.ts';
import type { PlayerTimeouts } from '../../src/PlayerTimeouts.ts';
import type { RedisBackplane } from '../../src/cluster/RedisBackplane.ts';
import type { RedisBackplaneOptions } from '../../src/cluster/RedisBackplaneOptions.ts';
import type { TestRedis } from '../../src/testing/index.ts';
import { testPlayer, type HookLog } from '../helpers.ts';
import { startNode } from './helpers.ts';

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
  const backplane = await startNode(redis, nodeId, options.backplane);
  const service = new Service({ log: false });
  const hooks: HookLog = [];
  const node = (await createNode({
    service,
    player: testPlayer(hooks),
    authenticate: devAuthenticator,
    backplane,
    timeouts: { grace: 10_000, ...options.timeouts },
    listen: [{ address: 'tcp://127.0.0.1:0', protocol: 'msgpack' }],
    logger: options.logger ?? pino({ enabled: false }),
    ...(options.clock && { clock: options.clock }),
  })) as unknown as Node;
  let stopped: Promise<void> | undefined;
  const stop = (crash: boolean): Promise<void> =>
    (stopped ??= (async () => {
      if (crash) await backplane.close({ drain: false });
      await node.close();
      await service.close({ deadlineMs: 500 });
      await backplane.close();
    })());
  closers.push(() => stop(false));
  return { node, port: node.endpoints[0]!.port, backplane, hooks, kill: () => stop(true) };
}
