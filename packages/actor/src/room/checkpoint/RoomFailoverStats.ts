/** Counters of a node's room checkpoints and failover (`node.roomFailover.stats`). */
export interface RoomFailoverStats {
  /** Checkpoints written. */
  written: number;
  /** Their bytes. */
  bytes: number;
  /** Writes refused because another node owns the room now (the local copy stopped). */
  fenced: number;
  /** Writes or releases that failed (Redis down, a state that does not encode). */
  failed: number;
  /** Rooms of dead nodes this node claimed. */
  claimed: number;
  /** Rooms restored here (claimed, or handed over by a draining node). */
  restored: number;
  /** Checkpoints refused by their checks (logged; the room is lost). */
  badCheckpoints: number;
  /** Rooms this node handed to another one while draining. */
  handedOff: number;
}

export function newFailoverStats(): RoomFailoverStats {
  return { written: 0, bytes: 0, fenced: 0, failed: 0, claimed: 0, restored: 0, badCheckpoints: 0, handedOff: 0 };
}
