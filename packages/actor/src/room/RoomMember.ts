import type { AnyDefinition, Payload, RoomOptions } from '@hearth/protocol';
import { RoomPush, RoomState } from '@hearth/protocol';
import type { Player } from '../player/Player.ts';
import { roomRefsOf } from './RoomRefs.ts';

/**
 * A member of a room as the room's code sees it (handlers, tick, hooks, `room.members`): plain
 * data and one method, the same for a player on this node and one on another node of the cluster,
 * so room code runs unchanged in memory and in a cluster. It is not the `Player`: a room reaches
 * its members only through the room (`send`, `broadcast`, `kick`, `setView`).
 */
export interface RoomMember {
  /** The member's user id (the key of `room.members`). */
  readonly userId: string;
  /** The options the member joined with (`joinOrCreate(kind, options)`, `join(roomId, options)`). */
  readonly options: RoomOptions;
  /** The node holding the member's player (this node's id for a local member). */
  readonly nodeId: string;
  /**
   * False while the member's player is in its grace period (disconnected, may resume); pushes are
   * queued meanwhile. For a member held by another node it follows within the cluster's sweep (2 s).
   */
  readonly connected: boolean;
  /** When the member joined (the node's clock, ms). */
  readonly joinedAt: number;
  /** Pushes `definition` to this member as a `room.push` of this room; false if it is no longer a member. */
  send<D extends AnyDefinition>(definition: D, payload: Payload<D>): boolean;
}

/**
 * What a room does with a member beyond {@link RoomMember}: push framework messages, put it in the
 * room's groups, tell whether its player still lives. A local member wraps the `Player`; a remote
 * one forwards to the player's node. @internal
 */
export interface MemberLink extends RoomMember {
  /** False once the player's actor ended (a local member) or its node said so (a remote one). */
  readonly alive: boolean;
  /** The same player session as `other` (a re-login gets a new link under the same user id). */
  is(other: MemberLink): boolean;
  /** Pushes a framework message (`room.left`, `room.state`) to the member. */
  push<D extends AnyDefinition>(definition: D, payload: Payload<D>): boolean;
  /** Puts the member's player in a group (a room's broadcast group or state group). */
  join(group: string): void;
  leave(group: string): void;
  /** Set by the room while this link is its member (`send` checks it). */
  room: { readonly id: string; isMember(link: MemberLink): boolean } | undefined;
}

/** A member held by this node: its `Player`. @internal */
export class LocalMember implements MemberLink {
  readonly player: Player;
  readonly options: RoomOptions;
  readonly nodeId: string;
  readonly joinedAt: number;
  room: MemberLink['room'];

  constructor(player: Player, options: RoomOptions, nodeId: string, joinedAt: number) {
    this.player = player;
    this.options = options;
    this.nodeId = nodeId;
    this.joinedAt = joinedAt;
  }

  get userId(): string {
    return this.player.userId;
  }
  get connected(): boolean {
    return this.player.connected;
  }
  get alive(): boolean {
    return this.player.alive;
  }
  is(other: MemberLink): boolean {
    return other instanceof LocalMember && other.player === this.player;
  }
  send<D extends AnyDefinition>(definition: D, payload: Payload<D>): boolean {
    const room = this.room;
    if (room === undefined || !room.isMember(this)) return false;
    return this.player.push(RoomPush, [room.id, definition.type, payload]);
  }
  push<D extends AnyDefinition>(definition: D, payload: Payload<D>): boolean {
    // A room's state goes to the member's session under its number for the room (RoomRefs.ts).
    if (definition.type === RoomState.type) payload = roomRefsOf(this.player).payload(payload) as Payload<D>;
    return this.player.push(definition, payload);
  }
  join(group: string): void {
    this.player.join(group);
  }
  leave(group: string): void {
    this.player.leave(group);
  }
  toJSON(): object {
    return { userId: this.userId, nodeId: this.nodeId, connected: this.connected, joinedAt: this.joinedAt };
  }
}
