import { RoomLeft, type RoomJoined, type RoomOptions } from '@hearth/protocol';
import type { Player } from '../player/Player.ts';
import type { Room } from './Room.ts';
import { LEFT, type CreateRoomOptions, type PlayerRoomService } from './RoomManager.ts';

/**
 * `player.rooms`: the rooms of one player, and joining from server code (a handler, a hook) the
 * same way a client does with the framework requests. Each call resolves to what the client's
 * request would get (the room id, kind and state) or rejects with the same coded `HearthError`.
 */
export class PlayerRooms {
  readonly #manager: PlayerRoomService;
  readonly #player: Player;

  /** @internal */
  constructor(manager: PlayerRoomService, player: Player) {
    this.#manager = manager;
    this.#player = player;
  }

  /** The rooms the player is a member of that run on this node (`ids`: all of them). */
  get list(): Room[] {
    return this.#manager.roomsOf(this.#player);
  }

  /** Ids of the rooms the player is in, on this node and (in a cluster) on others. */
  get ids(): string[] {
    return this.#manager.roomIdsOf(this.#player);
  }

  /** True when the player is a member of `roomId` (on any node). */
  has(roomId: string): boolean {
    return this.#manager.isMember(this.#player, roomId);
  }

  /** Joins an open public room of `kind` whose `filterBy` options match, or creates one. */
  joinOrCreate(kind: string, options?: RoomOptions): Promise<RoomJoined> {
    return this.#manager.joinOrCreate(this.#player, kind, options);
  }

  /** Joins the room `roomId` (private rooms too). */
  join(roomId: string, options?: RoomOptions): Promise<RoomJoined> {
    return this.#manager.join(this.#player, roomId, options);
  }

  /** Creates a room of `kind` and joins it. */
  create(kind: string, options?: RoomOptions, how?: CreateRoomOptions): Promise<RoomJoined> {
    return this.#manager.createAndJoin(this.#player, kind, options, how);
  }

  /**
   * Takes the player out of `roomId` (the room's `onLeave` sees `LEFT`); false when not in it. Its
   * client is told with `room.left` (`LEFT`), as for a kick: it did not ask. (A leave the client
   * asks for, `room.leave`, is answered instead.)
   */
  leave(roomId: string): Promise<boolean> {
    if (!this.#manager.isMember(this.#player, roomId)) return Promise.resolve(false);
    this.#player.push(RoomLeft, { roomId, code: LEFT, text: 'left the room' });
    return this.#manager.leave(this.#player, roomId);
  }
}
