import type { AnyDefinition, Payload, RoomOptions } from '@hearth/protocol';
import { RoomPush } from '@hearth/protocol';
import type { MemberLink } from './RoomMember.ts';

/** How a room node reaches a member's node. @internal ClusterRooms implements it */
export interface MemberOutlet {
  /** Pushes to `userId` on node `nodeId` (the node channel: ordered with the room's other messages to that node). */
  push(nodeId: string, userId: string, definition: AnyDefinition, payload: unknown): boolean;
  /** Puts the member's player on its node in (`true`) or out of a group of room `roomId`. */
  group(nodeId: string, roomId: string, userId: string, group: string, join: boolean): void;
}

/**
 * A member whose player is held by another node of the cluster: the same {@link RoomMember} to
 * room code; pushes and group changes travel to the player's node over the backplane. @internal
 */
export class RemoteMember implements MemberLink {
  readonly userId: string;
  readonly options: RoomOptions;
  readonly nodeId: string;
  readonly joinedAt: number;
  /** Set by the player's node (grace started / resumed); true until it says otherwise. */
  connected = true;
  /** False once the player's node said the player is gone, or that node left the cluster. */
  alive = true;
  room: MemberLink['room'];
  readonly #outlet: MemberOutlet;
  readonly #roomId: string;

  constructor(roomId: string, userId: string, options: RoomOptions, nodeId: string, joinedAt: number, outlet: MemberOutlet) {
    this.#roomId = roomId;
    this.userId = userId;
    this.options = options;
    this.nodeId = nodeId;
    this.joinedAt = joinedAt;
    this.#outlet = outlet;
  }

  is(other: MemberLink): boolean {
    return other instanceof RemoteMember && other.userId === this.userId && other.nodeId === this.nodeId;
  }
  send<D extends AnyDefinition>(definition: D, payload: Payload<D>): boolean {
    const room = this.room;
    if (room === undefined || !room.isMember(this)) return false;
    return this.#outlet.push(this.nodeId, this.userId, RoomPush, [room.id, definition.type, payload]);
  }
  push<D extends AnyDefinition>(definition: D, payload: Payload<D>): boolean {
    return this.alive && this.#outlet.push(this.nodeId, this.userId, definition, payload);
  }
  join(group: string): void {
    this.#outlet.group(this.nodeId, this.#roomId, this.userId, group, true);
  }
  leave(group: string): void {
    this.#outlet.group(this.nodeId, this.#roomId, this.userId, group, false);
  }
  toJSON(): object {
    return { userId: this.userId, nodeId: this.nodeId, connected: this.connected, joinedAt: this.joinedAt };
  }
}
