import type { RoomJoined, RoomListing, RoomOptions } from '@hearth/protocol';
import { ErrorCode, HearthError } from '@hearth/protocol';
import type { Logger } from 'pino';
import { backplaneUnavailable, isBackplaneDown } from '../backplane/errors.ts';
import { ClusterErrorCode, type ClusterRequests } from '../cluster/ClusterRequests.ts';
import type { RoomDirectory, RoomPlacement } from '../cluster/RoomDirectory.ts';
import type { LeaveReason } from '../player/definePlayer.ts';
import type { Player } from '../player/Player.ts';
import type { Clock } from '../time/Clock.ts';
import { RoomErrorCode, roomError } from './errors.ts';
import type { Room } from './Room.ts';
import { roomGroup, type RoomInstance } from './RoomInstance.ts';
import { leaveGroups } from './roomGroups.ts';
import { LEFT, type CreateRoomOptions, type PlayerRoomService, type RoomDirectoryWatcher, type RoomManager } from './RoomManager.ts';
import type { MemberLink } from './RoomMember.ts';
import { RemoteMember } from './RemoteMember.ts';
import type { EnterRequest, RoomNode } from './RoomNode.ts';
import { filterKey, newRoomId, optionsJson, parseOptions } from './directoryOptions.ts';
import { MemberSweep } from './MemberSweep.ts';
import { ResumeSeats } from './ResumeSeats.ts';
import { nodeForNewRoom, openRoomsHere } from './roomPlacement.ts';

/** Attempts of joinOrCreate when the picked room refused (filled, locked, gone meanwhile). */
const MAX_ATTEMPTS = 5;
/** Refusals after which joinOrCreate tries again (another room, or a new one). */
const RETRY = new Set<string>([RoomErrorCode.FULL, RoomErrorCode.LOCKED, RoomErrorCode.NOT_FOUND, RoomErrorCode.UNREACHABLE]);

/** What the cluster's room layer uses. @internal createNode builds it */
export interface ClusterRoomsOptions {
  readonly manager: RoomManager;
  readonly directory: RoomDirectory;
  readonly cluster: ClusterRequests;
  readonly node: RoomNode;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Live nodes and their user counts (placement when this node is at capacity). */
  readonly nodes: () => Promise<ReadonlyArray<{ readonly nodeId: string; readonly users: number }>>;
  /** Players in rooms placed on this node before new rooms go to the node with the fewest players. @defaultValue Infinity */
  readonly nodeCapacity?: number;
  /** A new room here rather than a seat in another node's open room (`local`), or that seat (`fill`). @defaultValue 'fill' */
  readonly placement?: RoomPlacement;
  /** Whether a node is in the registry (members of a node that left are removed). */
  readonly isNodeLive: (nodeId: string) => Promise<boolean>;
  /** How often this node's rooms look for members whose node left the cluster (ms). @defaultValue 2_000 */
  readonly sweepMs?: number;
}

/**
 * Rooms across the nodes of a cluster: the player-facing room operations (`player.rooms`, the
 * framework requests) over the Redis room directory ({@link RoomDirectory}), with the room's node
 * reached through node requests ({@link RoomNode}). A room runs on one node; a member may be held
 * by any node. Room code sees the same `RoomMember`s either way.
 *
 * joinOrCreate reserves a seat with one Lua script (an open matching room, this node's first; with
 * placement `fill` one on any node; else a new room placed on this node while it has capacity, else
 * on the node with the fewest players); the room's node then runs the join (`onJoin` may still
 * refuse: the seat is freed). @internal
 */
export class ClusterRooms implements PlayerRoomService, RoomDirectoryWatcher {
  readonly #m: RoomManager;
  readonly #dir: RoomDirectory;
  readonly #cluster: ClusterRequests;
  readonly #node: RoomNode;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #nodes: ClusterRoomsOptions['nodes'];
  readonly #capacity: number;
  readonly #placementMode: RoomPlacement;
  /** Rooms on other nodes of this node's players: player → roomId → node. */
  readonly #remote = new Map<Player, Map<string, string>>();
  /** Cross-node joins in flight per player (counted against `maxRoomsPerPlayer`): roomId → node. */
  readonly #entering = new Map<Player, Map<string, string>>();
  /** Rooms whose lock, privacy or metadata changed this turn (one directory update each). */
  readonly #dirty = new Set<RoomInstance>();
  /** The `connected` last told the room nodes of a player with rooms elsewhere (absent: true, as at its join). */
  readonly #told = new WeakMap<Player, boolean>();
  readonly #sweeper: MemberSweep;
  readonly #seats: ResumeSeats;

  constructor(options: ClusterRoomsOptions) {
    this.#m = options.manager;
    this.#dir = options.directory;
    this.#cluster = options.cluster;
    this.#node = options.node;
    this.#clock = options.clock;
    this.#log = options.logger.child({ component: 'cluster-rooms' });
    this.#nodes = options.nodes;
    this.#capacity = options.nodeCapacity ?? Infinity;
    this.#placementMode = options.placement ?? 'fill';
    this.#sweeper = new MemberSweep({
      manager: this.#m,
      clock: this.#clock,
      logger: this.#log,
      isNodeLive: options.isNodeLive,
      sweepMs: options.sweepMs ?? 2_000,
      before: () => this.#tellPresence(),
    });
    const forget = (player: Player, roomId: string): void => this.#forget(player, roomId);
    this.#seats = new ResumeSeats({ manager: this.#m, directory: this.#dir, node: this.#node, nodeId: this.nodeId, logger: this.#log, remote: this.#remote, forget });
    this.#node.bind({
      left: (roomId, userId, from) => this.#leftThere(roomId, userId, from),
      remoteNodeOf: (player, roomId) => this.#remote.get(player)?.get(roomId) ?? this.#entering.get(player)?.get(roomId),
    });
  }

  get nodeId(): string {
    return this.#cluster.nodeId;
  }

  // ---- PlayerRoomService ----

  async joinOrCreate(player: Player, kind: string, options: RoomOptions = {}): Promise<RoomJoined> {
    const definition = this.#m.definitionOf(kind);
    const json = optionsJson(options);
    this.#checkCap(player);
    for (let attempt = 1; ; attempt++) {
      const target = await this.#placement();
      const fresh = { roomId: newRoomId(), nodeId: target, kind, maxPlayers: definition.spec.maxPlayers, filter: filterKey(definition, options), options: json, private: false };
      const here = openRoomsHere(this.#m, definition, options);
      const seat = await this.#redis(() => this.#dir.joinOrCreate(fresh, this.#clock.now(), this.nodeId, this.#placementMode, here), 'joinOrCreate');
      const create = seat.mode === 'create' || seat.state === 'creating' ? { kind, options: parseOptions(seat.options), private: false } : undefined;
      try {
        return await this.#enter(player, seat.nodeId, seat.roomId, options, create);
      } catch (err) {
        if (!(err instanceof HearthError) || !RETRY.has(err.code) || attempt >= MAX_ATTEMPTS) throw err;
        // A room on a node that left: not picked again until it is restored somewhere (or gone).
        if (err.code === RoomErrorCode.UNREACHABLE) this.#background(this.#dir.shelve(seat.roomId), 'shelve a room');
      }
    }
  }

  async join(player: Player, roomId: string, options: RoomOptions = {}): Promise<RoomJoined> {
    if (typeof roomId !== 'string' || !/^[\w-]{1,64}$/.test(roomId)) throw roomError(RoomErrorCode.NOT_FOUND, `no room ${typeof roomId === 'string' ? roomId.slice(0, 64) : typeof roomId}`);
    const known = this.#remote.get(player)?.get(roomId);
    if (known !== undefined) {
      // Still where we think (a re-join answers again)? A room restored on another node is joined anew.
      const nodeId = await this.#redis(() => this.#dir.nodeOf(roomId), 'join');
      if (nodeId === known) return this.#enter(player, known, roomId, options, undefined, false);
      this.#forget(player, roomId);
    } else if (this.#m.isMember(player, roomId)) {
      return this.#enter(player, this.nodeId, roomId, options, undefined, false);
    }
    this.#checkCap(player);
    let seat = await this.#redis(() => this.#dir.reserve(roomId), 'join');
    const here = this.#m.instance(roomId);
    if (seat === RoomErrorCode.FULL && here !== undefined && here.members.size > 0) {
      // Seats of members whose actor ended elsewhere (resumed on another node) are freed when the
      // room prunes them: prune now (its seat releases go first on the connection), then ask again.
      here.prune();
      seat = await this.#redis(() => this.#dir.reserve(roomId), 'join');
    }
    if (seat === RoomErrorCode.FULL) {
      // A member held away in a room restored after its node died keeps its seat: its node lets it in.
      const nodeId = await this.#redis(() => this.#dir.nodeOf(roomId), 'join');
      if (nodeId !== undefined) return this.#enter(player, nodeId, roomId, options, undefined, false);
    }
    if (typeof seat === 'string') throw roomError(seat, `room ${roomId}: ${seat}`);
    const create = seat.state === 'creating' ? { kind: seat.kind, options: parseOptions(seat.options), private: false } : undefined;
    return this.#enter(player, seat.nodeId, roomId, options, create);
  }

  async createAndJoin(player: Player, kind: string, options: RoomOptions = {}, how: CreateRoomOptions = {}): Promise<RoomJoined> {
    const definition = this.#m.definitionOf(kind);
    const json = optionsJson(options);
    this.#checkCap(player);
    const target = await this.#placement();
    const roomId = newRoomId();
    const isPrivate = how.private === true;
    const fresh = { roomId, nodeId: target, kind, maxPlayers: definition.spec.maxPlayers, filter: filterKey(definition, options), options: json, private: isPrivate };
    await this.#redis(() => this.#dir.create(fresh, this.#clock.now()), 'create');
    return this.#enter(player, target, roomId, options, { kind, options, private: isPrivate });
  }

  async leave(player: Player, roomId: string, reason: LeaveReason = { code: LEFT, text: 'left the room' }): Promise<boolean> {
    const nodeId = this.#remote.get(player)?.get(roomId);
    if (nodeId === undefined) return this.#m.leave(player, roomId, reason);
    this.#forget(player, roomId);
    try {
      return await this.#node.exit(nodeId, { roomId, userId: player.userId, code: reason.code, text: reason.text ?? '' });
    } catch (err) {
      throw unreachable(err, roomId);
    }
  }

  async leaveAll(player: Player, reason: LeaveReason): Promise<void> {
    const remote = [...(this.#remote.get(player) ?? [])];
    this.#remote.delete(player);
    await Promise.all([
      this.#m.leaveAll(player, reason),
      ...remote.map(([roomId, nodeId]) =>
        this.#node.exit(nodeId, { roomId, userId: player.userId, code: reason.code, text: reason.text ?? '' }).catch((err: unknown) => {
          this.#log.debug({ err, roomId, nodeId }, 'leave of a room on another node failed; the room prunes the member');
        }),
      ),
    ]);
  }

  async list(kind: string, options?: RoomOptions): Promise<RoomListing[]> {
    const definition = this.#m.definitionOf(kind);
    const filter = options === undefined ? undefined : filterKey(definition, options);
    return this.#redis(() => this.#dir.list(kind, filter, this.#m.limits.listLimit), 'list rooms');
  }

  isMember(player: Player, roomId: string): boolean {
    return this.#remote.get(player)?.has(roomId) === true || this.#m.isMember(player, roomId);
  }

  roomsOf(player: Player): Room[] {
    return this.#m.roomsOf(player);
  }

  roomIdsOf(player: Player): string[] {
    return [...this.#m.roomIdsOf(player), ...(this.#remote.get(player)?.keys() ?? [])];
  }

  reenter(player: Player): number {
    return this.#m.reenter(player);
  }

  send(player: Player, roomId: unknown, type: unknown, payload: unknown): unknown {
    const nodeId = typeof roomId === 'string' ? this.#remote.get(player)?.get(roomId) : undefined;
    if (nodeId === undefined) return this.#m.send(player, roomId, type, payload);
    return this.#node.forward(nodeId, [roomId as string, player.userId, type as number, payload]).catch((err: unknown) => {
      const e = unreachable(err, roomId as string);
      // Its node left the cluster: the membership is gone with it (join the room by id again: it may be restored elsewhere).
      if (e instanceof HearthError && e.code === RoomErrorCode.UNREACHABLE) this.#forget(player, roomId as string);
      throw e;
    });
  }

  // ---- a player that resumes on another node keeps its seats ({@link ResumeSeats}) ----

  /** This node's `player` resumed on node `to` (its actor stops here quietly): its seats move there. */
  movedAway(player: Player, to: string): void {
    this.#seats.movedAway(player, to);
  }

  /** `player` resumed here from node `prev`: each room of its groups moves its seat here. */
  arrived(player: Player, prev: string): Promise<void> {
    return this.#seats.arrived(player, prev);
  }

  // ---- RoomDirectoryWatcher: this node's rooms in the directory ----

  gone(room: RoomInstance, member: MemberLink): void {
    // A disposed room leaves the directory whole (and one handed to another node keeps its seats there).
    if (!room.disposed) this.#background(this.#dir.releaseSeat(room.id), 'release a seat');
    if (member instanceof RemoteMember) this.#node.tellLeft(member.nodeId, room.id, member.userId);
  }

  changed(room: RoomInstance): void {
    if (this.#dirty.size === 0) queueMicrotask(() => this.#flushDirty());
    this.#dirty.add(room);
  }

  disposed(room: RoomInstance): void {
    this.#dirty.delete(room);
    // (A2) Handed to another node (drain, or fenced after a failover): the room lives on there; its
    // directory entry and owner entry moved with it (RedisRoomStore.move), so nothing is removed.
    if (room.handedOff) return;
    this.#background(this.#dir.remove(room.id, this.nodeId), 'remove a disposed room');
  }

  /** Stops the sweep (node close). */
  close(): void {
    this.#sweeper.close();
  }

  /** One sweep now (tests): presence changes told, members of nodes that left removed. */
  sweep(): Promise<number> {
    return this.#sweeper.sweep();
  }

  // ---- internals ----

  /** Tells the room nodes of this node's players with rooms elsewhere when `connected` changed (grace, resume). */
  #tellPresence(): void {
    for (const [player, rooms] of this.#remote) {
      const connected = player.connected;
      if ((this.#told.get(player) ?? true) === connected) continue;
      this.#told.set(player, connected);
      for (const [roomId, nodeId] of rooms) this.#node.tellPresence(nodeId, roomId, player.userId, connected);
    }
  }

  /**
   * Runs the join on the room's node (this one: directly). The seat reserved for it is freed when
   * it fails; a player on this node joining a room elsewhere joins the room's groups here first,
   * so the room's broadcasts reach it from its first one on.
   */
  async #enter(player: Player, nodeId: string, roomId: string, options: RoomOptions, create: EnterRequest['create'], seated = true): Promise<RoomJoined> {
    const local = nodeId === this.nodeId;
    const group = roomGroup(roomId);
    if (!local) {
      // The room's node also sends its group changes (state and view groups) ahead of its reply.
      player.join(group);
      let entering = this.#entering.get(player);
      if (entering === undefined) this.#entering.set(player, (entering = new Map<string, string>()));
      entering.set(roomId, nodeId);
    }
    try {
      const joined = local
        ? await this.#node.enterHere(player, { roomId, userId: player.userId, options, ...(create && { create }) })
        : await this.#node.enter(nodeId, { roomId, userId: player.userId, options, ...(create && { create }) });
      if (!local) {
        if (!player.alive) {
          void this.#node.exit(nodeId, { roomId, userId: player.userId, code: ErrorCode.CLOSED, text: 'closed during the join' }).catch(() => {});
          throw roomError(ErrorCode.CLOSED, 'the player closed during the join');
        }
        let rooms = this.#remote.get(player);
        if (rooms === undefined) this.#remote.set(player, (rooms = new Map<string, string>()));
        rooms.set(roomId, nodeId);
      }
      return joined;
    } catch (err) {
      if (!local) {
        leaveGroups(player, roomId);
        // A join that timed out may still land there: ask the room to drop it.
        if (err instanceof HearthError && err.code === ErrorCode.TIMEOUT) void this.#node.exit(nodeId, { roomId, userId: player.userId, code: ErrorCode.TIMEOUT, text: 'join timed out' }).catch(() => {});
      }
      if (seated) this.#background(this.#dir.releaseSeat(roomId), 'release a seat');
      throw unreachable(err, roomId);
    } finally {
      if (!local) {
        const entering = this.#entering.get(player);
        if (entering?.delete(roomId) === true && entering.size === 0) this.#entering.delete(player);
      }
    }
  }

  /** The node that gets a new room: this one while it has capacity, else the one with the fewest players. */
  #placement(): Promise<string> {
    return nodeForNewRoom(this.#m, this.nodeId, this.#capacity, () => this.#redis(() => this.#nodes(), 'list nodes'));
  }

  /** A member of a room on another node is no longer in it (kicked, room disposed, left). */
  #leftThere(roomId: string, userId: string, from: string): void {
    for (const [player, rooms] of this.#remote) {
      if (player.userId !== userId || rooms.get(roomId) !== from) continue;
      this.#forget(player, roomId);
    }
  }

  #forget(player: Player, roomId: string): void {
    const rooms = this.#remote.get(player);
    if (rooms?.delete(roomId) === true && rooms.size === 0) this.#remote.delete(player);
    leaveGroups(player, roomId);
  }

  #checkCap(player: Player): void {
    const count = this.#m.roomIdsOf(player).length + (this.#remote.get(player)?.size ?? 0) + (this.#entering.get(player)?.size ?? 0);
    const max = this.#m.limits.maxRoomsPerPlayer;
    if (count >= max) throw roomError(RoomErrorCode.TOO_MANY_ROOMS, `in ${max} rooms already; leave one first`);
  }

  #flushDirty(): void {
    for (const room of this.#dirty) {
      if (room.disposed) continue;
      const published = {
        roomId: room.id,
        kind: room.kind,
        maxPlayers: room.maxPlayers,
        filter: filterKey(room.definition, (room.options ?? {}) as RoomOptions),
        options: JSON.stringify(room.options ?? {}).slice(0, 4_096),
        locked: room.locked,
        private: room.private,
        metadata: room.metadata,
      };
      this.#background(this.#dir.update(published, this.nodeId, this.#clock.now()), 'update a room');
    }
    this.#dirty.clear();
  }

  /** A directory call; a Redis failure is `BACKPLANE_UNAVAILABLE`. */
  async #redis<T>(run: () => Promise<T>, what: string): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof HearthError) throw err;
      throw backplaneUnavailable(`rooms: ${what}`, err);
    }
  }

  #background(p: Promise<unknown>, what: string): void {
    p.catch((err: unknown) => this.#log.warn({ err }, `room directory: ${what} failed`));
  }
}

/** A room's node that is gone (`NODE_UNREACHABLE`) is `ROOM_UNREACHABLE` to a player. */
function unreachable(err: unknown, roomId: string): unknown {
  if (err instanceof HearthError && err.code === ClusterErrorCode.NODE_UNREACHABLE) {
    return new HearthError(RoomErrorCode.UNREACHABLE, `room ${roomId.slice(0, 64)} is on a node that left the cluster`);
  }
  if (isBackplaneDown(err)) return err;
  return err;
}
