import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { decodeBatch, HearthError, Kind } from '@hearth/protocol';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { Backplane, Envelope } from '../backplane/Backplane.ts';
import { backplaneUnavailable, BackplaneErrorCode } from '../backplane/errors.ts';
import { BackplaneOp } from './BackplaneOp.ts';
import { ClusterKeys } from './ClusterKeys.ts';
import { EnvelopeSigner } from './EnvelopeSigner.ts';
import { SCRIPTS, scripted, type ClusterLink } from './ClusterLink.ts';
import { NodeRegistry } from './NodeRegistry.ts';
import { PublishBatcher } from './PublishBatcher.ts';
import { RedisDirectory } from './RedisDirectory.ts';
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_DIRECTORY_CACHE_MS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_KEY_PREFIX,
  DEFAULT_RESUME_QUEUE_LIMIT,
  type RedisBackplaneOptions,
} from './RedisBackplaneOptions.ts';
import { RedisResumeStore } from './RedisResumeStore.ts';
import type { BackplaneEvents, BackplaneStats, NodeInfo, RedisDirectoryEntry } from './types.ts';
import { isUserId } from '../wireIds.ts';

/** At most one "message rejected" warning per this many ms (a flood would otherwise log per message). */
const WARN_REJECTED_EVERY_MS = 5_000;

/**
 * The Redis backplane of one node: cross-node messages over pub/sub, the user directory
 * ({@link RedisDirectory}), the node registry ({@link NodeRegistry}) and resume records
 * ({@link RedisResumeStore}, as `resumes`). Two ioredis connections (commands, subscriber), no
 * offline queue: while Redis is down every cross-node call fails fast with `BACKPLANE_UNAVAILABLE`,
 * and when it returns the node re-registers itself and its users and emits `up` without being recreated.
 *
 * Messages are batched per event-loop turn: one PUBLISH per destination channel per turn. A node
 * listens on its node channel and on the channels of the groups it has local members in, so a group
 * broadcast costs one PUBLISH whatever the number of members and nodes.
 *
 * @example
 * const backplane = new RedisBackplane({ url: process.env.REDIS_URL, nodeId: 'n1' });
 * await backplane.start();                                       // before createNode
 * const node = await createNode({ service, player, authenticate, backplane });
 * // shutdown: await node.close(); await backplane.close();
 */
export class RedisBackplane implements Backplane, AsyncDisposable {
  readonly nodeId: string;
  readonly shared = true;
  readonly keys: ClusterKeys;
  /** The user directory (entries carry a TTL refreshed by this node's heartbeat). */
  readonly directory: RedisDirectory;
  /** Resume records: a token parked here resumes on any node within the grace period. */
  readonly resumes: RedisResumeStore;
  readonly #registry: NodeRegistry;
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #log: Logger | undefined;
  readonly #heartbeatMs: number;
  readonly #batcher: PublishBatcher;
  /** Signs and verifies every message when `clusterSecret` is set. */
  readonly #signer: EnvelopeSigner | undefined;
  #lastRejectWarn = 0;
  /** Channels this node wants to hear; reconciled on every (re)connect. */
  readonly #channels = new Set<string>();
  readonly #listeners: { [E in keyof BackplaneEvents]: Set<BackplaneEvents[E]> } = { up: new Set(), down: new Set() };
  readonly #handlers = new Set<(envelope: Envelope) => void>();
  readonly #appHandlers = new Map<string, Set<(payload: unknown, fromNodeId: string) => void>>();
  #heartbeat: NodeJS.Timeout | undefined;
  #up = false;
  #everUp = false;
  #recovering = false;
  #closed = false;
  #lastError: Error | undefined;
  readonly #stats: BackplaneStats = { publishes: 0, messagesOut: 0, messagesIn: 0, dropped: 0, forwarded: 0, rejected: 0 };

  constructor(options: RedisBackplaneOptions = {}) {
    this.nodeId = options.nodeId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.keys = new ClusterKeys(options.keyPrefix ?? DEFAULT_KEY_PREFIX);
    this.#heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    const ttlMs = options.ttlMs ?? this.#heartbeatMs * 3;
    this.#log = options.logger?.child({ component: 'cluster', node: this.nodeId });
    this.#signer = options.clusterSecret === undefined ? undefined : new EnvelopeSigner(options.clusterSecret);
    this.#channels.add(this.keys.nodeChannel(this.nodeId));
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
    for (const client of [this.#pub, this.#sub]) {
      client.on('ready', () => void this.#recover());
      client.on('close', () => this.#lost());
      client.on('error', (e: Error) => {
        if (this.#lastError?.message !== e.message) this.#log?.warn({ err: e }, 'redis connection error');
        this.#lastError = e;
      });
    }
    this.#sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.#receive(channel, message));
    this.#batcher = new PublishBatcher((batches) => this.#publish(batches));
    const isAvailable = (): boolean => this.available;
    const link: ClusterLink = {
      nodeId: this.nodeId,
      keys: this.keys,
      redis: this.#pub,
      scripts: scripted(this.#pub),
      batcher: this.#batcher,
      log: this.#log,
      ensureUp: (what) => this.#ensureUp(what),
      get available() {
        return isAvailable();
      },
    };
    this.#registry = new NodeRegistry(link, ttlMs);
    this.directory = new RedisDirectory(link, { ttlMs, cacheMs: options.directoryCacheMs ?? DEFAULT_DIRECTORY_CACHE_MS }, (e) => this.#deliver(e));
    this.resumes = new RedisResumeStore(link, options.resumeQueueLimit ?? DEFAULT_RESUME_QUEUE_LIMIT, (n) => this.#registry.isLive(n));
  }

  /** True when messages are signed and verified with a cluster secret (`clusterSecret`). */
  get authenticated(): boolean {
    return this.#signer !== undefined;
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

  /**
   * The command connection, for a game's own data structures beside the cluster's (a matchmaker's
   * sorted set, a leaderboard). It has the backplane's fail-fast behaviour (no offline queue: a
   * command while Redis is down rejects at once). Never SUBSCRIBE on it; do not quit it.
   */
  get redis(): Redis {
    return this.#pub;
  }

  /**
   * Sends an application message to node `nodeId` under `topic` (a game's own cross-node protocol,
   * e.g. moves forwarded to the node that runs a room). Batched with the backplane's own messages:
   * one PUBLISH per node per turn. The receiver's `onNodeMessage(topic)` handlers get `payload`
   * (msgpack-encodable; binary values arrive as views valid only during the call) and this node's id.
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down (nothing is queued).
   */
  sendToNode(nodeId: string, topic: string, payload: unknown): void {
    this.#ensureUp(`send ${topic} to node ${nodeId}`);
    this.#batcher.add(this.keys.nodeChannel(nodeId), BackplaneOp.APP, [topic, this.nodeId, payload]);
  }

  /** Receives the application messages sent to this node under `topic`; returns the unsubscribe function. */
  onNodeMessage(topic: string, handler: (payload: unknown, fromNodeId: string) => void): () => void {
    let set = this.#appHandlers.get(topic);
    if (set === undefined) this.#appHandlers.set(topic, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
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
    if (this.#closed) throw new HearthError(BackplaneErrorCode.BACKPLANE_CLOSED, 'backplane closed: create a new RedisBackplane');
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
        // hops > 0 tells the receiver not to re-route through the directory
        this.#batcher.add(ch, BackplaneOp.PUSH, [envelope.userId, envelope.bytes, envelope.direct === true ? 1 : 0]);
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
    const nodeId = (await this.directory.locate(userId))?.nodeId;
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

  /** Starts listening to a group's channel. Never throws: while Redis is down the subscription is made when it returns. */
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

  // ---- directory and registry (see RedisDirectory, NodeRegistry) -------------------------------

  /** {@link RedisDirectory.register}. */
  register(userId: string, sessionId: number): Promise<RedisDirectoryEntry | undefined> {
    return this.directory.register(userId, sessionId);
  }

  /** {@link RedisDirectory.unregister}. */
  unregister(userId: string, sessionId: number): Promise<boolean> {
    return this.directory.unregister(userId, sessionId);
  }

  /**
   * Where `userId` is logged in, read from Redis (no cache).
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down.
   */
  lookup(userId: string): Promise<RedisDirectoryEntry | undefined> {
    return this.directory.read(userId);
  }

  /** Users this node has registered (userId → sessionId). */
  localUsers(): ReadonlyMap<string, number> {
    return this.directory.localUsers();
  }

  /**
   * Live nodes of the cluster (registrations not yet expired), this one included.
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down.
   */
  nodes(): Promise<NodeInfo[]> {
    return this.#registry.list();
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
    this.#appHandlers.clear();
    this.resumes.clear();
    if (options.drain === false) {
      this.#batcher.clear();
      this.directory.clear();
      this.#up = false;
      this.#pub.disconnect();
      this.#sub.disconnect();
      return;
    }
    if (this.available) {
      this.#batcher.flush();
      const p = this.#pub.pipeline();
      this.directory.drain(p);
      this.#registry.leave(p);
      await p.exec().catch(() => {});
    } else {
      this.#batcher.clear();
    }
    this.directory.clear();
    this.#up = false;
    await Promise.all([this.#pub.quit().catch(() => this.#pub.disconnect()), this.#sub.quit().catch(() => this.#sub.disconnect())]);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- internals ------------------------------------------------------------------------------

  #ensureUp(what: string): void {
    if (this.#closed) throw new HearthError(BackplaneErrorCode.BACKPLANE_CLOSED, `${what}: backplane closed`);
    if (!this.available) throw backplaneUnavailable(what, this.#lastError);
  }

  #emit<E extends keyof BackplaneEvents>(event: E, ...args: Parameters<BackplaneEvents[E]>): void {
    for (const l of this.#listeners[event]) (l as (...a: Parameters<BackplaneEvents[E]>) => void)(...args);
  }

  #lost(): void {
    if (!this.#up) return;
    this.#up = false;
    this.directory.clearCache();
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
      await this.directory.reregister();
      if (this.#pub.status !== 'ready' || this.#sub.status !== 'ready' || this.#closed) return;
      const recovered = this.#everUp;
      this.#up = this.#everUp = true;
      this.#lastError = undefined;
      if (recovered) this.#log?.info({ users: this.directory.size }, 'redis back: node and users re-registered');
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
    const p = this.#pub.pipeline();
    this.#registry.beat(p, this.directory.size);
    this.directory.refresh(p);
    const results = await p.exec();
    const failed = results?.find(([e]) => e);
    if (failed && force) throw failed[0] ?? new Error('heartbeat failed');
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
    const signer = this.#signer;
    for (const [channel, body, n] of batches) {
      this.#stats.publishes++;
      this.#stats.messagesOut += n;
      this.#pub.publish(channel, signer === undefined ? body : signer.sign(channel, body)).catch(onError(n));
    }
  }

  #receive(channel: Buffer, message: Buffer): void {
    let body = message;
    if (this.#signer !== undefined) {
      const opened = this.#signer.open(channel, message);
      if (opened === undefined) return this.#rejected('unsigned or forged backplane message dropped (clusterSecret)', channel);
      body = opened;
    }
    try {
      decodeBatch(body, (m) => {
        if (m.kind !== Kind.PUSH) return;
        this.#stats.messagesIn++;
        this.#dispatch(m.type, m.payload as unknown[]);
      });
    } catch (e) {
      // Bounded decode (docs/protocol.md, "Decoding limits"): a hostile body costs O(its bytes), then is counted here.
      this.#rejected(`malformed backplane message dropped: ${(e as Error).message}`, channel);
    }
  }

  #deliver(envelope: Envelope): void {
    for (const h of this.#handlers) h(envelope);
  }

  /** Counts a message dropped on receipt; warns at most once per 5 s. */
  #rejected(text: string, channel?: Buffer): void {
    this.#stats.rejected++;
    const now = Date.now();
    if (now - this.#lastRejectWarn < WARN_REJECTED_EVERY_MS) return;
    this.#lastRejectWarn = now;
    this.#log?.warn({ channel: channel?.toString('latin1').slice(0, 128), rejected: this.#stats.rejected }, text);
  }

  #dispatch(op: number, a: unknown[]): void {
    switch (op) {
      case BackplaneOp.PUSH: {
        const [userId, bytes, hops] = a as [string, Uint8Array, number];
        if (!isUserId(userId) || !(bytes instanceof Uint8Array)) return this.#rejected('push with a malformed user id dropped');
        if (this.directory.has(userId) || hops > 0) {
          this.#deliver({ kind: 'push', userId, bytes });
          return;
        }
        // Not registered here (moved or logged out since the sender's cache was filled): follow the directory once.
        this.directory.invalidate(userId);
        const copy = new Uint8Array(bytes); // a copy (Buffer#slice would not be): the view dies with this callback
        this.directory.locate(userId).then((found) => {
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
        if (!isUserId(userId) || typeof sessionId !== 'number' || typeof code !== 'string') return this.#rejected('malformed kick dropped');
        this.directory.kicked(userId, sessionId);
        this.#deliver({ kind: 'kick', userId, sessionId, code, text });
        return;
      }
      case BackplaneOp.EVENT: {
        const [userId, event] = a as [string, Extract<Envelope, { kind: 'event' }>['event']];
        // Lifecycle events (`hearth.*`) are the framework's own: never taken from another node.
        const type = (event as { type?: unknown } | null)?.type;
        if (!isUserId(userId) || typeof type !== 'string' || type.startsWith('hearth.')) return this.#rejected('malformed event dropped');
        this.#deliver({ kind: 'event', userId, event });
        return;
      }
      case BackplaneOp.RESUMED: {
        const [token, userId, nodeId] = a as [string, string, string];
        // (the key alphabet, as ClusterKeys checks it: the store's own tokens may be shorter than the holder's)
        if (!isUserId(token) || typeof nodeId !== 'string') return this.#rejected('malformed resume notice dropped');
        this.resumes.notify({ token, userId, nodeId });
        return;
      }
      case BackplaneOp.APP: {
        const [topic, from, payload] = a as [string, string, unknown];
        const handlers = this.#appHandlers.get(topic);
        if (handlers === undefined) return;
        for (const h of handlers) {
          try {
            h(payload, from);
          } catch (e) {
            this.#log?.warn({ err: e, topic }, 'node message handler threw');
          }
        }
        return;
      }
      default:
        this.#log?.debug({ op }, 'unknown backplane op dropped');
    }
  }
}
