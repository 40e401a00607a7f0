import { ErrorCode, HearthError, Kind, encodeMessage, type AnyDefinition, type LoginCredentials, type Payload } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { EventObject, StateValue } from 'xstate';
import type { SessionEffects } from '../machine/SessionEffects.ts';
import { RESUMED_ELSEWHERE, type SessionEvent } from '../machine/SessionEvent.ts';
import type { SessionInput } from '../machine/sessionMachine.ts';
import type { SessionHandle } from '../transport.ts';
import type { PlayerDefinition } from './definePlayer.ts';
import type { BroadcastOptions, Player } from './Player.ts';
import type { PlayerHost, ResumeOutcome } from './PlayerHost.ts';
import { portableOf, restoredSnapshot, type PortablePlayer, type RestoredPlayer } from './PortablePlayer.ts';
import { snapshotOf, type PlayerSnapshot, type TimerKind } from './PlayerSnapshot.ts';
import { phaseOf, type Phase } from './Phase.ts';
import { PlayerConnection } from './PlayerConnection.ts';
import { PlayerLogin } from './PlayerLogin.ts';
import { PlayerStatechart, type SendOutcome } from './PlayerStatechart.ts';
import { PlayerTimer, type TimerOwner } from './PlayerTimer.ts';
import { runHook } from './runHook.ts';
import type { PlayerRooms } from '../room/PlayerRooms.ts';
import { roomsOfPlayer } from '../room/roomsOfPlayer.ts';
import { RoomRefs } from '../room/RoomRefs.ts';

const NO_GROUPS: ReadonlySet<string> = new Set();

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the definition's types are checked where it is built
type AnyPlayerDefinition = PlayerDefinition<any, any>;

/**
 * One player: the {@link Player} handle game code holds, and the adapter between a session (a
 * `SessionHandle`) and its statechart. It performs the machine's named effects (timers, replies,
 * closing) and survives a dropped connection for the grace period. Its parts, each in its file:
 * the statechart's xstate actor ({@link PlayerStatechart}: sleep, wake, rollback), its one timer
 * ({@link PlayerTimer}), its connection ({@link PlayerConnection}) and its login ({@link PlayerLogin}:
 * user id, token, the login and resume flows).
 *
 * Inbound messages reach it through the binder: fast-path handlers run against it directly; routed
 * messages and lifecycle events go through the statechart. The heartbeat is a check of the
 * connection's last inbound traffic on the actor's own timer (no timer reset per message).
 *
 * Ending: game code and the holder call {@link PlayerActor.close} (it resolves once the leave hook
 * ran); the machine's final state performs `finish`. `closeConnection` and `detach` end only the
 * connection (the player lives on in grace).
 */
export class PlayerActor<G = unknown, E extends EventObject = EventObject> implements Player<G, E>, SessionEffects, TimerOwner {
  readonly #host: PlayerHost;
  readonly #definition: AnyPlayerDefinition;
  readonly #chart: PlayerStatechart;
  readonly #timer: PlayerTimer;
  /** A game event went to the statechart since the last heartbeat check (keeps a busy actor awake). */
  #busy = false;
  readonly #link: PlayerConnection;
  readonly #login: PlayerLogin;
  #sessionId: number;
  #phase: Phase = 'handshake';
  #suspect = false;
  #groups: Set<string> | undefined;
  #log: Logger | undefined;
  /** Work an action asked for that must wait for the transition's end (`onJoin`: its `player.data` writes would be lost inside it). */
  #afterTransition: (() => void) | undefined;
  #leaving: Promise<void> | undefined;
  /** A disconnect that is a link replacement (resume over a half-open link): no parking. */
  #replacingLink = false;
  readonly roomRefs = new RoomRefs(); // its rooms' numbers, which its `room.state` pushes carry (@internal)

  /**
   * @internal created by the holder when a session opens (`ref`), or restored in grace from a
   * player parked by another node (`restored`; `attachResuming` follows).
   */
  constructor(host: PlayerHost, definition: AnyPlayerDefinition, ref: SessionHandle | undefined, restored?: RestoredPlayer) {
    this.#host = host;
    this.#definition = definition;
    this.#timer = new PlayerTimer(this, host.timers);
    if (restored !== undefined) {
      this.#sessionId = restored.sessionId;
      this.#login = new PlayerLogin(this, host, restored.state);
      this.#phase = 'disconnected';
      this.#link = new PlayerConnection(undefined, restored.queued);
      // Entry actions do not run on restore: the grace timer, groups and queue are set here.
      const snapshot = restoredSnapshot(restored.state, { player: this, effects: this, timeouts: host.timeouts });
      this.#chart = new PlayerStatechart(definition.machine, host.root, { snapshot });
      for (const group of restored.state.groups) this.join(group);
      this.#chart.sleep();
      return;
    }
    if (ref === undefined) throw new TypeError('a player actor needs a session or a restored state');
    this.#link = new PlayerConnection(ref);
    this.#login = new PlayerLogin(this, host);
    this.#sessionId = ref.id;
    // Context-shaped (userId included, key order as the machine's own): it becomes the context.
    const input: SessionInput & { userId: undefined } = { sessionId: ref.id, userId: undefined, data: definition.createData(), player: this, effects: this, timeouts: host.timeouts };
    this.#chart = new PlayerStatechart(definition.machine, host.root, { input });
  }

  // ---- Player (the game-facing handle) ----

  get sessionId(): number {
    return this.#sessionId;
  }
  get userId(): string {
    return this.#login.userId;
  }
  get connected(): boolean {
    return this.#link.ref !== undefined;
  }
  get alive(): boolean {
    return this.#phase !== 'closed';
  }
  get data(): G {
    return (this.#chart.snapshot.context as { data: G }).data;
  }
  set data(value: G) {
    (this.#chart.snapshot.context as { data: G }).data = value;
  }
  get state(): StateValue {
    return this.#chart.snapshot.value;
  }
  get groups(): ReadonlySet<string> {
    return this.#groups ?? NO_GROUPS;
  }
  get rooms(): PlayerRooms {
    return roomsOfPlayer(this.#definition, this);
  }
  get log(): Logger {
    return (this.#log ??= this.#host.logger.child({ sessionId: this.#sessionId, userId: this.#login.userId || undefined }));
  }

  push<D extends AnyDefinition>(definition: D, payload: Payload<D>): boolean {
    const ref = this.#link.ref;
    if (ref !== undefined) return ref.send(definition, payload);
    return this.#phase === 'disconnected' && this.#enqueue(encodeMessage({ kind: Kind.PUSH, type: definition.type, payload }));
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
    this.#host.joinGroup(group, this);
  }

  leave(group: string): void {
    if (this.#groups?.delete(group) !== true) return;
    this.#host.leaveGroup(group, this);
  }

  broadcast<D extends AnyDefinition>(group: string, definition: D, payload: Payload<D>, options?: BroadcastOptions): number {
    return this.#host.broadcast(group, definition, payload, { exceptSelf: options?.exceptSelf ?? false, from: this });
  }

  raise(event: E): void {
    if (this.#phase !== 'closed') this.transition(event);
  }

  /** Ends the actor (see {@link Player.close}); resolves once its leave hook has run. */
  close(code: string = ErrorCode.NORMAL, text = ''): Promise<void> {
    if (this.#phase !== 'closed') this.transition({ type: 'hearth.close', code, text });
    return this.#leaving ?? Promise.resolve();
  }

  // ---- used by the holder and the binder (internal: the package does not export this class) ----

  /** When the session's login happened (`clock.now()` ms); a resume keeps it. */
  get loginAt(): number {
    return this.#login.loginAt;
  }
  get phase(): Phase {
    return this.#phase;
  }
  /** The resume token (rotated at every login/resume). */
  get token(): string | undefined {
    return this.#login.token;
  }
  get ref(): SessionHandle | undefined {
    return this.#link.ref;
  }
  /** True while only the machine snapshot is kept (no xstate actor; woken by the next event). */
  get asleep(): boolean {
    return this.#chart.asleep;
  }
  /** Pushes queued during grace, oldest first. */
  get queuedBytes(): readonly Uint8Array[] {
    return this.#link.queued;
  }

  /** Takes the error of the last event that failed (`transition` returned 'failed'). */
  takeFailure(): unknown {
    return this.#chart.takeFailure();
  }

  /** Appends pre-encoded bytes (a broadcast), queued in grace. */
  deliverEncoded(bytes: Uint8Array): boolean {
    bytes = this.roomRefs.rewrite(bytes);
    const ref = this.#link.ref;
    if (ref !== undefined) return ref.sendEncoded(bytes, 1);
    return this.#phase === 'disconnected' && this.#enqueue(bytes);
  }

  /** Attaches a resuming connection (called by the holder on the actor being resumed). */
  attachResuming(ref: SessionHandle, rid: number): void {
    const old = this.#link.ref;
    if (this.#phase === 'active' && old !== undefined) {
      // The old link is half-open: the new one replaces it, as if it had dropped.
      this.#replacingLink = true;
      this.transition({ type: 'hearth.disconnected', code: ErrorCode.REPLACED });
      this.#replacingLink = false;
      old.close(ErrorCode.KICKED, 'the session was resumed on a new connection');
    }
    this.#link.attach(ref);
    this.#sessionId = ref.id;
    this.#log = undefined;
    this.#login.resuming(rid);
    this.#host.bindSession(ref.id, this);
    this.transition({ type: 'hearth.resumed' });
  }

  /** This (not logged-in) actor's connection now belongs to the actor it resumed. */
  handOff(): void {
    this.#link.release();
    this.transition({ type: 'hearth.handedOff' });
  }

  /** The grace period is over (after the holder settled the parked record). */
  expireGrace(): void {
    if (this.#phase === 'disconnected') this.transition({ type: 'hearth.graceExpired' });
  }

  /** The player resumed on node `nodeId`: end quietly (no leave hook; it lives on there). */
  movedAway(nodeId: string): void {
    if (this.#phase === 'disconnected') this.transition({ type: 'hearth.resumedElsewhere', nodeId });
  }

  /** This player's state, portable to another node (taken in grace). */
  portable(): PortablePlayer {
    return portableOf(this.#chart.persisted() as PortablePlayer['machine'], this.userId, this.groups, this.loginAt);
  }

  /** State for the admin view. */
  snapshot(): PlayerSnapshot {
    return snapshotOf(this.#sessionId, this.userId, this.state, this.#link, this.groups, this.#timer);
  }

  /** Whether a resume may take this actor over (see {@link PlayerLogin.resumable}). */
  resumable(): ResumeOutcome {
    return this.#login.resumable(this.#phase, this.#link);
  }

  /** The player's timer fired. */
  timerDue(kind: TimerKind): void {
    switch (kind) {
      case 'login':
        this.transition({ type: 'hearth.loginTimeout' });
        return;
      case 'grace':
        if (!this.#host.graceExpiring(this)) this.transition({ type: 'hearth.graceExpired' });
        return;
      case 'heartbeat': {
        // No game event since the last check: the actor sleeps until the next event.
        if (!this.#busy) this.#chart.sleep();
        this.#busy = false;
        const idleMs = this.#link.idleMs(this.#host.clock);
        // Fast path: a live connection costs one comparison per check, no transition.
        if (idleMs !== undefined && (this.#suspect || idleMs >= this.#host.timeouts.suspectAfter)) {
          this.transition({ type: 'hearth.heartbeat', idleMs });
        }
        if (this.#timer.kind === 'heartbeat' && !this.#timer.armed) this.#timer.arm('heartbeat');
        return;
      }
    }
  }

  // ---- SessionEffects (performed for the machine) ----

  startLoginTimer(): void {
    this.#timer.arm('login');
  }
  startHeartbeat(): void {
    // Takes the connection's traffic mark now (login or resume), so silence counts from here.
    this.#link.idleMs(this.#host.clock);
    this.#timer.arm('heartbeat');
  }
  startGrace(): void {
    this.#timer.arm('grace');
  }

  authenticate(credentials: LoginCredentials, rid: number): void {
    void this.#login.authenticate(credentials, rid);
  }

  resume(token: string, rid: number): void {
    this.#login.resume(token, rid);
  }

  refuseLogin(rid: number, code: string, text: string): void {
    this.#link.ref?.replyError(rid, code, text);
  }

  admit(userId: string): void {
    this.#log = undefined;
    // onJoin runs once the login transition is complete: inside it, the context `player.data`
    // writes to is replaced by the transition's own (the hook's data would be lost).
    this.#afterTransition = this.#login.admit(userId, this.#definition.hooksOf.onJoin);
  }

  sendPing(): void {
    this.#link.ref?.ping();
  }

  closeConnection(code: string, text: string): void {
    this.#releaseConnection()?.close(code, text);
  }

  detach(): void {
    this.#releaseConnection();
  }

  attach(): void {
    const ref = this.#link.ref;
    this.#login.attach(ref);
    // No connection (it dropped meanwhile): the queue waits for the next one.
    if (ref !== undefined) this.#link.flushQueue();
  }

  finish(reason: { code: string; text: string }): void {
    this.#phase = 'closed';
    this.#timer.disarm();
    this.#link.clearQueue();
    this.#releaseConnection()?.close(reason.code, reason.text);
    this.#host.remove(this);
    this.#groups = undefined;
    // Resumed elsewhere: the player did not leave, it moved; its actor on the other node runs the hook when it ends.
    if (this.userId !== '' && reason.code !== RESUMED_ELSEWHERE) {
      this.#leaving = runHook(this, 'onLeave', () => this.#definition.hooksOf.onLeave?.(this, reason));
    }
  }

  // ---- the statechart, and internals ----

  /**
   * Sends an event to the statechart: a lifecycle `hearth.*` event, or a game event (a routed
   * message, a raised event); the outcome tells a request's router whether it was taken. A game
   * event is a transaction: if an action throws, the statechart and the game data are rolled back
   * and the actor carries on. A lifecycle step cannot be half-done: a throw there ends the session.
   */
  transition(event: SessionEvent | EventObject): SendOutcome {
    const lifecycle = event.type.startsWith('hearth.');
    if (!lifecycle) this.#busy = true;
    const chart = this.#chart;
    const outcome = chart.send(event, !lifecycle, (err) => this.log.warn({ err }, 'player data cannot be copied (structuredClone); a throwing action will not roll it back'));
    const after = this.#afterTransition;
    this.#afterTransition = undefined;
    if (outcome === 'failed') {
      this.#failed(chart.failure, event, lifecycle);
      return outcome;
    }
    if (outcome === 'unhandled') return outcome;
    const value = chart.snapshot.value;
    const was = this.#phase;
    if (was !== 'closed') this.#phase = phaseOf(value);
    // Grace began: park the player (its snapshot is complete only now, after the transition).
    if (this.#phase === 'disconnected' && was !== 'disconnected' && !this.#replacingLink) this.#host.park(this);
    this.#suspect = this.#phase === 'active' && (value as { active: { heartbeat: string } }).active.heartbeat === 'suspect';
    after?.();
    // A lifecycle step (login, heartbeat, grace) with no game event lately: sleep now.
    if (lifecycle && !this.#busy) chart.sleep();
    return outcome;
  }

  #failed(error: unknown, event: EventObject, lifecycle: boolean): void {
    // A coded refusal (HearthError) is an answer, not a bug: logged at debug.
    const coded = error instanceof HearthError && !lifecycle;
    this.log[coded ? 'debug' : 'error']({ err: error, event: event.type }, 'a statechart action threw; the actor is restored to its state before the event');
    // A lifecycle step cannot be half-done: end the session cleanly.
    if (lifecycle && this.#phase !== 'closed') this.finish({ code: ErrorCode.INTERNAL, text: 'internal error' });
  }

  /** Forgets the connection (and its session id in the holder); returns it for closing. */
  #releaseConnection(): SessionHandle | undefined {
    const ref = this.#link.release();
    if (ref !== undefined) this.#host.unbindSession(ref.id, this);
    return ref;
  }

  #enqueue(bytes: Uint8Array): boolean {
    if (!this.#link.enqueue(bytes, this.#host.timeouts.queueLimit)) {
      this.log.warn({ queued: this.#link.queued.length }, 'push queue full during grace; ending the grace period');
      this.transition({ type: 'hearth.queueOverflow' });
      return false;
    }
    this.#host.queued(this, bytes);
    return true;
  }
}
