/** A bot's view of another player. */
export interface Seen {
  x: number;
  y: number;
}

/**
 * What a bot knows of its room: its player number there and where the others are, read from the
 * room's mirrored state after each patch.
 */
export class RoomView {
  /** Your player number in the room (0 before joining). */
  pid = 0;
  readonly others = new Map<number, Seen>();
  /** Your own moves the room applied (your position changed in its state), over every room: never reset. */
  selfMoves = 0;
  #self: Seen | undefined;

  /** Brings {@link others} up to the room's state; returns how many of them moved. */
  read(players: ReadonlyMap<number, { readonly x: number; readonly y: number }>): number {
    let moved = 0;
    for (const [pid, p] of players) {
      if (pid === this.pid) {
        if (this.#self !== undefined && (this.#self.x !== p.x || this.#self.y !== p.y)) this.selfMoves += 1;
        this.#self = { x: p.x, y: p.y };
        continue;
      }
      const seen = this.others.get(pid);
      if (seen === undefined) this.others.set(pid, { x: p.x, y: p.y });
      else if (seen.x !== p.x || seen.y !== p.y) {
        seen.x = p.x;
        seen.y = p.y;
        moved += 1;
      }
    }
    for (const pid of this.others.keys()) if (!players.has(pid)) this.others.delete(pid);
    return moved;
  }

  /** Your player number is `pid` (the room's answer): a new one drops what was seen of you under either. */
  reseat(pid: number): void {
    if (pid === this.pid) return;
    this.pid = pid;
    this.#self = undefined;
    this.others.delete(pid);
  }

  /** The nearest other player within `radius` of `(x, y)`, if any. */
  nearest(x: number, y: number, radius: number): { pid: number; x: number; y: number } | undefined {
    let best: { pid: number; x: number; y: number } | undefined;
    let bestD = radius;
    for (const [pid, s] of this.others) {
      const d = Math.hypot(s.x - x, s.y - y);
      if (d <= bestD) {
        bestD = d;
        best = { pid, x: s.x, y: s.y };
      }
    }
    return best;
  }

  clear(): void {
    this.pid = 0;
    this.#self = undefined;
    this.others.clear();
  }
}
