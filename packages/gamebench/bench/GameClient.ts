import type { Histogram } from './Histogram.ts';
import type { Player } from './Player.ts';

/** What a load driver counts, shared by all its clients. */
export interface DriverCounters {
  updates: number;
  movesSent: number;
  bodyBytesIn: number;
  readonly delays: Histogram;
  readonly errors: Map<string, number>;
}

/** One playing client of either stack, as the driver sees it. */
export interface GameClient {
  /** Connects, logs in if needed, joins a room of 16; the player (its start position) once joined. */
  join(): Promise<Player>;
  /** Sends a move to the player's next position. */
  move(x: number, y: number): void;
  readonly playing: boolean;
  close(): void;
}

export function countError(c: DriverCounters, code: string): void {
  c.errors.set(code, (c.errors.get(code) ?? 0) + 1);
}
