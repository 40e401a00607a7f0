import type { Logger } from 'pino';
import { DEFAULT_CHECKPOINT_EVERY } from '../RoomDefinition.ts';
import type { RoomInstance } from '../RoomInstance.ts';
import type { RoomWatcher } from '../RoomManager.ts';
import { encodeCheckpoint } from './checkpointCodec.ts';
import { checkpointOf } from './checkpointOf.ts';
import type { RedisRoomStore, RoomOwner } from './RedisRoomStore.ts';
import type { RoomFailoverStats } from './RoomFailoverStats.ts';

/**
 * Writes the node's room checkpoints to Redis, off the hot path: a room that changed is marked, and
 * once per event-loop turn every marked room is encoded and written with one fenced SET each, all in
 * one pipeline. A tick burst marks a room every `checkpointEvery` ticks (a room without a tick: each
 * message it handled); a lock, metadata, membership or phase change marks it at once. A write refused by the fence (another node owns the
 * room now: this node's lease lapsed and a survivor claimed it) stops the local copy quietly. @internal
 */
export class Checkpointer implements RoomWatcher {
  readonly #store: RedisRoomStore;
  readonly #nodeId: string;
  readonly #log: Logger;
  readonly #stats: RoomFailoverStats;
  readonly #now: () => number;
  readonly #available: () => boolean;
  /** Rooms this node owns, with the epoch it holds. */
  readonly #owned = new Map<string, RoomOwner>();
  readonly #lastTick = new Map<string, number>();
  /** When each owned room was created (its directory entry's `created`): a room registered again after an empty Redis restart keeps its place in the oldest-first order. */
  readonly #created = new Map<string, number>();
  readonly #dirty = new Set<RoomInstance>();
  /** Releases in flight: the room is gone here though its entry is still in Redis. */
  readonly #releasing = new Set<string>();
  #scheduled = false;
  #writing: Promise<void> = Promise.resolve();

  /** `available`: false while Redis is down; marked rooms then wait (written by the first flush after it returns). */
  constructor(store: RedisRoomStore, nodeId: string, log: Logger, stats: RoomFailoverStats, available: () => boolean = () => true, now: () => number = Date.now) {
    this.#store = store;
    this.#nodeId = nodeId;
    this.#log = log;
    this.#stats = stats;
    this.#now = now;
    this.#available = available;
  }

  /** The epoch this node holds for `roomId`, if it owns it. */
  ownerOf(roomId: string): RoomOwner | undefined {
    return this.#owned.get(roomId);
  }

  /** When `roomId` was created (ms, its directory order), once a checkpoint of it read it back. */
  createdOf(roomId: string): number | undefined {
    return this.#created.get(roomId);
  }

  /** True while `roomId` is owned here or its release is in flight. */
  knows(roomId: string): boolean {
    return this.#owned.has(roomId) || this.#releasing.has(roomId);
  }

  changed(room: RoomInstance, tick: boolean): void {
    const every = room.definition.spec.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
    if (every === 0) return;
    // A room without a tick "ticks" when it handled a message: checkpointed then (once per turn at most).
    if (tick && room.definition.tickHandler !== undefined && room.tick - (this.#lastTick.get(room.id) ?? 0) < every) return;
    this.mark(room);
  }

  disposed(room: RoomInstance): void {
    this.#dirty.delete(room);
    this.#lastTick.delete(room.id);
    this.#created.delete(room.id);
    const owner = this.#owned.get(room.id);
    this.#owned.delete(room.id);
    if (owner === undefined || room.handedOff) return;
    this.#releasing.add(room.id);
    const p = this.#store.redis.pipeline();
    this.#store.release(p, room.id, owner);
    p.exec()
      .catch((err: unknown) => this.#log.warn({ err, roomId: room.id }, 'room release failed; a survivor may restore it'))
      .finally(() => this.#releasing.delete(room.id));
  }

  /** A room restored here (failover, drain) under `owner`: checkpointed at once with its new epoch. */
  adopted(room: RoomInstance, owner: RoomOwner): void {
    this.#owned.set(room.id, owner);
    this.mark(room);
  }

  /** `roomId` is owned here under `owner` (being restored). */
  claim(roomId: string, owner: RoomOwner): void {
    this.#owned.set(roomId, owner);
  }

  /** A room handed to another node (drain): forgotten here. */
  forget(roomId: string): void {
    this.#owned.delete(roomId);
    this.#lastTick.delete(roomId);
    this.#created.delete(roomId);
  }

  mark(room: RoomInstance): void {
    this.#dirty.add(room);
    this.resume();
  }

  /** Schedules a flush of the rooms still marked (after Redis came back: they waited). */
  resume(): void {
    if (this.#scheduled || this.#dirty.size === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#writing = this.#writing.then(() => this.flush());
    });
  }

  /** Resolves once the writes queued so far are done (drain: the last checkpoints before a handoff). */
  async settled(): Promise<void> {
    await this.#writing;
  }

  /** Encodes and writes every marked room now (one pipeline). */
  async flush(): Promise<void> {
    if (this.#dirty.size === 0 || !this.#available()) return;
    const rooms = [...this.#dirty];
    this.#dirty.clear();
    const p = this.#store.redis.pipeline();
    const sent: Array<{ room: RoomInstance; at: number; bytes: number }> = [];
    /** Rooms whose creation time is read back with this pipeline (their first checkpoint here). */
    const created: Array<{ roomId: string; at: number }> = [];
    let commands = 0;
    for (const room of rooms) {
      if (room.disposed) continue;
      let owner = this.#owned.get(room.id);
      if (owner === undefined) {
        this.#owned.set(room.id, (owner = { epoch: 1, nodeId: this.#nodeId }));
        this.#store.own(p, room.id, this.#nodeId);
        commands++;
      }
      let bytes: Uint8Array;
      try {
        bytes = encodeCheckpoint(checkpointOf(room, this.#nodeId, owner.epoch, this.#now()));
      } catch (err) {
        this.#stats.failed++;
        this.#log.error({ err, roomId: room.id }, 'room checkpoint could not be encoded (state not serialisable?)');
        continue;
      }
      this.#store.write(p, room.id, owner, bytes);
      sent.push({ room, at: commands++, bytes: bytes.length });
      if (!this.#created.has(room.id)) {
        p.hget(this.#store.roomKey(room.id), 'created');
        created.push({ roomId: room.id, at: commands++ });
      }
      this.#lastTick.set(room.id, room.tick);
    }
    if (sent.length === 0) return;
    let results: Array<[Error | null, unknown]> | null;
    try {
      results = await p.exec();
    } catch (err) {
      results = null;
      this.#log.warn({ err }, 'room checkpoints not written');
    }
    for (const { roomId, at } of created) {
      const [err, reply] = results?.[at] ?? [new Error('no reply'), null];
      const ms = typeof reply === 'string' ? Number(reply) : NaN;
      // No entry (a room outside the directory): its first checkpoint's time stands in.
      if (err === null && this.#owned.has(roomId)) this.#created.set(roomId, Number.isFinite(ms) ? ms : this.#now());
    }
    for (const { room, at, bytes } of sent) {
      const [err, reply] = results?.[at] ?? [new Error('no reply'), null];
      if (err === null && reply === 1) {
        this.#stats.written++;
        this.#stats.bytes += bytes;
      } else if (err === null) {
        // Fenced: the room is another node's now. Stop this copy without hooks; the owner has it.
        this.#stats.fenced++;
        this.#log.warn({ roomId: room.id, owner: String(reply) }, 'room checkpoint fenced: another node owns the room now; stopping it here');
        this.forget(room.id);
        room.handOff();
      } else this.#stats.failed++;
    }
  }
}
