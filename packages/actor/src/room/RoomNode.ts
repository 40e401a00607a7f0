import type { AnyDefinition, RoomJoined, RoomOptions } from '@hearth/protocol';
import { defineMessage, encodeMessage, ErrorCode, HearthError, Kind } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { Envelope } from '../backplane/Backplane.ts';
import type { ClusterRequests } from '../cluster/ClusterRequests.ts';
import type { NodeTransport } from '../cluster/NodeTransport.ts';
import type { Player } from '../player/Player.ts';
import type { Clock } from '../time/Clock.ts';
import { isUserId } from '../wireIds.ts';
import { AwayMember } from './checkpoint/AwayMember.ts';
import { dispatchToRoom } from './dispatchToRoom.ts';
import { RoomErrorCode, roomError } from './errors.ts';
import { roomGroup } from './RoomInstance.ts';
import type { RoomManager } from './RoomManager.ts';
import { RemoteMember, type MemberOutlet } from './RemoteMember.ts';
import { LocalMember, type MemberLink } from './RoomMember.ts';

/** A join sent to the room's node. */
export interface EnterRequest {
  readonly roomId: string;
  readonly userId: string;
  readonly options: RoomOptions;
  /** The room is new (or not yet live): its node creates it with these if it has not yet. */
  readonly create?: { readonly kind: string; readonly options: RoomOptions; readonly private: boolean };
}

/** A leave sent to the room's node (the code reaches `onLeave`). */
export interface ExitRequest {
  readonly roomId: string;
  readonly userId: string;
  readonly code: string;
  readonly text: string;
}

/** The framework's node requests of rooms (node request types below 100 are the framework's). */
export const RoomEnter = defineMessage<EnterRequest, RoomJoined>(20, 'hearth.room.enter');
export const RoomForward = defineMessage<[roomId: string, userId: string, type: number, payload: unknown], unknown>(21, 'hearth.room.forward');
export const RoomExit = defineMessage<ExitRequest, boolean>(22, 'hearth.room.exit');
/** A member's player resumed on the requesting node (it was held by `prev`): its seat moves there. */
export const RoomMove = defineMessage<{ roomId: string; userId: string; prev: string }, boolean>(23, 'hearth.room.move');
/**
 * Node messages of rooms: `['left', roomId, userId]` and `['g', roomId, userId, group, 0|1]` (room
 * node → member's node), `['c', roomId, userId, 0|1]` (member's node → room node: connected),
 * `['m', roomId, userId, toNode]` (member's old node → room node: its player resumed on `toNode`).
 */
const TOPIC = 'hearth.room';
const ROOM_ID = /^[\w-]{1,64}$/;
const MAX_CODE = 64;

/** What the player-side room layer tells the room node layer. */
export interface RoomNodeOwner {
  /** The node running `roomId` for `player`, when the player is in it (or joining it) there. */
  remoteNodeOf(player: Player, roomId: string): string | undefined;
  /** A member of a room on node `from` is no longer in it. */
  left(roomId: string, userId: string, from: string): void;
}

/** What {@link RoomNode} uses. */
export interface RoomNodeOptions {
  readonly manager: RoomManager;
  readonly cluster: ClusterRequests;
  readonly transport: NodeTransport;
  /** Sends an envelope to a node (the backplane's `publish`). */
  readonly publish: (nodeId: string, envelope: Envelope) => void;
  /** A player held by this node. */
  readonly player: (userId: string) => Player | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly timeoutMs: number;
}

/**
 * The room-node side of cluster rooms: serves joins, messages and leaves of players held by other
 * nodes ({@link RemoteMember}s), and reaches those players (pushes, group changes, "you left");
 * on the player's side, applies what a room node says. Every request and message is checked. @internal
 */
export class RoomNode implements MemberOutlet {
  readonly #o: RoomNodeOptions;
  #owner: RoomNodeOwner | undefined;

  constructor(options: RoomNodeOptions) {
    this.#o = options;
    const c = options.cluster;
    c.handle(RoomEnter, (req, from) => this.#onEnter(req, from));
    c.handle(RoomForward, (msg, from) => this.#onForward(msg, from));
    c.handle(RoomExit, (req, from) => this.#onExit(req, from));
    c.handle(RoomMove, (req, from) => this.#onMove(req, from));
    options.transport.onNodeMessage(TOPIC, (payload, from) => this.#onMessage(payload, from));
  }

  get nodeId(): string {
    return this.#o.cluster.nodeId;
  }

  bind(owner: RoomNodeOwner): void {
    this.#owner = owner;
  }

  // ---- the player's side: requests to a room's node ----

  enter(nodeId: string, req: EnterRequest): Promise<RoomJoined> {
    return this.#o.cluster.request(nodeId, RoomEnter, req, { timeoutMs: this.#o.timeoutMs });
  }

  /** A join of a room on this node by a player on this node (created first when `req.create` says so). */
  enterHere(player: Player, req: EnterRequest): Promise<RoomJoined> {
    try {
      this.#roomFor(req);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return this.#o.manager.join(player, req.roomId, req.options);
  }

  forward(nodeId: string, msg: [string, string, number, unknown]): Promise<unknown> {
    return this.#o.cluster.request(nodeId, RoomForward, msg, { timeoutMs: this.#o.timeoutMs });
  }

  exit(nodeId: string, req: ExitRequest): Promise<boolean> {
    return this.#o.cluster.request(nodeId, RoomExit, req, { timeoutMs: this.#o.timeoutMs });
  }

  /** Tells a member's node that the member is out of the room (it leaves the room's groups there). */
  tellLeft(nodeId: string, roomId: string, userId: string): void {
    this.#send(nodeId, ['left', roomId, userId]);
  }

  /** Tells a room's node that its member (held here) is connected or in its grace period. */
  tellPresence(nodeId: string, roomId: string, userId: string, connected: boolean): void {
    this.#send(nodeId, ['c', roomId, userId, connected ? 1 : 0]);
  }

  /** Asks a room's node to move the seat of a player that resumed here from node `prev`. */
  move(nodeId: string, req: { roomId: string; userId: string; prev: string }): Promise<boolean> {
    return this.#o.cluster.request(nodeId, RoomMove, req, { timeoutMs: this.#o.timeoutMs });
  }

  /** Tells a room's node that its member (held here until now) resumed on node `to`. */
  tellMoved(nodeId: string, roomId: string, userId: string, to: string): void {
    this.#send(nodeId, ['m', roomId, userId, to]);
  }

  /**
   * A member of a room on this node whose player resumed on node `to` (it was held by `prev`):
   * its seat, options and join time move to a link to `to` (a `LocalMember` when `to` is this node
   * and the player is here), no hook runs. Only the member as `prev` held it (or an away member)
   * moves: false otherwise, or when the room is not here.
   */
  rehome(roomId: string, userId: string, prev: string, to: string): boolean {
    const room = this.#o.manager.instance(roomId);
    const link = room?.member(userId);
    if (room === undefined || link === undefined) return false;
    // Already there (the old node's word and the new node's request both arrive): nothing to do.
    if (link instanceof RemoteMember && link.nodeId === to) return true;
    const player = to === this.nodeId ? this.#o.player(userId) : undefined;
    if (player !== undefined && link instanceof LocalMember && link.player === player) return true;
    if (!heldBy(link, prev, this.nodeId)) return false;
    if (to === this.nodeId) {
      if (player === undefined || !player.alive) return false;
      return room.rehome(new LocalMember(player, link.options, this.nodeId, link.joinedAt));
    }
    return room.rehome(new RemoteMember(roomId, userId, link.options, to, link.joinedAt, this));
  }

  // ---- MemberOutlet: the room's side reaching a member's node ----

  push(nodeId: string, userId: string, definition: AnyDefinition, payload: unknown): boolean {
    try {
      this.#o.publish(nodeId, { kind: 'push', userId, bytes: encodeMessage({ kind: Kind.PUSH, type: definition.type, payload }), direct: true });
      return true;
    } catch (err) {
      this.#o.logger.debug({ err, nodeId, userId }, 'push to a member on another node dropped');
      return false;
    }
  }

  group(nodeId: string, roomId: string, userId: string, group: string, join: boolean): void {
    this.#send(nodeId, ['g', roomId, userId, group, join ? 1 : 0]);
  }

  // ---- serving other nodes ----

  #roomFor(req: EnterRequest) {
    const m = this.#o.manager;
    const room = m.instance(req.roomId);
    if (room !== undefined) return room;
    const c = req.create;
    if (c === undefined) throw roomError(RoomErrorCode.NOT_FOUND, `no room ${req.roomId} on node ${this.nodeId}`);
    return m.createWithId(req.roomId, c.kind, c.options, { private: c.private });
  }

  #onEnter(raw: unknown, from: string): Promise<RoomJoined> {
    const req = checkEnter(raw);
    const room = this.#roomFor(req);
    const link = new RemoteMember(req.roomId, req.userId, req.options, from, this.#o.clock.now(), this);
    // A member held away (its room was restored here after its node died) takes its seat back.
    if (room.member(req.userId) instanceof AwayMember) room.reenter(link);
    return room.join(link, req.options);
  }

  #onForward(raw: unknown, from: string): unknown {
    if (!Array.isArray(raw) || raw.length !== 4 || typeof raw[0] !== 'string' || typeof raw[1] !== 'string') throw bad('hearth.room.forward');
    const [roomId, userId, type, payload] = raw as [string, string, unknown, unknown];
    const room = this.#o.manager.instance(roomId);
    const link = room?.member(userId);
    if (room === undefined || !(link instanceof RemoteMember) || link.nodeId !== from) throw roomError(RoomErrorCode.NOT_IN_ROOM, `not in room ${roomId.slice(0, 64)}`);
    return dispatchToRoom(room, link, type, payload);
  }

  async #onExit(raw: unknown, from: string): Promise<boolean> {
    const m = record(raw);
    const { roomId, userId, code, text } = m;
    if (typeof roomId !== 'string' || typeof userId !== 'string' || typeof code !== 'string' || code.length > MAX_CODE || typeof text !== 'string') throw bad('hearth.room.exit');
    const room = this.#o.manager.instance(roomId);
    const link = room?.member(userId);
    if (room === undefined || !(link instanceof RemoteMember) || link.nodeId !== from) return false;
    link.alive = false;
    return room.leave(link, { code, text: text.slice(0, 256) });
  }

  #onMove(raw: unknown, from: string): boolean {
    const m = record(raw);
    const { roomId, userId, prev } = m;
    if (typeof roomId !== 'string' || !ROOM_ID.test(roomId) || typeof userId !== 'string' || !isUserId(userId) || !isNodeName(prev)) throw bad('hearth.room.move');
    return this.rehome(roomId, userId, prev, from);
  }

  /** A room node's word about one of this node's players. */
  #onMessage(raw: unknown, from: string): void {
    if (!Array.isArray(raw) || typeof raw[1] !== 'string' || typeof raw[2] !== 'string' || !ROOM_ID.test(raw[1]) || !isUserId(raw[2])) return;
    const [op, roomId, userId] = raw as [unknown, string, string];
    if (op === 'left') {
      this.#owner?.left(roomId, userId, from);
      return;
    }
    if (op === 'm') {
      if (isNodeName(raw[3])) this.rehome(roomId, userId, from, raw[3]);
      return;
    }
    if (op === 'c') {
      const link = this.#o.manager.instance(roomId)?.member(userId);
      if (link instanceof RemoteMember && link.nodeId === from) link.connected = raw[3] === 1;
      return;
    }
    if (op !== 'g' || typeof raw[3] !== 'string') return;
    const group = raw[3];
    const base = roomGroup(roomId);
    if (group !== base && !(group.startsWith(`${base}/`) && group.length <= base.length + 16)) return;
    const player = this.#o.player(userId);
    if (player === undefined || this.#owner?.remoteNodeOf(player, roomId) !== from) return;
    if (raw[4] === 1) player.join(group);
    else player.leave(group);
  }

  #send(nodeId: string, message: unknown[]): void {
    try {
      this.#o.transport.sendToNode(nodeId, TOPIC, message);
    } catch (err) {
      this.#o.logger.debug({ err, nodeId }, 'room node message dropped (backplane down)');
    }
  }
}

/** A node id as another node sends it. */
function isNodeName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 128;
}

/**
 * Whether `link` is the member as node `prev` held it: a remote member of `prev`, a local member
 * while `prev` is this node and its player is disconnected (in grace, or ended), or an away member.
 */
function heldBy(link: MemberLink, prev: string, self: string): boolean {
  if (link instanceof AwayMember) return true;
  if (link instanceof RemoteMember) return link.nodeId === prev;
  return link instanceof LocalMember && prev === self && !link.connected;
}

function bad(what: string): HearthError {
  return new HearthError(ErrorCode.BAD_REQUEST, `malformed ${what}`);
}

function record(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) throw bad('room node request');
  return value as Record<string, unknown>;
}

function options(value: unknown): RoomOptions {
  return value === undefined || value === null ? {} : (record(value));
}

/** A join request from another node, checked field by field. */
function checkEnter(raw: unknown): EnterRequest {
  const m = record(raw);
  const { roomId, userId, create } = m;
  if (typeof roomId !== 'string' || !ROOM_ID.test(roomId) || typeof userId !== 'string' || !isUserId(userId)) throw bad('hearth.room.enter');
  const req = { roomId, userId, options: options(m['options']) };
  if (create === undefined || create === null) return req;
  const c = record(create);
  if (typeof c['kind'] !== 'string' || c['kind'].length > 64) throw bad('hearth.room.enter');
  return { ...req, create: { kind: c['kind'], options: options(c['options']), private: c['private'] === true } };
}
