import { Service } from '@hearth/net';
import { pino } from 'pino';
import type { EventObject } from 'xstate';
import { createNode, devAuthenticator, type HearthNode, type NodeOptions } from '../../src/index.ts';
import type { RedisBackplane } from '../../src/cluster/RedisBackplane.ts';
import type { RedisBackplaneOptions } from '../../src/cluster/RedisBackplaneOptions.ts';
import type { TestRedis } from '../../src/testing/index.ts';
import { startNode } from './helpers.ts';

/** A node of a test cluster: its TCP port, its backplane, and a crash. */
export interface ClusterNode<G, E extends EventObject> {
  readonly node: HearthNode<G, E>;
  readonly port: number;
  readonly backplane: RedisBackplane;
  /** Like a crash: the backplane disconnects without draining, then the node and its sockets go. */
  crash(): Promise<void>;
}

/**
 * Starts a node (dev logins, msgpack on an ephemeral TCP port, silent logger unless given) on its own
 * backplane of `redis`; its shutdown (node, service, then backplane: the documented order) is pushed
 * on `closers`. The starter of gameNode.ts and roomNodes.ts.
 */
export async function startClusterNode<G, E extends EventObject>(
  redis: TestRedis,
  nodeId: string,
  closers: Array<() => Promise<void>>,
  options: Omit<NodeOptions<G, E>, 'service' | 'backplane' | 'authenticate' | 'listen'> & { backplaneOptions?: RedisBackplaneOptions },
): Promise<ClusterNode<G, E>> {
  const { backplaneOptions, ...nodeOptions } = options;
  const backplane = await startNode(redis, nodeId, backplaneOptions);
  const service = new Service({ log: false });
  const node = await createNode({
    service,
    authenticate: devAuthenticator,
    backplane,
    listen: [{ address: 'tcp://127.0.0.1:0', protocol: 'msgpack' }],
    logger: pino({ enabled: false }),
    ...nodeOptions,
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
