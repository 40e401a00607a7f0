import type { RoomOptions } from '@hearth/protocol';
import type { RoomInstance } from '../RoomInstance.ts';
import { CHECKPOINT_VERSION, type RoomCheckpoint } from './RoomCheckpoint.ts';

/**
 * A room's checkpoint now: kind, id, options, state (plain data, or a `sync` room's full state),
 * metadata, lock, privacy, tick number, the lifecycle's persisted snapshot and the members (user
 * ids and join options). A synced room's pending changes are sent as a patch first (the full state
 * must not include changes its members have not had). `at` is wall-clock ms.
 */
export function checkpointOf(room: RoomInstance, owner: string, epoch: number, at: number): RoomCheckpoint {
  const synced = room.synced;
  if (synced !== undefined && !synced.clean) room.flush();
  return {
    v: CHECKPOINT_VERSION,
    kind: room.kind,
    id: room.id,
    options: (room.options ?? {}) as RoomOptions,
    state: synced === undefined ? room.state : null,
    full: synced === undefined ? null : synced.full(),
    metadata: room.metadata ?? null,
    locked: room.locked,
    private: room.private,
    tick: room.tick,
    lifecycle: room.lifecycleActor?.persisted() ?? null,
    members: Array.from(room.members.values(), (m) => ({ userId: m.userId, options: m.options, joinedAt: m.joinedAt })),
    owner,
    epoch,
    at,
  };
}
