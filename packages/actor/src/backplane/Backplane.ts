import type { AnyEventObject } from 'xstate';
import type { ResumeStore } from './ResumeStore.ts';

/** Where a user is held: written at login, removed at close (with Redis, refreshed with a TTL). */
export interface DirectoryEntry {
  readonly userId: string;
  readonly nodeId: string;
  readonly sessionId: number;
}

/**
 * The user → node directory. In-memory for one process; a Redis implementation (cluster mode)
 * keeps the same contract, so the holder does not change.
 */
export interface Directory {
  /** Records `entry` as the holder of its user; resolves with the entry it replaced, if any (maybe on another node). */
  claim(entry: DirectoryEntry): Promise<DirectoryEntry | undefined>;
  /** Removes the user's entry if it is still `entry` (same node and session). */
  release(entry: DirectoryEntry): Promise<void>;
  /** Where the user is, if anywhere. */
  lookup(userId: string): Promise<DirectoryEntry | undefined>;
}

/** A message between nodes. Bytes are encoded message values (`encodeMessage`), ready to append. */
export type Envelope =
  /**
   * Push to a user held by the receiving node. `direct`: deliver it there without consulting the
   * directory again (a push following a player that just resumed on that node).
   */
  | { readonly kind: 'push'; readonly userId: string; readonly bytes: Uint8Array; readonly direct?: boolean }
  /** Push to the receiving node's members of a group. */
  | { readonly kind: 'group'; readonly group: string; readonly bytes: Uint8Array; readonly exceptUserId?: string }
  /** A newer login elsewhere: end the user's actor with `code`. */
  | { readonly kind: 'kick'; readonly userId: string; readonly sessionId: number; readonly code: string; readonly text: string }
  /** A statechart event for a user's actor (`holder.dispatch`). */
  | { readonly kind: 'event'; readonly userId: string; readonly event: AnyEventObject };

/**
 * How the nodes of a cluster talk: the directory plus envelopes addressed to a node or fanned
 * out to the nodes that have members of a group (once per node, not per member).
 * Operations are fire-and-forget on the hot path. A Redis implementation fails fast while Redis is
 * down: `publish` / `publishGroup` throw and the directory's `lookup` rejects with
 * `BACKPLANE_UNAVAILABLE` (nothing is queued); `claim` / `release` do not reject (deferred).
 */
export interface Backplane {
  /** This node's id (unique in the cluster). */
  readonly nodeId: string;
  readonly directory: Directory;
  /** True when other nodes may exist (false for a lone in-memory node: the holder skips remote work). */
  readonly shared: boolean;
  /**
   * False while cross-node operations cannot succeed (Redis down): the holder then fails fast
   * instead of trying. Absent means always available (in-memory).
   */
  readonly available?: boolean;
  /**
   * Resume records shared by the cluster, so a token resumes on any node. Absent (in-memory): a
   * token resumes only on the node that issued it.
   */
  readonly resumes?: ResumeStore;
  /** Sends an envelope to node `nodeId`. */
  publish(nodeId: string, envelope: Envelope): void;
  /** Sends a group envelope to every other node that watches the group. */
  publishGroup(envelope: Extract<Envelope, { kind: 'group' }>): void;
  /** This node has local members of `group` now (`true`) or no longer (`false`). */
  watchGroup(group: string, watching: boolean): void;
  /** Receives the envelopes addressed to this node; returns the unsubscribe function. */
  onEnvelope(handler: (envelope: Envelope) => void): () => void;
  /** Leaves the cluster (removes this node's directory entries in memory; Redis lets them expire). */
  close(): Promise<void>;
}
