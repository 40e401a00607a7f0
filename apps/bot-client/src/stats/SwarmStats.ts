import { LatencyHistogram } from './LatencyHistogram.ts';

/** Counters shared by every bot of a swarm (one object, not one per bot). */
export class SwarmStats {
  connected = 0;
  loggedIn = 0;
  joined = 0;
  /** Bots whose connection ended for good while the scenario still ran. */
  dropped = 0;
  /** Sessions resumed after a dropped connection. */
  resumed = 0;
  /** Fresh logins after a session was lost (its node died). */
  relogins = 0;
  movesSent = 0;
  chatsSent = 0;
  /** Chat lines from other bots received. */
  chatsReceived = 0;
  tagsScored = 0;
  /** State patches received (`room.state`). */
  patches = 0;
  /** Their payload bytes (the position, name and score stream, before framing and encryption). */
  patchBytes = 0;
  /** Other players' moves seen in the room's state. */
  othersMoves = 0;
  leaderboards = 0;
  /** Every error seen (error replies, `arena.rejected` codes, close codes), by code. */
  readonly errors = new Map<string, number>();
  /** The subset of {@link errors} the scenario does not expect. */
  readonly unexpected = new Map<string, number>();
  /** Round trips of every request, in ms. */
  readonly rtt = new LatencyHistogram();
  /** Round trips since the last progress line (reset by the swarm each second). */
  readonly rttWindow = new LatencyHistogram();
  /** Round trips by request name. */
  readonly rttByType = new Map<string, LatencyHistogram>();
  /** The first few unexpected failures, for the summary. */
  readonly failures: { bot: string; code: string; text: string }[] = [];

  /** Counts an error; `expected` decides whether it fails the run. */
  error(bot: string, code: string, text: string, expected: boolean): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
    if (expected) return;
    this.unexpected.set(code, (this.unexpected.get(code) ?? 0) + 1);
    if (this.failures.length < 50) this.failures.push({ bot, code, text });
  }

  /** Records a round trip of request `name`. */
  roundTrip(name: string, ms: number): void {
    this.rtt.record(ms);
    this.rttWindow.record(ms);
    let h = this.rttByType.get(name);
    if (h === undefined) this.rttByType.set(name, (h = new LatencyHistogram()));
    h.record(ms);
  }

  get unexpectedCount(): number {
    let n = 0;
    for (const v of this.unexpected.values()) n += v;
    return n;
  }
}
