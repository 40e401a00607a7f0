import { hostname } from 'node:os';
import type { ChainableCommander } from 'ioredis';
import { backplaneUnavailable } from '../backplane/errors.ts';
import { scripted, type ClusterLink } from './ClusterLink.ts';
import type { NodeInfo } from './types.ts';

/**
 * The cluster's list of live nodes: `{prefix}{nodes}` (sorted set scored by expiry, Redis clock)
 * and `{prefix}{nodes}:info` (JSON per node). A node beats every `heartbeatMs` with a TTL; a node
 * that stops beating drops out on its own. @internal part of `RedisBackplane`
 */
export class NodeRegistry {
  readonly #link: ClusterLink;
  readonly #ttlMs: number;
  readonly #startedAt = Date.now();

  constructor(link: ClusterLink, ttlMs: number) {
    this.#link = link;
    this.#ttlMs = ttlMs;
  }

  /**
   * Queues this node's registration (with `users` as its user count) on a pipeline. (A pipelined
   * command's own promise is not awaited: `exec()` reports the pipeline's results.)
   */
  beat(pipeline: ChainableCommander, users: number): void {
    const info = JSON.stringify({ startedAt: this.#startedAt, users, host: hostname(), pid: process.pid });
    const k = this.#link.keys;
    void scripted(pipeline).hearthBeat(k.nodes(), k.nodeInfo(), this.#link.nodeId, this.#ttlMs, info);
  }

  /** Queues this node's removal from the registry (drain) on a pipeline. */
  leave(pipeline: ChainableCommander): void {
    void scripted(pipeline).hearthLeave(this.#link.keys.nodes(), this.#link.keys.nodeInfo(), this.#link.nodeId);
  }

  /**
   * Live nodes (registrations not yet expired), this one included.
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down.
   */
  async list(): Promise<NodeInfo[]> {
    this.#link.ensureUp('list nodes');
    let flat: string[];
    try {
      flat = await this.#link.scripts.hearthNodes(this.#link.keys.nodes(), this.#link.keys.nodeInfo());
    } catch (cause) {
      throw backplaneUnavailable('list nodes', cause);
    }
    const out: NodeInfo[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) {
      const nodeId = flat[i]!;
      const info = (flat[i + 2] ? JSON.parse(flat[i + 2]!) : {}) as Partial<NodeInfo>;
      out.push({ startedAt: 0, users: 0, host: '', pid: 0, ...info, nodeId, expiresAt: Number(flat[i + 1]) });
    }
    return out;
  }

  /** Whether `nodeId`'s registration is current (Redis clock). */
  async isLive(nodeId: string): Promise<boolean> {
    const redis = this.#link.redis;
    const [expiry, [sec, usec]] = await Promise.all([redis.zscore(this.#link.keys.nodes(), nodeId), redis.time()]);
    return expiry !== null && Number(expiry) > Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
  }
}
