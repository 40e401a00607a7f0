import { HearthError } from '@hearth/protocol';

/**
 * Coded refusals of the room layer (the `code` of the `HearthError` a client's request gets).
 * An `onJoin` hook refuses with any code of its own by throwing `new HearthError(code, text)`.
 */
export const RoomErrorCode = {
  /** No room kind of that name on this node (`createNode({ rooms })`). */
  UNKNOWN_KIND: 'ROOM_UNKNOWN_KIND',
  /** No live room with that id (never existed, or disposed). */
  NOT_FOUND: 'ROOM_NOT_FOUND',
  /** The room has `maxPlayers` members (seats being joined count). */
  FULL: 'ROOM_FULL',
  /** The room is locked (`room.lock()`): no one joins until it unlocks. */
  LOCKED: 'ROOM_LOCKED',
  /** The player is already in (or joining) `maxRoomsPerPlayer` rooms. */
  TOO_MANY_ROOMS: 'TOO_MANY_ROOMS',
  /** A message addressed to a room the sender is not in. */
  NOT_IN_ROOM: 'NOT_IN_ROOM',
  /** The room's node left the cluster (stopped, or its lease lapsed) before answering. */
  UNREACHABLE: 'ROOM_UNREACHABLE',
  /** Sent in `room.left` when the room was disposed with the player in it. */
  DISPOSED: 'ROOM_DISPOSED',
  /** A room kind's definition is wrong (thrown by `defineRoom`/`createNode`). */
  DEFINITION: 'DEFINITION',
} as const;
export type RoomErrorCode = (typeof RoomErrorCode)[keyof typeof RoomErrorCode];

/** Shorthand for a coded refusal. */
export function roomError(code: string, text: string): HearthError {
  return new HearthError(code, text);
}
