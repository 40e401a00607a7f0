import { defineMessage } from './defineMessage.ts';

/** Credentials of a login request: a map the application's authenticator interprets. */
export type LoginCredentials = Record<string, unknown>;

/** Reply to `login` and `resume`: at least the user id and the token that resumes the session. */
export interface LoginReply {
  userId: string;
  resumeToken: string;
  [key: string]: unknown;
}

/** Payload of a `resume` request. */
export interface ResumeRequest {
  token: string;
}

/** Framework message type 1: log in with application-defined credentials. */
export const Login = defineMessage<LoginCredentials, LoginReply>(1, 'login');
/** Framework message type 2: reattach to an actor in its grace period. */
export const Resume = defineMessage<ResumeRequest, LoginReply>(2, 'resume');

// ---- Rooms (types 10–18; served when the node has room kinds: `createNode({ rooms })`) ----

/** Options a client passes when creating or joining a room: the room kind's `onCreate`/`onJoin` read them. */
export type RoomOptions = Record<string, unknown>;

/** Reply to a join, create or joinOrCreate: the room joined and its state. */
export interface RoomJoined {
  roomId: string;
  /**
   * The room's number in this session (a small uint, never reused by the session's server-side
   * player): the `room.state` pushes of this room carry it instead of the room id. Valid for the
   * connection it was given on: after a reconnect, a join (or resync) reply gives it again. Always
   * set in a reply to a client; absent only between the server's nodes (the player's node adds it).
   */
  ref?: number;
  kind: string;
  /**
   * The room's state at the join: for a `@hearth/state` room the full-state bytes (apply them to a
   * `Mirror`, then the `room.state` patches), for a plain-data room the data itself.
   */
  state: unknown;
}

/** One room in a listing (`room.list`). */
export interface RoomListing {
  roomId: string;
  kind: string;
  members: number;
  maxPlayers: number;
  locked: boolean;
  metadata: unknown;
}

/** Framework type 10: join a room by id (private rooms too). */
export const RoomJoin = defineMessage<{ roomId: string; options?: RoomOptions }, RoomJoined>(10, 'room.join');
/** Framework type 11: create a room of a kind and join it (`private: true`: joinable by id only). */
export const RoomCreate = defineMessage<{ kind: string; options?: RoomOptions; private?: boolean }, RoomJoined>(11, 'room.create');
/** Framework type 12: join an open room of the kind whose filter matches `options`, or create one. */
export const RoomJoinOrCreate = defineMessage<{ kind: string; options?: RoomOptions }, RoomJoined>(12, 'room.joinOrCreate');
/** Framework type 13: leave a room; replies whether the player was in it. */
export const RoomLeave = defineMessage<{ roomId: string }, boolean>(13, 'room.leave');
/** Framework type 14: the public rooms of a kind (optionally only those whose filter matches `options`). */
export const RoomList = defineMessage<{ kind: string; options?: RoomOptions }, RoomListing[]>(14, 'room.list');
/**
 * A message to or from a room: `[roomId, type, payload]`, where `type` and `payload` are an
 * application message (type ≥ 100). An array, not a map: it is on every room message's path, and
 * an array has no key strings to encode and decode (bench/results/rooms.json).
 */
export type RoomEnvelope = [roomId: string, type: number, payload: unknown];

/**
 * Framework type 15: a message addressed to a room the sender is in, `[roomId, type, payload]`,
 * with `type`/`payload` a message the room kind handles; as a request, the reply is the room
 * handler's (typed by that definition), or its coded error.
 */
export const RoomSend = defineMessage<RoomEnvelope, unknown>(15, 'room.send');
/** Framework type 16 (server → client): a push from a room (`room.broadcast` / `room.send`), `[roomId, type, payload]`. */
export const RoomPush = defineMessage<RoomEnvelope>(16, 'room.push');
/**
 * A room's state bytes, `[ref, bytes]` with `ref` the room's number in the session
 * ({@link RoomJoined.ref}): an array, not a map, and a small uint, not the room id — one goes to
 * every member of a synced room on every tick; a map's key strings would add 14 bytes to each and
 * the 12-character room id 12 more than the ref (bench/results/game.json). The room sends its id;
 * the member's player on the server rewrites it to the member's ref (packages/actor RoomRefs).
 */
export type RoomStatePatch = [ref: number, bytes: Uint8Array];

/** Framework type 17 (server → client): a `@hearth/state` patch of a room, `[ref, bytes]` (apply to its `Mirror`). */
export const RoomState = defineMessage<RoomStatePatch>(17, 'room.state');
/** Framework type 18 (server → client): the server removed this player from a room (disposed, kicked). */
export const RoomLeft = defineMessage<{ roomId: string; code: string; text: string }>(18, 'room.left');
