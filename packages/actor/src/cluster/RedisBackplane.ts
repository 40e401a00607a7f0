import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { decodeBatch, HearthError, Kind } from '@hearth/protocol';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { ClusterKeys } from './ClusterKeys.ts';
import { backplaneUnavailable, ClusterErrorCode } from './errors.ts';
import { packValue, unpackValue } from './pack.ts';
import { PublishBatcher } from './PublishBatcher.ts';
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_DIRECTORY_CACHE_MS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_KEY_PREFIX,
  DEFAULT_RESUME_QUEUE_LIMIT,
  type RedisBackplaneOptions,
} from './RedisBackplaneOptions.ts';
import * as lua from './scripts.ts';
import type { Backplane, Directory, Envelope } from '../backplane/Backplane.ts';
import type { AppendResult, NodeInfo, RedisDirectoryEntry, ResumedNotice, ResumeRecord } from './types.ts';

/** Operation codes of backplane messages (the `type` of each `[0, op, payload]` in a published batch). */
export const BackplaneOp = {
  /** Envelope `push`: `[userId, message, hops]` to the node holding the user. */
  PUSH: 1,
  /** Envelope `group`: `[group, message, originNode, except | null]` on a group channel. */
  GROUP: 2,
  /** Envelope `kick`: `[userId, sessionId, code, text]` to the node holding the older session. */
  KICK: 3,
  /** Envelope `event`: `[userId, event]`. */
  EVENT: 4,
  /** `[token, userId, byNode]` to the node that parked a resume record (see `onResumed`). */
  RESUMED: 5,
} as const;

/** Events of a {@link RedisBackplane}. */
export interface BackplaneEvents {
  /** Redis is reachable, the node is registered and its users re-registered. `recovered` after an outage. */
  up: (info: { recovered: boolean }) => void;
  /** Redis was lost: cross-node operations now fail fast with `BACKPLANE_UNAVAILABLE`. */
  down: (error: Error | undefined) => void;
}

/** Counters of a {@link RedisBackplane}. */
export interface BackplaneStats {
  /** PUBLISH commands sent. */
  publishes: number;
  /** Messages carried by those publishes. */
  messagesOut: number;
  /** Messages received from other nodes. */
  messagesIn: number;
  /** Messages lost because Redis went away between queueing and flushing. */
  dropped: number;
  /** Deliveries that found no local user and were forwarded one hop (stale directory cache). */
  forwarded: number;
}

interface Scripted {
  hearthCad(key: string, value: string): Promise<number>;
  hearthCae(key: string, value: string, ttl: number): Promise<number>;
  hearthSetSame(key: string, value: string, ttl: number): Promise<string | null>;
  hearthBeat(zset: string, hash: string, nodeId: string, ttl: number, info: string): Promise<number>;
  hearthNodes(zset: string, hash: string): Promise<string[]>;
  hearthLeave(zset: string, hash: string, nodeId: string): Promise<number>;
  hearthPark(rec: string, q: string, ttl: number, user: string, node: string, session: number, snap: Buffer, ...queued: Buffer[]): Promise<number>;
  hearthAppend(rec: string, q: string, message: Buffer, max: number): Promise<number | string>;
  hearthClaimBuffer(rec: string, q: string, nodeId: string, keepMs: number): Promise<[Buffer, Buffer, Buffer, Buffer, Buffer[]] | null>;
}

const SCRIPTS: ReadonlyArray<readonly [name: string, keys: number, lua: string]> = [
  ['hearthCad', 1, lua.COMPARE_AND_DELETE],
  ['hearthCae', 1, lua.COMPARE_AND_EXPIRE],
  ['hearthSetSame', 1, lua.SET_IF_ABSENT_OR_SAME],
  ['hearthBeat', 2, lua.NODE_BEAT],
  ['hearthNodes', 2, lua.NODE_LIST],
  ['hearthLeave', 2, lua.NODE_LEAVE],
  ['hearthPark', 2, lua.RESUME_PARK],
  ['hearthAppend', 2, lua.RESUME_APPEND],
  ['hearthClaim', 2, lua.RESUME_CLAIM],
];

/** How long a claimed resume record stays as a forwarding marker for late appends. */
const CLAIM_MARKER_MS = 10_000;


/**
 * The Redis backplane of one node: cross-node messages over pub/sub, the user directory, the node
 * registry and resume records. Two ioredis connections (commands, subscriber), no offline queue:
 * while Redis is down every cross-node call fails fast with `BACKPLANE_UNAVAILABLE`, and when it
 * returns the node re-registers itself and its users and emits `up` without being recreated.
 *
 * Messages are batched per event-loop turn: one PUBLISH per destination channel per turn. A node
 * listens on its node channel and on the channels of the groups it has local members in, so a group
 * broadcast costs one PUBLISH whatever the number of members and nodes.
 *
 * It implements the holder's {@link Backplane} (directory, envelopes, group watching) and adds what
 * the in-memory one does not need: node registry (`nodes()`), resume records (`park`/`append`/`claim`),
 * `up`/`down` events.
 *
 * @example
 * const backplane = new RedisBackplane({ url: process.env.REDIS_URL, nodeId: 'n1' });
 * await backplane.start();
 * const holder = new Holder({ service, backplane });   // nothing else changes for game code
 */
export class RedisBackplane implements Backplane, AsyncDisposable {
  readonly nodeId: string;
  readonly shared = true;
  /** The user directory (entries carry a TTL refreshed by this node's heartbeat). */
  readonly directory: Directory;
  readonly keys: ClusterKeys;
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #scripts: Scripted;
  readonly #log: Logger | undefined;
  readonly #heartbeatMs: number;
  readonly #ttlMs: number;
  readonly #cacheMs: number;
  readonly #queueLimit: number;
  readonly #startedAt = Date.now();
  readonly #batcher: PublishBatcher;
  readonly #nodeChannel: string;
  /** Channels this node wants to hear; reconciled on every (re)connect. */
  readonly #channels = new Set<string>();
  /** Users registered by this node: userId → [sessionId, directory value]. */
  readonly #users = new Map<string, { sessionId: number; value: string }>();
  /** Routing cache: userId → entry, for `directoryCacheMs` (misses are not cached). */
  readonly #cache = new Map<string, { entry: RedisDirectoryEntry; until: number }>();
  readonly #lookups = new Map<string, Promise<RedisDirectoryEntry | undefined>>();
  readonly #listeners: { [E in keyof BackplaneEvents]: Set<BackplaneEvents[E]> } = { up: new Set(), down: new Set() };
  readonly #handlers = new Set<(envelope: Envelope) => void>();
  readonly #resumedHandlers = new Set<(notice: ResumedNotice) => void>();
  #heartbeat: NodeJS.Timeout | undefined;
  #up = false;
  #everUp = false;
  #recovering = false;
  #closed = false;
  #lastError: Error | undefined;
  readonly #stats: BackplaneStats = { publishes: 0, messagesOut: 0, messagesIn: 0, dropped: 0, forwarded: 0 };

  constructor(options: RedisBackplaneOptions = {}) {
    this.nodeId = options.nodeId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.keys = new ClusterKeys(options.keyPrefix ?? DEFAULT_KEY_PREFIX);
    this.#heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.#ttlMs = options.ttlMs ?? this.#heartbeatMs * 3;
    this.#cacheMs = options.directoryCacheMs ?? DEFAULT_DIRECTORY_CACHE_MS;
    this.#queueLimit = options.resumeQueueLimit ?? DEFAULT_RESUME_QUEUE_LIMIT;
    this.#log = options.logger?.child({ component: 'cluster', node: this.nodeId });
    this.#nodeChannel = this.keys.nodeChannel(this.nodeId);
    this.#channels.add(this.#nodeChannel);
    const timeout = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const url = options.url ?? process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
    const base: RedisOptions = {
      ...options.redis,
      lazyConnect: true,
      // Fail fast instead of buffering: no offline queue, one retry of an in-flight command at most.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: timeout,
      connectTimeout: timeout,
      autoResubscribe: false, // #channels is the truth: resubscribed in #recover, including channels added while down
      retryStrategy: options.redis?.retryStrategy ?? ((times: number) => Math.min(50 * 2 ** Math.min(times, 5), 1_000)),
    };
    this.#pub = new Redis(url, { ...base, connectionName: `hearth:${this.nodeId}:cmd` });
    this.#sub = new Redis(url, { ...base, connectionName: `hearth:${this.nodeId}:sub` });
    for (const [name, numberOfKeys, script] of SCRIPTS) this.#pub.defineCommand(name, { numberOfKeys, lua: script });
    this.#scripts = this.#pub as unknown as Scripted;
    for (const client of [this.#pub, this.#sub]) {
      client.on('ready', () => void this.#recover());
      client.on('close', () => this.#lost());
      client.on('error', (e: Error) => {
        if (this.#lastError?.message !== e.message) this.#log?.warn({ err: e }, 'redis connection error');
        this.#lastError = e;
      });
    }
    this.#sub.on('messageBuffer', (_channel: Buffer, message: Buffer) => this.#receive(message));
    this.#batcher = new PublishBatcher((batches) => this.#publish(batches));
    // The holder's view. A login or logout during an outage is not an error for local play: the
    // claim is written (and conflicts settled, newer login wins) when Redis returns, and a released
    // entry, no longer refreshed, expires by TTL. Lookups still fail fast: they are cross-node work.
    const deferred = (e: unknown): undefined => {
      if (e instanceof HearthError && e.code === ClusterErrorCode.BACKPLANE_UNAVAILABLE) return undefined;
      throw e;
    };
    this.directory = {
      claim: (entry) => this.register(entry.userId, entry.sessionId).catch(deferred),
      release: async (entry) => {
        if (entry.nodeId === this.nodeId) await this.unregister(entry.userId, entry.sessionId).catch(deferred);
      },
      // Routing lookups go through the short cache: a stale answer costs one forwarding hop (see PUSH).
      lookup: (userId) => (this.available ? this.#locate(userId) : this.lookup(userId)),
    };
  }

  /** True while Redis is reachable and this node is registered: cross-node calls can succeed. */
  get available(): boolean {
    return this.#up && this.#pub.status === 'ready' && this.#sub.status === 'ready';
  }

  /** Counters (a copy). */
  stats(): BackplaneStats {
    return { ...this.#stats };
  }

  /** Receives the envelopes addressed to this node, in publish order; returns the unsubscribe function. */
  onEnvelope(handler: (envelope: Envelope) => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  /** Told when a player parked here was resumed on another node; returns the unsubscribe function. */
  onResumed(handler: (notice: ResumedNotice) => void): () => void {
    this.#resumedHandlers.add(handler);
    return () => this.#resumedHandlers.delete(handler);
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends keyof BackplaneEvents>(event: E, listener: BackplaneEvents[E]): () => void {
    const set = this.#listeners[event] as Set<BackplaneEvents[E]>;
    set.add(listener);
    return () => set.delete(listener);
  }

  /**
   * Connects, subscribes the node channel, registers the node and starts its heartbeat.
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` when Redis cannot be reached now; the backplane keeps
   * retrying in the background and emits `up` once it can (call `close()` to stop it).
   */
  async start(): Promise<void> {
    if (this.#closed) throw new HearthError(ClusterErrorCode.BACKPLANE_CLOSED, 'backplane closed: create a new RedisBackplane');
    const up = new Promise<void>((resolve) => {
      const off = this.on('up', () => {
        off();
        resolve();
      });
    });
    try {
      await Promise.all([this.#pub.connect(), this.#sub.connect()]);
    } catch (cause) {
      throw backplaneUnavailable(`node ${this.nodeId} cannot start`, cause);
    }
    if (!this.#up) await up;
    this.#heartbeat ??= setInterval(() => void this.#beat(), this.#heartbeatMs);
  }

  // ---- messaging ------------------------------------------------------------------------------

  /**
   * Sends an envelope to node `nodeId` (batched: one PUBLISH per node per turn).
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down (nothing is queued).
   */
  publish(nodeId: string, envelope: Envelope): void {
    this.#ensureUp(`send ${envelope.kind} to node ${nodeId}`);
    const ch = this.keys.nodeChannel(nodeId);
    switch (envelope.kind) {
      case 'push':
        this.#batcher.add(ch, BackplaneOp.PUSH, [envelope.userId, envelope.bytes, 0]);
        break;
      case 'group':
        this.#batcher.add(ch, BackplaneOp.GROUP, [envelope.group, envelope.bytes, this.nodeId, envelope.exceptUserId ?? null]);
        break;
      case 'kick':
        this.#batcher.add(ch, BackplaneOp.KICK, [envelope.userId, envelope.sessionId, envelope.code, envelope.text]);
        break;
      case 'event':
        this.#batcher.add(ch, BackplaneOp.EVENT, [envelope.userId, envelope.event]);
        break;
    }
  }

  /**
   * Sends one encoded message (from `encodeMessage`) to a user wherever it is logged in.
   * Resolves false when the directory has no entry for the user.
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down.
   */
  async sendToUser(userId: string, message: Uint8Array): Promise<boolean> {
    this.#ensureUp('send to a user');
    const nodeId = (await this.#locate(userId))?.nodeId;
    if (nodeId === undefined) return false;
    const envelope: Envelope = { kind: 'push', userId, bytes: message };
    if (nodeId === this.nodeId) this.#deliver(envelope);
    else this.publish(nodeId, envelope);
    return true;
  }

  /**
   * Broadcasts one encoded message to a group's members on every other node (this node's members
   * are the caller's to reach locally). One PUBLISH per group per turn, whatever the member count.
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down.
   */
  publishGroup(envelope: Extract<Envelope, { kind: 'group' }>): void {
    this.#ensureUp(`broadcast to group ${envelope.group}`);
    this.#batcher.add(this.keys.groupChannel(envelope.group), BackplaneOp.GROUP, [envelope.group, envelope.bytes, this.nodeId, envelope.exceptUserId ?? null]);
  }

  /** The holder's hook: this node has local members of `group` (`true`) or no longer (`false`). */
  watchGroup(group: string, watching: boolean): void {
    if (watching) this.subscribeGroup(group);
    else this.unsubscribeGroup(group);
  }

  /**
   * Starts listening to a group's channel (call when the group gets its first local member).
   * Never throws: while Redis is down the subscription is made when it returns.
   */
  subscribeGroup(group: string): void {
    const ch = this.keys.groupChannel(group);
    if (this.#channels.has(ch)) return;
    this.#channels.add(ch);
    if (this.available) this.#sub.subscribe(ch).catch((e: unknown) => this.#log?.debug({ err: e, group }, 'subscribe deferred'));
  }

  /** Stops listening to a group's channel (call when its last local member leaves). Never throws. */
  unsubscribeGroup(group: string): void {
    const ch = this.keys.groupChannel(group);
    if (!this.#channels.delete(ch)) return;
    if (this.available) this.#sub.unsubscribe(ch).catch(() => {});
  }

  // ---- directory ------------------------------------------------------------------------------

  /**
   * Records that `userId` is logged in here as `sessionId` (refreshed by the heartbeat, re-registered
   * after an outage). The user is remembered locally even when this throws, so an outage only delays
   * the directory write. (`directory.claim`.)
   * @returns the previous entry, if any: the caller kicks it (`publish(prev.nodeId, { kind: 'kick', ... })`).
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down.
   */
  async register(userId: string, sessionId: number): Promise<RedisDirectoryEntry | undefined> {
    const loginAt = Date.now();
    const value = JSON.stringify([this.nodeId, sessionId, loginAt]);
    this.#users.set(userId, { sessionId, value });
    this.#cache.set(userId, { entry: { userId, nodeId: this.nodeId, sessionId, loginAt }, until: loginAt + this.#cacheMs });
    this.#ensureUp('register a user');
    let prev: string | null;
    try {
      prev = (await this.#pub.call('SET', this.keys.user(userId), value, 'PX', this.#ttlMs, 'GET')) as string | null;
    } catch (cause) {
      throw backplaneUnavailable(`register ${userId}`, cause);
    }
    return parseEntry(userId, prev);
  }

  /**
   * Removes the user's entry if it is still this node's `sessionId` (compare-and-delete: a newer
   * login on another node is never erased). Resolves whether an entry was deleted.
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down (the entry then expires by TTL).
   */
  async unregister(userId: string, sessionId: number): Promise<boolean> {
    const mine = this.#users.get(userId);
    if (!mine || mine.sessionId !== sessionId) return false;
    this.#users.delete(userId);
    this.#cache.delete(userId);
    this.#ensureUp('unregister a user');
    try {
      return (await this.#scripts.hearthCad(this.keys.user(userId), mine.value)) === 1;
    } catch (cause) {
      throw backplaneUnavailable(`unregister ${userId}`, cause);
    }
  }

  /**
   * Where `userId` is logged in, or undefined.
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down.
   */
  async lookup(userId: string): Promise<RedisDirectoryEntry | undefined> {
    this.#ensureUp('look up a user');
    try {
      return parseEntry(userId, await this.#pub.get(this.keys.user(userId)));
    } catch (cause) {
      throw backplaneUnavailable(`look up ${userId}`, cause);
    }
  }

  /** Users this node has registered (userId → sessionId). */
  localUsers(): ReadonlyMap<string, number> {
    return new Map([...this.#users].map(([u, { sessionId }]) => [u, sessionId]));
  }

  /**
   * Live nodes of the cluster (registrations not yet expired), this one included.
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down.
   */
  async nodes(): Promise<NodeInfo[]> {
    this.#ensureUp('list nodes');
    let flat: string[];
    try {
      flat = await this.#scripts.hearthNodes(this.keys.nodes(), this.keys.nodeInfo());
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

  // ---- resume ---------------------------------------------------------------------------------

  /**
   * Parks a disconnected player's resume record for `graceMs`: snapshot and queued pushes, so the
   * player can resume on any node with `token`.
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down (resume then works on this node only).
   */
  async park(token: string, record: Omit<ResumeRecord, 'nodeId'>, graceMs: number): Promise<void> {
    this.#ensureUp('park a resume record');
    const queued = record.queued.map((m) => Buffer.from(m.buffer, m.byteOffset, m.byteLength));
    try {
      await this.#scripts.hearthPark(this.keys.resume(token), this.keys.resumeQueue(token), Math.max(1, Math.ceil(graceMs)),
        record.userId, this.nodeId, record.sessionId, packValue(record.snapshot), ...queued);
    } catch (cause) {
      throw backplaneUnavailable(`park ${record.userId}`, cause);
    }
  }

  /**
   * Appends a push for a parked player. `claimed` means it was resumed on `nodeId`: send it there.
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down.
   */
  async append(token: string, message: Uint8Array): Promise<AppendResult> {
    this.#ensureUp('queue a push for a parked player');
    let r: number | string;
    try {
      r = await this.#scripts.hearthAppend(this.keys.resume(token), this.keys.resumeQueue(token),
        Buffer.from(message.buffer, message.byteOffset, message.byteLength), this.#queueLimit);
    } catch (cause) {
      throw backplaneUnavailable('queue a push', cause);
    }
    if (typeof r === 'string') return { ok: false, reason: 'claimed', nodeId: r };
    if (r === 0) return { ok: false, reason: 'missing' };
    if (r < 0) return { ok: false, reason: 'full' };
    return { ok: true, length: r };
  }

  /**
   * Takes a parked record once (atomic: of two nodes racing, one wins). Resolves undefined when the
   * token is unknown, expired, already used, or its node is no longer alive (a killed node's tokens
   * fail cleanly). The parking node is told (`resumedElsewhere`) so it stops its actor.
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down.
   */
  async claim(token: string): Promise<ResumeRecord | undefined> {
    this.#ensureUp('resume');
    let r: [Buffer, Buffer, Buffer, Buffer, Buffer[]] | null;
    try {
      r = await this.#scripts.hearthClaimBuffer(this.keys.resume(token), this.keys.resumeQueue(token), this.nodeId, CLAIM_MARKER_MS);
    } catch (cause) {
      throw backplaneUnavailable('resume', cause);
    }
    if (!r) return undefined;
    const [user, node, session, snap, queued] = r;
    const record: ResumeRecord = {
      userId: user.toString(),
      nodeId: node.toString(),
      sessionId: Number(session.toString()),
      snapshot: unpackValue(snap),
      queued,
    };
    if (record.nodeId === this.nodeId) return record;
    if (!(await this.#isLive(record.nodeId))) return undefined; // its node died: the actor and its state are gone
    this.#batcher.add(this.keys.nodeChannel(record.nodeId), BackplaneOp.RESUMED, [token, record.userId, this.nodeId]);
    return record;
  }

  /** Whether `nodeId`'s registration is current (Redis clock). */
  async #isLive(nodeId: string): Promise<boolean> {
    const [expiry, [sec, usec]] = await Promise.all([this.#pub.zscore(this.keys.nodes(), nodeId), this.#pub.time()]);
    return expiry !== null && Number(expiry) > Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  /**
   * Drains and disconnects: flushes queued messages, removes this node's users (compare-and-delete)
   * and its registration when Redis is reachable, then closes both connections. Idempotent.
   * With `drain: false` it only disconnects, like a crashed node: its entries expire by TTL.
   */
  async close(options: { drain?: boolean } = {}): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    this.#handlers.clear();
    this.#resumedHandlers.clear();
    if (options.drain === false) {
      this.#batcher.clear();
      this.#users.clear();
      this.#up = false;
      this.#pub.disconnect();
      this.#sub.disconnect();
      return;
    }
    if (this.available) {
      this.#batcher.flush();
      const p = this.#pub.pipeline();
      for (const [userId, { value }] of this.#users) (p as unknown as Scripted).hearthCad(this.keys.user(userId), value);
      (p as unknown as Scripted).hearthLeave(this.keys.nodes(), this.keys.nodeInfo(), this.nodeId);
      await p.exec().catch(() => {});
    } else {
      this.#batcher.clear();
    }
    this.#users.clear();
    this.#up = false;
    await Promise.all([this.#pub.quit().catch(() => this.#pub.disconnect()), this.#sub.quit().catch(() => this.#sub.disconnect())]);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- internals ------------------------------------------------------------------------------

  #ensureUp(what: string): void {
    if (this.#closed) throw new HearthError(ClusterErrorCode.BACKPLANE_CLOSED, `${what}: backplane closed`);
    if (!this.available) throw backplaneUnavailable(what, this.#lastError);
  }

  #emit<E extends keyof BackplaneEvents>(event: E, ...args: Parameters<BackplaneEvents[E]>): void {
    for (const l of this.#listeners[event]) (l as (...a: Parameters<BackplaneEvents[E]>) => void)(...args);
  }

  #lost(): void {
    if (!this.#up) return;
    this.#up = false;
    this.#cache.clear();
    this.#batcher.clear(); // bounded: what was queued this turn is dropped, not kept for later
    if (!this.#closed) {
      this.#log?.warn('redis lost: cross-node operations fail fast until it returns');
      this.#emit('down', this.#lastError);
    }
  }

  /** On every (re)connect of either client: once both are ready, resubscribe, re-register, emit `up`. */
  async #recover(): Promise<void> {
    if (this.#closed || this.#recovering || this.#pub.status !== 'ready' || this.#sub.status !== 'ready') return;
    this.#recovering = true;
    try {
      await this.#sub.subscribe(...this.#channels);
      await this.#beat(true);
      await this.#reregister();
      if (this.#pub.status !== 'ready' || this.#sub.status !== 'ready' || this.#closed) return;
      const recovered = this.#everUp;
      this.#up = this.#everUp = true;
      this.#lastError = undefined;
      if (recovered) this.#log?.info({ users: this.#users.size }, 'redis back: node and users re-registered');
      this.#emit('up', { recovered });
    } catch (e) {
      this.#log?.warn({ err: e }, 'recovery failed; retrying on next reconnect');
    } finally {
      this.#recovering = false;
    }
  }

  /** Heartbeat: registry entry and every local user's directory TTL (compare-and-expire). */
  async #beat(force = false): Promise<void> {
    if (!force && !this.available) return;
    const info = JSON.stringify({ startedAt: this.#startedAt, users: this.#users.size, host: hostname(), pid: process.pid });
    const p = this.#pub.pipeline();
    const s = p as unknown as Scripted;
    s.hearthBeat(this.keys.nodes(), this.keys.nodeInfo(), this.nodeId, this.#ttlMs, info);
    for (const [userId, { value }] of this.#users) s.hearthCae(this.keys.user(userId), value, this.#ttlMs);
    const results = await p.exec();
    const failed = results?.find(([e]) => e);
    if (failed && force) throw failed[0] ?? new Error('heartbeat failed');
  }

  /** After an outage: writes back every local user; on a conflict the newer login wins. */
  async #reregister(): Promise<void> {
    if (this.#users.size === 0) return;
    const users = [...this.#users];
    const p = this.#pub.pipeline();
    for (const [userId, { value }] of users) (p as unknown as Scripted).hearthSetSame(this.keys.user(userId), value, this.#ttlMs);
    const results = (await p.exec()) ?? [];
    for (let i = 0; i < users.length; i++) {
      const [userId, mine] = users[i]!;
      const other = parseEntry(userId, (results[i]?.[1] as string | null | undefined) ?? null);
      if (!other) continue;
      const ours = parseEntry(userId, mine.value)!;
      const text = 'a newer login of this user was found when the cluster directory came back';
      if (ours.loginAt >= other.loginAt) {
        await this.#pub.set(this.keys.user(userId), mine.value, 'PX', this.#ttlMs);
        this.#batcher.add(this.keys.nodeChannel(other.nodeId), BackplaneOp.KICK, [userId, other.sessionId, 'KICKED', text]);
      } else {
        this.#users.delete(userId);
        this.#deliver({ kind: 'kick', userId, sessionId: mine.sessionId, code: 'KICKED', text });
      }
    }
  }

  /** Directory lookup through the routing cache; concurrent lookups of one user share one GET. */
  async #locate(userId: string): Promise<RedisDirectoryEntry | undefined> {
    const hit = this.#cache.get(userId);
    if (hit && hit.until > Date.now()) return hit.entry;
    let pending = this.#lookups.get(userId);
    if (!pending) {
      pending = this.lookup(userId).then(
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

  #publish(batches: ReadonlyArray<readonly [string, Buffer, number]>): void {
    if (this.#pub.status !== 'ready') {
      for (const [, , n] of batches) this.#stats.dropped += n;
      return;
    }
    const onError = (n: number) => (e: unknown) => {
      this.#stats.dropped += n;
      this.#log?.debug({ err: e }, 'publish failed');
    };
    for (const [channel, body, n] of batches) {
      this.#stats.publishes++;
      this.#stats.messagesOut += n;
      this.#pub.publish(channel, body).catch(onError(n));
    }
  }

  #receive(body: Buffer): void {
    try {
      decodeBatch(body, (m) => {
        if (m.kind !== Kind.PUSH) return;
        this.#stats.messagesIn++;
        this.#dispatch(m.type, m.payload as unknown[]);
      });
    } catch (e) {
      this.#log?.warn({ err: e }, 'malformed backplane message dropped');
    }
  }

  #deliver(envelope: Envelope): void {
    for (const h of this.#handlers) h(envelope);
  }

  #dispatch(op: number, a: unknown[]): void {
    switch (op) {
      case BackplaneOp.PUSH: {
        const [userId, bytes, hops] = a as [string, Uint8Array, number];
        if (this.#users.has(userId) || hops > 0) {
          this.#deliver({ kind: 'push', userId, bytes });
          return;
        }
        // Not registered here (moved or logged out since the sender's cache was filled): follow the directory once.
        this.#cache.delete(userId);
        const copy = new Uint8Array(bytes); // a copy (Buffer#slice would not be): the view dies with this callback
        this.#locate(userId).then((found) => {
          const nodeId = found?.nodeId;
          // nowhere else: let the holder decide (it drops pushes for users it does not hold)
          if (nodeId === undefined || nodeId === this.nodeId || !this.available) return this.#deliver({ kind: 'push', userId, bytes: copy });
          this.#stats.forwarded++;
          this.#batcher.add(this.keys.nodeChannel(nodeId), BackplaneOp.PUSH, [userId, copy, hops + 1]);
        }, () => {});
        return;
      }
      case BackplaneOp.GROUP: {
        const [group, bytes, origin, except] = a as [string, Uint8Array, string, string | null];
        if (origin === this.nodeId) return; // our own broadcast, already delivered locally by the holder
        this.#deliver(except === null ? { kind: 'group', group, bytes } : { kind: 'group', group, bytes, exceptUserId: except });
        return;
      }
      case BackplaneOp.KICK: {
        const [userId, sessionId, code, text] = a as [string, number, string, string];
        // The entry now belongs to the newer login: forget it so our release does not touch it.
        if (this.#users.get(userId)?.sessionId === sessionId) this.#users.delete(userId);
        this.#cache.delete(userId);
        this.#deliver({ kind: 'kick', userId, sessionId, code, text });
        return;
      }
      case BackplaneOp.EVENT: {
        const [userId, event] = a as [string, Extract<Envelope, { kind: 'event' }>['event']];
        this.#deliver({ kind: 'event', userId, event });
        return;
      }
      case BackplaneOp.RESUMED: {
        const [token, userId, nodeId] = a as [string, string, string];
        for (const h of this.#resumedHandlers) h({ token, userId, nodeId });
        return;
      }
      default:
        this.#log?.debug({ op }, 'unknown backplane op dropped');
    }
  }
}

function parseEntry(userId: string, value: string | null): RedisDirectoryEntry | undefined {
  if (!value) return undefined;
  const [nodeId, sessionId, loginAt] = JSON.parse(value) as [string, number, number];
  return { userId, nodeId, sessionId, loginAt };
}
