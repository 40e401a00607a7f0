import { randomBytes } from 'node:crypto';
import { isBackplaneDown } from '@hearth/actor';
import type { Logger } from 'pino';
import type { Arena, Joiner, Seat } from '../Arena.ts';
import { ArenaWorld, type ArenaWorldOptions, type ScoreBoard } from '../ArenaWorld.ts';
import { ArenaErrorCode } from '../constants.ts';
import type { JoinReply, LeaderboardEntry } from '../messages.ts';
import type { RoomAnswer } from '../roomMachine.ts';
import type { Room } from '../rules/Room.ts';
import type { ClusterBackplane } from './ClusterBackplane.ts';
import { RedisLeaderboard } from './RedisLeaderboard.ts';
import { RoomRegistry } from './RoomRegistry.ts';

/** The backplane topic of Arena's node-to-node messages. */
const TOPIC = 'arena';
/** Placement attempts before a player gets a room on its own node. */
const PLACE_ATTEMPTS = 3;

type Seated = RoomAnswer<{ seat: Seat; reply: JoinReply }>;

/** Arena's messages between nodes (msgpack arrays through `sendToNode`). */
type Wire =
  | ['join', rid: number, room: string, userId: string, name: string]
  | ['tag', rid: number, room: string, pid: number, target: number]
  | ['fullState', rid: number, room: string]
  | ['reply', rid: number, answer: RoomAnswer<unknown>]
  | ['move', room: string, pid: number, x: number, y: number]
  | ['chat', room: string, pid: number, text: string]
  | ['leave', room: string, pid: number];

/** Options of a {@link ClusterArena}. */
export interface ClusterArenaOptions extends Omit<ArenaWorldOptions, 'leaderboard' | 'onRoomChanged'> {
  /** The node's started `RedisBackplane`. */
  backplane: ClusterBackplane;
  /** Where scores go (e.g. a `StorageLeaderboard` on the shared database). @defaultValue a {@link RedisLeaderboard} */
  leaderboard?: ScoreBoard;
  /** How often this node refreshes its rooms' registrations and drops members of dead nodes. @defaultValue 5_000 */
  refreshMs?: number;
  /** A room on another node that does not answer a join or tag within this is `ARENA_ROOM_UNREACHABLE`. @defaultValue 2_000 */
  rpcTimeoutMs?: number;
  logger?: Logger;
}

/** Counters of a {@link ClusterArena}. */
export interface ClusterArenaStats {
  /** Players of this node seated in rooms run by other nodes. */
  remoteJoins: number;
  /** Moves, chat lines, tags and leaves sent to the node running the room. */
  forwarded: number;
  /** Messages from players of other nodes handled by rooms run here. */
  served: number;
  /** Forwards that could not leave this node (Redis down). */
  dropped: number;
  /** Joins and tags the room's node did not answer in time. */
  timeouts: number;
  /** Members of rooms run here whose node died (removed by the refresh). */
  orphansRemoved: number;
}

/**
 * Arena over a Redis cluster: many nodes, one world. Every room is an actor on exactly one node
 * (the one whose player opened it), registered in Redis ({@link RoomRegistry}) with its member count.
 * A joining player on any node is matched atomically into the fullest room with space anywhere:
 * - the room runs here: the local {@link ArenaWorld} seats the player;
 * - the room runs on node R: the join is sent to R (`sendToNode`), which seats the player and
 *   answers. The player's node then adds it to the room's holder group, so R's state patches, chat and
 *   tags (one group broadcast: one PUBLISH per tick, fanned out by each node to its own members)
 *   reach it; its moves, chat lines, tags and leave are forwarded to R, batched per turn.
 * Scores go to a Redis sorted set read by every node ({@link RedisLeaderboard}), or to the shared
 * database (`leaderboard` option, a `StorageLeaderboard`) when the server has one.
 *
 * Failure: with Redis down, players already seated in rooms of their own node play on; new players
 * get a room on their own node (registered when Redis returns); forwards to other nodes are dropped
 * (counted) and tags there answer `BACKPLANE_UNAVAILABLE`. A node that dies: its rooms lapse from the
 * registry after the TTL, and the nodes running rooms its players sat in drop those members.
 */
export class ClusterArena implements Arena {
  /** The rooms run on this node. */
  readonly local: ArenaWorld;
  readonly leaderboard: ScoreBoard;
  readonly registry: RoomRegistry;
  readonly stats: ClusterArenaStats = { remoteJoins: 0, forwarded: 0, served: 0, dropped: 0, timeouts: 0, orphansRemoved: 0 };
  readonly #bp: ClusterBackplane;
  readonly #log: Logger | undefined;
  readonly #rpcTimeoutMs: number;
  readonly #pending = new Map<number, { resolve: (answer: RoomAnswer<unknown>) => void; timer: NodeJS.Timeout }>();
  /** Members of rooms run here who play on another node: `room\npid` → their node. */
  readonly #remoteMembers = new Map<string, string>();
  readonly #tag = randomBytes(3).toString('hex');
  readonly #timer: NodeJS.Timeout;
  readonly #off: () => void;
  #rid = 0;
  #rooms = 0;
  #closed = false;
  /** Nodes of remote members that the last refresh did not find alive. */
  #missing = new Set<string>();

  constructor(options: ClusterArenaOptions) {
    const { backplane, refreshMs = 5_000, rpcTimeoutMs = 2_000, logger, leaderboard, ...world } = options;
    this.#bp = backplane;
    this.#log = logger;
    this.#rpcTimeoutMs = rpcTimeoutMs;
    const prefix = backplane.keys.prefix;
    this.registry = new RoomRegistry(backplane.redis, prefix, backplane.nodeId, refreshMs * 3);
    this.leaderboard = leaderboard ?? new RedisLeaderboard(backplane.redis, prefix);
    this.local = new ArenaWorld({ ...world, leaderboard: this.leaderboard, onRoomChanged: (room, closed) => this.#changed(room, closed) });
    const offMessages = backplane.onNodeMessage(TOPIC, (payload, from) => this.#receive(payload as Wire, from));
    // Redis came back (possibly empty): re-register this node's rooms now rather than at the next
    // refresh, so players are not matched into a fresh room while an older one has space.
    const offUp = backplane.on('up', () => {
      this.#register().catch((err: unknown) => this.#log?.debug({ err }, 'room re-registration failed; the refresh repairs it'));
    });
    this.#off = () => {
      offMessages();
      offUp();
    };
    this.#timer = setInterval(() => void this.#refresh(), refreshMs);
    this.#timer.unref();
  }

  async join(who: Joiner): Promise<Seated> {
    const self = this.#bp.nodeId;
    for (let attempt = 0; attempt < PLACE_ATTEMPTS && this.#bp.available; attempt++) {
      let placed: { room: string; node: string } | undefined;
      try {
        placed = await this.registry.place(this.local.capacity);
      } catch (err) {
        this.#log?.debug({ err }, 'placement failed; a room on this node');
        break;
      }
      if (placed === undefined) break;
      const { room, node } = placed;
      const answer =
        node === self
          ? this.local.joinRoom(room, who)
          : ((await this.#call(node, (rid) => ['join', rid, room, who.userId, who.name])) as Seated);
      if (answer.ok) {
        if (node !== self) this.stats.remoteJoins++;
        return { ok: true, value: { seat: { room, pid: answer.value.seat.pid, node }, reply: answer.value.reply } };
      }
      // Full since it was placed, closed, or its node is gone: match again.
      if (answer.code !== ArenaErrorCode.ROOM_FULL && answer.code !== ArenaErrorCode.ROOM_UNREACHABLE) return answer;
    }
    // No registered room has space (or Redis is down): a room on this node, registered for the others.
    const room = this.local.fullestWithSpace()?.id ?? `room-${this.#tag}-${++this.#rooms}`;
    const answer = this.local.joinRoom(room, who, true);
    if (!answer.ok) return answer;
    return { ok: true, value: { seat: { ...answer.value.seat, node: self }, reply: answer.value.reply } };
  }

  move(seat: Seat, x: number, y: number): void {
    if (this.#here(seat)) this.local.move(seat, x, y);
    else this.#forward(seat.node!, ['move', seat.room, seat.pid, x, y]);
  }

  chat(seat: Seat, text: string): void {
    if (this.#here(seat)) this.local.chat(seat, text);
    else this.#forward(seat.node!, ['chat', seat.room, seat.pid, text]);
  }

  tag(seat: Seat, target: number): RoomAnswer<{ score: number }> | Promise<RoomAnswer<{ score: number }>> {
    if (this.#here(seat)) return this.local.tag(seat, target);
    this.stats.forwarded++;
    return this.#call(seat.node!, (rid) => ['tag', rid, seat.room, seat.pid, target]) as Promise<RoomAnswer<{ score: number }>>;
  }

  fullState(seat: Seat): RoomAnswer<Uint8Array> | Promise<RoomAnswer<Uint8Array>> {
    if (this.#here(seat)) return this.local.fullState(seat);
    this.stats.forwarded++;
    return this.#call(seat.node!, (rid) => ['fullState', rid, seat.room]) as Promise<RoomAnswer<Uint8Array>>;
  }

  leave(seat: Seat): void {
    if (this.#here(seat)) this.local.leave(seat);
    else this.#forward(seat.node!, ['leave', seat.room, seat.pid]);
  }

  top(n: number): LeaderboardEntry[] | Promise<LeaderboardEntry[]> {
    return this.local.top(n);
  }

  gauges(): Record<string, number> {
    return { ...this.local.gauges(), arena_remote_members: this.#remoteMembers.size };
  }

  /**
   * Unregisters this node's rooms (so no player is matched into them any more) and stops. Call
   * after the node closed its players and before the backplane closes.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#off();
    for (const { resolve, timer } of this.#pending.values()) {
      clearTimeout(timer);
      resolve({ ok: false, code: ArenaErrorCode.ROOM_UNREACHABLE, text: 'the server is shutting down' });
    }
    this.#pending.clear();
    const rooms = [...this.local.roomStates()].map((r) => r.id);
    this.local[Symbol.dispose]();
    if (this.#bp.available) await Promise.all(rooms.map((id) => this.registry.remove(id).catch(() => {})));
  }

  [Symbol.dispose](): void {
    void this.close();
  }

  #here(seat: Seat): boolean {
    return seat.node === undefined || seat.node === null || seat.node === this.#bp.nodeId;
  }

  /** Sends to the room's node; an outage drops it (counted): local play is not disturbed. */
  #forward(node: string, message: Wire): void {
    try {
      this.#bp.sendToNode(node, TOPIC, message);
      this.stats.forwarded++;
    } catch (err) {
      if (!isBackplaneDown(err)) throw err;
      this.stats.dropped++;
    }
  }

  /** A request to another node, answered by its `reply` (or a coded refusal: Redis down, timeout). */
  #call(node: string, build: (rid: number) => Wire): Promise<RoomAnswer<unknown>> {
    const rid = ++this.#rid;
    try {
      this.#bp.sendToNode(node, TOPIC, build(rid));
    } catch (err) {
      if (!isBackplaneDown(err)) throw err;
      this.stats.dropped++;
      return Promise.resolve({ ok: false, code: 'BACKPLANE_UNAVAILABLE', text: err.message });
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(rid);
        this.stats.timeouts++;
        resolve({ ok: false, code: ArenaErrorCode.ROOM_UNREACHABLE, text: `the room's node ${node} did not answer; join again` });
      }, this.#rpcTimeoutMs);
      this.#pending.set(rid, { resolve, timer });
    });
  }

  #reply(node: string, rid: number, answer: RoomAnswer<unknown>): void {
    try {
      this.#bp.sendToNode(node, TOPIC, ['reply', rid, answer] satisfies Wire);
    } catch (err) {
      if (!isBackplaneDown(err)) throw err;
      this.stats.dropped++; // the asker times out
    }
  }

  #receive(message: Wire, from: string): void {
    if (this.#closed) return;
    switch (message[0]) {
      case 'reply': {
        const pending = this.#pending.get(message[1]);
        if (pending === undefined) return; // timed out already
        this.#pending.delete(message[1]);
        clearTimeout(pending.timer);
        pending.resolve(message[2]);
        return;
      }
      case 'join': {
        const [, rid, room, userId, name] = message;
        this.stats.served++;
        const answer = this.local.joinRoom(room, { userId, name });
        if (answer.ok) this.#remoteMembers.set(`${room}\n${answer.value.seat.pid}`, from);
        this.#reply(from, rid, answer);
        return;
      }
      case 'tag': {
        const [, rid, room, pid, target] = message;
        this.stats.served++;
        this.#reply(from, rid, this.local.tag({ room, pid }, target));
        return;
      }
      case 'fullState': {
        const [, rid, room] = message;
        this.stats.served++;
        this.#reply(from, rid, this.local.fullState({ room, pid: 0 }));
        return;
      }
      case 'move':
        this.stats.served++;
        this.local.move({ room: message[1], pid: message[2] }, message[3], message[4]);
        return;
      case 'chat':
        this.stats.served++;
        this.local.chat({ room: message[1], pid: message[2] }, message[3]);
        return;
      case 'leave':
        this.stats.served++;
        this.#remoteMembers.delete(`${message[1]}\n${message[2]}`);
        this.local.leave({ room: message[1], pid: message[2] });
        return;
    }
  }

  /** A room's membership changed: write its real size (or remove it). Fire and forget; the refresh repairs. */
  #changed(room: Room, closed: boolean): void {
    if (this.#closed || !this.#bp.available) return;
    const write = closed ? this.registry.remove(room.id) : this.registry.upsert([[room.id, room.size]]);
    write.catch((err: unknown) => this.#log?.debug({ err, room: room.id }, 'room registry write failed; the refresh repairs it'));
  }

  /** Writes every room of this node with its size (re-registers them after Redis came back empty). */
  async #register(): Promise<void> {
    if (this.#closed || !this.#bp.available) return;
    await this.registry.upsert([...this.local.roomStates()].map((r) => [r.id, r.size] as const));
  }

  /**
   * Refreshes every room's registration and drops members of dead nodes. A node counts as dead only
   * when two refreshes in a row miss it: right after a Redis restart the other nodes re-register a
   * moment after this one, and their players must not be dropped meanwhile.
   */
  async #refresh(): Promise<void> {
    if (this.#closed || !this.#bp.available) return;
    try {
      await this.#register();
      if (this.#remoteMembers.size === 0) return;
      const live = new Set((await this.#bp.nodes()).map((n) => n.nodeId));
      const missing = new Set<string>();
      for (const [key, node] of this.#remoteMembers) {
        if (live.has(node)) continue;
        missing.add(node);
        if (!this.#missing.has(node)) continue; // first miss: wait for the next refresh
        const [room, pid] = key.split('\n') as [string, string];
        this.#remoteMembers.delete(key);
        this.stats.orphansRemoved++;
        this.local.leave({ room, pid: Number(pid) });
      }
      this.#missing = missing;
    } catch (err) {
      this.#log?.debug({ err }, 'arena refresh failed; retried next period');
    }
  }
}
