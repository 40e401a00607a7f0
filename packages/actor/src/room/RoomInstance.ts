import type { AnyDefinition, Payload, RoomEnvelope, RoomJoined, RoomOptions } from '@hearth/protocol';
import { ErrorCode, HearthError, RoomLeft, RoomPush, RoomState } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { EventObject, StateValue } from 'xstate';
import type { LeaveReason } from '../player/definePlayer.ts';
import type { Clock } from '../time/Clock.ts';
import { RoomErrorCode, roomError } from './errors.ts';
import type { Room } from './Room.ts';
import type { MemberLink, RoomMember } from './RoomMember.ts';
import type { RoomDefinition, RoomRoute } from './RoomDefinition.ts';
import type { RoomLifecycle } from './RoomLifecycle.ts';
import { RoomRuntime } from './RoomRuntime.ts';
import { RoomStateSync } from './RoomStateSync.ts';
import type { SyncedState } from './SyncedState.ts';
import { AwayMember } from './checkpoint/AwayMember.ts';
import type { RoomResume } from './checkpoint/RoomResume.ts';

/** What a room uses of its node: group broadcast (encode once) and a clock. @internal */
export interface RoomHub {
  /** Pushes to a group's members on every node, encoded once; `exceptUserId` skips that member. */
  broadcast(group: string, definition: AnyDefinition, payload: never, exceptUserId?: string): number;
  readonly clock: Clock;
  /** This node's id (`RoomMember.nodeId` of local members). */
  readonly nodeId: string;
}

/** What a room tells its manager. @internal */
export interface RoomEvents {
  joined(room: RoomInstance, member: MemberLink): void;
  gone(room: RoomInstance, member: MemberLink): void;
  disposed(room: RoomInstance): void;
  /** A member's player moved to another node: `to` replaced `from` (seat kept, no hook). */
  moved?(room: RoomInstance, from: MemberLink, to: MemberLink): void;
  /** Something a checkpoint holds changed (lock, metadata, membership, phase), or `tick`: a tick burst ran. */
  changed?(room: RoomInstance, tick: boolean): void;
}

/** The group (in the holder) whose members are a room's members: broadcasts are encoded once. */
export function roomGroup(roomId: string): string {
  return `hearth.room/${roomId}`;
}

/**
 * One live room: members, seats, lock, metadata, state sync, the tick and the lifecycle hooks.
 * @internal game code holds it as a {@link Room}.
 */
export class RoomInstance implements Room {
  readonly id: string;
  readonly kind: string;
  readonly options: unknown;
  readonly state: unknown;
  readonly log: Logger;
  readonly definition: RoomDefinition<unknown, unknown>;
  /** Settles when `onCreate` did; joins wait for it. */
  ready: Promise<void> = Promise.resolve();
  readonly #members = new Map<string, MemberLink>();
  readonly #hub: RoomHub;
  readonly #group: string;
  /** The state's way to the members: patches, full states, views. */
  readonly #sync: RoomStateSync;
  readonly #events: RoomEvents;
  #reserved = 0;
  /** Members being joined (`onJoin` running): `setView` from `onJoin` finds them by user id. */
  readonly #joining = new Set<MemberLink>();
  #locked = false;
  #private = false;
  #metadata: unknown = null;
  /** The tick, the statechart and the empty timer. */
  readonly #runtime = new RoomRuntime(this);
  #disposing: Promise<void> | undefined;
  #handedOff = false;

  constructor(
    id: string,
    definition: RoomDefinition<unknown, unknown>,
    options: unknown,
    hub: RoomHub,
    log: Logger,
    events: RoomEvents,
    restored?: { readonly state: unknown; readonly full: Uint8Array | null },
  ) {
    this.id = id;
    this.kind = definition.name;
    this.definition = definition;
    this.options = options;
    this.#hub = hub;
    this.#group = roomGroup(id);
    this.#events = events;
    this.log = log.child({ roomId: id, kind: this.kind });
    const spec = definition.spec;
    const synced = spec.sync?.(options);
    // A room restored from its checkpoint (docs/rooms.md, "Rooms outlive their node"): its state, not a new one.
    if (restored?.full != null) synced?.load?.(restored.full);
    this.#sync = new RoomStateSync(id, this.#group, synced, hub);
    this.state = synced !== undefined ? synced.state : restored !== undefined ? restored.state : spec.state !== undefined ? spec.state(options) : {};
  }

  get members(): ReadonlyMap<string, RoomMember> {
    return this.#members;
  }
  /** The member link of `userId`, if a member. */
  member(userId: string): MemberLink | undefined {
    return this.#members.get(userId);
  }
  /** True when `link` (that very session) is a member. */
  isMember(link: MemberLink): boolean {
    return this.#members.get(link.userId)?.is(link) === true;
  }
  get maxPlayers(): number {
    return this.definition.spec.maxPlayers;
  }
  get locked(): boolean {
    return this.#locked;
  }
  get private(): boolean {
    return this.#private;
  }
  get metadata(): unknown {
    return this.#metadata;
  }
  get tick(): number {
    return this.#runtime.ticker?.tick ?? 0;
  }
  /** Ticks skipped for being late (see {@link FixedTicker}). */
  get skippedTicks(): number {
    return this.#runtime.ticker?.skipped ?? 0;
  }
  get disposed(): boolean {
    return this.#disposing !== undefined;
  }
  get phase(): StateValue | undefined {
    return this.#runtime.lifecycle?.phase;
  }
  /** @internal the lifecycle actor (its persisted snapshot goes into checkpoints). */
  get lifecycleActor(): RoomLifecycle | undefined {
    return this.#runtime.lifecycle;
  }
  /** True when the room went to another node (drain): no hooks ran, its checkpoint stays. */
  get handedOff(): boolean {
    return this.#handedOff;
  }
  raise(event: EventObject): void {
    if (!this.disposed) this.#runtime.lifecycle?.send(event);
  }
  get synced(): SyncedState<unknown> | undefined {
    return this.#sync.synced;
  }
  get clock(): Clock {
    return this.#hub.clock;
  }
  /** True when a join could take a seat now (not locked, not full, not disposed). */
  get open(): boolean {
    this.prune();
    return !this.disposed && !this.#locked && this.#members.size + this.#reserved < this.maxPlayers;
  }

  /**
   * Removes members whose actor ended without its leave hook (one that resumed on another node stops
   * here quietly, `RESUMED_ELSEWHERE`): their seats free up, `onLeave` sees `CLOSED`. Run before a
   * join, a listing and each tick burst.
   */
  prune(): void {
    for (const member of this.#members.values()) {
      if (!member.alive) void this.leave(member, { code: ErrorCode.CLOSED, text: 'the session ended elsewhere (resumed on another node)' });
    }
  }

  broadcast<D extends AnyDefinition>(definition: D, payload: Payload<D>, options: { except?: RoomMember | string } = {}): number {
    if (this.disposed) return 0;
    const message: RoomEnvelope = [this.id, definition.type, payload];
    const except = options.except === undefined ? undefined : typeof options.except === 'string' ? options.except : options.except.userId;
    // The holder's group broadcast encodes once for every member on every node.
    return this.#hub.broadcast(this.#group, RoomPush, message as never, except);
  }

  send<D extends AnyDefinition>(member: RoomMember | string, definition: D, payload: Payload<D>): boolean {
    const link = this.#linkOf(member);
    if (this.disposed || link === undefined) return false;
    return link.push(RoomPush, [this.id, definition.type, payload]);
  }

  /** The current member link of `member` (a user id, or a member that is still this one). */
  #linkOf(member: RoomMember | string): MemberLink | undefined {
    const link = this.#members.get(typeof member === 'string' ? member : member.userId);
    return link !== undefined && (typeof member === 'string' || link === member) ? link : undefined;
  }

  lock(): void {
    this.#locked = true;
    this.#changed();
  }
  unlock(): void {
    this.#locked = false;
    this.#changed();
  }
  setPrivate(value: boolean): void {
    this.#private = value;
    this.#changed();
  }
  setMetadata(metadata: unknown): void {
    this.#metadata = metadata;
    this.#changed();
  }

  setView(target: RoomMember | string, view: unknown): boolean {
    if (this.disposed) return false;
    const link = this.#linkOf(target) ?? this.#joiningLink(target);
    return link !== undefined && this.#sync.setView(link, view, this.isMember(link), () => this.flush());
  }

  async kick(member: RoomMember | string, code: string = ErrorCode.KICKED, text = 'removed from the room'): Promise<boolean> {
    const player = this.#linkOf(member);
    if (player === undefined) return false;
    player.push(RoomLeft, { roomId: this.id, code, text });
    return this.leave(player, { code, text });
  }

  dispose(): Promise<void> {
    return (this.#disposing ??= (async () => {
      this.#stop(true);
      await this.#hook('onDispose', () => this.definition.hooksOf.onDispose?.(this));
    })());
  }

  /** Stops the timers and lets the members go (told `ROOM_DISPOSED` when `tell`), out of the room's groups. */
  #stop(tell: boolean): void {
    this.#runtime.stop();
    const members = [...this.#members.values()];
    this.#members.clear();
    for (const member of members) {
      if (tell) member.push(RoomLeft, { roomId: this.id, code: RoomErrorCode.DISPOSED, text: 'the room was disposed' });
      member.leave(this.#group);
      this.#sync.exit(member);
    }
    this.#sync.views.clear();
    this.#events.disposed(this);
    for (const member of members) {
      member.room = undefined;
      if (member instanceof AwayMember) member.cancel();
      if (tell || !(member instanceof AwayMember)) this.#events.gone(this, member);
    }
  }

  // ---- lifecycle, driven by the RoomManager ----

  /** Runs `onCreate`, then starts the tick. Rejects (and disposes) when `onCreate` throws. */
  async create(): Promise<void> {
    const onCreate = this.definition.hooksOf.onCreate;
    try {
      if (onCreate !== undefined) await onCreate(this, this.options);
    } catch (err) {
      void this.dispose();
      throw asRefusal(err, this.log, 'onCreate');
    }
    this.#start(undefined, 1);
  }

  /**
   * Instead of {@link create} for a room restored from its checkpoint: no `onCreate`; its lock,
   * metadata, members (away until they come back), lifecycle and tick number as they were, then
   * `onRestore`. Rejects (and disposes) when `onRestore` throws.
   */
  async resume(from: RoomResume): Promise<void> {
    this.#locked = from.locked;
    this.#private = from.private;
    this.#metadata = from.metadata;
    for (const member of from.away) {
      this.#members.set(member.userId, member);
      member.room = this;
    }
    try {
      await this.definition.hooksOf.onRestore?.(this);
    } catch (err) {
      void this.dispose();
      throw asRefusal(err, this.log, 'onRestore');
    }
    this.#start(from.lifecycle ?? undefined, from.tick + 1);
  }

  #start(persisted: RoomResume['lifecycle'] | undefined, firstTick: number): void {
    this.#runtime.start(persisted ?? undefined, firstTick, {
      phaseChanged: () => this.#changed(),
      afterBurst: () => {
        this.prune();
        this.flush();
        this.#changed(true);
      },
    });
  }

  /**
   * A member held away since the restore comes back as `link` (its player logged in, resumed or
   * addressed the room on this node): it takes the seat back without `onJoin`, and a synced room
   * sends it the full state. False when `link.userId` is not an away member.
   */
  reenter(link: MemberLink): boolean {
    const away = this.#members.get(link.userId);
    if (!(away instanceof AwayMember) || this.disposed) return false;
    away.cancel();
    away.room = undefined;
    this.flush();
    this.#members.set(link.userId, link);
    link.room = this;
    link.join(this.#group);
    if (this.#sync.synced !== undefined) {
      this.#sync.enter(link);
      link.push(RoomState, [this.id, this.#sync.stateFor(link, null) as Uint8Array]);
    }
    this.#events.joined(this, link);
    this.#changed();
    return true;
  }

  /**
   * The member's player moved to another node (it resumed there): `link` replaces its current link
   * with its seat, view and join options; no hook runs (an away member comes back as in
   * {@link reenter}). False when `link.userId` is not a member.
   */
  rehome(link: MemberLink): boolean {
    const old = this.#members.get(link.userId);
    if (old === undefined || this.disposed) return false;
    if (old instanceof AwayMember) return this.reenter(link);
    const view = this.#sync.views.viewOf(old);
    this.#sync.exit(old);
    this.#sync.views.forget(old);
    old.room = undefined;
    this.#members.set(link.userId, link);
    link.room = this;
    if (view !== undefined) this.#sync.views.set(link, view);
    link.join(this.#group);
    this.#sync.enter(link);
    this.#events.moved?.(this, old, link);
    this.#changed();
    return true;
  }

  /**
   * The room went to another node (drain, after its final checkpoint and the ownership transfer):
   * it stops here without a hook or a `room.left`; its members leave its groups. Idempotent.
   */
  handOff(): void {
    if (this.#disposing !== undefined) return;
    this.#handedOff = true;
    this.#disposing = Promise.resolve();
    this.#stop(false);
  }


  /**
   * Seats `player`: holds a seat, runs `onJoin` (which may refuse), then makes it a member and
   * answers the room's state. Idempotent for a member. Rejects with a coded `HearthError`.
   */
  async join(player: MemberLink, options: RoomOptions): Promise<RoomJoined> {
    if (this.disposed) {
      await this.ready; // a room whose onCreate refused: that refusal
      throw roomError(RoomErrorCode.NOT_FOUND, `room ${this.id} is gone`);
    }
    const current = this.#members.get(player.userId);
    if (current?.is(player) === true) {
      await this.ready;
      return this.#joined(current);
    }
    // A member held away since the room was restored here takes its seat back (no onJoin).
    if (current instanceof AwayMember && this.reenter(player)) return this.#joined(player);
    if (this.#locked) throw roomError(RoomErrorCode.LOCKED, `room ${this.id} is locked`);
    this.prune();
    if (this.#members.size + this.#reserved >= this.maxPlayers) throw roomError(RoomErrorCode.FULL, `room ${this.id} is full (${this.maxPlayers})`);
    // The seat is held synchronously, before anything is awaited: two joins racing for the last
    // seat cannot both pass the check above.
    this.#reserved++;
    this.#joining.add(player);
    this.#runtime.clearEmpty();
    try {
      await this.ready;
      const onJoin = this.definition.hooksOf.onJoin;
      if (onJoin !== undefined) {
        try {
          await onJoin(this, player, options);
        } catch (err) {
          throw asRefusal(err, this.log, 'onJoin');
        }
      }
      if (this.disposed) throw roomError(RoomErrorCode.NOT_FOUND, `room ${this.id} was disposed during the join`);
      if (!player.alive) throw roomError(ErrorCode.CLOSED, 'the player closed during the join');
    } catch (err) {
      this.#reserved--;
      this.#joining.delete(player);
      this.#sync.views.forget(player);
      this.checkEmpty();
      throw err;
    }
    this.#reserved--;
    this.#joining.delete(player);
    // Changes made before this join (onJoin's included) go out as a patch to the other members
    // first: the joiner's full state must not be one the next patch re-applies.
    this.flush();
    this.#members.set(player.userId, player);
    player.room = this;
    player.join(this.#group);
    this.#sync.enter(player);
    this.#events.joined(this, player);
    this.#changed();
    return this.#joined(player);
  }

  /** Removes a member, then runs `onLeave`. False when `player` was not a member. */
  async leave(player: MemberLink, reason: LeaveReason): Promise<boolean> {
    if (this.#members.get(player.userId) !== player) return false;
    this.#members.delete(player.userId);
    player.room = undefined;
    player.leave(this.#group);
    this.#sync.exit(player);
    this.#sync.views.forget(player);
    this.#events.gone(this, player);
    this.#changed();
    await this.#hook('onLeave', () => this.definition.hooksOf.onLeave?.(this, player, reason));
    this.flush();
    this.checkEmpty();
    return true;
  }

  /** Arms the empty timer (or disposes at once) when no one is in or joining the room. */
  checkEmpty(): void {
    if (this.disposed || this.#members.size + this.#reserved > 0) return;
    this.#runtime.armEmpty(() => this.#members.size + this.#reserved === 0);
  }

  /**
   * Runs a member's message through the kind's handler; returns its reply (or promise). Without a
   * tick, state changes go out right after the handler (with one, after the next tick).
   */
  handle(route: RoomRoute, player: MemberLink, payload: unknown): unknown {
    const result: unknown = route.handler(this, player, payload);
    if (this.#runtime.ticker === undefined) {
      // No tick: the handler's changes go out now, and count as a tick for checkpoints.
      const after = (): void => {
        this.flush();
        this.#changed(true);
      };
      if (result instanceof Promise) return result.finally(after);
      after();
    }
    return result;
  }

  /** Sends the state's pending changes as one patch to the members (encoded once). */
  flush(): void {
    if (!this.disposed) this.#sync.flush();
  }

  /**
   * A join's answer. A synced room's full state is taken with no change pending (`full()` refuses
   * otherwise): a member re-joining (how a client resynchronises its mirror) between ticks, after a
   * handler changed the state, first gets those changes as the patch every member gets.
   */
  #joined(player: MemberLink): RoomJoined {
    this.flush();
    return { roomId: this.id, kind: this.kind, state: this.#sync.stateFor(player, this.state) };
  }

  #joiningLink(target: RoomMember | string): MemberLink | undefined {
    for (const link of this.#joining) if (typeof target === 'string' ? link.userId === target : link === target) return link;
    return undefined;
  }

  #changed(tick = false): void {
    if (this.#disposing === undefined) this.#events.changed?.(this, tick);
  }

  async #hook(name: string, run: () => void | Promise<void> | undefined): Promise<void> {
    try {
      await run();
    } catch (err) {
      this.log.error({ err }, `room ${name} hook threw`);
    }
  }
}

/** A hook's throw as the coded refusal a client gets: a `HearthError` as is, anything else `INTERNAL` (logged). */
function asRefusal(err: unknown, log: Logger, hook: string): HearthError {
  if (err instanceof HearthError) return err;
  log.error({ err }, `room ${hook} hook threw; refused INTERNAL`);
  return new HearthError(ErrorCode.INTERNAL, `the room's ${hook} failed`);
}
