import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { HearthError } from '@hearth/protocol';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Backplane, Envelope } from '../backplane/Backplane.ts';
import { backplaneUnavailable, BackplaneErrorCode } from '../backplane/errors.ts';
import { BackplaneInbox } from './BackplaneInbox.ts';
import { BackplaneOp } from './BackplaneOp.ts';
import { ClusterKeys } from './ClusterKeys.ts';
import { EnvelopeSigner } from './EnvelopeSigner.ts';
import { NodeMessages } from './NodeMessages.ts';
import { scripted, type ClusterLink } from './ClusterLink.ts';
import { NodeRegistry } from './NodeRegistry.ts';
import { PublishBatcher } from './PublishBatcher.ts';
import { RedisDirectory } from './RedisDirectory.ts';
import { DEFAULT_DIRECTORY_CACHE_MS, DEFAULT_HEARTBEAT_MS, DEFAULT_KEY_PREFIX, DEFAULT_RESUME_QUEUE_LIMIT, type RedisBackplaneOptions } from './RedisBackplaneOptions.ts';
import { redisConnections } from './redisConnections.ts';
import { RedisResumeStore } from './RedisResumeStore.ts';
import type { BackplaneEvents, BackplaneStats, NodeInfo } from './types.ts';

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
  readonly #inbox: BackplaneInbox;
  /** Channels this node wants to hear; reconciled on every (re)connect. */
  readonly #channels = new Set<string>();
  readonly #listeners: { [E in keyof BackplaneEvents]: Set<BackplaneEvents[E]> } = { up: new Set(), down: new Set() };
  readonly #handlers = new Set<(envelope: Envelope) => void>();
  /** Application messages under named topics (`sendToNode`, `onNodeMessage`). */
  readonly #messages: NodeMessages;
  /** Groups whose broadcasts stay on this node ({@link keepLocal}). */
  #isLocal: ((group: string) => boolean) | undefined;
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
    const connections = redisConnections(options, this.nodeId);
    this.#pub = connections.pub;
    this.#sub = connections.sub;
    for (const client of [this.#pub, this.#sub]) {
      client.on('ready', () => void this.#recover());
      client.on('close', () => this.#lost());
      client.on('error', (e: Error) => {
        if (this.#lastError?.message !== e.message) this.#log?.warn({ err: e }, 'redis connection error');
        this.#lastError = e;
      });
    }
    this.#sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.#inbox.receive(channel, message));
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
    this.#messages = new NodeMessages({ nodeId: this.nodeId, keys: this.keys, batcher: this.#batcher, ensureUp: (what) => this.#ensureUp(what) });
    this.#registry = new NodeRegistry(link, ttlMs);
    this.directory = new RedisDirectory(link, { ttlMs, cacheMs: options.directoryCacheMs ?? DEFAULT_DIRECTORY_CACHE_MS }, (e) => this.#deliver(e));
    this.resumes = new RedisResumeStore(link, options.resumeQueueLimit ?? DEFAULT_RESUME_QUEUE_LIMIT, (n) => this.#registry.isLive(n));
    this.#inbox = new BackplaneInbox({
      nodeId: this.nodeId,
      keys: this.keys,
      directory: this.directory,
      resumes: this.resumes,
      batcher: this.#batcher,
      stats: this.#stats,
      log: this.#log,
      signer: this.#signer,
      appHandlers: this.#messages.handlers,
      available: isAvailable,
      deliver: (e) => this.#deliver(e),
    });
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
    this.#messages.send(nodeId, topic, payload);
  }

  /** Receives the application messages sent to this node under `topic`; returns the unsubscribe function. */
  onNodeMessage(topic: string, handler: (payload: unknown, fromNodeId: string) => void): () => void {
    return this.#messages.on(topic, handler);
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
   * Broadcasts one encoded message to a group's members on every other node (this node's members
   * are the caller's to reach locally). One PUBLISH per group per turn, whatever the member count.
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down.
   */
  publishGroup(envelope: Extract<Envelope, { kind: 'group' }>): void {
    if (this.#isLocal?.(envelope.group) === true) return;
    this.#ensureUp(`broadcast to group ${envelope.group}`);
    this.#batcher.add(this.keys.groupChannel(envelope.group), BackplaneOp.GROUP, [envelope.group, envelope.bytes, this.nodeId, envelope.exceptUserId ?? null]);
  }

  /**
   * `isLocal(group)` true: no other node has members of `group` now (a room whose members are all
   * here: `isLocalRoomGroup`), so `publishGroup` sends nothing for it. Set by the cluster's rooms.
   */
  keepLocal(isLocal: (group: string) => boolean): void {
    this.#isLocal = isLocal;
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

  /**
   * Live nodes of the cluster (registrations not yet expired), this one included.
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down.
   */
  nodes(): Promise<NodeInfo[]> {
    return this.#registry.list();
  }

  /** Whether `nodeId` is registered and its registration has not lapsed (Redis clock). Rejects while Redis is down. */
  async isNodeLive(nodeId: string): Promise<boolean> {
    this.#ensureUp(`check node ${nodeId}`);
    try {
      return await this.#registry.isLive(nodeId);
    } catch (cause) {
      throw backplaneUnavailable(`check node ${nodeId}`, cause);
    }
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
    this.#messages.clear();
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

  #deliver(envelope: Envelope): void {
    for (const h of this.#handlers) h(envelope);
  }
}
