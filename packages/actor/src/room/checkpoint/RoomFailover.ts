import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RoomInstance } from '../RoomInstance.ts';
import type { RoomManager } from '../RoomManager.ts';
import { isBackplaneDown } from '../../backplane/errors.ts';
import { decodeCheckpoint, encodeCheckpoint, ROOM_ID_FORMAT } from './checkpointCodec.ts';
import { checkpointOf } from './checkpointOf.ts';
import { Checkpointer } from './Checkpointer.ts';
import { RoomDirectory } from '../../cluster/RoomDirectory.ts';
import { RedisRoomStore, type RoomOwner } from './RedisRoomStore.ts';
import { publishedOf, reregisterRooms } from './reregisterRooms.ts';
import type { CheckpointLimits } from './RoomCheckpoint.ts';
import { newFailoverStats, type RoomFailoverStats } from './RoomFailoverStats.ts';

/** What failover uses of a Redis backplane (`RedisBackplane` has it). */
export interface FailoverBackplane {
  readonly nodeId: string;
  readonly redis: Redis;
  readonly keys: { readonly prefix: string };
  /** False while Redis is down (rounds and checkpoint writes wait). */
  readonly available?: boolean;
  nodes(): Promise<ReadonlyArray<{ readonly nodeId: string }>>;
  sendToNode(nodeId: string, topic: string, payload: unknown): void;
  onNodeMessage(topic: string, handler: (payload: unknown, fromNodeId: string) => void): () => void;
  /** `up` after an outage (`recovered`): the node's rooms are registered again (Redis may have restarted empty). */
  on?(event: 'up', listener: (info: { recovered: boolean }) => void): () => void;
}

/** Options of {@link RoomFailover}. */
export interface RoomFailoverOptions {
  /** How often the node looks for dead nodes' rooms (and its own rooms it does not hold). @defaultValue 1_000 */
  checkMs?: number;
  /** How long a member of a restored room keeps its seat without coming back. @defaultValue 30_000 */
  awayGraceMs?: number;
  /** How long `drain()` waits for the targets to say they restored the rooms. @defaultValue 5_000 */
  drainTimeoutMs?: number;
  /** Limits of the checkpoints read back (hostile input). */
  limits?: CheckpointLimits;
  /** Called after each restore (measurements: how old the state was, how long the room was gone). */
  onRestored?: (event: RestoredRoom) => void;
}

/** One restore, as {@link RoomFailoverOptions.onRestored} reports it. */
export interface RestoredRoom {
  readonly roomId: string;
  /** The node that wrote the checkpoint (the dead or draining owner). */
  readonly from: string;
  /** `claimed` (its owner died) or `handed` (its owner drained). */
  readonly how: 'claimed' | 'handed';
  /** The checkpoint's tick and wall-clock time. */
  readonly tick: number;
  readonly checkpointAt: number;
  /** When it was restored here (wall clock, ms). */
  readonly restoredAt: number;
}

export const DEFAULT_FAILOVER_CHECK_MS = 1_000;
export const DEFAULT_AWAY_GRACE_MS = 30_000;
export const DEFAULT_DRAIN_TIMEOUT_MS = 5_000;
/** Rounds a dead node's room waits for the survivor it hashes to before any survivor claims it. */
const CLAIM_ROUNDS = 2;
const ADOPT = 'hearth.rooms.adopt';
const ADOPTED = 'hearth.rooms.adopted';
/** A target that is draining or closed itself: it does not take the rooms (they stay in Redis, see drain()). */
const REFUSED = 'hearth.rooms.refused';

/**
 * Rooms outlive their node (docs/rooms.md): checkpoints (through {@link Checkpointer}); every
 * `checkMs`, the rooms of nodes whose lease lapsed are claimed (one atomic move per room: exactly one
 * survivor wins it; each room first waits for the survivor its id hashes to, spreading them) and
 * restored from their last checkpoint; `drain()` hands every local room, with its state as of now,
 * to the other nodes before this one exits. @internal createNode builds it on a Redis backplane.
 */
export class RoomFailover {
  readonly stats: RoomFailoverStats = newFailoverStats();
  readonly checkpointer: Checkpointer;
  readonly #rooms: RoomManager;
  readonly #backplane: FailoverBackplane;
  readonly #store: RedisRoomStore;
  readonly #directory: RoomDirectory;
  readonly #log: Logger;
  readonly #options: RoomFailoverOptions;
  readonly #nodeId: string;
  readonly #seen = new Map<string, number>();
  readonly #acks = new Map<string, () => void>();
  readonly #off: Array<() => void> = [];
  /** Handoffs being restored here: a drain waits for them, so a room adopted meanwhile is not left behind. */
  readonly #adopting = new Set<Promise<void>>();
  /** The first round, run as the node starts (createNode awaits it before it listens). Never rejects. */
  started: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;
  #draining = false;
  #closed = false;

  constructor(rooms: RoomManager, backplane: FailoverBackplane, logger: Logger, options: RoomFailoverOptions = {}) {
    this.#rooms = rooms;
    this.#backplane = backplane;
    this.#nodeId = backplane.nodeId;
    this.#log = logger.child({ component: 'roomFailover', node: backplane.nodeId });
    this.#options = options;
    this.#store = new RedisRoomStore(backplane.redis, backplane.keys.prefix);
    this.#directory = new RoomDirectory(backplane.redis, backplane.keys.prefix);
    this.checkpointer = new Checkpointer(this.#store, this.#nodeId, this.#log, this.stats, () => backplane.available !== false);
  }

  /**
   * Starts checkpointing the node's rooms and watching for dead nodes, with a first round at once: a
   * node that starts after its whole cluster stopped claims the rooms left behind (their owners are
   * not live) before its players look for rooms. On `up` after a Redis outage it registers its
   * rooms again ({@link reregisterRooms}).
   */
  start(): void {
    this.#rooms.watch(this.checkpointer);
    const off = this.#backplane.on?.('up', ({ recovered }) => {
      if (recovered && !this.#draining) void this.reregister();
    });
    if (off !== undefined) this.#off.push(off);
    this.started = this.check();
    // Kept after close() (until the backplane closes): a closed node still refuses handoffs, so their sender does not wait.
    this.#backplane.onNodeMessage(ADOPT, (payload, from) => {
      const adopting = this.#onAdopt(payload, from).finally(() => this.#adopting.delete(adopting));
      this.#adopting.add(adopting);
    });
    this.#off.push(
      this.#backplane.onNodeMessage(ADOPTED, (payload) => {
        for (const id of roomIds(payload) ?? []) this.#acks.get(id)?.();
      }),
      this.#backplane.onNodeMessage(REFUSED, (payload, from) => {
        const ids = roomIds(payload) ?? [];
        if (ids.length > 0) this.#log.info({ target: from, rooms: ids.length }, 'drain: the target is stopping too; its rooms stay checkpointed in Redis for the next live node');
        for (const id of ids) this.#acks.get(id)?.();
      }),
    );
    this.#timer = setInterval(() => void this.check(), this.#options.checkMs ?? DEFAULT_FAILOVER_CHECK_MS);
  }

  /** One round: claims the rooms of dead nodes, restores rooms owned here but not held. Never throws. */
  check(): Promise<void> {
    return (this.#checking ??= this.#check()
      // Redis down: the backplane logs the outage once; a round per checkMs need not log it again.
      .catch((err: unknown) => (isBackplaneDown(err) ? this.#log.debug({ err }, 'room failover round skipped: Redis down') : this.#log.warn({ err }, 'room failover round failed; retrying next round')))
      .finally(() => (this.#checking = undefined)));
  }

  /** Registers every local room again (ownership, checkpoint, directory entry). Never throws. */
  async reregister(): Promise<number> {
    try {
      const n = await reregisterRooms(this.#rooms.instances(), { store: this.#store, checkpointer: this.checkpointer, nodeId: this.#nodeId, log: this.#log, stats: this.stats });
      this.#log.info({ rooms: n }, 'redis back: rooms registered again');
      return n;
    } catch (err) {
      this.#log.warn({ err }, 'rooms not registered again after the Redis outage; their next changes register them');
      return 0;
    }
  }

  async #check(): Promise<void> {
    if (this.#draining || this.#backplane.available === false) return;
    this.checkpointer.resume(); // rooms marked while Redis was down
    const live = (await this.#backplane.nodes()).map((n) => n.nodeId).sort();
    if (!live.includes(this.#nodeId)) return; // this node's own lease lapsed: it must not claim
    for (const owner of await this.#store.owners()) {
      if (owner === this.#nodeId) await this.#heal();
      else if (!live.includes(owner)) await this.#claimFrom(owner, live);
    }
  }

  async #claimFrom(dead: string, live: readonly string[]): Promise<void> {
    await Promise.all(
      (await this.#store.roomsOf(dead)).map(async ({ roomId, owner }) => {
        const rounds = (this.#seen.get(roomId) ?? 0) + 1;
        this.#seen.set(roomId, rounds);
        if (live[hash(roomId) % live.length] !== this.#nodeId && rounds <= CLAIM_ROUNDS) return;
        if (!(await this.#serves(roomId))) {
          // A kind this node does not serve: left to a node that does; out of joinOrCreate's picks meanwhile.
          await this.#directory.shelve(roomId);
          return;
        }
        const moved = await this.#store.move(roomId, owner, this.#nodeId);
        if (moved === undefined) return; // another survivor won it
        this.#seen.delete(roomId);
        this.stats.claimed++;
        await this.#restore(roomId, { epoch: moved.epoch, nodeId: this.#nodeId }, moved.checkpoint, 'claimed');
      }),
    );
  }

  /** False when the room's last checkpoint is of a kind this node does not serve (a bad one: true, to release it). */
  async #serves(roomId: string): Promise<boolean> {
    const { checkpoint } = await this.#store.read(roomId);
    if (checkpoint === null) return true;
    try {
      return this.#rooms.kinds.includes(decodeCheckpoint(checkpoint, this.#options.limits).kind);
    } catch {
      return true;
    }
  }

  /** Rooms owned by this node in Redis but not held (a handoff whose message was lost): restored. */
  async #heal(): Promise<void> {
    for (const { roomId, owner } of await this.#store.roomsOf(this.#nodeId)) {
      if (this.#rooms.get(roomId) !== undefined || this.checkpointer.knows(roomId)) continue;
      const { checkpoint } = await this.#store.read(roomId);
      await this.#restore(roomId, owner, checkpoint, 'handed');
    }
  }

  async #restore(roomId: string, owner: RoomOwner, bytes: Buffer | null, how: RestoredRoom['how']): Promise<RoomInstance | undefined> {
    if (this.#rooms.get(roomId) !== undefined) return undefined;
    let room: RoomInstance;
    let checkpoint;
    try {
      if (bytes === null) throw new Error('no checkpoint was written');
      checkpoint = decodeCheckpoint(bytes, this.#options.limits);
      if (checkpoint.id !== roomId) throw new Error(`the checkpoint is of room ${checkpoint.id}`);
      this.checkpointer.claim(roomId, owner); // owned from now: a heal round skips it
      room = await this.#rooms.adopt(checkpoint, this.#options.awayGraceMs ?? DEFAULT_AWAY_GRACE_MS);
    } catch (err) {
      this.stats.badCheckpoints++;
      this.#log.error({ err, roomId }, 'room not restored: its checkpoint is missing or bad; the room is lost');
      this.checkpointer.forget(roomId);
      const p = this.#store.redis.pipeline();
      this.#store.release(p, roomId, owner);
      await p.exec().catch(() => {});
      // Out of the directory too (while no other node owns it): no join or joinOrCreate stalls on it.
      await this.#directory.remove(roomId, this.#nodeId).catch((e: unknown) => this.#log.warn({ err: e, roomId }, 'lost room not removed from the directory'));
      return undefined;
    }
    this.checkpointer.adopted(room, owner);
    // Published by its new node: back in joinOrCreate's picks if a joiner shelved it while its node was gone.
    await this.#directory.update(publishedOf(room), this.#nodeId, Date.now()).catch((err: unknown) => this.#log.warn({ err, roomId }, 'restored room not published in the directory'));
    this.stats.restored++;
    this.#log.info({ roomId, from: checkpoint.owner, tick: checkpoint.tick, how }, 'room restored');
    this.#options.onRestored?.({ roomId, from: checkpoint.owner, how, tick: checkpoint.tick, checkpointAt: checkpoint.at, restoredAt: Date.now() });
    return room;
  }

  /**
   * Hands every local room to the other live nodes (round robin): stops it here (no hook), writes its
   * final checkpoint, moves its ownership atomically, and tells the target, which restores it.
   * Resolves when every target said so, or after `drainTimeoutMs` (a target that missed the message
   * restores the room on its next round). No claims are made here afterwards. Idempotent.
   * A target that is draining too (two nodes stopped at once) refuses the rooms: they stay owned by
   * it in Redis with this final checkpoint, and a live node claims them once its lease lapsed (or
   * the next cluster on the prefix, as it starts) — no room ends with the two nodes.
   */
  async drain(): Promise<{ handedOff: number; targets: number }> {
    if (this.#draining) return { handedOff: 0, targets: 0 };
    this.#draining = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#checking;
    // A handoff to this node being restored now: held once it is done, so it is handed on below.
    await Promise.all(this.#adopting);
    const targets = (await this.#backplane.nodes()).map((n) => n.nodeId).filter((n) => n !== this.#nodeId).sort();
    const local = this.#rooms.instances().filter((r) => !r.disposed);
    if (targets.length === 0) {
      this.#log.warn({ rooms: local.length }, 'drain: no other node is live; the rooms end with this node');
      return { handedOff: 0, targets: 0 };
    }
    await this.checkpointer.settled();
    const byTarget = new Map<string, string[]>();
    const acked: Array<Promise<void>> = [];
    await Promise.all(
      local.map(async (room, i) => {
        const target = targets[i % targets.length]!;
        const owner = this.checkpointer.ownerOf(room.id) ?? { epoch: 1, nodeId: this.#nodeId };
        const bytes = encodeCheckpoint(checkpointOf(room, this.#nodeId, owner.epoch, Date.now()));
        room.handOff(); // nothing changes after the final checkpoint
        this.checkpointer.forget(room.id);
        const p = this.#store.redis.pipeline();
        if (owner.epoch === 1) this.#store.own(p, room.id, this.#nodeId);
        this.#store.write(p, room.id, owner, bytes);
        await p.exec();
        if ((await this.#store.move(room.id, owner, target)) === undefined) {
          this.#log.warn({ roomId: room.id, epoch: owner.epoch, now: (await this.#store.read(room.id)).owner }, 'drain: room not handed over: another node owns it now');
          return;
        }
        this.stats.handedOff++;
        let list = byTarget.get(target);
        if (list === undefined) byTarget.set(target, (list = []));
        list.push(room.id);
        acked.push(new Promise<void>((resolve) => this.#acks.set(room.id, resolve)));
      }),
    );
    for (const [target, ids] of byTarget) this.#backplane.sendToNode(target, ADOPT, ids);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(acked), new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS)))]);
    clearTimeout(timer);
    this.#acks.clear();
    return { handedOff: this.stats.handedOff, targets: byTarget.size };
  }

  /** A handoff from a draining node. Never rejects (it runs off a message, also while this node stops). */
  async #onAdopt(payload: unknown, from: string): Promise<void> {
    const ids = roomIds(payload);
    if (ids === undefined) {
      this.#log.warn({ from }, 'malformed room handoff message dropped');
      return;
    }
    try {
      // Stopping too: a room restored now would end with this node (its drain has listed its rooms).
      if (this.#draining || this.#closed) {
        this.#backplane.sendToNode(from, REFUSED, ids);
        return;
      }
      const done: string[] = [];
      for (const roomId of ids) {
        const { owner, checkpoint } = await this.#store.read(roomId);
        if (owner?.nodeId !== this.#nodeId) continue;
        if ((await this.#restore(roomId, owner, checkpoint, 'handed')) !== undefined || this.#rooms.get(roomId) !== undefined) done.push(roomId);
      }
      this.#backplane.sendToNode(from, ADOPTED, done);
    } catch (err) {
      // Redis down or the backplane closed: the rooms stay owned here in Redis; a heal round (or a survivor) restores them.
      this.#log.warn({ err, from, rooms: ids.length }, 'room handoff not completed here');
    }
  }

  /** Stops watching (node close). The rooms' checkpoints are released as they are disposed. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const off of this.#off.splice(0)) off();
  }
}

/** A list of room ids from another node (checked: it is hostile input too). */
function roomIds(payload: unknown): string[] | undefined {
  if (!Array.isArray(payload) || payload.length > 100_000) return undefined;
  return payload.every((id) => typeof id === 'string' && ROOM_ID_FORMAT.test(id)) ? (payload as string[]) : undefined;
}

/** FNV-1a of a room id: which survivor a dead node's room goes to first. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
