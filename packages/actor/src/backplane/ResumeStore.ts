/**
 * What a node parks when its player disconnects, so any node can resume the player: the actor's
 * snapshot and the pushes queued for it.
 */
export interface ParkedPlayer {
  readonly userId: string;
  /** Session id the player had on the parking node (with the node id, the directory entry to replace). */
  readonly sessionId: number;
  /** The actor's snapshot (any msgpack-encodable value; the holder stores its `PlayerActor` state). */
  readonly snapshot: unknown;
  /** Pushes queued for the player, each one encoded message (`encodeMessage`), oldest first. */
  readonly queued: readonly Uint8Array[];
}

/** A parked player as a claim returns it. */
export interface ResumeRecord extends ParkedPlayer {
  /** Node that parked it. */
  readonly nodeId: string;
}

/** Result of appending a push to a parked record. */
export type AppendResult =
  | { readonly ok: true; readonly length: number }
  /** No record (expired, discarded, never parked) or its queue is at the store's limit. */
  | { readonly ok: false; readonly reason: 'missing' | 'full' }
  /** The player resumed on `nodeId`: the push must follow it there. */
  | { readonly ok: false; readonly reason: 'claimed'; readonly nodeId: string };

/** Result of discarding a parked record (grace over, player kicked or closed). */
export type DiscardResult =
  | { readonly discarded: true }
  | { readonly discarded: false; readonly reason: 'missing' }
  /** Too late: the player resumed on `nodeId` (the parking node stops its actor quietly). */
  | { readonly discarded: false; readonly reason: 'claimed'; readonly nodeId: string };

/** A parked player was resumed on node `nodeId`: the parking node stops its actor without the leave hook. */
export interface ResumedNotice {
  readonly token: string;
  readonly userId: string;
  readonly nodeId: string;
}

/**
 * Resume records shared by the nodes of a cluster (`Backplane.resumes`), so a resume token works on
 * any node within the grace period and a load balancer needs no sticky sessions. Absent on the
 * in-memory backplane: there a token resumes on the node that issued it.
 *
 * Every operation may reject with `BACKPLANE_UNAVAILABLE` (fail fast, nothing queued); the holder
 * then keeps resumes local to the parking node.
 */
export interface ResumeStore {
  /** Parks `player` under `token` for `graceMs` (replaces an older record of the token). */
  park(token: string, player: ParkedPlayer, graceMs: number): Promise<void>;
  /** Appends a push queued during grace (bounded); `claimed` says where the player went. */
  append(token: string, bytes: Uint8Array): Promise<AppendResult>;
  /**
   * Takes the record once (atomic: of two nodes racing, one wins; the parking node is told through
   * `onResumed`). Resolves undefined when the token is unknown, expired, used, or its node died.
   */
  claim(token: string): Promise<ResumeRecord | undefined>;
  /** Removes an unclaimed record (the parked actor ended); says if a claim got there first. */
  discard(token: string): Promise<DiscardResult>;
  /** Told on the parking node when another node claimed one of its records; returns the unsubscribe function. */
  onResumed(handler: (notice: ResumedNotice) => void): () => void;
}
