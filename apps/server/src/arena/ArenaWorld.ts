import type { AnyDefinition, Payload } from '@hearth/protocol';
import { createActor, type ActorRefFrom } from 'xstate';
import { ARENA } from './constants.ts';
import type { RoomEffects } from './RoomEffects.ts';
import { roomMachine } from './roomMachine.ts';
import { Leaderboard } from './rules/Leaderboard.ts';
import { Matchmaker } from './rules/Matchmaker.ts';
import { Room } from './rules/Room.ts';
import type { ArenaPlayer } from './rules/ArenaPlayer.ts';

/** Timer firings per room tick (see the constructor). */
const TICK_SLICES = 4;

/** A room actor. */
export type RoomActor = ActorRefFrom<typeof roomMachine>;

/** What the world needs of a connected player (the player actor's handle satisfies it). */
export interface MemberHandle {
  join(group: string): void;
  leave(group: string): void;
  push<D extends AnyDefinition>(definition: D, payload: Payload<D>): boolean;
}

/** How the world reaches a group of players (the holder's group broadcast: encoded once). */
export interface GroupOutbox {
  broadcast<D extends AnyDefinition>(group: string, definition: D, payload: Payload<D>): number;
}

/** Options of an {@link ArenaWorld}. */
export interface ArenaWorldOptions {
  /** Room broadcasts go through it. */
  outbox: GroupOutbox;
  /** Snapshot rate in Hz; 0 runs no timer (tests call {@link ArenaWorld.tick}). @defaultValue ARENA.tickHz */
  tickHz?: number;
  /** Players per room. @defaultValue ARENA.roomCapacity */
  roomCapacity?: number;
  /** Clock in ms. @defaultValue Date.now */
  now?: () => number;
  /** Where new players appear. @defaultValue a random point away from the edges */
  spawn?: () => { x: number; y: number };
}

/**
 * Everything of Arena that is shared between players on a node: the matchmaker and its room
 * actors, player numbers, the leaderboard and the one timer that ticks every room. Player actors
 * (`arenaPlayer.ts`) talk to rooms through it.
 */
export class ArenaWorld implements Disposable {
  readonly leaderboard = new Leaderboard();
  readonly now: () => number;
  /** Where a new player appears. */
  readonly spawn: () => { x: number; y: number };
  readonly #outbox: GroupOutbox;
  readonly #matchmaker: Matchmaker<Room>;
  readonly #actors = new Map<string, RoomActor>();
  readonly #members = new Map<number, MemberHandle>();
  readonly #timer: NodeJS.Timeout | undefined;
  #nextPid = 1;
  #phase = 0;

  constructor(options: ArenaWorldOptions) {
    this.#outbox = options.outbox;
    this.now = options.now ?? Date.now;
    this.spawn = options.spawn ?? randomSpawn;
    this.#matchmaker = new Matchmaker((id, capacity) => this.#open(id, capacity), options.roomCapacity ?? ARENA.roomCapacity);
    const hz = options.tickHz ?? ARENA.tickHz;
    // One timer for every room (not one per room). It fires TICK_SLICES times per tick and each
    // time snapshots one slice of the rooms, so a node's snapshot writes are spread over the tick
    // instead of leaving in one burst (with 2,000 players one burst was ~2,000 socket writes).
    if (hz > 0) {
      this.#timer = setInterval(() => this.#tickSlice(), 1000 / hz / TICK_SLICES);
      this.#timer.unref();
    }
  }

  /** A fresh player number. */
  nextPid(): number {
    return this.#nextPid++;
  }

  /**
   * Registers `handle` as the connection of player `pid` and returns the room actor it should
   * join (the matchmaker's choice). The caller sends the room its `join` event.
   */
  place(pid: number, handle: MemberHandle): RoomActor {
    this.#members.set(pid, handle);
    const room = this.#matchmaker.place();
    return this.#actors.get(room.id)!;
  }

  /** Forgets player `pid` (after it left its room). */
  forget(pid: number): void {
    this.#members.delete(pid);
  }

  /** Sends every room a `tick` (snapshots of who moved). */
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

  /** Stops the tick and every room. */
  [Symbol.dispose](): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    for (const actor of this.#actors.values()) actor.stop();
    this.#actors.clear();
  }

  #open(id: string, capacity: number): Room {
    const room = new Room(id, capacity);
    const actor = createActor(roomMachine, { input: { room, effects: this.#effects() } });
    this.#actors.set(id, actor);
    actor.start();
    return room;
  }

  #effects(): RoomEffects {
    return {
      entered: (room, player) => this.#members.get(player.pid)?.join(room.id),
      exited: (room, player) => this.#members.get(player.pid)?.leave(room.id),
      broadcast: (room, definition, payload) => void this.#outbox.broadcast(room.id, definition, payload),
      push: (player, definition, payload) => void this.#members.get(player.pid)?.push(definition, payload),
      scored: (player: ArenaPlayer) => this.leaderboard.record(player.userId, player.name, player.score),
      closed: (room) => {
        this.#matchmaker.remove(room.id);
        this.#actors.delete(room.id);
      },
    };
  }
}

/** A random point at least 10 % of the plane away from its edges. */
function randomSpawn(): { x: number; y: number } {
  const at = () => Math.round(ARENA.worldSize * (0.1 + 0.8 * Math.random()));
  return { x: at(), y: at() };
}
