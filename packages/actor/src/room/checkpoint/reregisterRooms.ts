import type { RoomOptions } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { PublishedRoom } from '../../cluster/RoomDirectory.ts';
import { filterKey } from '../directoryOptions.ts';
import { DEFAULT_CHECKPOINT_EVERY } from '../RoomDefinition.ts';
import type { RoomInstance } from '../RoomInstance.ts';
import { encodeCheckpoint } from './checkpointCodec.ts';
import { checkpointOf } from './checkpointOf.ts';
import type { Checkpointer } from './Checkpointer.ts';
import type { RedisRoomStore, RegisteredRoom } from './RedisRoomStore.ts';
import type { RoomFailoverStats } from './RoomFailoverStats.ts';

/** What {@link reregisterRooms} works with (the node's failover parts). */
export interface ReregisterContext {
  readonly store: RedisRoomStore;
  readonly checkpointer: Checkpointer;
  readonly nodeId: string;
  readonly log: Logger;
  readonly stats: RoomFailoverStats;
}

/**
 * After Redis came back from an outage (possibly empty: no persistence), registers every live room
 * of this node again, one script each in one pipeline: its ownership with the epoch the node holds,
 * a fresh checkpoint, and its directory entry (seats = its members, the open and kind indexes, at
 * its original creation time when a checkpoint read it, else now) when that is gone, so a join by
 * id finds it and joinOrCreate fills it, oldest first as before. A room another node owns by now
 * (this node's lease lapsed during the outage and a survivor claimed it) is fenced: its copy here
 * stops quietly, as after a fenced checkpoint. Returns the rooms registered. @internal RoomFailover
 */
export async function reregisterRooms(rooms: readonly RoomInstance[], ctx: ReregisterContext): Promise<number> {
  const p = ctx.store.redis.pipeline();
  const sent: Array<{ room: RoomInstance; owner: { epoch: number; nodeId: string }; checkpointed: boolean }> = [];
  const now = Date.now();
  for (const room of rooms) {
    if (room.disposed || room.handedOff) continue;
    const owner = ctx.checkpointer.ownerOf(room.id) ?? { epoch: 1, nodeId: ctx.nodeId };
    let bytes: Uint8Array | null = null;
    let registered: RegisteredRoom;
    try {
      if ((room.definition.spec.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY) !== 0) bytes = encodeCheckpoint(checkpointOf(room, ctx.nodeId, owner.epoch, now));
      const published = publishedOf(room);
      registered = {
        ...published,
        seats: room.members.size,
        meta: room.metadata === null || room.metadata === undefined ? '' : JSON.stringify(room.metadata),
      };
    } catch (err) {
      ctx.stats.failed++;
      ctx.log.error({ err, roomId: room.id }, 'room not registered again after the Redis outage (state or metadata not serialisable?)');
      continue;
    }
    // Its creation time as the directory had it (read back by its checkpoints): the oldest-first order survives.
    ctx.store.reregister(p, registered, owner, bytes, ctx.checkpointer.createdOf(room.id) ?? now);
    sent.push({ room, owner, checkpointed: bytes !== null });
  }
  if (sent.length === 0) return 0;
  const results = await p.exec();
  let done = 0;
  for (const [i, { room, owner, checkpointed }] of sent.entries()) {
    const [err, reply] = results?.[i] ?? [new Error('no reply'), null];
    if (err === null && reply === 1) {
      done++;
      if (checkpointed) {
        ctx.checkpointer.claim(room.id, owner);
        ctx.stats.written++;
      }
    } else if (err === null) {
      ctx.stats.fenced++;
      ctx.log.warn({ roomId: room.id, owner: String(reply) }, 'room owned by another node after the Redis outage; stopping it here');
      ctx.checkpointer.forget(room.id);
      room.handOff();
    } else {
      ctx.stats.failed++;
      ctx.log.warn({ err, roomId: room.id }, 'room not registered again after the Redis outage');
    }
  }
  return done;
}

/** A room as its node publishes it in the directory (a filter key that does not encode throws). */
export function publishedOf(room: RoomInstance): PublishedRoom {
  const options = (room.options ?? {}) as RoomOptions;
  return {
    roomId: room.id,
    kind: room.kind,
    maxPlayers: room.maxPlayers,
    filter: filterKey(room.definition, options),
    options: JSON.stringify(options).slice(0, 4_096),
    locked: room.locked,
    private: room.private,
    metadata: room.metadata,
  };
}
