import type { AnyDefinition, InboundMessage, LoginCredentials, LoginReply, Payload } from '@hearth/protocol';
import { ErrorCode, HearthError, Kind, encodeMessage } from '@hearth/protocol';
import type { Logger } from 'pino';
import { createActor } from 'xstate';
import type { Actor, AnyMachineSnapshot, AnyStateMachine, EventObject, StateValue } from 'xstate';
import type { SessionEffects } from '../machine/SessionEffects.ts';
import { RESUMED_ELSEWHERE, type SessionEvent } from '../machine/SessionEvent.ts';
import type { SessionInput } from '../machine/sessionMachine.ts';
import { EXPIRED_TOKEN, MALFORMED_TOKEN, SESSION_ACTIVE, UNKNOWN_TOKEN } from '../resume/refusals.ts';
import type { SessionHandle } from '../transport.ts';
import { describeRejected, isResumeToken, isUserId } from '../wireIds.ts';
import type { PlayerDefinition } from './definePlayer.ts';
import type { BroadcastOptions, Player } from './Player.ts';
import type { PlayerHost, ResumeOutcome } from './PlayerHost.ts';
import type { PortablePlayer, RestoredPlayer } from './PortablePlayer.ts';
import type { PlayerSnapshot, TimerKind } from './PlayerSnapshot.ts';
import type { TimerQueue, TimerTarget } from './TimerQueue.ts';

/** Top-level state of the session machine, cached after every transition for the binder's fast path. */
export type Phase = 'handshake' | 'awaitingLogin' | 'active' | 'disconnected' | 'closed';

const TIMER_NONE = 0;
const TIMER_LOGIN = 1;
const TIMER_HEARTBEAT = 2;
const TIMER_GRACE = 3;
const TIMER_KINDS: readonly (TimerKind | undefined)[] = [undefined, 'login', 'heartbeat', 'grace'];
const NO_GROUPS: ReadonlySet<string> = new Set();
/** No copy of the game data was taken before the event (a lifecycle event, or data structuredClone refuses). */
const NO_COPY: unique symbol = Symbol('no copy');

function phaseOf(value: StateValue): Phase {
  return (typeof value === 'string' ? value : Object.keys(value)[0]) as Phase;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the definition's types are checked where it is built
type AnyPlayerDefinition = PlayerDefinition<any, any>;

/**
 * One player: the adapter between a session (a `SessionHandle`) and an xstate actor running the
 * session machine. It performs the machine's named effects (timers, replies, closing), serves as the
 * {@link Player} handle game code holds, and survives a dropped connection for the grace period.
 *
 * Inbound messages reach it through the binder: fast-path handlers run against it directly; routed
 * messages and lifecycle events go through `actor.send`. The heartbeat is a check of
 * `ref.info().lastInboundAt` on the actor's own timer (no timer reset per message).
 */
export class PlayerActor<G = unknown, E extends EventObject = EventObject> implements Player<G, E>, SessionEffects, TimerTarget {
  /** @internal bumped at every arm/disarm: a queued timer entry with an older value is stale. */
  timerSeq = 0;
  readonly #host: PlayerHost;
  readonly #definition: AnyPlayerDefinition;
  /** The running xstate actor, or undefined while the player sleeps (see `#sleep`). */
  #actor: Actor<AnyStateMachine> | undefined;
  /** The machine snapshot while the player sleeps (no actor), else undefined. */
  #sleeping: AnyMachineSnapshot | undefined;
  /** Nesting of `#send` (an action may send again): the actor only sleeps at depth 0. */
  #depth = 0;
  /** A game event went to the statechart since the last heartbeat check (keeps a busy actor awake). */
  #busy = false;
  #ref: SessionHandle | undefined;
  #sessionId: number;
  #userId = '';
  #token: string | undefined;
  #phase: Phase = 'handshake';
  #suspect = false;
  /** `clock.now()` at the login that started this session (kept across resumes and nodes): the token lifetime counts from it. */
  #loginAt = 0;
  /** Inbound traffic marker (`bytesIn`) at the last look, and when (clock time) that traffic arrived: see `#idleMs`. */
  #seenMark = -1;
  #seenAt = 0;
  /** The queue of the armed timer (one per kind and holder, see TimerQueue), or undefined. */
  #timerQueue: TimerQueue | undefined;
  #timerKind = TIMER_NONE;
  #timerDue = 0;
  #queue: Uint8Array[] | undefined;
  #groups: Set<string> | undefined;
  #log: Logger | undefined;
  #pendingRid = -1;
  #replyExtra: Readonly<Record<string, unknown>> | undefined;
  #leaving: Promise<void> | undefined;
  /** A disconnect that is a link replacement (resume over a half-open link): no parking. */
  #replacingLink = false;
  #failure: unknown;
  /** The game data refused structuredClone once (warned; no data rollback for this actor). */
  #uncopyable = false;

  /**
   * @internal created by the holder when a session opens (`ref`), or restored in grace from a
   * player parked by another node (`restored`; `attachResuming` follows).
   */
  constructor(host: PlayerHost, definition: AnyPlayerDefinition, ref: SessionHandle | undefined, restored?: RestoredPlayer) {
    this.#host = host;
    this.#definition = definition;
    if (restored !== undefined) {
      const { machine } = restored.state;
      this.#sessionId = restored.sessionId;
      this.#userId = restored.state.userId;
      this.#loginAt = restored.state.loginAt ?? host.clock.now();
      this.#phase = 'disconnected';
      this.#queue = restored.queued.length > 0 ? [...restored.queued] : undefined;
      // Entry actions do not run on restore: the grace timer, groups and queue are set here.
      const context = { ...machine.context, player: this, effects: this, timeouts: host.timeouts };
      const snapshot = { status: machine.status, value: machine.value, historyValue: machine.historyValue, context, children: machine.children ?? {} };
      this.#actor = createActor(definition.machine, { parent: host.root, snapshot: snapshot as unknown as AnyMachineSnapshot });
      this.#actor.start();
      for (const group of restored.state.groups) this.join(group);
      this.#sleep();
      return;
    }
    if (ref === undefined) throw new TypeError('a player actor needs a session or a restored state');
    this.#ref = ref;
    this.#sessionId = ref.id;
    // Context-shaped (userId included, key order as the machine's own): it becomes the context.
    const input: SessionInput & { userId: undefined } = {
      sessionId: ref.id,
      userId: undefined,
      data: definition.createData(),
      player: this,
      effects: this,
      timeouts: host.timeouts,
    };
    // A child of the holder's root actor: it shares the root's system instead of creating one
    // per player (2.4 KB instead of 4.2 KB per actor, measured with 10,000 actors).
    this.#actor = createActor(definition.machine, { parent: host.root, input });
    this.#actor.start();
  }

  // ---- Player (the game-facing handle) ----

  get sessionId(): number {
    return this.#sessionId;
  }
  get userId(): string {
    return this.#userId;
  }
  get connected(): boolean {
    return this.#ref !== undefined;
  }
  get alive(): boolean {
    return this.#phase !== 'closed';
  }
  get data(): G {
    return (this.#snapshot().context as { data: G }).data;
  }
  set data(value: G) {
    (this.#snapshot().context as { data: G }).data = value;
  }
  get state(): StateValue {
    return this.#snapshot().value;
  }
  get groups(): ReadonlySet<string> {
    return this.#groups ?? NO_GROUPS;
  }
  get log(): Logger {
    return (this.#log ??= this.#host.logger.child({ sessionId: this.#sessionId, userId: this.#userId || undefined }));
  }

  push<D extends AnyDefinition>(definition: D, payload: Payload<D>): boolean {
    const ref = this.#ref;
    if (ref !== undefined) return ref.send(definition, payload);
    if (this.#phase !== 'disconnected') return false;
    return this.#enqueue(encodeMessage({ kind: Kind.PUSH, type: definition.type, payload }));
  }

  sendTo<D extends AnyDefinition>(userId: string, definition: D, payload: Payload<D>): boolean {
    return this.#host.send(userId, definition, payload);
  }

  deliver<D extends AnyDefinition>(userId: string, definition: D, payload: Payload<D>): Promise<boolean> {
    return this.#host.deliver(userId, definition, payload);
  }

  join(group: string): void {
    if (this.#phase === 'closed') return;
    const groups = (this.#groups ??= new Set());
    if (groups.has(group)) return;
    groups.add(group);
    this.#host.joinGroup(group, this as PlayerActor);
  }

  leave(group: string): void {
    if (this.#groups?.delete(group) !== true) return;
    this.#host.leaveGroup(group, this as PlayerActor);
  }

  broadcast<D extends AnyDefinition>(group: string, definition: D, payload: Payload<D>, options?: BroadcastOptions): number {
    return this.#host.broadcast(group, definition, payload, { exceptSelf: options?.exceptSelf ?? false, from: this as PlayerActor });
  }

  raise(event: E): void {
    if (this.#phase !== 'closed') this.#send(event);
  }

  close(code: string = ErrorCode.NORMAL, text = ''): void {
    if (this.#phase !== 'closed') this.#send({ type: 'hearth.close', code, text });
  }

  // ---- used by the holder and the binder ----

  /** @internal when the session's login happened (`clock.now()` ms); a resume keeps it */
  get loginAt(): number {
    return this.#loginAt;
  }
  /** @internal */
  get phase(): Phase {
    return this.#phase;
  }
  /** @internal the resume token (rotated at every login/resume) */
  get token(): string | undefined {
    return this.#token;
  }
  /** @internal */
  get ref(): SessionHandle | undefined {
    return this.#ref;
  }
  /** @internal true while only the machine snapshot is kept (no xstate actor; woken by the next event) */
  get asleep(): boolean {
    return this.#actor === undefined;
  }
  /** @internal pushes queued during grace, oldest first */
  get queuedBytes(): readonly Uint8Array[] {
    return this.#queue ?? [];
  }

  /** @internal the transport finished its handshake */
  open(): void {
    this.#send({ type: 'hearth.opened' });
  }

  /** @internal the connection closed with `code` */
  connectionClosed(code: string): void {
    if (this.#phase !== 'closed') this.#send({ type: 'hearth.disconnected', code });
  }

  /** @internal ends the actor; resolves when its leave hook has run */
  end(code: string, text: string): Promise<void> {
    if (this.#phase !== 'closed') this.#send({ type: 'hearth.close', code, text });
    return this.#leaving ?? Promise.resolve();
  }

  /** @internal appends pre-encoded bytes (a broadcast), queued in grace */
  deliverEncoded(bytes: Uint8Array): boolean {
    const ref = this.#ref;
    if (ref !== undefined) return ref.sendEncoded(bytes, 1);
    if (this.#phase !== 'disconnected') return false;
    return this.#enqueue(bytes);
  }

  /** @internal login (type 1) while awaiting login */
  login(credentials: unknown, rid: number): boolean {
    if (typeof credentials !== 'object' || credentials === null) {
      this.#ref?.replyError(rid, ErrorCode.BAD_REQUEST, 'login credentials must be a map');
      return true;
    }
    return this.#send({ type: 'hearth.login', credentials: credentials as LoginCredentials, rid }) !== 'unhandled';
  }

  /** @internal resume (type 2) while awaiting login */
  resumeWith(payload: unknown, rid: number): boolean {
    const token = (payload as { token?: unknown } | null)?.token;
    if (typeof token !== 'string') {
      this.#ref?.replyError(rid, ErrorCode.BAD_REQUEST, 'resume needs { token: string } from the login reply');
      return true;
    }
    // Checked before any lookup: the token becomes a map key and a Redis key name.
    if (!isResumeToken(token)) {
      this.#host.rejectedWireId('resume token', token);
      this.#ref?.replyError(rid, MALFORMED_TOKEN.code, MALFORMED_TOKEN.text);
      return true;
    }
    return this.#send({ type: 'hearth.resume', token, rid }) !== 'unhandled';
  }

  /** @internal attaches a resuming connection (called by the holder on the actor being resumed) */
  attachResuming(ref: SessionHandle, rid: number): void {
    if (this.#phase === 'active' && this.#ref !== undefined) {
      // The old link is half-open: the new one replaces it, as if it had dropped.
      const old = this.#ref;
      this.#replacingLink = true;
      this.#send({ type: 'hearth.disconnected', code: 'REPLACED' });
      this.#replacingLink = false;
      old.close(ErrorCode.KICKED, 'the session was resumed on a new connection');
    }
    this.#ref = ref;
    this.#sessionId = ref.id;
    this.#seenMark = -1;
    this.#log = undefined;
    this.#pendingRid = rid;
    this.#host.bindSession(ref.id, this as PlayerActor);
    this.#send({ type: 'hearth.resumed' });
  }

  /** @internal this (not logged-in) actor's connection now belongs to the actor it resumed */
  handOff(): void {
    this.#ref = undefined;
    this.#send({ type: 'hearth.handedOff' });
  }

  /** @internal the grace period is over (after the holder settled the parked record) */
  expireGrace(): void {
    if (this.#phase === 'disconnected') this.#send({ type: 'hearth.graceExpired' });
  }

  /** @internal the player resumed on node `nodeId`: end quietly (no leave hook; it lives on there) */
  movedAway(nodeId: string): void {
    if (this.#phase === 'disconnected') this.#send({ type: 'hearth.resumedElsewhere', nodeId });
  }

  /** @internal this player's state, portable to another node (taken in grace) */
  portable(): PortablePlayer {
    const p = this.#definition.machine.getPersistedSnapshot(this.#snapshot()) as unknown as PortablePlayer['machine'];
    // The adapter's own references are put back by the node that restores it.
    const { player: _p, effects: _e, timeouts: _t, ...context } = p.context;
    return {
      v: 1,
      userId: this.#userId,
      groups: [...this.groups],
      loginAt: this.#loginAt,
      machine: { status: p.status, value: p.value, historyValue: p.historyValue, context, children: p.children },
    };
  }

  /**
   * @internal a routed message becomes a statechart event; a request not answered by the
   * transition is answered `BAD_REQUEST` (no transition took it) or `INTERNAL` (an action threw).
   */
  dispatchMessage(type: string, ref: SessionHandle, msg: InboundMessage): void {
    const rid = msg.kind === Kind.REQUEST ? msg.rid : -1;
    let answered = rid < 0;
    const event = {
      type,
      payload: msg.payload,
      reply(value: unknown): void {
        if (answered) return;
        answered = true;
        ref.reply(rid, value === undefined ? null : value);
      },
      fail(code: string, text = ''): void {
        if (answered) return;
        answered = true;
        ref.replyError(rid, code, text);
      },
    };
    const outcome = this.#send(event);
    if (answered) return;
    // Taken but not answered yet: an action may answer later (e.g. after a cross-node call), so
    // `reply` / `fail` stay usable. Before, such a request was never answered at all.
    if (outcome === 'ok') return;
    answered = true;
    const failure = this.#failure;
    this.#failure = undefined;
    if (outcome === 'failed' && failure instanceof HearthError) ref.replyError(rid, failure.code, failure.message);
    else if (outcome === 'failed') ref.replyError(rid, ErrorCode.INTERNAL, `"${type}" failed on the server`);
    else if (outcome === 'unhandled') {
      ref.replyError(rid, ErrorCode.BAD_REQUEST, `"${type}" is not accepted in state ${JSON.stringify(this.state)}`);
    }
  }

  /** @internal state for the admin view */
  snapshot(): PlayerSnapshot {
    const kind = TIMER_KINDS[this.#timerKind];
    return {
      sessionId: this.#sessionId,
      userId: this.#userId || undefined,
      state: this.state,
      connected: this.#ref !== undefined,
      remoteAddress: this.#ref?.info()?.remoteAddress,
      groups: [...this.groups],
      timer: kind === undefined ? undefined : { kind, dueInMs: Math.max(0, this.#timerDue - this.#host.clock.now()) },
      queued: this.#queue?.length ?? 0,
    };
  }

  /** @internal the actor's one timer fired */
  onTimerDue(): void {
    this.#timerQueue = undefined;
    switch (this.#timerKind) {
      case TIMER_LOGIN:
        this.#timerKind = TIMER_NONE;
        this.#send({ type: 'hearth.loginTimeout' });
        return;
      case TIMER_GRACE:
        this.#timerKind = TIMER_NONE;
        if (!this.#host.graceExpiring(this as PlayerActor)) this.#send({ type: 'hearth.graceExpired' });
        return;
      case TIMER_HEARTBEAT: {
        const info = this.#ref?.info();
        // No game event since the last check: the actor sleeps until the next event.
        if (!this.#busy) this.#sleep();
        this.#busy = false;
        if (info !== undefined) {
          const idleMs = this.#idleMs(info);
          // Fast path: a live connection costs one comparison per check, no transition.
          if (this.#suspect || idleMs >= this.#host.timeouts.suspectAfter) this.#send({ type: 'hearth.heartbeat', idleMs });
        }
        if (this.#timerKind === TIMER_HEARTBEAT && this.#timerQueue === undefined) this.#arm(TIMER_HEARTBEAT, this.#host.timeouts.heartbeatCheck);
        return;
      }
    }
  }

  // ---- SessionEffects (performed for the machine) ----

  /** @internal */
  startLoginTimer(): void {
    this.#arm(TIMER_LOGIN, this.#host.timeouts.loginTimeout);
  }
  /** @internal */
  startHeartbeat(): void {
    // Takes the connection's traffic mark now (login or resume), so silence counts from here.
    const info = this.#ref?.info();
    if (info !== undefined) this.#idleMs(info);
    this.#arm(TIMER_HEARTBEAT, this.#host.timeouts.heartbeatCheck);
  }
  /** @internal */
  startGrace(): void {
    this.#arm(TIMER_GRACE, this.#host.timeouts.grace);
  }

  /** @internal */
  authenticate(credentials: LoginCredentials, rid: number): void {
    void this.#authenticate(credentials, rid);
  }

  /** @internal */
  resume(token: string, rid: number): void {
    const ref = this.#ref;
    const outcome = ref === undefined ? UNKNOWN_TOKEN : this.#host.resume(token, ref, rid, this as PlayerActor);
    if (outcome instanceof Promise) {
      outcome.then(
        (o) => this.#resumed(o, rid),
        (err: unknown) => {
          this.log.error({ err }, 'resume failed on the server');
          this.#resumed({ code: ErrorCode.INTERNAL, text: 'resume failed on the server' }, rid);
        },
      );
    } else {
      this.#resumed(outcome, rid);
    }
  }

  /** @internal */
  refuseLogin(rid: number, code: string, text: string): void {
    this.#ref?.replyError(rid, code, text);
  }

  /** @internal */
  admit(userId: string): void {
    this.#userId = userId;
    this.#loginAt = this.#host.clock.now();
    this.#log = undefined;
    this.#token = this.#host.issueToken(this as PlayerActor, this.#token);
    const rid = this.#pendingRid;
    this.#pendingRid = -1;
    const reply = (): void => {
      const body: LoginReply = { ...this.#replyExtra, userId, resumeToken: this.#token ?? '' };
      this.#replyExtra = undefined;
      this.#ref?.reply(rid, body);
    };
    const joined = this.#hook('onJoin', () => this.#definition.hooksOf.onJoin?.(this as Player));
    if (joined === undefined) reply();
    else void joined.then(reply);
  }

  /** @internal */
  sendPing(): void {
    this.#ref?.ping();
  }

  /** @internal */
  closeConnection(code: string, text: string): void {
    const ref = this.#ref;
    if (ref === undefined) return;
    this.#ref = undefined;
    this.#host.unbindSession(ref.id, this as PlayerActor);
    ref.close(code, text);
  }

  /** @internal */
  detach(): void {
    const ref = this.#ref;
    if (ref === undefined) return;
    this.#ref = undefined;
    this.#host.unbindSession(ref.id, this as PlayerActor);
  }

  /** @internal */
  attach(): void {
    const ref = this.#ref;
    this.#token = this.#host.issueToken(this as PlayerActor, this.#token);
    if (ref === undefined) return;
    ref.reply(this.#pendingRid, { userId: this.#userId, resumeToken: this.#token } satisfies LoginReply);
    this.#pendingRid = -1;
    const queue = this.#queue;
    this.#queue = undefined;
    if (queue !== undefined) for (const bytes of queue) ref.sendEncoded(bytes, 1);
  }

  /** @internal */
  finish(reason: { code: string; text: string }): void {
    this.#phase = 'closed';
    this.#disarm();
    this.#queue = undefined;
    const ref = this.#ref;
    if (ref !== undefined) {
      this.#ref = undefined;
      this.#host.unbindSession(ref.id, this as PlayerActor);
      ref.close(reason.code, reason.text);
    }
    this.#host.remove(this as PlayerActor);
    this.#groups = undefined;
    // Resumed elsewhere: the player did not leave, it moved; its actor on the other node runs the hook when it ends.
    if (this.#userId !== '' && reason.code !== RESUMED_ELSEWHERE) {
      this.#leaving = this.#hook('onLeave', () => this.#definition.hooksOf.onLeave?.(this as Player, reason));
    }
  }

  // ---- internals ----

  /** Sends an event to the xstate actor and keeps the actor alive if a game action throws. */
  #send(event: SessionEvent | EventObject): 'ok' | 'unhandled' | 'failed' {
    const actor = this.#wake();
    const lifecycle = event.type.startsWith('hearth.');
    if (!lifecycle) this.#busy = true;
    this.#depth++;
    try {
      const before = actor.getSnapshot() as AnyMachineSnapshot;
      // A game event may run actions that mutate `context.data` and then throw: the copy taken
      // here is what the rollback restores (a lifecycle failure ends the session, no copy needed).
      const data = lifecycle ? NO_COPY : this.#copyData(before);
      actor.send(event);
      const after = actor.getSnapshot() as AnyMachineSnapshot;
      if (after.status === 'error') {
        this.#failure = after.error;
        this.#recover(before, data, after.error, event);
        return 'failed';
      }
      if (after === before) return 'unhandled';
      const was = this.#phase;
      if (was !== 'closed') this.#phase = phaseOf(after.value);
      // Grace began: park the player (its snapshot is complete only now, after the transition).
      if (this.#phase === 'disconnected' && was !== 'disconnected' && !this.#replacingLink) this.#host.park(this as PlayerActor);
      this.#suspect = this.#phase === 'active' && (after.value as { active: { heartbeat: string } }).active.heartbeat === 'suspect';
      // A lifecycle step (login, heartbeat, grace) with no game event lately: sleep now.
      if (lifecycle && !this.#busy) this.#sleep();
      return 'ok';
    } finally {
      this.#depth--;
    }
  }

  /** The machine snapshot, whether the actor runs or sleeps. */
  #snapshot(): AnyMachineSnapshot {
    return this.#sleeping ?? (this.#actor!.getSnapshot() as AnyMachineSnapshot);
  }

  /** The running actor, restored from the sleeping snapshot if need be (no entry actions run). */
  #wake(): Actor<AnyStateMachine> {
    let actor = this.#actor;
    if (actor === undefined) {
      actor = createActor(this.#definition.machine, { parent: this.#host.root, snapshot: this.#sleeping });
      this.#sleeping = undefined;
      this.#actor = actor.start();
    }
    return actor;
  }

  /**
   * Keeps only the snapshot and stops the xstate actor (its object, mailbox, observers and system
   * entry cost ~1.5 KB per idle player: bench/memory.ts). Skipped while the actor is needed for
   * more than its snapshot: inside a transition, with child actors, or with delayed events pending.
   */
  #sleep(): void {
    const actor = this.#actor;
    if (actor === undefined || this.#depth > 1) return;
    const snapshot = actor.getSnapshot() as AnyMachineSnapshot;
    if (snapshot.status !== 'active' && snapshot.status !== 'done') return;
    for (const _ in snapshot.children as object) return;
    const scheduled = actor.system.getSnapshot()._scheduledEvents;
    for (const id in scheduled) if (scheduled[id]?.source === actor) return;
    this.#sleeping = snapshot;
    this.#actor = undefined;
    // Unregisters it from the shared system (a started child would be kept there otherwise).
    if (snapshot.status === 'active') (actor as unknown as { _stop(): void })._stop();
  }

  /**
   * @internal whether a resume may take this actor over: true unless it is connected and its
   * connection had inbound traffic within the heartbeat suspicion time (a live session is never
   * kicked by a resume; a half-open one is replaced).
   */
  resumable(): ResumeOutcome {
    if (this.#phase === 'closed') return UNKNOWN_TOKEN;
    const clock = this.#host.clock;
    if (clock.now() - this.#loginAt > this.#host.timeouts.tokenLifetime) return EXPIRED_TOKEN;
    if (this.#phase !== 'active') return true;
    const info = this.#ref?.info();
    if (info === undefined) return true;
    return this.#idleMs(info) >= this.#host.timeouts.suspectAfter ? true : SESSION_ACTIVE;
  }

  /**
   * Time since the connection's last inbound traffic, in the clock's domain. The transport stamps
   * `lastInboundAt` with `Date.now()`; its age is carried over to the clock when new traffic is
   * first seen, so with the system clock this is exactly `Date.now() - lastInboundAt`, and with an
   * injected clock silence grows only as that clock moves.
   */
  #idleMs(info: { readonly lastInboundAt: number; readonly bytesIn?: number }): number {
    const now = this.#host.clock.now();
    const mark = info.bytesIn ?? info.lastInboundAt;
    if (mark !== this.#seenMark) {
      this.#seenMark = mark;
      this.#seenAt = now - Math.max(0, Date.now() - info.lastInboundAt);
    }
    return now - this.#seenAt;
  }

  #resumed(outcome: ResumeOutcome, rid: number): void {
    if (outcome === true || this.#phase !== 'awaitingLogin') return;
    this.#send({ type: 'hearth.authRefused', rid, code: outcome.code, text: outcome.text });
  }

  #recover(before: AnyMachineSnapshot, data: unknown, error: unknown, event: EventObject): void {
    const coded = error instanceof HearthError && !event.type.startsWith('hearth.');
    // A coded refusal (HearthError) is an answer, not a bug: logged at debug.
    this.log[coded ? 'debug' : 'error']({ err: error, event: event.type }, 'a statechart action threw; the actor is restored to its state before the event');
    if (event.type.startsWith('hearth.')) {
      // A lifecycle step cannot be half-done: end the session cleanly.
      if (this.#phase !== 'closed') this.finish({ code: ErrorCode.INTERNAL, text: 'internal error' });
      return;
    }
    this.#sleeping = undefined;
    const snapshot = data === NO_COPY ? before : { ...before, context: { ...before.context, data } };
    this.#actor = createActor(this.#definition.machine, { parent: this.#host.root, snapshot }).start();
  }

  /**
   * A deep copy of the game data before a statechart event, for the rollback. The data must be
   * msgpack-encodable anyway (it travels in a cross-node resume), so `structuredClone` copies it;
   * data it cannot copy (a function, say) is not rolled back, and that is logged once per actor.
   */
  #copyData(snapshot: AnyMachineSnapshot): unknown {
    if (this.#uncopyable) return NO_COPY;
    try {
      return structuredClone((snapshot.context as { data: unknown }).data);
    } catch (err) {
      if (!this.#uncopyable) this.log.warn({ err }, 'player data cannot be copied (structuredClone); a throwing action will not roll it back');
      this.#uncopyable = true;
      return NO_COPY;
    }
  }

  async #authenticate(credentials: LoginCredentials, rid: number): Promise<void> {
    const ref = this.#ref;
    let userId: string;
    try {
      const result = await this.#host.authenticator(credentials, {
        sessionId: this.#sessionId,
        remoteAddress: ref?.info()?.remoteAddress ?? '',
      });
      if (typeof result === 'string') userId = result;
      else if ('refused' in result) {
        this.#send({ type: 'hearth.authRefused', rid, code: result.refused, text: result.text });
        return;
      } else {
        userId = result.userId;
        this.#replyExtra = result.reply;
      }
    } catch (err) {
      const coded = err instanceof HearthError;
      if (!coded) this.log.error({ err }, 'the authenticator threw');
      this.#send({
        type: 'hearth.authRefused',
        rid,
        code: coded ? err.code : ErrorCode.INTERNAL,
        text: coded ? err.message : 'login failed on the server',
      });
      return;
    }
    if (this.#phase !== 'awaitingLogin') return;
    // The id becomes a map key, a Redis key name and a log field: checked even though the authenticator is the app's.
    if (!isUserId(userId)) {
      this.log.warn({ userId: describeRejected(userId) }, 'the authenticator returned a malformed user id; login refused');
      this.#send({ type: 'hearth.authRefused', rid, code: ErrorCode.BAD_REQUEST, text: 'the user id is malformed (1-64 of A-Z a-z 0-9 _ . : @ -)' });
      return;
    }
    await this.#host.claim(userId, this as PlayerActor);
    if (this.#phase !== 'awaitingLogin') return;
    this.#pendingRid = rid;
    this.#send({ type: 'hearth.authOk', userId });
  }

  #enqueue(bytes: Uint8Array): boolean {
    const queue = (this.#queue ??= []);
    if (queue.length >= this.#host.timeouts.queueLimit) {
      this.log.warn({ queued: queue.length }, 'push queue full during grace; ending the grace period');
      this.#send({ type: 'hearth.queueOverflow' });
      return false;
    }
    queue.push(bytes);
    this.#host.queued(this as PlayerActor, bytes);
    return true;
  }

  #arm(kind: number, ms: number): void {
    this.#disarm();
    this.#timerKind = kind;
    this.#timerDue = this.#host.clock.now() + ms;
    const queue = this.#host.timerQueues[kind - 1]!;
    this.#timerQueue = queue;
    queue.add(this);
  }

  #disarm(): void {
    const queue = this.#timerQueue;
    if (queue !== undefined) {
      this.#timerQueue = undefined;
      this.timerSeq++;
      queue.cancel();
    }
    this.#timerKind = TIMER_NONE;
  }

  /** Runs a hook; a throw or rejection is logged with the session id. Returns a promise only if the hook is async. */
  #hook(name: string, run: () => void | Promise<void> | undefined): Promise<void> | undefined {
    try {
      const result = run();
      if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
        return (result as Promise<void>).then(undefined, (err: unknown) => this.log.error({ err, hook: name }, 'player hook failed'));
      }
    } catch (err) {
      this.log.error({ err, hook: name }, 'player hook failed');
    }
    return undefined;
  }
}
