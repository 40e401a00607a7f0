import type { ChainableCommander } from 'ioredis';
import type { Directory, DirectoryEntry, Envelope } from '../backplane/Backplane.ts';
import { backplaneUnavailable, isBackplaneDown } from '../backplane/errors.ts';
import { BackplaneOp } from './BackplaneOp.ts';
import { scripted, type ClusterLink } from './ClusterLink.ts';
import type { RedisDirectoryEntry } from './types.ts';

/**
 * The user → node directory in Redis: `{prefix}{u:USER}` → `[nodeId, sessionId, loginAt]`, written
 * at login (`SET … PX ttl GET`, which returns the older entry so the holder can kick it), refreshed
 * by the node's heartbeat (compare-and-expire), removed at close (compare-and-delete): a node never
 * extends or erases another node's newer entry. Routing lookups go through a short cache.
 *
 * As the holder's {@link Directory}: a login or logout during an outage is not an error for local
 * play (the user is remembered and written back when Redis returns, newer login wins; a released
 * entry expires by TTL), while `lookup` fails fast (cross-node work). @internal part of `RedisBackplane`
 */
export class RedisDirectory implements Directory {
  readonly #link: ClusterLink;
  readonly #ttlMs: number;
  readonly #cacheMs: number;
  readonly #deliver: (envelope: Envelope) => void;
  /** Users registered by this node: userId → [sessionId, directory value]. */
  readonly #users = new Map<string, { sessionId: number; value: string }>();
  /** Routing cache: userId → entry, for `directoryCacheMs` (misses are not cached). */
  readonly #cache = new Map<string, { entry: RedisDirectoryEntry; until: number }>();
  readonly #lookups = new Map<string, Promise<RedisDirectoryEntry | undefined>>();

  constructor(link: ClusterLink, options: { ttlMs: number; cacheMs: number }, deliver: (envelope: Envelope) => void) {
    this.#link = link;
    this.#ttlMs = options.ttlMs;
    this.#cacheMs = options.cacheMs;
    this.#deliver = deliver;
  }

  // ---- the holder's Directory -------------------------------------------------------------------

  claim(entry: DirectoryEntry): Promise<DirectoryEntry | undefined> {
    return this.register(entry.userId, entry.sessionId).catch(deferred);
  }

  async release(entry: DirectoryEntry): Promise<void> {
    if (entry.nodeId === this.#link.nodeId) await this.unregister(entry.userId, entry.sessionId).catch(deferred);
  }

  /** Where the user is, through the routing cache (a stale answer costs one forwarding hop). */
  lookup(userId: string): Promise<DirectoryEntry | undefined> {
    return this.#link.available ? this.locate(userId) : this.read(userId);
  }

  // ---- the backplane's API ----------------------------------------------------------------------

  /** Users this node has registered. */
  get size(): number {
    return this.#users.size;
  }

  /** True when this node registered `userId`. */
  has(userId: string): boolean {
    return this.#users.has(userId);
  }

  /** Users this node has registered (userId → sessionId). */
  localUsers(): ReadonlyMap<string, number> {
    return new Map([...this.#users].map(([u, { sessionId }]) => [u, sessionId]));
  }

  /**
   * Records that `userId` is logged in here as `sessionId`. The user is remembered locally even when
   * this throws, so an outage only delays the directory write.
   * @returns the previous entry, if any (the caller kicks it).
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down.
   */
  async register(userId: string, sessionId: number): Promise<RedisDirectoryEntry | undefined> {
    const key = this.#link.keys.user(userId); // format-checked before anything is remembered
    const loginAt = Date.now();
    const value = JSON.stringify([this.#link.nodeId, sessionId, loginAt]);
    this.#users.set(userId, { sessionId, value });
    this.#cache.set(userId, { entry: { userId, nodeId: this.#link.nodeId, sessionId, loginAt }, until: loginAt + this.#cacheMs });
    this.#link.ensureUp('register a user');
    let prev: string | null;
    try {
      prev = (await this.#link.redis.call('SET', key, value, 'PX', this.#ttlMs, 'GET')) as string | null;
    } catch (cause) {
      throw backplaneUnavailable(`register ${userId}`, cause);
    }
    return parseEntry(userId, prev);
  }

  /**
   * Removes the user's entry if it is still this node's `sessionId` (compare-and-delete).
   * Resolves whether an entry was deleted.
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down (the entry then expires by TTL).
   */
  async unregister(userId: string, sessionId: number): Promise<boolean> {
    const mine = this.#users.get(userId);
    if (!mine || mine.sessionId !== sessionId) return false;
    this.#users.delete(userId);
    this.#cache.delete(userId);
    this.#link.ensureUp('unregister a user');
    try {
      return (await this.#link.scripts.hearthCad(this.#link.keys.user(userId), mine.value)) === 1;
    } catch (cause) {
      throw backplaneUnavailable(`unregister ${userId}`, cause);
    }
  }

  /**
   * Where `userId` is logged in, read from Redis (no cache).
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down.
   */
  async read(userId: string): Promise<RedisDirectoryEntry | undefined> {
    const key = this.#link.keys.user(userId);
    this.#link.ensureUp('look up a user');
    try {
      return parseEntry(userId, await this.#link.redis.get(key));
    } catch (cause) {
      throw backplaneUnavailable(`look up ${userId}`, cause);
    }
  }

  /** {@link RedisDirectory.read} through the routing cache; concurrent lookups of one user share one GET. */
  locate(userId: string): Promise<RedisDirectoryEntry | undefined> {
    const hit = this.#cache.get(userId);
    if (hit && hit.until > Date.now()) return Promise.resolve(hit.entry);
    let pending = this.#lookups.get(userId);
    if (!pending) {
      pending = this.read(userId).then(
        (e) => {
          this.#lookups.delete(userId);
          if (e) this.#cache.set(userId, { entry: e, until: Date.now() + this.#cacheMs });
          return e;
        },
        (err: unknown) => {
          this.#lookups.delete(userId);
          throw err;
        },
      );
      this.#lookups.set(userId, pending);
    }
    return pending;
  }

  /** Drops the cached route of a user (it moved). */
  invalidate(userId: string): void {
    this.#cache.delete(userId);
  }

  /** Drops every cached route (Redis was lost). */
  clearCache(): void {
    this.#cache.clear();
  }

  /** A kick for `sessionId` arrived: the entry now belongs to a newer login; forget it so our release does not touch it. */
  kicked(userId: string, sessionId: number): void {
    if (this.#users.get(userId)?.sessionId === sessionId) this.#users.delete(userId);
    this.#cache.delete(userId);
  }

  /** Queues the TTL refresh of every local user (compare-and-expire) on a pipeline. */
  refresh(pipeline: ChainableCommander): void {
    const s = scripted(pipeline);
    for (const [userId, { value }] of this.#users) void s.hearthCae(this.#link.keys.user(userId), value, this.#ttlMs);
  }

  /** Queues the removal of every local user (compare-and-delete) on a pipeline and forgets them (drain). */
  drain(pipeline: ChainableCommander): void {
    const s = scripted(pipeline);
    for (const [userId, { value }] of this.#users) void s.hearthCad(this.#link.keys.user(userId), value);
    this.#users.clear();
  }

  /** Forgets every local user without touching Redis (a crash: their entries expire by TTL). */
  clear(): void {
    this.#users.clear();
    this.#cache.clear();
  }

  /** After an outage: writes back every local user; on a conflict the newer login wins, the older is kicked. */
  async reregister(): Promise<void> {
    if (this.#users.size === 0) return;
    const users = [...this.#users];
    const p = this.#link.redis.pipeline();
    for (const [userId, { value }] of users) void scripted(p).hearthSetSame(this.#link.keys.user(userId), value, this.#ttlMs);
    const results = (await p.exec()) ?? [];
    for (let i = 0; i < users.length; i++) {
      const [userId, mine] = users[i]!;
      const other = parseEntry(userId, (results[i]?.[1] as string | null | undefined) ?? null);
      if (!other) continue;
      const ours = parseEntry(userId, mine.value)!;
      const text = 'a newer login of this user was found when the cluster directory came back';
      if (ours.loginAt >= other.loginAt) {
        await this.#link.redis.set(this.#link.keys.user(userId), mine.value, 'PX', this.#ttlMs);
        this.#link.batcher.add(this.#link.keys.nodeChannel(other.nodeId), BackplaneOp.KICK, [userId, other.sessionId, 'KICKED', text]);
      } else {
        this.#users.delete(userId);
        this.#deliver({ kind: 'kick', userId, sessionId: mine.sessionId, code: 'KICKED', text });
      }
    }
  }
}

/** Outage during claim/release: not an error for local play (deferred), anything else is. */
function deferred(e: unknown): undefined {
  if (isBackplaneDown(e)) return undefined;
  throw e;
}

function parseEntry(userId: string, value: string | null): RedisDirectoryEntry | undefined {
  if (!value) return undefined;
  const [nodeId, sessionId, loginAt] = JSON.parse(value) as [string, number, number];
  return { userId, nodeId, sessionId, loginAt };
}
