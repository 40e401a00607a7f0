import type { Logger } from 'pino';
import type { RoomDirectory } from '../cluster/RoomDirectory.ts';
import type { Player } from '../player/Player.ts';
import { leaveGroups, roomIdsIn } from './roomGroups.ts';
import type { RoomManager } from './RoomManager.ts';
import type { RoomNode } from './RoomNode.ts';

/** What {@link ResumeSeats} uses. */
export interface ResumeSeatsOptions {
  readonly manager: RoomManager;
  readonly directory: RoomDirectory;
  readonly node: RoomNode;
  readonly nodeId: string;
  readonly logger: Logger;
  /** Rooms on other nodes of this node's players: player → roomId → node (ClusterRooms' map, shared). */
  readonly remote: Map<Player, Map<string, string>>;
  /** Drops `player`'s membership of `roomId` held here (the remote entry and the room's groups). */
  readonly forget: (player: Player, roomId: string) => void;
}

/**
 * A player that resumes on another node keeps its room seats: the old node moves the seats of its
 * rooms to the new node and tells the room nodes of its other rooms; the new node asks each room of
 * the player's groups to move the seat to it. @internal ClusterRooms runs it
 */
export class ResumeSeats {
  readonly #o: ResumeSeatsOptions;

  constructor(options: ResumeSeatsOptions) {
    this.#o = options;
  }

  /** This node's `player` resumed on node `to` (its actor stops here quietly): its seats move there. */
  movedAway(player: Player, to: string): void {
    const { manager, node, nodeId, remote } = this.#o;
    for (const room of manager.roomsOf(player)) node.rehome(room.id, player.userId, nodeId, to);
    for (const [roomId, roomNode] of remote.get(player) ?? []) node.tellMoved(roomNode, roomId, player.userId, to);
    remote.delete(player);
  }

  /**
   * `player` resumed here from node `prev` (restored with its groups, not yet attached): each room
   * of its groups moves its seat here (the room's node asked; its rooms on this node directly), so
   * its first `room.send` after the resume reply works. A room gone or not answering is forgotten.
   */
  async arrived(player: Player, prev: string): Promise<void> {
    await Promise.all(roomIdsIn(player.groups).map((roomId) => this.#arrivedIn(player, roomId, prev)));
  }

  async #arrivedIn(player: Player, roomId: string, prev: string): Promise<void> {
    const { manager, directory, node, remote } = this.#o;
    if (manager.instance(roomId) !== undefined) {
      if (!node.rehome(roomId, player.userId, prev, this.#o.nodeId)) leaveGroups(player, roomId);
      return;
    }
    try {
      const nodeId = await directory.nodeOf(roomId);
      if (nodeId !== undefined && nodeId !== this.#o.nodeId) {
        // Known first: the room's node sends its group changes ahead of its answer.
        let rooms = remote.get(player);
        if (rooms === undefined) remote.set(player, (rooms = new Map<string, string>()));
        rooms.set(roomId, nodeId);
        if (await node.move(nodeId, { roomId, userId: player.userId, prev })) return;
      }
    } catch (err) {
      this.#o.logger.debug({ err, roomId }, 'a resumed player could not keep its seat; it joins the room again');
    }
    this.#o.forget(player, roomId);
  }
}
