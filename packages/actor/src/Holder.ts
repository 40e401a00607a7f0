import type { AnyDefinition, Payload } from '@hearth/protocol';
import { ErrorCode, Kind, encodeMessage } from '@hearth/protocol';
import { pino, type Logger } from 'pino';
import { createActor, createMachine } from 'xstate';
import type { EventObject } from 'xstate';
import type { Authenticator } from './authenticate.ts';
import type { Backplane, Envelope } from './backplane/Backplane.ts';
import { MemoryBackplane } from './backplane/MemoryBackplane.ts';
import { ClusterBridge } from './holder/ClusterBridge.ts';
import { Groups } from './holder/Groups.ts';
import type { HolderStats } from './holder/HolderStats.ts';
import { PlayerRegistry } from './holder/PlayerRegistry.ts';
import { ResumeCoordinator, type PlayerMoves } from './holder/ResumeCoordinator.ts';
import type { PlayerDefinition } from './player/definePlayer.ts';
import type { Player } from './player/Player.ts';
import { PlayerActor } from './player/PlayerActor.ts';
import type { PlayerHost } from './player/PlayerHost.ts';
import type { PlayerSnapshot } from './player/PlayerSnapshot.ts';
import { PlayerTimers } from './player/PlayerTimer.ts';
import { resolveTimeouts, type PlayerTimeouts } from './PlayerTimeouts.ts';
import { systemClock, type Clock } from './time/Clock.ts';
import type { SessionHandle } from './transport.ts';
import { checkUserId, describeRejected, isUserId } from './wireIds.ts';

export type { HolderStats } from './holder/HolderStats.ts';

/** Options of a {@link Holder}. */
export interface HolderOptions<G, E extends EventObject> {
  /** The game's player definition (`definePlayer(...)`). */
  player: PlayerDefinition<G, E>;
  /** The login check (`devAuthenticator` for local play). */
  authenticate: Authenticator;
  /** Lifecycle timing (login timeout, heartbeat timeout, grace, queue limit). */
  timeouts?: PlayerTimeouts;
  /** How nodes talk. @defaultValue a lone `MemoryBackplane` */
  backplane?: Backplane;
  /** @defaultValue `pino({ name: 'hearth.actor' })` */
  logger?: Logger;
  /**
   * Time of every timer (login, heartbeat check, grace, the statecharts' `after` delays), idle age
   * and token lifetime. Tests pass a `ManualClock` from `@hearth/actor/testing`. @defaultValue systemClock
   */
  clock?: Clock;
  /** @internal what follows a player that resumes on another node (createNode: the cluster's room seats). */
  moves?: PlayerMoves;
}

/** What the binder (and only it) uses of a holder: not part of the public surface. @internal */
export interface HolderInternals {
  readonly definition: PlayerDefinition<unknown, EventObject>;
  /** Creates the actor of a session that just opened. */
  spawn(ref: SessionHandle): void;
  /** A session closed. */
  sessionClosed(sessionId: number, code: string): void;
  atSession(sessionId: number): PlayerActor | undefined;
  readonly rejectedWireId: (what: string, value: unknown) => void;
}

const internals = new WeakMap<object, HolderInternals>();

/** The binder's access to a holder (see {@link HolderInternals}). @internal */
export function holderInternals(holder: object): HolderInternals {
  return internals.get(holder)!;
}

/**
 * Keeps the live players of a node: finds them by user id, delivers pushes to users (connected or
 * in grace), runs groups with encode-once broadcast, kicks a duplicate login, and shows snapshots
 * for the admin view. With a shared backplane, users on other nodes are reached through its
 * directory. Its parts: the {@link PlayerRegistry}, the {@link Groups}, the {@link ClusterBridge}
 * (cross-node) and the {@link ResumeCoordinator}; the player actors reach them through a private
 * host object, not through this class.
 *
 * Duplicate login **replaces** the older actor: it is closed with `KICKED` (its leave hook runs
 * and is awaited) before the new actor is admitted (and its join hook runs). A login is a fresh
 * start; continuity is what the resume token is for. Replacing keeps leave → join strictly ordered
 * (the leave hook can save what the join hook loads), drops nothing in flight from the old link
 * into the new one, and works the same across nodes (a kick message, no state transfer).
 */
export class Holder<G = unknown, E extends EventObject = EventObject> implements Iterable<Player<G, E>> {
  /** Cross-node counters. */
  readonly stats: HolderStats = { remoteDropped: 0, resumedFromOtherNodes: 0, resumedElsewhere: 0, malformedIds: 0 };
  readonly #logger: Logger;
  readonly #backplane: Backplane;
  readonly #registry = new PlayerRegistry();
  readonly #groups: Groups;
  readonly #bridge: ClusterBridge;
  readonly #resumes: ResumeCoordinator;
  readonly #timers: PlayerTimers;
  readonly #host: PlayerHost;
  readonly #unsubscribe: () => void;
  #closing: Promise<void> | undefined;

  constructor(options: HolderOptions<G, E>) {
    const definition = options.player;
    const timeouts = resolveTimeouts(options.timeouts);
    const clock = options.clock ?? systemClock;
    const logger = (this.#logger = options.logger ?? pino({ name: 'hearth.actor' }));
    const backplane = (this.#backplane = options.backplane ?? new MemoryBackplane());
    const registry = this.#registry;
    this.#timers = new PlayerTimers(timeouts, clock);
    this.#groups = new Groups(backplane);
    const bridge = (this.#bridge = new ClusterBridge(backplane, logger, this.stats));
    // The parent of every player actor. It takes every event ('*') so that a player's error or done
    // event relayed to it does not put the root itself in error. Its clock is the system's: every
    // player actor's delayed events (`after`) are set on it.
    const root = createActor(createMachine({ id: 'holder', on: { '*': {} } }), { clock }).start();
    const rejectedWireId = (what: string, value: unknown): false => this.#rejectedWireId(what, value);
    const host: PlayerHost = (this.#host = {
      logger,
      timeouts,
      clock,
      authenticator: options.authenticate,
      root,
      timers: this.#timers,
      bindSession: (sessionId, player) => registry.bindSession(sessionId, player),
      unbindSession: (sessionId, player) => registry.unbindSession(sessionId, player),
      claim: async (userId, player) => {
        const older = registry.setUser(userId, player);
        if (older !== undefined) await older.close(ErrorCode.KICKED, 'logged in elsewhere');
        if (player.alive) await bridge.register(userId, player.sessionId, undefined);
      },
      resume: (token, ref, rid, from) => this.#resumes.resume(token, ref, rid, from),
      rejectedWireId,
      issueToken: (player, previous) => registry.issueToken(player, previous),
      park: (player) => this.#resumes.park(player),
      queued: (player, bytes) => this.#resumes.queued(player, bytes),
      graceExpiring: (player) => this.#resumes.graceExpiring(player),
      remove: (player) => {
        this.#resumes.forget(player);
        if (registry.remove(player)) bridge.release(player.userId, player.sessionId);
        for (const group of player.groups) this.#groups.leave(group, player);
      },
      send: (userId, def, payload) => this.send(userId, def, payload),
      deliver: (userId, def, payload) => this.deliver(userId, def, payload),
      broadcast: (group, def, payload, opts) => this.#broadcast(group, def, payload, opts?.exceptSelf === true ? opts.from : undefined),
      joinGroup: (group, player) => this.#groups.join(group, player),
      leaveGroup: (group, player) => this.#groups.leave(group, player),
    });
    this.#resumes = new ResumeCoordinator({
      registry,
      bridge,
      backplane,
      stats: this.stats,
      logger,
      clock,
      timeouts,
      restore: (restored) => new PlayerActor(host, definition, undefined, restored),
      closing: () => this.#closing !== undefined,
      rejectedWireId,
      moves: options.moves,
    });
    this.#unsubscribe = backplane.onEnvelope((envelope) => this.#onEnvelope(envelope));
    internals.set(this, {
      definition: definition as unknown as PlayerDefinition<unknown, EventObject>,
      spawn: (ref) => this.#spawn(ref, definition),
      sessionClosed: (sessionId, code) => {
        const player = registry.atSession(sessionId);
        if (player === undefined) return;
        registry.unbindSession(sessionId);
        if (player.alive) player.transition({ type: 'hearth.disconnected', code });
      },
      atSession: (sessionId) => registry.atSession(sessionId),
      rejectedWireId,
    });
  }

  /** Live actors (any state but closed). */
  get size(): number {
    return this.#registry.size;
  }

  /** Every live player (connected, awaiting login, or in grace). */
  [Symbol.iterator](): Iterator<Player<G, E>> {
    return this.#registry[Symbol.iterator]() as Iterator<Player<G, E>>;
  }

  /** The player attached to a session id (for admin views). */
  atSession(sessionId: number): PlayerActor<G, E> | undefined {
    return this.#registry.atSession(sessionId) as PlayerActor<G, E> | undefined;
  }

  /** The player of a logged-in user on this node (connected or in grace). */
  get(userId: string): Player<G, E> | undefined {
    return this.#registry.ofUser(userId) as Player<G, E> | undefined;
  }

  /**
   * Pushes to a user: delivered now if connected here, queued if in grace here. Otherwise, with a
   * shared backplane, forwarded to the node the directory names (best effort) and `false` is returned.
   */
  send<D extends AnyDefinition>(userId: string, definition: D, payload: Payload<D>): boolean {
    if (!isUserId(userId)) return this.#rejectedWireId('user id', userId);
    const player = this.#registry.ofUser(userId);
    if (player !== undefined) return player.push(definition, payload);
    if (this.#bridge.shared) this.#bridge.forward(userId, { kind: 'push', userId, bytes: encodeMessage({ kind: Kind.PUSH, type: definition.type, payload }) });
    return false;
  }

  /**
   * Pushes to a user wherever it is, and says whether it got there: `true` once delivered here
   * (or queued in grace) or handed to the node the directory names, `false` when the user is logged
   * in nowhere. Unlike {@link Holder.send} it reports cross-node failure: it rejects with
   * `HearthError` `BACKPLANE_UNAVAILABLE` at once while the backplane is down (nothing is queued),
   * so a handler that returns it answers the client with that code. A `userId` outside
   * `USER_ID_FORMAT` (e.g. a whisper target from the wire) rejects with `BAD_REQUEST` before any lookup.
   *
   * @example
   * .handle(Whisper, (p, { to, text }) => p.deliver(to, ChatSeen, { from: p.userId, text }))
   */
  async deliver<D extends AnyDefinition>(userId: string, definition: D, payload: Payload<D>): Promise<boolean> {
    if (!isUserId(userId)) this.#rejectedWireId('user id', userId);
    checkUserId(userId, 'recipient');
    const player = this.#registry.ofUser(userId);
    if (player !== undefined) return player.push(definition, payload);
    if (!this.#bridge.shared) return false;
    const nodeId = await this.#bridge.nodeOf(userId);
    const here = this.#registry.ofUser(userId); // it may have arrived while the lookup was in flight
    if (here !== undefined) return here.push(definition, payload);
    if (nodeId === undefined) return false;
    this.#backplane.publish(nodeId, { kind: 'push', userId, bytes: encodeMessage({ kind: Kind.PUSH, type: definition.type, payload }) });
    return true;
  }

  /** Sends a statechart event to a user's actor (here, or forwarded like {@link Holder.send}). */
  dispatch(userId: string, event: E): boolean {
    if (!isUserId(userId)) return this.#rejectedWireId('user id', userId);
    const player = this.#registry.ofUser(userId);
    if (player !== undefined && player.alive) {
      player.raise(event);
      return true;
    }
    if (this.#bridge.shared) this.#bridge.forward(userId, { kind: 'event', userId, event });
    return false;
  }

  /**
   * Pushes to every member of a group: the message is encoded once and the same bytes are appended
   * to each member's batch (or grace queue); `exceptUserId` skips that user on every node.
   * Returns the number of local members reached.
   */
  broadcast<D extends AnyDefinition>(group: string, definition: D, payload: Payload<D>, exceptUserId?: string): number {
    return this.#broadcast(group, definition, payload, exceptUserId);
  }

  /** This node's id (its backplane's). */
  get nodeId(): string {
    return this.#backplane.nodeId;
  }

  /** The local members of a group. */
  members(group: string): ReadonlySet<Player<G, E>> {
    return this.#groups.members(group) as ReadonlySet<Player<G, E>>;
  }

  /** Names of the groups with local members. */
  groupNames(): string[] {
    return this.#groups.names();
  }

  /** Ends a user's actor here with `code` (default `KICKED`); resolves when its leave hook ran. */
  async kick(userId: string, code: string = ErrorCode.KICKED, text = 'kicked by the server'): Promise<boolean> {
    if (!isUserId(userId)) return this.#rejectedWireId('user id', userId);
    const player = this.#registry.ofUser(userId);
    if (player === undefined) return false;
    await player.close(code, text);
    return true;
  }

  /** Snapshots of the live actors, for the admin view: `limit` of them from `offset`, in iteration order (default: all). */
  snapshots(offset = 0, limit = Infinity): PlayerSnapshot[] {
    // A page costs a snapshot per listed player only (the admin's session list).
    const page: PlayerSnapshot[] = [];
    let i = 0;
    for (const p of this.#registry) {
      if (i++ < offset) continue;
      if (page.length >= limit) break;
      page.push(p.snapshot());
    }
    return page;
  }

  /**
   * Ends every actor with `code` (default `SHUTDOWN`), waits for their leave hooks, and stops.
   * Idempotent. With a Redis backplane, close the holder (or the node) first and the backplane after:
   * the directory entries and parked records are released through it.
   */
  close(code: string = ErrorCode.SHUTDOWN, text = 'the server is shutting down'): Promise<void> {
    return (this.#closing ??= (async () => {
      await Promise.all(Array.from(this.#registry, (p) => p.close(code, text)));
      this.#unsubscribe();
      this.#resumes.close();
      this.#host.root.stop();
      this.#timers.close();
    })());
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #spawn(ref: SessionHandle, definition: PlayerDefinition<G, E>): void {
    const player = new PlayerActor<G, E>(this.#host, definition, ref) as PlayerActor;
    this.#registry.add(player);
    this.#registry.bindSession(ref.id, player);
    if (this.#closing !== undefined) void player.close(ErrorCode.SHUTDOWN, 'the server is shutting down');
    else player.transition({ type: 'hearth.opened' });
  }

  #broadcast<D extends AnyDefinition>(group: string, definition: D, payload: Payload<D>, except: PlayerActor | string | undefined): number {
    const shared = this.#bridge.shared;
    if (!shared && this.#groups.members(group).size === 0) return 0;
    const bytes = encodeMessage({ kind: Kind.PUSH, type: definition.type, payload });
    const reached = this.#groups.deliver(group, bytes, except);
    // Local members were reached first: a backplane outage costs the other nodes' members, not this call.
    if (shared) this.#bridge.publishGroup(group, bytes, typeof except === 'string' ? except : except?.userId);
    return reached;
  }

  /** Counts and logs (debug) a wire string refused by its format check; returns false for the caller. */
  #rejectedWireId(what: string, value: unknown): false {
    this.stats.malformedIds++;
    this.#logger.debug({ what, value: describeRejected(value) }, 'malformed id refused before any lookup');
    return false;
  }

  /** An envelope from another node. */
  #onEnvelope(envelope: Envelope): void {
    switch (envelope.kind) {
      case 'push': {
        const player = this.#registry.ofUser(envelope.userId);
        if (player !== undefined) player.deliverEncoded(envelope.bytes);
        else this.#resumes.keepEarly(envelope.userId, envelope.bytes);
        return;
      }
      case 'event':
        this.#registry.ofUser(envelope.userId)?.raise(envelope.event);
        return;
      case 'group':
        this.#groups.deliver(envelope.group, envelope.bytes, envelope.exceptUserId);
        return;
      case 'kick': {
        const player = this.#registry.ofUser(envelope.userId);
        if (player !== undefined && player.sessionId === envelope.sessionId) void player.close(envelope.code, envelope.text);
        return;
      }
    }
  }
}
