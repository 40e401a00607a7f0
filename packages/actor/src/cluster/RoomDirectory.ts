/*
 * The cluster's room directory in Redis: where each room is, what it is, and matchmaking.
 *
 * KEYS (all under the `{rooms}` hash tag: one slot, so every script runs on Redis Cluster; `{p}` is
 * the backplane's keyPrefix):
 *   {p}{rooms}:owner            hash  roomId → "EPOCH|NODEID": the node running the room. Shared with
 *                                     the checkpoint store (room/checkpoint/RedisRoomStore.ts): a
 *                                     failover or drain moves a room by rewriting this entry (epoch + 1);
 *                                     the directory follows it (a lookup reads the node from here).
 *   {p}{rooms}:on:NODEID        set   the rooms owned by a node (shared with the checkpoint store)
 *   {p}{rooms}:owners           set   the nodes owning rooms (shared with the checkpoint store)
 *   {p}{rooms}:r:ROOMID         hash  kind, max (maxPlayers), seats (members + joins in flight: taken by
 *                                     the reserve scripts, freed by releaseSeat), locked 0/1, private 0/1,
 *                                     filter (the filter key, below), opts (creator's options, JSON),
 *                                     meta (metadata, JSON or ''), state (creating | live), created (ms)
 *   {p}{rooms}:open:KIND:FILTER zset  public, unlocked rooms with a free seat, by creation time:
 *                                     what joinOrCreate picks from (the joiner's node's oldest
 *                                     first, else, with placement `fill`, the oldest on any node)
 *   {p}{rooms}:kind:KIND        zset  public rooms of a kind, by creation time (listings)
 *
 * FILTER is the room kind's `filterBy` option values as JSON (`["ranked"]`; `[]` without filterBy).
 * A room's entry is written when it is reserved for creation (joinOrCreate's "create" answer, create),
 * set live by the room's node once `onCreate` passed, updated on lock/private/metadata, removed on
 * disposal. Seats only move through the scripts, so two nodes racing for the last seat get one seat.
 * The room's node stays the authority on who is a member: a seat reserved here is taken there by
 * `RoomInstance.join` (which can still refuse); a failed join frees its seat.
 */
import type { RoomListing } from '@hearth/protocol';
import type { Redis } from 'ioredis';
import { ROOM_DIRECTORY_SCRIPTS } from './roomDirectoryScripts.ts';

/** The scripts as ioredis defines them. */
interface Scripted {
  hearthRoomJoinOrCreate(...args: (string | number)[]): Promise<unknown[]>;
  hearthRoomCreate(...args: (string | number)[]): Promise<number>;
  hearthRoomReserve(...args: (string | number)[]): Promise<unknown[]>;
  hearthRoomReleaseSeat(...args: (string | number)[]): Promise<number>;
  hearthRoomUpdate(...args: (string | number)[]): Promise<number>;
  hearthRoomRemove(...args: (string | number)[]): Promise<number>;
  hearthRoomList(...args: (string | number)[]): Promise<string[]>;
  hearthRoomShelve(...args: (string | number)[]): Promise<number>;
}

const defined = new WeakSet<Redis>();
/** Most of a node's own open rooms joinOrCreate passes to the script (the oldest first). */
const MAX_CANDIDATES = 8;

/**
 * Where joinOrCreate seats a player when the open room it could join is on another node:
 * `local`: in a new room on its own node (while that node has capacity), so a room's players stay on
 * one node and its updates never cross Redis (`--workers`: each worker runs its rooms on its core);
 * `fill`: in the other node's room (rooms fill up sooner; their members span nodes).
 * Either way an open room on the joiner's node comes first.
 */
export type RoomPlacement = 'local' | 'fill';

/** Where a seat was found (or a room reserved for creation). */
export interface SeatReservation {
  /** `create`: the room does not exist yet; its node creates it with `options` (the creator's). */
  readonly mode: 'join' | 'create';
  readonly roomId: string;
  readonly nodeId: string;
  /** `creating` until the room's node registered it live: a joiner may reach it first and creates it then. */
  readonly state: 'creating' | 'live';
  /** The creator's options, JSON. */
  readonly options: string;
  readonly kind: string;
}

/** A room as the directory knows it. */
export interface RoomEntry {
  readonly roomId: string;
  readonly nodeId: string;
  readonly kind: string;
  readonly seats: number;
  readonly maxPlayers: number;
  readonly locked: boolean;
  readonly private: boolean;
  readonly metadata: unknown;
}

/** A room as its node publishes it. */
export interface PublishedRoom {
  readonly roomId: string;
  readonly kind: string;
  readonly maxPlayers: number;
  readonly filter: string;
  /** Its options, JSON. */
  readonly options: string;
  readonly locked: boolean;
  readonly private: boolean;
  readonly metadata: unknown;
}

/** A fresh room to register. */
export interface FreshRoom {
  readonly roomId: string;
  readonly nodeId: string;
  readonly kind: string;
  readonly maxPlayers: number;
  readonly filter: string;
  readonly options: string;
  readonly private: boolean;
}

/** The rooms of the cluster in Redis (the key layout is at the top of this file). @internal */
export class RoomDirectory {
  readonly #redis: Redis;
  readonly #s: Scripted;
  readonly #base: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#s = redis as unknown as Scripted;
    this.#base = `${prefix}{rooms}:`;
    if (!defined.has(redis)) {
      for (const [name, numberOfKeys, lua] of ROOM_DIRECTORY_SCRIPTS) redis.defineCommand(name, { numberOfKeys, lua });
      defined.add(redis);
    }
  }

  ownerKey(): string {
    return `${this.#base}owner`;
  }
  nodeKey(nodeId: string): string {
    return `${this.#base}on:${nodeId}`;
  }
  ownersKey(): string {
    return `${this.#base}owners`;
  }
  roomKey(roomId: string): string {
    return `${this.#base}r:${roomId}`;
  }
  openKey(kind: string, filter: string): string {
    return `${this.#base}open:${kind}:${filter}`;
  }
  kindKey(kind: string): string {
    return `${this.#base}kind:${kind}`;
  }

  /**
   * joinOrCreate: a seat in an open room of `fresh.kind` with `fresh.filter` (one on `joinerNode`
   * first: its players stay on their node; `candidates` are that node's own open rooms of the kind,
   * oldest first), else, with `placement` `fill` or when `fresh.nodeId` is another node, the
   * oldest open one on any node, else `fresh` registered with the creator's seat.
   */
  async joinOrCreate(fresh: FreshRoom, now: number, joinerNode: string = fresh.nodeId, placement: RoomPlacement = 'fill', candidates: readonly string[] = []): Promise<SeatReservation> {
    const r = await this.#s.hearthRoomJoinOrCreate(
      ...this.#freshKeys(fresh),
      `${this.#base}r:`,
      fresh.roomId,
      fresh.nodeId,
      fresh.kind,
      fresh.maxPlayers,
      fresh.filter,
      fresh.options,
      now,
      joinerNode,
      placement,
      ...candidates.slice(0, MAX_CANDIDATES),
    );
    return { mode: r[0] === 'create' ? 'create' : 'join', roomId: str(r[1]), nodeId: str(r[2]), state: r[3] === 'live' ? 'live' : 'creating', options: str(r[4]) || '{}', kind: fresh.kind };
  }

  /** Registers a new room with its creator's seat (`create`, private rooms). */
  async create(fresh: FreshRoom, now: number): Promise<void> {
    await this.#s.hearthRoomCreate(...this.#freshKeys(fresh), fresh.roomId, fresh.nodeId, fresh.kind, fresh.maxPlayers, fresh.filter, fresh.options, now, fresh.private ? 1 : 0);
  }

  /** The six keys both creating scripts take: open zset, kind zset, owner hash, room hash, node set, owners set. */
  #freshKeys(fresh: FreshRoom): [open: string, kind: string, owner: string, room: string, node: string, owners: string] {
    return [this.openKey(fresh.kind, fresh.filter), this.kindKey(fresh.kind), this.ownerKey(), this.roomKey(fresh.roomId), this.nodeKey(fresh.nodeId), this.ownersKey()];
  }

  /** A seat in room `roomId` (private rooms too), or the refusal code (`ROOM_NOT_FOUND`, `ROOM_LOCKED`, `ROOM_FULL`). */
  async reserve(roomId: string): Promise<SeatReservation | string> {
    const r = await this.#s.hearthRoomReserve(this.roomKey(roomId), this.ownerKey(), `${this.#base}open:`, roomId);
    if (r[0] !== 'ok') return str(r[0]);
    return { mode: 'join', roomId, nodeId: str(r[1]), kind: str(r[2]), state: r[3] === 'live' ? 'live' : 'creating', options: str(r[4]) || '{}' };
  }

  /** Frees a seat (a failed join, a member that left). */
  async releaseSeat(roomId: string): Promise<void> {
    await this.#s.hearthRoomReleaseSeat(this.roomKey(roomId), `${this.#base}open:`, roomId);
  }

  /**
   * The room's node publishes its lock, privacy and metadata (and that it is live); a room it
   * created without a seat taken here (`node.rooms.create`) is registered by the first one.
   */
  async update(room: PublishedRoom, nodeId: string, now: number): Promise<void> {
    const meta = room.metadata === null || room.metadata === undefined ? '' : JSON.stringify(room.metadata);
    await this.#s.hearthRoomUpdate(
      this.roomKey(room.roomId),
      this.ownerKey(),
      this.nodeKey(nodeId),
      this.ownersKey(),
      `${this.#base}open:`,
      `${this.#base}kind:`,
      room.roomId,
      room.locked ? 1 : 0,
      room.private ? 1 : 0,
      meta,
      room.kind,
      room.maxPlayers,
      room.filter,
      room.options,
      now,
      nodeId,
    );
  }

  /** Takes a room whose node did not answer out of joinOrCreate's picks (its next update puts it back). */
  async shelve(roomId: string): Promise<void> {
    await this.#s.hearthRoomShelve(this.roomKey(roomId), `${this.#base}open:`, roomId);
  }

  /** A disposed room leaves the directory (and the owner entry, while `nodeId` owns it). */
  async remove(roomId: string, nodeId: string): Promise<void> {
    await this.#s.hearthRoomRemove(this.roomKey(roomId), this.ownerKey(), this.nodeKey(nodeId), `${this.#base}open:`, `${this.#base}kind:`, roomId, nodeId);
  }

  /** The node running `roomId` (undefined: no such room). */
  async nodeOf(roomId: string): Promise<string | undefined> {
    const owner = await this.#redis.hget(this.ownerKey(), roomId);
    const m = owner === null ? null : /^\d+\|(.+)$/.exec(owner);
    return m?.[1];
  }

  /** Public rooms of `kind` (with `filter`: only those whose filter key is it), at most `limit`. */
  async list(kind: string, filter: string | undefined, limit: number): Promise<RoomListing[]> {
    const flat = await this.#s.hearthRoomList(this.kindKey(kind), this.ownerKey(), `${this.#base}r:`, limit, filter ?? '');
    const out: RoomListing[] = [];
    for (let i = 0; i + 5 < flat.length; i += 6) {
      out.push({ roomId: flat[i]!, kind, members: Number(flat[i + 1]), maxPlayers: Number(flat[i + 2]), locked: flat[i + 3] === '1', metadata: parseMeta(flat[i + 4]!) });
    }
    return out;
  }
}

/** A script's string reply ('' for anything else). */
function str(value: unknown): string {
  return typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString() : '';
}

/** Metadata as stored (JSON written by the room's node; anything else reads as null). */
function parseMeta(raw: string): unknown {
  if (raw === '') return null;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return null;
  }
}
