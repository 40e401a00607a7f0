import type { AnyDefinition, Payload } from '@hearth/protocol';
import type { ArenaPlayer } from './rules/ArenaPlayer.ts';
import type { Room } from './rules/Room.ts';

/**
 * What a room actor asks the world to do. The room machine never touches a socket or the holder:
 * the arena provides these (over the holder's groups), tests provide recorders.
 */
export interface RoomEffects {
  /** `player` entered `room` (the arena adds them to the room's broadcast group). */
  entered(room: Room, player: ArenaPlayer): void;
  /** `player` left `room`. */
  exited(room: Room, player: ArenaPlayer): void;
  /** Sends one message to every member of `room`, encoded once. */
  broadcast<D extends AnyDefinition>(room: Room, definition: D, payload: Payload<D>): void;
  /** Sends one message to one player. */
  push<D extends AnyDefinition>(player: ArenaPlayer, definition: D, payload: Payload<D>): void;
  /** `player`'s score changed (the arena records it on the leaderboard). */
  scored(player: ArenaPlayer): void;
  /** The room emptied and its actor stopped. */
  closed(room: Room): void;
}
