import { randomBytes } from 'node:crypto';
import type { AnyDefinition, Payload } from '@hearth/protocol';
import { ErrorCode, Kind, encodeMessage } from '@hearth/protocol';
import { pino, type Logger } from 'pino';
import { createActor, createMachine } from 'xstate';
import type { AnyActorRef, EventObject } from 'xstate';
import type { Authenticator } from './authenticate.ts';
import type { Backplane, DirectoryEntry, Envelope } from './backplane/Backplane.ts';
import { backplaneUnavailable, isBackplaneDown } from './backplane/errors.ts';
import { MemoryBackplane } from './backplane/MemoryBackplane.ts';
import type { ResumeRecord } from './backplane/ResumeStore.ts';
import type { PlayerDefinition } from './player/definePlayer.ts';
import type { BroadcastOptions, Player } from './player/Player.ts';
import { PlayerActor } from './player/PlayerActor.ts';
import { PlayerTimers } from './player/PlayerTimer.ts';
import { asPortablePlayer } from './player/PortablePlayer.ts';
import type { PlayerHost, ResumeOutcome } from './player/PlayerHost.ts';
import type { PlayerSnapshot } from './player/PlayerSnapshot.ts';
import { resolveTimeouts, type PlayerTimeouts, type ResolvedTimeouts } from './PlayerTimeouts.ts';
import { EXPIRED_TOKEN, MALFORMED_TOKEN, UNKNOWN_TOKEN } from './resume/refusals.ts';
import { ResumeParking } from './resume/ResumeParking.ts';
import { systemClock, type Clock } from './time/Clock.ts';
import type { SessionHandle } from './transport.ts';
import { checkUserId, describeRejected, isResumeToken, isUserId } from './wireIds.ts';

/** Close code of a player restored from another node only to find its token past `tokenLifetime`. */
const TOKEN_EXPIRED = 'TOKEN_EXPIRED';
/** At most one "cross-node work failed" warning per this many ms (an outage would otherwise log per message). */
const WARN_EVERY_MS = 1_000;

/** Counters of a {@link Holder}'s cross-node work. */
export interface HolderStats {
  /** Pushes, events and broadcasts that could not leave this node (backplane down); local members were still reached. */
  remoteDropped: number;
  /** Players resumed here from a record parked by another node. */
  resumedFromOtherNodes: number;
  /** Players parked here that resumed on another node. */
  resumedElsewhere: number;
  /** User ids and resume tokens refused by their format check before any lookup (see `USER_ID_FORMAT`). */
  malformedIds: number;
}

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
}

/**
 * Keeps the live player actors of a node: finds them by session id or user id, delivers pushes to
 * users (connected or in grace), runs groups with encode-once broadcast, kicks a duplicate login,
 * and shows snapshots for the admin view. With a shared backplane, users on other nodes are
 * reached through its directory.
 *
 * Duplicate login **replaces** the older actor: it is closed with `KICKED` (its leave hook runs
 * and is awaited) before the new actor is admitted (and its join hook runs). A login is a fresh
 * start; continuity is what the resume token is for. Replacing keeps leave → join strictly ordered
 * (the leave hook can save what the join hook loads), drops nothing in flight from the old link
 * into the new one, and works the same across nodes (a kick message, no state transfer).
 */
export class Holder<G = unknown, E extends EventObject = EventObject> implements PlayerHost, Iterable<Player<G, E>> {
  readonly logger: Logger;
  readonly timeouts: ResolvedTimeouts;
  readonly authenticator: Authenticator;
  readonly clock: Clock;
  readonly root: AnyActorRef;
  /** @internal login, heartbeat-check and grace timers of every player actor (see PlayerTimer). */
  readonly timers: PlayerTimers;
  readonly backplane: Backplane;
  readonly definition: PlayerDefinition<G, E>;
  readonly #bySession = new Map<number, PlayerActor>();
  readonly #byUser = new Map<string, PlayerActor>();
  readonly #byToken = new Map<string, PlayerActor>();
  readonly #players = new Set<PlayerActor>();
  readonly #groups = new Map<string, Set<PlayerActor>>();
  readonly #unsubscribe: (() => void)[] = [];
  readonly #parking: ResumeParking | undefined;
  /** Remote resume claims in flight; while > 0, pushes for users not (yet) here are kept in #early. */
  #claims = 0;
  readonly #early = new Map<string, Uint8Array[]>();
  #lastWarnAt = 0;
  #closing: Promise<void> | undefined;
  /** Cross-node counters. */
  readonly stats: HolderStats = { remoteDropped: 0, resumedFromOtherNodes: 0, resumedElsewhere: 0, malformedIds: 0 };

  constructor(options: HolderOptions<G, E>) {
    this.definition = options.player;
    this.authenticator = options.authenticate;
    this.timeouts = resolveTimeouts(options.timeouts);
    const t = this.timeouts;
    const clock = (this.clock = options.clock ?? systemClock);
    this.timers = new PlayerTimers(t, clock);
    this.logger = options.logger ?? pino({ name: 'hearth.actor' });
    this.backplane = options.backplane ?? new MemoryBackplane();
    // The parent of every player actor. It takes every event ('*') so that a player's error or done
    // event relayed to it does not put the root itself in error.
    // Its clock is the system's: every player actor's delayed events (`after`) are set on it.
    this.root = createActor(createMachine({ id: 'holder', on: { '*': {} } }), { clock }).start();
    this.#unsubscribe.push(this.backplane.onEnvelope((envelope) => this.#onEnvelope(envelope)));
    const store = this.backplane.resumes;
    if (store !== undefined) {
      this.#parking = new ResumeParking({
        store,
        nodeId: this.backplane.nodeId,
        publish: (nodeId, envelope) => this.#publish(nodeId, envelope),
        logger: this.logger,
        graceMs: this.timeouts.grace,
        onMovedAway: () => this.stats.resumedElsewhere++,
      });
      this.#unsubscribe.push(store.onResumed((notice) => this.#resumedElsewhere(notice.token, notice.nodeId)));
    }
  }

  /** Live actors (any state but closed). */
  get size(): number {
    return this.#players.size;
  }

  /** Every live player (connected, awaiting login, or in grace). */
  [Symbol.iterator](): Iterator<Player<G, E>> {
    return (this.#players as Set<Player<G, E>>)[Symbol.iterator]();
  }

  /** The player attached to a session id. */
  atSession(sessionId: number): PlayerActor<G, E> | undefined {
    return this.#bySession.get(sessionId) as PlayerActor<G, E> | undefined;
  }

  /** The player of a logged-in user on this node (connected or in grace). */
  get(userId: string): Player<G, E> | undefined {
    return this.#byUser.get(userId) as Player<G, E> | undefined;
  }

  /**
   * Pushes to a user: delivered now if connected here, queued if in grace here. Otherwise, with a
   * shared backplane, forwarded to the node the directory names (best effort) and `false` is returned.
   */
  send<D extends AnyDefinition>(userId: string, definition: D, payload: Payload<D>): boolean {
    if (!isUserId(userId)) return this.rejectedWireId('user id', userId);
    const player = this.#byUser.get(userId);
    if (player !== undefined) return player.push(definition, payload);
    if (this.backplane.shared) {
      const bytes = encodeMessage({ kind: Kind.PUSH, type: definition.type, payload });
      this.#forward(userId, (nodeId) => this.backplane.publish(nodeId, { kind: 'push', userId, bytes }));
    }
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
    if (!isUserId(userId)) this.rejectedWireId('user id', userId);
    checkUserId(userId, 'recipient');
    const player = this.#byUser.get(userId);
    if (player !== undefined) return player.push(definition, payload);
    if (!this.backplane.shared) return false;
    if (this.backplane.available === false) throw backplaneUnavailable(`send to ${userId} on another node`);
    const entry = await this.backplane.directory.lookup(userId);
    const here = this.#byUser.get(userId); // it may have arrived while the lookup was in flight
    if (here !== undefined) return here.push(definition, payload);
    if (entry === undefined || entry.nodeId === this.backplane.nodeId) return false;
    const bytes = encodeMessage({ kind: Kind.PUSH, type: definition.type, payload });
    this.backplane.publish(entry.nodeId, { kind: 'push', userId, bytes });
    return true;
  }

  /** Sends a statechart event to a user's actor (here, or forwarded like {@link Holder.send}). */
  dispatch(userId: string, event: EventObject): boolean {
    if (!isUserId(userId)) return this.rejectedWireId('user id', userId);
    const player = this.#byUser.get(userId);
    if (player !== undefined && player.alive) {
      player.raise(event);
      return true;
    }
    if (this.backplane.shared) this.#forward(userId, (nodeId) => this.backplane.publish(nodeId, { kind: 'event', userId, event }));
    return false;
  }

  /**
   * Pushes to every member of a group: the message is encoded once and the same bytes are appended
   * to each member's batch (or grace queue). Returns the number of local members reached.
   */
  broadcast<D extends AnyDefinition>(
    group: string,
    definition: D,
    payload: Payload<D>,
    options: BroadcastOptions & { from?: PlayerActor } = {},
  ): number {
    const members = this.#groups.get(group);
    const except = options.exceptSelf === true ? options.from : undefined;
    if (members === undefined && !this.backplane.shared) return 0;
    const bytes = encodeMessage({ kind: Kind.PUSH, type: definition.type, payload });
    let reached = 0;
    if (members !== undefined) for (const member of members) if (member !== except && member.deliverEncoded(bytes)) reached++;
    if (this.backplane.shared) {
      // Local members were reached: a backplane outage costs the other nodes' members, not this call.
      if (this.backplane.available === false) this.#remoteFailed(undefined, { group }, 'cross-node broadcast dropped: backplane down');
      else {
        try {
          this.backplane.publishGroup({ kind: 'group', group, bytes, ...(except ? { exceptUserId: except.userId } : {}) });
        } catch (err) {
          this.#remoteFailed(err, { group }, 'cross-node broadcast failed; local members were reached');
        }
      }
    }
    return reached;
  }

  /** The local members of a group. */
  members(group: string): ReadonlySet<Player<G, E>> {
    return (this.#groups.get(group) ?? new Set()) as ReadonlySet<Player<G, E>>;
  }

  /** Names of the groups with local members. */
  groupNames(): string[] {
    return [...this.#groups.keys()];
  }

  /** Ends a user's actor here with `code` (default `KICKED`); resolves when its leave hook ran. */
  async kick(userId: string, code: string = ErrorCode.KICKED, text = 'kicked by the server'): Promise<boolean> {
    if (!isUserId(userId)) return this.rejectedWireId('user id', userId);
    const player = this.#byUser.get(userId);
    if (player === undefined) return false;
    await player.close(code, text);
    return true;
  }

  /** Snapshots of every live actor, for the admin view. */
  snapshots(): PlayerSnapshot[] {
    return [...this.#players].map((p) => p.snapshot());
  }

  /**
   * Ends every actor with `code` (default `SHUTDOWN`), waits for their leave hooks, and stops.
   * Idempotent. With a Redis backplane, close the holder (or the node) first and the backplane after:
   * the directory entries and parked records are released through it.
   */
  close(code: string = ErrorCode.SHUTDOWN, text = 'the server is shutting down'): Promise<void> {
    return (this.#closing ??= (async () => {
      await Promise.all([...this.#players].map((p) => p.close(code, text)));
      for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
      this.root.stop();
      this.timers.close();
    })());
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Creates the actor of a session that just opened (called by the binder). */
  spawn(ref: SessionHandle): PlayerActor<G, E> {
    const player = new PlayerActor<G, E>(this, this.definition, ref);
    this.#players.add(player as PlayerActor);
    this.#bySession.set(ref.id, player as PlayerActor);
    if (this.#closing !== undefined) player.close(ErrorCode.SHUTDOWN, 'the server is shutting down');
    else player.transition({ type: 'hearth.opened' });
    return player;
  }

  /** A session closed (called by the binder). */
  sessionClosed(sessionId: number, code: string): void {
    const player = this.#bySession.get(sessionId);
    if (player === undefined) return;
    this.#bySession.delete(sessionId);
    if (player.alive) player.transition({ type: 'hearth.disconnected', code });
  }

  // ---- PlayerHost ----

  /** @internal */
  bindSession(sessionId: number, player: PlayerActor): void {
    this.#bySession.set(sessionId, player);
  }

  /** @internal */
  unbindSession(sessionId: number, player: PlayerActor): void {
    if (this.#bySession.get(sessionId) === player) this.#bySession.delete(sessionId);
  }

  /** @internal */
  async claim(userId: string, player: PlayerActor): Promise<void> {
    const older = this.#byUser.get(userId);
    this.#byUser.set(userId, player);
    if (older !== undefined && older !== player) await older.close(ErrorCode.KICKED, 'logged in elsewhere');
    if (!player.alive) return;
    await this.#register(userId, player, undefined);
  }

  /** @internal */
  resume(token: string, ref: SessionHandle, rid: number, from: PlayerActor): ResumeOutcome | Promise<ResumeOutcome> {
    if (!isResumeToken(token)) {
      this.rejectedWireId('resume token', token);
      return MALFORMED_TOKEN;
    }
    const target = this.#byToken.get(token);
    if (target !== undefined) {
      if (!target.alive || target === from) return UNKNOWN_TOKEN;
      // Expired, or live on its own connection: refused, and the live session is left untouched.
      const allowed = target.resumable();
      if (allowed !== true) return allowed;
      if (this.#parking?.mustClaim(target) === true) return this.#resumeParked(token, target, ref, rid, from);
      this.#parking?.resumed(target);
      from.handOff();
      target.attachResuming(ref, rid);
      return true;
    }
    if (this.#parking !== undefined && this.backplane.resumes !== undefined) return this.#resumeFromCluster(token, ref, rid, from);
    return UNKNOWN_TOKEN;
  }

  /** @internal counts and logs (debug) a wire string refused by its format check; returns false for the caller */
  rejectedWireId(what: string, value: unknown): false {
    this.stats.malformedIds++;
    this.logger.debug({ what, value: describeRejected(value) }, 'malformed id refused before any lookup');
    return false;
  }

  /** @internal */
  park(player: PlayerActor): void {
    this.#parking?.park(player);
  }

  /** @internal */
  queued(player: PlayerActor, bytes: Uint8Array): void {
    this.#parking?.queued(player, bytes);
  }

  /** @internal */
  graceExpiring(player: PlayerActor): boolean {
    return this.#parking?.expiring(player) ?? false;
  }

  /** @internal */
  issueToken(player: PlayerActor, previous: string | undefined): string {
    if (previous !== undefined) this.#byToken.delete(previous);
    const token = randomBytes(18).toString('base64url');
    this.#byToken.set(token, player);
    return token;
  }

  /** @internal */
  remove(player: PlayerActor): void {
    this.#parking?.forget(player);
    this.#players.delete(player);
    const token = player.token;
    if (token !== undefined && this.#byToken.get(token) === player) this.#byToken.delete(token);
    const userId = player.userId;
    if (userId !== '' && this.#byUser.get(userId) === player) {
      this.#byUser.delete(userId);
      void this.backplane.directory
        .release({ userId, nodeId: this.backplane.nodeId, sessionId: player.sessionId })
        .catch((err: unknown) => this.logger.warn({ err, userId }, 'directory release failed'));
    }
    for (const group of player.groups) this.leaveGroup(group, player);
  }

  /** @internal */
  joinGroup(group: string, player: PlayerActor): void {
    let members = this.#groups.get(group);
    if (members === undefined) {
      this.#groups.set(group, (members = new Set()));
      this.backplane.watchGroup(group, true);
    }
    members.add(player);
  }

  /** @internal */
  leaveGroup(group: string, player: PlayerActor): void {
    const members = this.#groups.get(group);
    if (members === undefined || !members.delete(player) || members.size > 0) return;
    this.#groups.delete(group);
    this.backplane.watchGroup(group, false);
  }

  /** A local resume of a player parked in the cluster's store: claim its record first (one winner). */
  async #resumeParked(token: string, target: PlayerActor, ref: SessionHandle, rid: number, from: PlayerActor): Promise<ResumeOutcome> {
    const won = await this.#parking!.claimLocal(target);
    if (!won || !target.alive || target.token !== token) return UNKNOWN_TOKEN;
    if (!from.alive || from.ref !== ref) return UNKNOWN_TOKEN; // the resuming connection went away meanwhile
    this.#parking!.resumed(target);
    from.handOff();
    target.attachResuming(ref, rid);
    return true;
  }

  /** A token this node does not hold: claim it from the cluster and restore the player here. */
  async #resumeFromCluster(token: string, ref: SessionHandle, rid: number, from: PlayerActor): Promise<ResumeOutcome> {
    this.#claims++;
    try {
      let record: ResumeRecord | undefined;
      try {
        record = await this.backplane.resumes!.claim(token);
      } catch (err) {
        if (!isBackplaneDown(err)) throw err;
        return { code: err.code, text: err.message };
      }
      // Ours but no longer here: the actor ended meanwhile (its leave hook ran); do not bring it back.
      if (record === undefined || record.nodeId === this.backplane.nodeId) return UNKNOWN_TOKEN;
      return this.#restore(record, ref, rid, from);
    } finally {
      if (--this.#claims === 0) this.#early.clear();
    }
  }

  /** Spawns the actor of a player parked on another node, attaches the resuming connection, registers it. */
  #restore(record: ResumeRecord, ref: SessionHandle, rid: number, from: PlayerActor): ResumeOutcome {
    const state = asPortablePlayer(record.snapshot);
    if (state === undefined || state.userId !== record.userId) {
      this.logger.error({ userId: record.userId, nodeId: record.nodeId }, 'resume record holds no player snapshot; log in again');
      return UNKNOWN_TOKEN;
    }
    const userId = record.userId;
    // Pushes that followed the player here before it was registered, after the record's own queue.
    const early = this.#early.get(userId) ?? [];
    this.#early.delete(userId);
    const player = new PlayerActor<G, E>(this, this.definition, undefined, {
      state,
      sessionId: record.sessionId,
      queued: early.length > 0 ? [...record.queued, ...early] : record.queued,
    }) as PlayerActor;
    if (this.clock.now() - player.loginAt > this.timeouts.tokenLifetime) {
      // Claimed (so the parking node stops quietly) but too old to resume: it ends here, leave hook and all.
      void player.close(TOKEN_EXPIRED, 'resume token past its lifetime');
      return EXPIRED_TOKEN;
    }
    this.#players.add(player);
    const older = this.#byUser.get(userId);
    this.#byUser.set(userId, player);
    if (older !== undefined && older !== player) void older.close(ErrorCode.KICKED, 'logged in elsewhere');
    this.stats.resumedFromOtherNodes++;
    if (!from.alive || from.ref !== ref || this.#closing !== undefined) {
      // The resuming connection went away while the record was claimed: the player ends here.
      void player.close(ErrorCode.CLOSED, 'the resuming connection closed');
      return UNKNOWN_TOKEN;
    }
    from.handOff();
    player.attachResuming(ref, rid);
    this.#register(userId, player, { nodeId: record.nodeId, sessionId: record.sessionId }).catch((err: unknown) =>
      this.logger.warn({ err, userId }, 'directory write after a cross-node resume failed'),
    );
    return true;
  }

  /** Writes the directory entry of `player`; kicks an older entry on another node unless it is `replaces` (the parked twin). */
  async #register(userId: string, player: PlayerActor, replaces: Omit<DirectoryEntry, 'userId'> | undefined): Promise<void> {
    const entry: DirectoryEntry = { userId, nodeId: this.backplane.nodeId, sessionId: player.sessionId };
    const previous = await this.backplane.directory.claim(entry);
    if (previous === undefined || previous.nodeId === this.backplane.nodeId) return;
    if (replaces !== undefined && previous.nodeId === replaces.nodeId && previous.sessionId === replaces.sessionId) return;
    this.#publish(previous.nodeId, { kind: 'kick', userId, sessionId: previous.sessionId, code: ErrorCode.KICKED, text: 'logged in elsewhere' });
  }

  /** The store says a player parked here resumed on `nodeId`: stop it quietly. */
  #resumedElsewhere(token: string, nodeId: string): void {
    const player = this.#byToken.get(token);
    if (player === undefined || player.phase !== 'disconnected') return;
    this.#parking?.movedAway(player, nodeId);
  }

  /** Publishes to a node; an outage is logged (throttled) and counted, never thrown into game code. */
  #publish(nodeId: string, envelope: Envelope): void {
    try {
      this.backplane.publish(nodeId, envelope);
    } catch (err) {
      this.#remoteFailed(err, { nodeId, kind: envelope.kind }, 'cross-node message dropped');
    }
  }

  #forward(userId: string, publish: (nodeId: string) => void): void {
    if (this.backplane.available === false) {
      this.#remoteFailed(undefined, { userId }, 'cross-node message dropped: backplane down');
      return;
    }
    this.backplane.directory.lookup(userId).then(
      (entry) => {
        if (entry === undefined || entry.nodeId === this.backplane.nodeId) return;
        try {
          publish(entry.nodeId);
        } catch (err) {
          this.#remoteFailed(err, { userId }, 'cross-node message dropped');
        }
      },
      (err: unknown) => this.#remoteFailed(err, { userId }, 'directory lookup failed; message dropped'),
    );
  }

  /** Counts a dropped cross-node operation; logs at most one warning per second (with how many were dropped). */
  #remoteFailed(err: unknown, context: Record<string, unknown>, text: string): void {
    this.stats.remoteDropped++;
    const now = Date.now();
    if (now - this.#lastWarnAt < WARN_EVERY_MS) return;
    this.#lastWarnAt = now;
    this.logger.warn({ ...(err === undefined ? {} : { err }), ...context, remoteDropped: this.stats.remoteDropped }, text);
  }

  #onEnvelope(envelope: Envelope): void {
    switch (envelope.kind) {
      case 'push': {
        const player = this.#byUser.get(envelope.userId);
        if (player !== undefined) player.deliverEncoded(envelope.bytes);
        else if (this.#claims > 0) this.#keepEarly(envelope.userId, envelope.bytes);
        return;
      }
      case 'event':
        this.#byUser.get(envelope.userId)?.raise(envelope.event);
        return;
      case 'group': {
        const members = this.#groups.get(envelope.group);
        if (members === undefined) return;
        for (const member of members) if (member.userId !== envelope.exceptUserId) member.deliverEncoded(envelope.bytes);
        return;
      }
      case 'kick': {
        const player = this.#byUser.get(envelope.userId);
        if (player !== undefined && player.sessionId === envelope.sessionId) void player.close(envelope.code, envelope.text);
        return;
      }
    }
  }

  /** A push for a user who may be resuming here right now (a remote claim is in flight): keep it, bounded. */
  #keepEarly(userId: string, bytes: Uint8Array): void {
    let kept = this.#early.get(userId);
    if (kept === undefined) this.#early.set(userId, (kept = []));
    if (kept.length < this.timeouts.queueLimit) kept.push(bytes.slice()); // a copy: the view belongs to the backplane's read buffer
  }
}
