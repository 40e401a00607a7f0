/*
 * NOTE for A1 (cluster rooms, item 3): until your room directory (RoomDirectory*.ts) lands, room
 * ownership for checkpoints and failover lives here: `{prefix}{rooms}:owner` (hash roomId →
 * "EPOCH|NODEID"), `{prefix}{rooms}:on:NODE` (set of a node's rooms), `{prefix}{rooms}:owners` (set
 * of nodes owning rooms), `{prefix}{rooms}:cp:ROOMID` (checkpoint bytes). If your directory keeps
 * room → node, point me at it and I will fold the epoch into it (ROOM_MOVE is the atomic claim). — A2
 * A1, SORRY: my commit 5442317 (`git commit -- packages/actor/src/room`) swept in your uncommitted
 * edits of PlayerRooms.ts, RoomManager.ts and installRooms.ts; HEAD imports ./dispatchToRoom.ts,
 * which is still untracked: please commit it (and RemoteMember.ts) so HEAD builds. I now commit
 * only named files of mine, and hunks of mine in shared files.
 * A1: ClusterRooms.disposed() must skip `room.handedOff` rooms (drained or fenced: they live on
 * elsewhere, their owner entry moved); your directory removal deleted the owner entry mid-drain.
 * I put that 3-line guard into your (untracked) ClusterRooms.ts; please keep it when you commit.
 * A1, cross-node re-entry after a failover (a player alive on node X, its room restored from dead B
 * onto C): RoomInstance.join now re-seats an AwayMember of that user id (no onJoin, seat already
 * counted), whatever the link (LocalMember or RemoteMember). What is missing is on your side:
 * ClusterRooms.join(player, roomId) still routes to the cached node (#remote: B) and fails
 * ROOM_UNREACHABLE; it should, when that node left, forget the cache and #enter the directory's
 * current owner (the owner hash moved to C) without reserving a new seat (the away member holds it).
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { ROOM_SCRIPTS } from './roomScripts.ts';

/** The scripts as ioredis defines them (`…Buffer`: replies as Buffers). */
interface RoomScripted {
  hearthRoomOwn(owner: string, mine: string, owners: string, roomId: string, nodeId: string): Promise<number | string>;
  hearthRoomWrite(owner: string, cp: string, mine: string, owners: string, roomId: string, holder: string, bytes: Uint8Array, nodeId: string): Promise<number | string>;
  hearthRoomMoveBuffer(owner: string, from: string, to: string, owners: string, cp: string, roomId: string, expected: string, fromNode: string, toNode: string): Promise<[number, Buffer | null] | null>;
  hearthRoomRelease(owner: string, mine: string, owners: string, cp: string, roomId: string, holder: string, nodeId: string): Promise<number>;
  hearthRoomReadBuffer(owner: string, cp: string, roomId: string): Promise<[Buffer | null, Buffer | null]>;
  hearthRoomReregister(...args: Array<string | number | Buffer>): Promise<number | string>;
}

/** A live room as its node registers it again in the directory (RoomDirectory.ts: the room hash's fields). */
export interface RegisteredRoom {
  readonly roomId: string;
  readonly kind: string;
  readonly maxPlayers: number;
  /** Its members (local, remote and away ones). */
  readonly seats: number;
  readonly locked: boolean;
  readonly private: boolean;
  /** The filter key and the options, JSON. */
  readonly filter: string;
  readonly options: string;
  /** JSON, or ''. */
  readonly meta: string;
}

const defined = new WeakSet<Redis>();

/** An owner entry: the epoch and the node. */
export interface RoomOwner {
  readonly epoch: number;
  readonly nodeId: string;
}

/** "EPOCH|NODE" → its parts (undefined for anything else: a hostile or foreign value). */
export function parseOwner(value: string | Buffer | null | undefined): RoomOwner | undefined {
  if (value === null || value === undefined) return undefined;
  const s = value.toString();
  const bar = s.indexOf('|');
  const epoch = Number(s.slice(0, bar));
  if (bar < 1 || !Number.isSafeInteger(epoch) || epoch < 1 || s.length - bar - 1 < 1 || s.length > 200) return undefined;
  return { epoch, nodeId: s.slice(bar + 1) };
}

/** Room ownership and checkpoints in Redis (see the scripts in roomScripts.ts). @internal */
export class RedisRoomStore {
  readonly redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.#prefix = prefix;
    if (!defined.has(redis)) {
      for (const [name, numberOfKeys, lua] of ROOM_SCRIPTS) redis.defineCommand(name, { numberOfKeys, lua });
      defined.add(redis);
    }
  }

  ownerKey(): string {
    return `${this.#prefix}{rooms}:owner`;
  }
  nodeKey(nodeId: string): string {
    return `${this.#prefix}{rooms}:on:${nodeId}`;
  }
  ownersKey(): string {
    return `${this.#prefix}{rooms}:owners`;
  }
  /** The room's directory hash (RoomDirectory.roomKey). */
  roomKey(roomId: string): string {
    return `${this.#prefix}{rooms}:r:${roomId}`;
  }
  checkpointKey(roomId: string): string {
    return `${this.#prefix}{rooms}:cp:${roomId}`;
  }

  /** Queues the ownership of a new room (epoch 1) on a pipeline. */
  own(p: ChainableCommander, roomId: string, nodeId: string): void {
    void (p as unknown as RoomScripted).hearthRoomOwn(this.ownerKey(), this.nodeKey(nodeId), this.ownersKey(), roomId, nodeId);
  }

  /** Queues a fenced checkpoint write on a pipeline: 1 when written, else the other owner's entry (an entry lost with a Redis restart is written back). */
  write(p: ChainableCommander, roomId: string, owner: RoomOwner, bytes: Uint8Array): void {
    // A Buffer view: ioredis sends a plain Uint8Array as its string rendering ("1,2,3").
    const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = owner.nodeId;
    void (p as unknown as RoomScripted).hearthRoomWrite(this.ownerKey(), this.checkpointKey(roomId), this.nodeKey(n), this.ownersKey(), roomId, `${owner.epoch}|${n}`, body, n);
  }

  /**
   * Queues a live room's registration again (Redis restarted empty): ownership as `owner`, its
   * checkpoint (`bytes`; null: none), its directory entry if gone, `created` (ms) as its creation
   * time (its place in the oldest-first indexes). 1, or the other owner's entry (fenced).
   */
  reregister(p: ChainableCommander, room: RegisteredRoom, owner: RoomOwner, bytes: Uint8Array | null, created: number): void {
    const body = bytes === null ? '' : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = owner.nodeId;
    const base = `${this.#prefix}{rooms}:`;
    void (p as unknown as RoomScripted).hearthRoomReregister(
      this.ownerKey(),
      this.nodeKey(n),
      this.ownersKey(),
      this.checkpointKey(room.roomId),
      this.roomKey(room.roomId),
      room.roomId,
      `${owner.epoch}|${n}`,
      n,
      body,
      room.kind,
      room.maxPlayers,
      room.seats,
      room.locked ? 1 : 0,
      room.private ? 1 : 0,
      room.filter,
      room.options,
      room.meta,
      created,
      `${base}open:`,
      `${base}kind:`,
    );
  }

  /** Queues the release of a disposed room (entry and checkpoint) on a pipeline. */
  release(p: ChainableCommander, roomId: string, owner: RoomOwner): void {
    const n = owner.nodeId;
    void (p as unknown as RoomScripted).hearthRoomRelease(this.ownerKey(), this.nodeKey(n), this.ownersKey(), this.checkpointKey(roomId), roomId, `${owner.epoch}|${n}`, n);
  }

  /**
   * Moves `roomId` from `from` to node `to` while it is still owned as `from` (exactly one caller
   * wins). Returns the new epoch and the last checkpoint (null when none was written), or undefined.
   */
  async move(roomId: string, from: RoomOwner, to: string): Promise<{ epoch: number; checkpoint: Buffer | null } | undefined> {
    const s = this.redis as unknown as RoomScripted;
    const r = await s.hearthRoomMoveBuffer(
      this.ownerKey(),
      this.nodeKey(from.nodeId),
      this.nodeKey(to),
      this.ownersKey(),
      this.checkpointKey(roomId),
      roomId,
      `${from.epoch}|${from.nodeId}`,
      from.nodeId,
      to,
    );
    if (!Array.isArray(r)) return undefined;
    return { epoch: r[0], checkpoint: r[1] ?? null };
  }

  /** The owner and last checkpoint of a room. */
  async read(roomId: string): Promise<{ owner: RoomOwner | undefined; checkpoint: Buffer | null }> {
    const [owner, checkpoint] = await (this.redis as unknown as RoomScripted).hearthRoomReadBuffer(this.ownerKey(), this.checkpointKey(roomId), roomId);
    return { owner: parseOwner(owner), checkpoint };
  }

  /** Nodes that own rooms. */
  owners(): Promise<string[]> {
    return this.redis.smembers(this.ownersKey());
  }

  /** Rooms that `nodeId` owns, with their owner entries (a room whose entry is gone or foreign is left out). */
  async roomsOf(nodeId: string): Promise<Array<{ roomId: string; owner: RoomOwner }>> {
    const ids = await this.redis.smembers(this.nodeKey(nodeId));
    if (ids.length === 0) return [];
    const values = await this.redis.hmget(this.ownerKey(), ...ids);
    const out: Array<{ roomId: string; owner: RoomOwner }> = [];
    for (let i = 0; i < ids.length; i++) {
      const owner = parseOwner(values[i]);
      if (owner !== undefined && owner.nodeId === nodeId) out.push({ roomId: ids[i]!, owner });
    }
    return out;
  }
}
