import type { RoomOptions } from '@hearth/protocol';

/** Version of the checkpoint format ({@link RoomCheckpoint.v}); a node refuses other versions. */
export const CHECKPOINT_VERSION = 1;

/** A member as a checkpoint keeps it: enough to hold its seat until it comes back. */
export interface CheckpointMember {
  readonly userId: string;
  /** The options it joined with. */
  readonly options: RoomOptions;
  /** When it joined (the owner node's clock, ms). */
  readonly joinedAt: number;
}

/**
 * Everything a room needs to go on elsewhere (docs/rooms.md, "Rooms outlive their node"): written to
 * Redis as msgpack every `checkpointEvery` ticks and on lifecycle changes, read back on failover or
 * drain. Decoded from Redis as hostile input ({@link decodeCheckpoint}).
 */
export interface RoomCheckpoint {
  readonly v: typeof CHECKPOINT_VERSION;
  readonly kind: string;
  readonly id: string;
  /** The options the room was created with. */
  readonly options: RoomOptions;
  /** A `state` room's state (plain data); null for a `sync` room. */
  readonly state: unknown;
  /** A `sync` room's full state (`StateEncoder.full()`); null for a `state` room. */
  readonly full: Uint8Array | null;
  readonly metadata: unknown;
  readonly locked: boolean;
  readonly private: boolean;
  /** The last tick run: the restored room runs `tick + 1` next. */
  readonly tick: number;
  /** The `.lifecycle(machine)`'s persisted snapshot (the room's own references taken out); null without one. */
  readonly lifecycle: PersistedLifecycle | null;
  readonly members: readonly CheckpointMember[];
  /** The node that wrote it, and its ownership epoch (fencing: a stale owner's write is refused). */
  readonly owner: string;
  readonly epoch: number;
  /** When it was written (wall clock, ms since epoch): how old the restored state is. */
  readonly at: number;
}

/** An xstate persisted snapshot with the context keys that held the room itself (restored as the new room). */
export interface PersistedLifecycle {
  readonly snapshot: Record<string, unknown>;
  readonly roomKeys: readonly string[];
}

/** Limits of {@link decodeCheckpoint}: a checkpoint read from Redis is hostile input. */
export interface CheckpointLimits {
  /** Largest checkpoint accepted, in bytes (a bigger one is refused, not decoded). @defaultValue 4 MiB */
  maxBytes?: number;
  /** Deepest nesting of arrays/maps. @defaultValue 32 */
  maxDepth?: number;
  /** Most members. @defaultValue 10_000 */
  maxMembers?: number;
}

export const DEFAULT_CHECKPOINT_MAX_BYTES = 4 << 20;
export const DEFAULT_CHECKPOINT_MAX_DEPTH = 32;
export const DEFAULT_CHECKPOINT_MAX_MEMBERS = 10_000;
