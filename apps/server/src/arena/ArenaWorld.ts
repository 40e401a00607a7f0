import type { AnyDefinition, Payload } from '@hearth/protocol';
import { createActor, type ActorRefFrom } from 'xstate';
import type { Arena, Joiner, Seat } from './Arena.ts';
import { ARENA, ArenaErrorCode } from './constants.ts';
import type { JoinReply, LeaderboardEntry } from './messages.ts';
import type { RoomEffects } from './RoomEffects.ts';
import { roomMachine, type RoomAnswer } from './roomMachine.ts';
import { createArenaPlayer } from './rules/ArenaPlayer.ts';
import { Leaderboard } from './rules/Leaderboard.ts';
import { Matchmaker } from './rules/Matchmaker.ts';
import { Room } from './rules/Room.ts';

/** Timer firings per room tick (see the constructor). */
const TICK_SLICES = 4;

/** A room actor. */
export type RoomActor = ActorRefFrom<typeof roomMachine>;

/**
 * How the world reaches players: the holder's group broadcast (encoded once; with Redis also
 * published once per node) and its send to one user (wherever the user is connected).
 */
export interface GroupOutbox {
  broadcast<D extends AnyDefinition>(group: string, definition: D, payload: Payload<D>): number;
  send<D extends AnyDefinition>(userId: string, definition: D, payload: Payload<D>): boolean;
}

/** Best scores (the in-memory {@link Leaderboard}, or Redis in a cluster). */
export interface ScoreBoard {
  record(userId: string, name: string, score: number): void;
  top(n: number, now: number): LeaderboardEntry[] | Promise<LeaderboardEntry[]>;
  readonly size: number;
}

/** Options of an {@link ArenaWorld}. */
export interface ArenaWorldOptions {
  /** Room broadcasts and pushes go through it. */
  outbox: GroupOutbox;
  /** Tick (state patch) rate in Hz; 0 runs no timer (tests call {@link ArenaWorld.tick}). @defaultValue ARENA.tickHz */
  tickHz?: number;
  /** Players per room. @defaultValue ARENA.roomCapacity */
  roomCapacity?: number;
  /** Clock in ms. @defaultValue Date.now */
  now?: () => number;
  /** Where new players appear. @defaultValue a random point away from the edges */
  spawn?: () => { x: number; y: number };
  /** Where scores go. @defaultValue a new in-memory {@link Leaderboard} */
  leaderboard?: ScoreBoard;
  /** Told when a room's membership changed (`size`) or it closed (`size` 0, `closed`): a cluster registers its rooms. */
  onRoomChanged?: (room: Room, closed: boolean) => void;
}

/**
 * Arena in one process (the default {@link Arena}): the matchmaker and its room actors, player
 * numbers, the leaderboard and the one timer that ticks every room. In a cluster, `ClusterArena`
 * uses one of these to run the rooms hosted on its node (`joinRoom`), and matches through Redis.
 */
export class ArenaWorld implements Arena {
  readonly leaderboard: ScoreBoard;
  readonly now: () => number;
  /** Where a new player appears. */
  readonly spawn: () => { x: number; y: number };
  readonly capacity: number;
  readonly #outbox: GroupOutbox;
  readonly #matchmaker: Matchmaker<Room>;
  readonly #actors = new Map<string, RoomActor>();
  readonly #rooms = new Map<string, Room>();
  readonly #onRoomChanged: ((room: Room, closed: boolean) => void) | undefined;
  readonly #timer: NodeJS.Timeout | undefined;
  #nextPid = 1;
  #phase = 0;

  constructor(options: ArenaWorldOptions) {
    this.#outbox = options.outbox;
    this.now = options.now ?? Date.now;
    this.spawn = options.spawn ?? randomSpawn;
    this.capacity = options.roomCapacity ?? ARENA.roomCapacity;
    this.leaderboard = options.leaderboard ?? new Leaderboard();
    this.#onRoomChanged = options.onRoomChanged;
    this.#matchmaker = new Matchmaker((id, capacity) => this.#open(id, capacity), this.capacity);
    const hz = options.tickHz ?? ARENA.tickHz;
    // One timer for every room (not one per room). It fires TICK_SLICES times per tick and each
    // time ticks one slice of the rooms, so a node's patch writes are spread over the tick
    // instead of leaving in one burst (with 2,000 players one burst was ~2,000 socket writes).
    if (hz > 0) {
      this.#timer = setInterval(() => this.#tickSlice(), 1000 / hz / TICK_SLICES);
      this.#timer.unref();
    }
  }

  /** A fresh player number (unique among the players of this world's rooms). */
  nextPid(): number {
    return this.#nextPid++;
  }

  join(who: Joiner): RoomAnswer<{ seat: Seat; reply: JoinReply }> {
    return this.joinRoom(this.#matchmaker.place().id, who);
  }

  /**
   * Seats `who` in room `id` of this world. With `open`, a room that does not exist is opened
   * (a cluster opens rooms under its own ids); otherwise a missing room is refused `ROOM_FULL`
   * (it closed meanwhile: the caller matches again).
   */
  joinRoom(id: string, who: Joiner, open = false): RoomAnswer<{ seat: Seat; reply: JoinReply }> {
    let actor = this.#actors.get(id);
    if (actor === undefined && open) {
      this.#open(id, this.capacity);
      actor = this.#actors.get(id);
    }
    if (actor === undefined) return { ok: false, code: ArenaErrorCode.ROOM_FULL, text: `${id} has closed; ask the matchmaker again` };
    const at = this.spawn();
    const me = createArenaPlayer(this.nextPid(), who.userId, who.name, at.x, at.y, this.now());
    let answer: RoomAnswer<JoinReply> | undefined;
    // Room actors process events synchronously, so the answer is set when `send` returns.
    actor.send({ type: 'join', player: me, answer: (a) => (answer = a) });
    if (answer === undefined) return { ok: false, code: ArenaErrorCode.ROOM_FULL, text: `${id} has closed; ask the matchmaker again` };
    if (!answer.ok) return answer;
    return { ok: true, value: { seat: { room: id, pid: me.pid }, reply: answer.value } };
  }

  move(seat: Seat, x: number, y: number): void {
    this.#actors.get(seat.room)?.send({ type: 'move', pid: seat.pid, x, y, now: this.now() });
  }

  chat(seat: Seat, text: string): void {
    this.#actors.get(seat.room)?.send({ type: 'chat', pid: seat.pid, text, now: this.now() });
  }

  tag(seat: Seat, target: number): RoomAnswer<{ score: number }> {
    const actor = this.#actors.get(seat.room);
    let answer: RoomAnswer<{ score: number }> | undefined;
    actor?.send({ type: 'tag', pid: seat.pid, target, now: this.now(), answer: (a) => (answer = a) });
    return answer ?? { ok: false, code: ArenaErrorCode.NOT_IN_ROOM, text: 'the room has closed' };
  }

  leave(seat: Seat): void {
    this.#actors.get(seat.room)?.send({ type: 'leave', pid: seat.pid });
  }

  fullState(seat: Seat): RoomAnswer<Uint8Array> {
    let answer: RoomAnswer<Uint8Array> | undefined;
    this.#actors.get(seat.room)?.send({ type: 'fullState', answer: (a) => (answer = a) });
    return answer ?? { ok: false, code: ArenaErrorCode.NOT_IN_ROOM, text: 'the room has closed' };
  }

  top(n: number): LeaderboardEntry[] | Promise<LeaderboardEntry[]> {
    return this.leaderboard.top(n, this.now());
  }

  gauges(): Record<string, number> {
    let players = 0;
    for (const room of this.#rooms.values()) players += room.size;
    return { arena_rooms: this.#actors.size, arena_seated: players, arena_ranked_users: this.leaderboard.size };
  }

  /** Sends every room a `tick` (a state patch of what changed). */
  tick(): void {
    for (const actor of this.#actors.values()) actor.send({ type: 'tick' });
  }

  #tickSlice(): void {
    const phase = this.#phase;
    this.#phase = (phase + 1) % TICK_SLICES;
    let i = 0;
    for (const actor of this.#actors.values()) if (i++ % TICK_SLICES === phase) actor.send({ type: 'tick' });
  }

  /** Rooms open now. */
  get roomCount(): number {
    return this.#actors.size;
  }

  /** The room actors (for tests and the admin view). */
  rooms(): IterableIterator<RoomActor> {
    return this.#actors.values();
  }

  /** The rules' state of every open room (a cluster registers their sizes). */
  roomStates(): IterableIterator<Room> {
    return this.#rooms.values();
  }

  /** The fullest open room with space, if any. */
  fullestWithSpace(): Room | undefined {
    let best: Room | undefined;
    for (const room of this.#rooms.values()) if (!room.full && (best === undefined || room.size > best.size)) best = room;
    return best;
  }

  /** Whether room `id` runs here. */
  hosts(id: string): boolean {
    return this.#actors.has(id);
  }

  /** Stops the tick and every room. */
  [Symbol.dispose](): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    for (const actor of this.#actors.values()) actor.stop();
    this.#actors.clear();
    this.#rooms.clear();
  }

  #open(id: string, capacity: number): Room {
    const room = new Room(id, capacity);
    const actor = createActor(roomMachine, { input: { room, effects: this.#effects() } });
    this.#actors.set(id, actor);
    this.#rooms.set(id, room);
    actor.start();
    return room;
  }

  #effects(): RoomEffects {
    return {
      // The player's own node puts it in the room's broadcast group (arenaPlayer.ts), wherever the
      // room runs; the world only reports the new size.
      entered: (room) => this.#onRoomChanged?.(room, false),
      exited: (room) => this.#onRoomChanged?.(room, false),
      broadcast: (room, definition, payload) => void this.#outbox.broadcast(room.id, definition, payload),
      push: (player, definition, payload) => void this.#outbox.send(player.userId, definition, payload),
      scored: (player) => this.leaderboard.record(player.userId, player.name, player.score),
      closed: (room) => {
        this.#matchmaker.remove(room.id);
        this.#actors.delete(room.id);
        this.#rooms.delete(room.id);
        this.#onRoomChanged?.(room, true);
      },
    };
  }
}

/** A random point at least 10 % of the plane away from its edges. */
function randomSpawn(): { x: number; y: number } {
  const at = () => Math.round(ARENA.worldSize * (0.1 + 0.8 * Math.random()));
  return { x: at(), y: at() };
}
