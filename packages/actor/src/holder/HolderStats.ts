/** Counters of a `Holder`'s cross-node work (`holder.stats`). */
export interface HolderStats {
  /** Pushes, events and broadcasts that could not leave this node (backplane down); local members were still reached. */
  remoteDropped: number;
  /** Players resumed here from a record parked by another node. */
  resumedFromOtherNodes: number;
  /** Players parked here that resumed on another node. */
  resumedElsewhere: number;
  /** User ids and resume tokens refused by their format check before any lookup (see `USER_ID_FORMAT`). */
  malformedIds: number;
}
