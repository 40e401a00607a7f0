import { randomBytes } from 'node:crypto';
import type { RoomJoined, RoomListing, RoomOptions } from '@hearth/protocol';
import { ErrorCode, HearthError } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { LeaveReason } from '../player/definePlayer.ts';
import type { Player } from '../player/Player.ts';
import { RoomErrorCode, roomError } from './errors.ts';
import { joinableRooms, listRooms } from './matchmaking.ts';
import { PlayerRoomIndex, localLink } from './PlayerRoomIndex.ts';
import { PlayerRooms } from './PlayerRooms.ts';
import type { Room } from './Room.ts';
import type { RoomDefinition } from './RoomDefinition.ts';
import { dispatchToRoom } from './dispatchToRoom.ts';
import { RoomInstance, type RoomEvents, type RoomHub } from './RoomInstance.ts';
import { LocalMember, type MemberLink } from './RoomMember.ts';
import { AwayMember } from './checkpoint/AwayMember.ts';
import type { RoomCheckpoint } from './checkpoint/RoomCheckpoint.ts';

/** Options of {@link RoomManager}. @internal createNode builds it */
export interface RoomManagerOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any room kind: each has its own state and options
  readonly kinds: readonly RoomDefinition<any, any>[];
  readonly hub: RoomHub;
  readonly logger: Logger;
  readonly limits?: RoomLimits;
}

/** Limits of the room layer against a client creating or listing without end. */
export interface RoomLimits {
  /** Rooms one player may be in (or joining) at once; one more is refused `TOO_MANY_ROOMS`. @defaultValue 8 */
  maxRoomsPerPlayer?: number;
  /** Most rooms one `room.list` answers. @defaultValue 100 */
  listLimit?: number;
}
export const DEFAULT_MAX_ROOMS_PER_PLAYER = 8;
export const DEFAULT_LIST_LIMIT = 100;

/** How a room is created. */
export interface CreateRoomOptions {
  /** Not listed, not picked by `joinOrCreate`: joinable by id only. @defaultValue false */
  private?: boolean;
}

/** The code a leave request gives the room's `onLeave`. */
export const LEFT = 'LEFT';

/**
 * The rooms of one node: the room kinds it serves, the live rooms by id, each player's rooms, and
 * matchmaking (`joinOrCreate`: the first open public room of the kind whose `filterBy` options
 * equal the joiner's, else a new one). `node.rooms` in `createNode`.
 *
 * On one node, matchmaking is atomic without locks: a room is registered (and its seats counted)
 * synchronously when it is created or joined, before any hook is awaited, so two players racing for
 * the last seat cannot both get it.
 */
export class RoomManager {
  readonly #kinds = new Map<string, RoomDefinition<unknown, unknown>>();
  readonly #rooms = new Map<string, RoomInstance>();
  /** Each local player's rooms and joins in flight (the per-player cap). */
  readonly #players: PlayerRoomIndex;
  readonly #handles = new WeakMap<Player, PlayerRooms>();
  readonly #hub: RoomHub;
  readonly #log: Logger;
  readonly #events: RoomEvents;
  readonly #maxRooms: number;
  readonly #listLimit: number;
  #closed = false;
  /** The cluster's room layer (ClusterRooms): it hears of every member gone, change and disposal. */
  #directory: RoomDirectoryWatcher | undefined;
  /** What `player.rooms` and the framework requests use: this manager, or the cluster's room layer. */
  #service: PlayerRoomService = this;
  /** The node's checkpointer (docs/rooms.md, "Rooms outlive their node"), when it has one. */
  #watcher: RoomWatcher | undefined;
  /** Users held away in restored rooms (entries checked on use: a stale one is dropped). */
  readonly #away = new Map<string, Set<RoomInstance>>();

  constructor(options: RoomManagerOptions) {
    for (const kind of options.kinds as readonly RoomDefinition<unknown, unknown>[]) {
      if (this.#kinds.has(kind.name)) throw roomError(RoomErrorCode.DEFINITION, `two room kinds are named "${kind.name}"`);
      this.#kinds.set(kind.name, kind);
    }
    this.#hub = options.hub;
    this.#maxRooms = options.limits?.maxRoomsPerPlayer ?? DEFAULT_MAX_ROOMS_PER_PLAYER;
    this.#listLimit = options.limits?.listLimit ?? DEFAULT_LIST_LIMIT;
    this.#players = new PlayerRoomIndex(this.#maxRooms);
    this.#log = options.logger.child({ component: 'rooms' });
    this.#events = {
      joined: (room, member) => {
        if (member instanceof LocalMember) this.#players.add(member.player, room);
      },
      gone: (room, member) => {
        this.#directory?.gone(room, member);
        if (member instanceof LocalMember) this.#players.remove(member.player, room);
      },
      moved: (room, from, to) => {
        if (from instanceof LocalMember) this.#players.remove(from.player, room);
        this.#events.joined(room, to);
      },
      disposed: (room) => {
        this.#rooms.delete(room.id);
        this.#watcher?.disposed(room);
        this.#directory?.disposed(room);
      },
      changed: (room, tick) => {
        this.#watcher?.changed(room, tick);
        if (!tick) this.#directory?.changed(room);
      },
    };
  }

  /** @internal the checkpointer hears of every change, creation and disposal. */
  watch(watcher: RoomWatcher | undefined): void {
    this.#watcher = watcher;
  }

  /**
   * @internal Restores a room from its checkpoint (failover, drain): same id, state, lock, metadata,
   * tick and lifecycle; no `onCreate` (`onRestore` instead); members away until they come back or
   * `graceMs` passes (then `onLeave` with `GRACE_EXPIRED`).
   * @throws HearthError `ROOM_UNKNOWN_KIND`; a state that does not load; `onRestore`'s refusal.
   */
  async adopt(checkpoint: RoomCheckpoint, graceMs: number): Promise<RoomInstance> {
    const existing = this.#rooms.get(checkpoint.id);
    if (existing !== undefined) return existing;
    const definition = this.#kind(checkpoint.kind);
    const room = new RoomInstance(checkpoint.id, definition, checkpoint.options, this.#hub, this.#log, this.#events, checkpoint);
    const expire = (away: AwayMember): void => void room.leave(away, { code: ErrorCode.GRACE_EXPIRED, text: 'did not come back after the room moved' });
    const away = checkpoint.members.map((m) => new AwayMember(m, checkpoint.owner, this.#hub.clock, graceMs, expire));
    for (const m of away) {
      let set = this.#away.get(m.userId);
      if (set === undefined) this.#away.set(m.userId, (set = new Set()));
      set.add(room);
    }
    this.#rooms.set(room.id, room);
    room.ready = room.resume({ ...checkpoint, away });
    await room.ready;
    room.checkEmpty();
    return room;
  }

  /** @internal `player` is on this node (logged in, resumed): it takes back its seats in restored rooms. */
  reenter(player: Player): number {
    const rooms = this.#away.get(player.userId);
    if (rooms === undefined) return 0;
    this.#away.delete(player.userId);
    let n = 0;
    for (const room of rooms) if (this.#comeBack(room, player)) n++;
    return n;
  }

  #comeBack(room: RoomInstance, player: Player): boolean {
    const away = room.member(player.userId);
    if (!(away instanceof AwayMember)) return false;
    return room.reenter(new LocalMember(player, away.options, this.#hub.nodeId, away.joinedAt));
  }

  /** @internal the cluster's room layer takes over joining, leaving, listing and sending (ClusterRooms). */
  serveThrough(service: PlayerRoomService & RoomDirectoryWatcher): void {
    this.#service = service;
    this.#directory = service;
  }

  /** @internal what `player.rooms` and the framework requests use. */
  get service(): PlayerRoomService {
    return this.#service;
  }

  /** @internal a live room by id, as the room layer holds it. */
  instance(roomId: string): RoomInstance | undefined {
    return this.#rooms.get(roomId);
  }

  /** @internal the definition of a kind. @throws HearthError `ROOM_UNKNOWN_KIND` */
  definitionOf(kind: string): RoomDefinition<unknown, unknown> {
    return this.#kind(kind);
  }

  /** @internal creates a room with a given id (the cluster directory chose it); no one joins it. */
  createWithId(roomId: string, kind: string, options: RoomOptions, how: CreateRoomOptions): RoomInstance {
    const existing = this.#rooms.get(roomId);
    return existing ?? this.#create(kind, options, how, roomId);
  }

  /** The limits in force. */
  get limits(): Required<RoomLimits> {
    return { maxRoomsPerPlayer: this.#maxRooms, listLimit: this.#listLimit };
  }

  /** The names of the room kinds served. */
  get kinds(): string[] {
    return [...this.#kinds.keys()];
  }

  /** A live room by id. */
  get(roomId: string): Room | undefined {
    return this.#rooms.get(roomId);
  }

  /** The live rooms (all kinds, private ones included). */
  rooms(): IterableIterator<Room> {
    return this.#rooms.values();
  }

  /** @internal the live rooms as the node's machinery holds them (drain). */
  instances(): RoomInstance[] {
    return [...this.#rooms.values()];
  }

  /** The `player.rooms` handle of a player. */
  of(player: Player): PlayerRooms {
    let handle = this.#handles.get(player);
    if (handle === undefined) this.#handles.set(player, (handle = new PlayerRooms(this.#service, player)));
    return handle;
  }

  /** Ids of the rooms `player` is a member of (this node's: without a cluster, all of them). */
  roomIdsOf(player: Player): string[] {
    return this.#players.roomsOf(player).map((room) => room.id);
  }

  /** The rooms `player` is a member of. */
  roomsOf(player: Player): Room[] {
    return this.#players.roomsOf(player);
  }

  /**
   * Creates a room of `kind` (runs `onCreate`, starts its tick); no one joins it.
   * @throws HearthError `ROOM_UNKNOWN_KIND`, or `onCreate`'s refusal.
   */
  async create(kind: string, options: RoomOptions = {}, how: CreateRoomOptions = {}): Promise<Room> {
    const room = this.#create(kind, options, how);
    await room.ready;
    return room;
  }

  /** Joins the room `roomId` (private ones too). @throws HearthError `ROOM_NOT_FOUND`, `ROOM_FULL`, `ROOM_LOCKED`, or `onJoin`'s code. */
  join(player: Player, roomId: string, options: RoomOptions = {}): Promise<RoomJoined> {
    const room = typeof roomId === 'string' ? this.#rooms.get(roomId) : undefined;
    if (room === undefined) return Promise.reject(roomError(RoomErrorCode.NOT_FOUND, `no room ${typeof roomId === 'string' ? roomId.slice(0, 64) : typeof roomId}`));
    return this.#players.counted(player, room, () => room.join(this.#member(player, options), options));
  }

  /** Creates a room of `kind` and joins it; the room is disposed if the creator's join is refused. */
  async createAndJoin(player: Player, kind: string, options: RoomOptions = {}, how: CreateRoomOptions = {}): Promise<RoomJoined> {
    this.#players.checkCap(player, undefined);
    const room = this.#create(kind, options, how);
    return this.#players.counted(player, room, () => room.join(this.#member(player, options), options));
  }

  /** Joins the first open public room of `kind` whose filter matches `options`, or creates one. */
  async joinOrCreate(player: Player, kind: string, options: RoomOptions = {}): Promise<RoomJoined> {
    const definition = this.#kind(kind);
    for (const room of joinableRooms(this.#rooms.values(), definition, options)) {
      try {
        return await this.#players.counted(player, room, () => room.join(this.#member(player, options), options));
      } catch (err) {
        // Taken meanwhile (full, locked, disposed) or refused by onJoin: another room, or a new one.
        if (!(err instanceof HearthError) || err.code === ErrorCode.CLOSED || err.code === RoomErrorCode.TOO_MANY_ROOMS) throw err;
      }
    }
    return this.createAndJoin(player, kind, options);
  }

  /** Leaves `roomId`; false when the player was not in it. */
  leave(player: Player, roomId: string, reason: LeaveReason = { code: LEFT, text: 'left the room' }): Promise<boolean> {
    const room = this.#rooms.get(roomId);
    const link = room === undefined ? undefined : localLink(room, player);
    return room === undefined || link === undefined ? Promise.resolve(false) : room.leave(link, reason);
  }

  /** Leaves every room (a player that closed). */
  async leaveAll(player: Player, reason: LeaveReason): Promise<void> {
    await Promise.all(
      this.#players.roomsOf(player).map((room) => {
        const link = localLink(room, player);
        return link === undefined ? Promise.resolve(false) : room.leave(link, reason);
      }),
    );
  }

  /** The public rooms of `kind` (with `options`: only those whose filter matches). */
  list(kind: string, options?: RoomOptions): RoomListing[] {
    return listRooms(this.#rooms.values(), this.#kind(kind), options, this.#listLimit);
  }

  /** Disposes of every room (node close). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#rooms.values()].map((room) => room.dispose()));
  }

  /** @internal the room a member addresses, or a coded refusal. */
  memberRoom(player: Player, roomId: unknown): { room: RoomInstance; member: MemberLink } {
    const room = typeof roomId === 'string' ? this.#rooms.get(roomId) : undefined;
    if (room !== undefined) this.#comeBack(room, player);
    const member = room === undefined ? undefined : localLink(room, player);
    if (room === undefined || member === undefined) {
      throw roomError(RoomErrorCode.NOT_IN_ROOM, `not in room ${String(roomId).slice(0, 64)}`);
    }
    return { room, member };
  }

  /** A local member's message to a local room: validated, then the kind's handler; its reply (or promise). */
  send(player: Player, roomId: unknown, type: unknown, payload: unknown): unknown {
    // memberRoom without its result object: this is every room message's path.
    const room = typeof roomId === 'string' ? this.#rooms.get(roomId) : undefined;
    let link = room?.member(player.userId);
    if (link instanceof AwayMember) {
      this.#comeBack(room!, player);
      link = room!.member(player.userId);
    }
    if (room === undefined || !(link instanceof LocalMember) || link.player !== player) {
      throw roomError(RoomErrorCode.NOT_IN_ROOM, `not in room ${String(roomId).slice(0, 64)}`);
    }
    return dispatchToRoom(room, link, type, payload);
  }

  /** True when `player` (that actor) is a member of `roomId`. */
  isMember(player: Player, roomId: string): boolean {
    const room = this.#rooms.get(roomId);
    return room !== undefined && localLink(room, player) !== undefined;
  }

  /** A new member link for a local player joining with `options`. */
  #member(player: Player, options: RoomOptions): LocalMember {
    return new LocalMember(player, options, this.#hub.nodeId, this.#hub.clock.now());
  }

  #kind(kind: string): RoomDefinition<unknown, unknown> {
    const definition = typeof kind === 'string' ? this.#kinds.get(kind) : undefined;
    if (definition === undefined) throw roomError(RoomErrorCode.UNKNOWN_KIND, `no room kind "${typeof kind === 'string' ? kind.slice(0, 64) : typeof kind}" on this node`);
    return definition;
  }

  #create(kind: string, options: RoomOptions, how: CreateRoomOptions, roomId?: string): RoomInstance {
    const definition = this.#kind(kind);
    if (this.#closed) throw new HearthError(ErrorCode.SHUTDOWN, 'the node is closing');
    let id: string;
    if (roomId !== undefined) id = roomId;
    else do id = randomBytes(9).toString('base64url');
    while (this.#rooms.has(id));
    const room = new RoomInstance(id, definition, options, this.#hub, this.#log, this.#events);
    if (how.private === true) room.setPrivate(true);
    this.#rooms.set(id, room);
    room.ready = room.create();
    // A room no one joins is disposed like an empty one (a creator joining holds its seat already).
    room.ready.then(
      () => {
        this.#watcher?.changed(room, false);
        this.#directory?.changed(room); // a room created without a joiner is in the cluster's directory too
        room.checkEmpty();
      },
      () => {},
    );
    return room;
  }
}

/** What the cluster's room layer hears from the rooms. @internal */
export interface RoomDirectoryWatcher {
  gone(room: RoomInstance, member: MemberLink): void;
  changed(room: RoomInstance): void;
  disposed(room: RoomInstance): void;
}

/** The player-facing room operations: the manager's own (one node), or the cluster's. @internal */
export interface PlayerRoomService {
  joinOrCreate(player: Player, kind: string, options?: RoomOptions): Promise<RoomJoined>;
  join(player: Player, roomId: string, options?: RoomOptions): Promise<RoomJoined>;
  createAndJoin(player: Player, kind: string, options?: RoomOptions, how?: CreateRoomOptions): Promise<RoomJoined>;
  leave(player: Player, roomId: string): Promise<boolean>;
  leaveAll(player: Player, reason: LeaveReason): Promise<void>;
  list(kind: string, options?: RoomOptions): RoomListing[] | Promise<RoomListing[]>;
  isMember(player: Player, roomId: string): boolean;
  roomsOf(player: Player): Room[];
  /** Ids of the rooms `player` is in (on any node). */
  roomIdsOf(player: Player): string[];
  reenter(player: Player): number;
  /** A member's message to a room (`room.send`): the handler's reply (or promise), or a coded refusal. */
  send(player: Player, roomId: unknown, type: unknown, payload: unknown): unknown;
}

/** What the node's checkpointer hears from the rooms. @internal */
export interface RoomWatcher {
  changed(room: RoomInstance, tick: boolean): void;
  disposed(room: RoomInstance): void;
}
