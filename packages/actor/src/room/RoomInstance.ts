import type { AnyDefinition, Payload, RoomEnvelope, RoomJoined, RoomOptions } from '@hearth/protocol';
import { ErrorCode, RoomLeft, RoomPush, RoomState } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { EventObject, StateValue } from 'xstate';
import type { LeaveReason } from '../player/definePlayer.ts';
import type { Clock } from '../time/Clock.ts';
import { RoomErrorCode } from './errors.ts';
import type { Room } from './Room.ts';
import type { MemberLink, RoomMember } from './RoomMember.ts';
import type { RoomDefinition, RoomRoute } from './RoomDefinition.ts';
import type { RoomLifecycle } from './RoomLifecycle.ts';
import { RoomMembership, asRefusal } from './RoomMembership.ts';
import { RoomRuntime } from './RoomRuntime.ts';
import { RoomStateSync } from './RoomStateSync.ts';
import { roomStateOf } from './RoomRefs.ts';
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
  readonly #hub: RoomHub;
  readonly #group: string;
  /** The state's way to the members: patches, full states, views. */
  readonly #sync: RoomStateSync;
  readonly #events: RoomEvents;
  #locked = false;
  #private = false;
  #metadata: unknown = null;
  /** The tick, the statechart and the empty timer. */
  readonly #runtime = new RoomRuntime(this);
  /** The members, the seats of joins in flight, joining and leaving. */
  readonly #membership: RoomMembership;
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
    this.#membership = new RoomMembership(this, this.#group, this.#sync, this.#runtime, events, () => this.#changed());
    this.state = synced !== undefined ? synced.state : restored !== undefined ? restored.state : spec.state !== undefined ? spec.state(options) : {};
  }

  get #members(): Map<string, MemberLink> {
    return this.#membership.members;
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
    return !this.disposed && !this.#locked && this.#membership.taken < this.maxPlayers;
  }

  /**
   * Removes members whose actor ended without its leave hook (one that resumed on another node stops
   * here quietly, `RESUMED_ELSEWHERE`): their seats free up, `onLeave` sees `CLOSED`. Run before a
   * join, a listing and each tick burst.
   */
  prune(): void {
    this.#membership.prune();
  }

  broadcast<D extends AnyDefinition>(definition: D, payload: Payload<D>, options: { except?: RoomMember | string } = {}): number {
    if (this.disposed) return 0;
    const message: RoomEnvelope = [this.id, definition.type, payload];
    const except = options.except === undefined ? undefined : typeof options.except === 'string' ? options.except : options.except.userId;
    // The holder's group broadcast encodes once for every member on every node.
    return this.#hub.broadcast(this.#group, RoomPush, message as never, except);
  }

  send<D extends AnyDefinition>(member: RoomMember | string, definition: D, payload: Payload<D>): boolean {
    const link = this.#membership.linkOf(member);
    if (this.disposed || link === undefined) return false;
    return link.push(RoomPush, [this.id, definition.type, payload]);
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
    const link = this.#membership.linkOf(target) ?? this.#membership.joiningLink(target);
    return link !== undefined && this.#sync.setView(link, view, this.isMember(link), () => this.flush());
  }

  async kick(member: RoomMember | string, code: string = ErrorCode.KICKED, text = 'removed from the room'): Promise<boolean> {
    const player = this.#membership.linkOf(member);
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
      link.push(RoomState, roomStateOf(this.id, this.#sync.stateFor(link, null) as Uint8Array));
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
  join(player: MemberLink, options: RoomOptions): Promise<RoomJoined> {
    return this.#membership.join(player, options);
  }

  /** Removes a member, then runs `onLeave`. False when `player` was not a member. */
  leave(player: MemberLink, reason: LeaveReason): Promise<boolean> {
    return this.#membership.leave(player, reason);
  }

  /** Arms the empty timer (or disposes at once) when no one is in or joining the room. */
  checkEmpty(): void {
    this.#membership.checkEmpty();
  }

  /**
   * Runs a member's message through the kind's handler; returns its reply (or promise). Without a
   * tick, state changes go out right after the handler (with one, after the next tick).
   */
  handle(route: RoomRoute, player: MemberLink, payload: unknown): unknown {
    const result: unknown = route.handler(this, player, payload);
    if (this.#runtime.ticker !== undefined) return result;
    // No tick: the handler's changes go out now, and count as a tick for checkpoints.
    if (result instanceof Promise) return result.finally(this.#afterHandler);
    this.#afterHandler();
    return result;
  }

  /** After a handler of a room without a tick (one function per room: nothing allocated per message). */
  readonly #afterHandler = (): void => {
    this.flush();
    this.#changed(true);
  };

  /** Sends the state's pending changes as one patch to the members (encoded once). */
  flush(): void {
    if (!this.disposed) this.#sync.flush();
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
