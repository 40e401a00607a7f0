import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ClusterKeys } from './ClusterKeys.ts';
import type { PublishBatcher } from './PublishBatcher.ts';
import * as lua from './scripts.ts';

/** The Lua scripts, as ioredis defines them on the command connection (`…Buffer` variants return Buffers). @internal */
export interface Scripted {
  hearthCad(key: string, value: string): Promise<number>;
  hearthCae(key: string, value: string, ttl: number): Promise<number>;
  hearthSetSame(key: string, value: string, ttl: number): Promise<string | null>;
  hearthBeat(zset: string, hash: string, nodeId: string, ttl: number, info: string): Promise<number>;
  hearthNodes(zset: string, hash: string): Promise<string[]>;
  hearthLeave(zset: string, hash: string, nodeId: string): Promise<number>;
  hearthPark(rec: string, q: string, ttl: number, user: string, node: string, session: number, snap: Buffer, ...queued: Buffer[]): Promise<number>;
  hearthAppend(rec: string, q: string, message: Buffer, max: number): Promise<number | string>;
  hearthClaimBuffer(rec: string, q: string, nodeId: string, keepMs: number): Promise<[Buffer, Buffer, Buffer, Buffer, Buffer[]] | null>;
  hearthDiscard(rec: string, q: string): Promise<number | string>;
}

/** Name, key count and source of every script, defined once per command connection. @internal */
export const SCRIPTS: ReadonlyArray<readonly [name: string, keys: number, lua: string]> = [
  ['hearthCad', 1, lua.COMPARE_AND_DELETE],
  ['hearthCae', 1, lua.COMPARE_AND_EXPIRE],
  ['hearthSetSame', 1, lua.SET_IF_ABSENT_OR_SAME],
  ['hearthBeat', 2, lua.NODE_BEAT],
  ['hearthNodes', 2, lua.NODE_LIST],
  ['hearthLeave', 2, lua.NODE_LEAVE],
  ['hearthPark', 2, lua.RESUME_PARK],
  ['hearthAppend', 2, lua.RESUME_APPEND],
  ['hearthClaim', 2, lua.RESUME_CLAIM],
  ['hearthDiscard', 2, lua.RESUME_DISCARD],
];

/** Typed scripts on a connection or a pipeline of it. @internal */
export function scripted(target: object): Scripted {
  return target as Scripted;
}

/**
 * What the parts of a {@link RedisBackplane} (directory, node registry, resume store) share: the
 * command connection, the key names, the publish batcher and the fail-fast check. @internal
 */
export interface ClusterLink {
  readonly nodeId: string;
  readonly keys: ClusterKeys;
  /** The command connection (the subscriber connection stays in the backplane). */
  readonly redis: Redis;
  readonly scripts: Scripted;
  readonly batcher: PublishBatcher;
  readonly log: Logger | undefined;
  /** True while Redis is reachable and the node registered. */
  readonly available: boolean;
  /** Throws `BACKPLANE_CLOSED` / `BACKPLANE_UNAVAILABLE` unless cross-node work can be done now. */
  ensureUp(what: string): void;
}
