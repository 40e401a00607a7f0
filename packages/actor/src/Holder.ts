import { randomBytes } from 'node:crypto';
import type { AnyDefinition, Payload } from '@hearth/protocol';
import { ErrorCode, Kind, encodeMessage } from '@hearth/protocol';
import { pino, type Logger } from 'pino';
import { createActor, createMachine } from 'xstate';
import type { AnyActorRef, EventObject } from 'xstate';
import type { Authenticator } from './authenticate.ts';
import type { Backplane, DirectoryEntry, Envelope } from './backplane/Backplane.ts';
import { MemoryBackplane } from './backplane/MemoryBackplane.ts';
import type { PlayerDefinition } from './player/definePlayer.ts';
import type { BroadcastOptions, Player } from './player/Player.ts';
import { PlayerActor } from './player/PlayerActor.ts';
import type { PlayerHost } from './player/PlayerHost.ts';
import type { PlayerSnapshot } from './player/PlayerSnapshot.ts';
import { resolveTimeouts, type PlayerTimeouts, type ResolvedTimeouts } from './PlayerTimeouts.ts';
import type { SessionHandle } from './transport.ts';

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
  readonly root: AnyActorRef;
  readonly backplane: Backplane;
  readonly definition: PlayerDefinition<G, E>;
  readonly #bySession = new Map<number, PlayerActor>();
  readonly #byUser = new Map<string, PlayerActor>();
  readonly #byToken = new Map<string, PlayerActor>();
  readonly #players = new Set<PlayerActor>();
  readonly #groups = new Map<string, Set<PlayerActor>>();
  readonly #unsubscribe: () => void;
  #closing: Promise<void> | undefined;

  constructor(options: HolderOptions<G, E>) {
    this.definition = options.player;
    this.authenticator = options.authenticate;
    this.timeouts = resolveTimeouts(options.timeouts);
    this.logger = options.logger ?? pino({ name: 'hearth.actor' });
    this.backplane = options.backplane ?? new MemoryBackplane();
    // The parent of every player actor. It takes every event ('*') so that a player's error or done
    // event relayed to it does not put the root itself in error.
    this.root = createActor(createMachine({ id: 'holder', on: { '*': {} } })).start();
    this.#unsubscribe = this.backplane.onEnvelope((envelope) => this.#onEnvelope(envelope));
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
    const player = this.#byUser.get(userId);
    if (player !== undefined) return player.push(definition, payload);
    if (this.backplane.shared) {
      const bytes = encodeMessage({ kind: Kind.PUSH, type: definition.type, payload });
      this.#forward(userId, (nodeId) => this.backplane.publish(nodeId, { kind: 'push', userId, bytes }));
    }
    return false;
  }

  /** Sends a statechart event to a user's actor (here, or forwarded like {@link Holder.send}). */
  dispatch(userId: string, event: EventObject): boolean {
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
      this.backplane.publishGroup({ kind: 'group', group, bytes, ...(except ? { exceptUserId: except.userId } : {}) });
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
    const player = this.#byUser.get(userId);
    if (player === undefined) return false;
    await player.end(code, text);
    return true;
  }

  /** Snapshots of every live actor, for the admin view. */
  snapshots(): PlayerSnapshot[] {
    return [...this.#players].map((p) => p.snapshot());
  }

  /** Ends every actor with `code` (default `SHUTDOWN`), waits for their leave hooks, and stops. Idempotent. */
  close(code: string = ErrorCode.SHUTDOWN, text = 'the server is shutting down'): Promise<void> {
    return (this.#closing ??= (async () => {
      await Promise.all([...this.#players].map((p) => p.end(code, text)));
      this.#unsubscribe();
      this.root.stop();
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
    else player.open();
    return player;
  }

  /** A session closed (called by the binder). */
  sessionClosed(sessionId: number, code: string): void {
    const player = this.#bySession.get(sessionId);
    if (player === undefined) return;
    this.#bySession.delete(sessionId);
    player.connectionClosed(code);
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
    if (older !== undefined && older !== player) await older.end(ErrorCode.KICKED, 'logged in elsewhere');
    if (!player.alive) return;
    const entry: DirectoryEntry = { userId, nodeId: this.backplane.nodeId, sessionId: player.sessionId };
    const previous = await this.backplane.directory.claim(entry);
    if (previous !== undefined && previous.nodeId !== this.backplane.nodeId) {
      this.backplane.publish(previous.nodeId, {
        kind: 'kick',
        userId,
        sessionId: previous.sessionId,
        code: ErrorCode.KICKED,
        text: 'logged in elsewhere',
      });
    }
  }

  /** @internal */
  resume(token: string, ref: SessionHandle, rid: number, from: PlayerActor): boolean {
    const target = this.#byToken.get(token);
    if (target === undefined || !target.alive || target === from) return false;
    from.handOff();
    target.attachResuming(ref, rid);
    return true;
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

  #forward(userId: string, publish: (nodeId: string) => void): void {
    this.backplane.directory.lookup(userId).then(
      (entry) => {
        if (entry !== undefined && entry.nodeId !== this.backplane.nodeId) publish(entry.nodeId);
      },
      (err: unknown) => this.logger.warn({ err, userId }, 'directory lookup failed; message dropped'),
    );
  }

  #onEnvelope(envelope: Envelope): void {
    switch (envelope.kind) {
      case 'push':
        this.#byUser.get(envelope.userId)?.deliverEncoded(envelope.bytes);
        return;
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
        if (player !== undefined && player.sessionId === envelope.sessionId) void player.end(envelope.code, envelope.text);
        return;
      }
    }
  }
}
