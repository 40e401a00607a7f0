import type { RoomJoined, RoomOptions } from '@hearth/protocol';
import { ErrorCode, HearthError } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { LeaveReason } from '../player/definePlayer.ts';
import { RoomErrorCode, roomError } from './errors.ts';
import type { RoomEvents, RoomInstance } from './RoomInstance.ts';
import type { MemberLink, RoomMember } from './RoomMember.ts';
import type { RoomRuntime } from './RoomRuntime.ts';
import type { RoomStateSync } from './RoomStateSync.ts';
import { AwayMember } from './checkpoint/AwayMember.ts';

/**
 * Who is in a room and how one gets in or out: the members by user id, the seats held by joins in
 * flight (`onJoin` running), joining, leaving, pruning members whose actor ended elsewhere, and
 * arming the empty timer. @internal a part of {@link RoomInstance}
 */
export class RoomMembership {
  readonly members = new Map<string, MemberLink>();
  /** Seats held by joins in flight. */
  #reserved = 0;
  /** Members being joined (`onJoin` running): `setView` from `onJoin` finds them by user id. */
  readonly #joining = new Set<MemberLink>();
  readonly #room: RoomInstance;
  readonly #group: string;
  readonly #sync: RoomStateSync;
  readonly #runtime: RoomRuntime;
  readonly #events: RoomEvents;
  /** Tells the room's watchers that something a checkpoint holds changed. */
  readonly #changed: () => void;

  constructor(room: RoomInstance, group: string, sync: RoomStateSync, runtime: RoomRuntime, events: RoomEvents, changed: () => void) {
    this.#room = room;
    this.#group = group;
    this.#sync = sync;
    this.#runtime = runtime;
    this.#events = events;
    this.#changed = changed;
  }

  /** Members plus seats held by joins in flight. */
  get taken(): number {
    return this.members.size + this.#reserved;
  }

  /** The current member link of `member` (a user id, or a member that is still this one). */
  linkOf(member: RoomMember | string): MemberLink | undefined {
    const link = this.members.get(typeof member === 'string' ? member : member.userId);
    return link !== undefined && (typeof member === 'string' || link === member) ? link : undefined;
  }

  /** A player being joined (its `onJoin` running), by user id or link. */
  joiningLink(target: RoomMember | string): MemberLink | undefined {
    for (const link of this.#joining) if (typeof target === 'string' ? link.userId === target : link === target) return link;
    return undefined;
  }

  /** See {@link RoomInstance.prune}. */
  prune(): void {
    for (const member of this.members.values()) {
      if (!member.alive) void this.leave(member, { code: ErrorCode.CLOSED, text: 'the session ended elsewhere (resumed on another node)' });
    }
  }

  /** See {@link RoomInstance.join}. */
  async join(player: MemberLink, options: RoomOptions): Promise<RoomJoined> {
    const room = this.#room;
    if (room.disposed) {
      await room.ready; // a room whose onCreate refused: that refusal
      throw roomError(RoomErrorCode.NOT_FOUND, `room ${room.id} is gone`);
    }
    const current = this.members.get(player.userId);
    if (current?.is(player) === true) {
      await room.ready;
      return this.joined(current);
    }
    // A member held away since the room was restored here takes its seat back (no onJoin).
    if (current instanceof AwayMember && room.reenter(player)) return this.joined(player);
    if (room.locked) throw roomError(RoomErrorCode.LOCKED, `room ${room.id} is locked`);
    this.prune();
    if (this.taken >= room.maxPlayers) throw roomError(RoomErrorCode.FULL, `room ${room.id} is full (${room.maxPlayers})`);
    // The seat is held synchronously, before anything is awaited: two joins racing for the last
    // seat cannot both pass the check above.
    this.#reserved++;
    this.#joining.add(player);
    this.#runtime.clearEmpty();
    try {
      await room.ready;
      const onJoin = room.definition.hooksOf.onJoin;
      if (onJoin !== undefined) {
        try {
          await onJoin(room, player, options);
        } catch (err) {
          throw asRefusal(err, room.log, 'onJoin');
        }
      }
      if (room.disposed) throw roomError(RoomErrorCode.NOT_FOUND, `room ${room.id} was disposed during the join`);
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
    room.flush();
    this.members.set(player.userId, player);
    player.room = room;
    player.join(this.#group);
    this.#sync.enter(player);
    this.#events.joined(room, player);
    this.#changed();
    return this.joined(player);
  }

  /** See {@link RoomInstance.leave}. */
  async leave(player: MemberLink, reason: LeaveReason): Promise<boolean> {
    if (this.members.get(player.userId) !== player) return false;
    const room = this.#room;
    this.members.delete(player.userId);
    player.room = undefined;
    player.leave(this.#group);
    this.#sync.exit(player);
    this.#sync.views.forget(player);
    this.#events.gone(room, player);
    this.#changed();
    try {
      await room.definition.hooksOf.onLeave?.(room, player, reason);
    } catch (err) {
      room.log.error({ err }, 'room onLeave hook threw');
    }
    room.flush();
    this.checkEmpty();
    return true;
  }

  /** Arms the empty timer (or disposes at once) when no one is in or joining the room. */
  checkEmpty(): void {
    if (this.#room.disposed || this.taken > 0) return;
    this.#runtime.armEmpty(() => this.taken === 0);
  }

  /**
   * A join's answer. A synced room's full state is taken with no change pending (`full()` refuses
   * otherwise): a member re-joining (how a client resynchronises its mirror) between ticks, after a
   * handler changed the state, first gets those changes as the patch every member gets.
   */
  joined(player: MemberLink): RoomJoined {
    const room = this.#room;
    room.flush();
    return { roomId: room.id, kind: room.kind, state: this.#sync.stateFor(player, room.state) };
  }
}

/** A hook's throw as the coded refusal a client gets: a `HearthError` as is, anything else `INTERNAL` (logged). */
export function asRefusal(err: unknown, log: Logger, hook: string): HearthError {
  if (err instanceof HearthError) return err;
  log.error({ err }, `room ${hook} hook threw; refused INTERNAL`);
  return new HearthError(ErrorCode.INTERNAL, `the room's ${hook} failed`);
}
