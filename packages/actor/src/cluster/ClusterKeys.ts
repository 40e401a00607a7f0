import { checkUserId } from '../wireIds.ts';

/**
 * Names of every Redis key and channel the cluster uses, under one prefix.
 *
 * Keys that a Lua script touches together share a hash tag (`{...}`), so every script stays in one
 * slot and the layout works on Redis Cluster: a user's directory entry is `{u:ID}`, a resume record
 * and its queue share `{r:TOKEN}`, the node registry and its info hash share `{nodes}`.
 * Channels need no tags: classic PUBLISH reaches every node of a Redis Cluster.
 *
 * A user id or token is checked (`USER_ID_FORMAT`: no braces, globs, whitespace or binary, at most
 * 64 characters) before it becomes part of a key: the last line behind the holder's own checks.
 *
 * @example
 * const k = new ClusterKeys('game1:');
 * k.user('alice');          // 'game1:{u:alice}'
 * k.nodeChannel('n1');      // 'game1:node:n1'
 */
export class ClusterKeys {
  readonly prefix: string;

  /** @throws {TypeError} when the prefix holds `{` or `}` (it would capture the hash tag). */
  constructor(prefix: string) {
    if (/[{}]/.test(prefix)) throw new TypeError(`keyPrefix "${prefix}" must not contain "{" or "}": they would become the hash tag`);
    this.prefix = prefix;
  }

  /**
   * Directory entry of a user: string `[nodeId, sessionId, loginAt]` as JSON, with a TTL.
   * @throws {HearthError} `BAD_REQUEST` for a malformed user id.
   */
  user(userId: string): string {
    checkUserId(userId);
    return `${this.prefix}{u:${userId}}`;
  }

  /**
   * Resume record (hash) of a token.
   * @throws {HearthError} `BAD_REQUEST` for a malformed token.
   */
  resume(token: string): string {
    checkUserId(token, 'resume token');
    return `${this.prefix}{r:${token}}`;
  }

  /** Queued pushes (list of encoded messages) of a resume record; same slot as {@link ClusterKeys.resume}. */
  resumeQueue(token: string): string {
    return `${this.resume(token)}:q`;
  }

  /** Sorted set of live nodes, scored by expiry time (Redis clock, ms). */
  nodes(): string {
    return `${this.prefix}{nodes}`;
  }

  /** Hash nodeId → JSON info of live nodes; same slot as {@link ClusterKeys.nodes}. */
  nodeInfo(): string {
    return `${this.prefix}{nodes}:info`;
  }

  /** Channel a node subscribes to for messages addressed to it. */
  nodeChannel(nodeId: string): string {
    return `${this.prefix}node:${nodeId}`;
  }

  /** Channel of a group: every node with at least one local member subscribes. */
  groupChannel(group: string): string {
    return `${this.prefix}group:${group}`;
  }
}
