import { HearthError, Login, type AnyDefinition, type InboundMessage, type Payload, type Reply } from '@hearth/protocol';
import type { SessionRef } from '@hearth/net';
import {
  ChatLine,
  Chat,
  Echo,
  Join,
  Leaderboard,
  MemberJoined,
  MemberLeft,
  Move,
  Rejected,
  Snapshot,
  Tag,
  type JoinReply,
} from '@hearth/server/messages';
import type { SwarmStats } from './stats/SwarmStats.ts';

/** A bot's view of another player. */
export interface Seen {
  x: number;
  y: number;
}

/** Where a bot is in its life. */
export type BotPhase = 'waiting' | 'connecting' | 'loggingIn' | 'joining' | 'playing' | 'closed' | 'failed';

/** What a bot needs from its swarm. */
export interface BotHost {
  readonly stats: SwarmStats;
  /** Whether `code` is part of the scenario. */
  expects(code: string): boolean;
  /** Request timeout, in ms. */
  readonly requestTimeoutMs: number;
}

/**
 * One simulated player: plain state plus the few actions a scenario combines. Bots own no timers
 * and no subscriptions; the swarm's single tick and single message subscription drive all of them
 * (5,000 bots would otherwise mean 5,000 timers and closures per kind of event).
 */
export class Bot {
  readonly index: number;
  readonly name: string;
  readonly url: string;
  readonly #host: BotHost;
  #seed: number;

  phase: BotPhase = 'waiting';
  ref: SessionRef | undefined;
  /** Player number and room once joined. */
  pid = 0;
  room = '';
  x = 0;
  y = 0;
  readonly others = new Map<number, Seen>();

  // Scenario scheduling (performance.now() ms). Set on join with a per-bot offset, so the swarm's
  // bots do not all act on the same tick.
  nextMoveAt = 0;
  lastMoveAt = 0;
  nextChatAt = 0;
  nextLeaderboardAt = 0;
  nextEchoAt = 0;
  nextPingAt = 0;
  lastTagAt = -Infinity;
  tagInFlight = false;
  chasing = false;
  modeUntil = 0;
  goalX = 0;
  goalY = 0;

  // What the run is judged on.
  chatsSent = 0;
  chatsReceived = 0;
  othersMovesSeen = 0;
  leaderboardAnswers = 0;
  unexpectedErrors = 0;

  constructor(index: number, url: string, host: BotHost) {
    this.index = index;
    this.name = `bot-${index}`;
    this.url = url;
    this.#host = host;
    this.#seed = (index * 2654435761) >>> 0 || 1;
  }

  /** A deterministic pseudo-random number in [0, 1) (xorshift32, per bot). */
  random(): number {
    let s = this.#seed;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.#seed = s >>> 0;
    return this.#seed / 4294967296;
  }

  /** Logs in and joins a room over an open session; resolves when playing (or failed). */
  async start(ref: SessionRef): Promise<void> {
    this.ref = ref;
    this.phase = 'loggingIn';
    const stats = this.#host.stats;
    const login = await this.#request('login', Login, { name: this.name });
    if (login === undefined) return;
    stats.loggedIn += 1;
    this.phase = 'joining';
    const joined = await this.#request('join', Join, {});
    if (joined === undefined) return;
    this.#joined(joined, performance.now());
  }

  #joined(reply: JoinReply, t: number): void {
    this.#host.stats.joined += 1;
    this.pid = reply.you;
    this.room = reply.room;
    for (const m of reply.members) {
      if (m.pid === this.pid) {
        this.x = m.x;
        this.y = m.y;
      } else this.others.set(m.pid, { x: m.x, y: m.y });
    }
    this.goalX = this.x;
    this.goalY = this.y;
    const offset = 1000 * this.random();
    this.lastMoveAt = t;
    this.nextMoveAt = t + offset * 0.25;
    this.nextChatAt = t + 500 + offset;
    this.nextLeaderboardAt = t + 1000 + offset;
    this.nextEchoAt = t + offset;
    this.nextPingAt = t + 5000 * this.random();
    this.phase = 'playing';
  }

  /** Handles a push from the server (the swarm routes it here by session id). */
  onPush(msg: InboundMessage): void {
    const stats = this.#host.stats;
    switch (msg.type) {
      case Snapshot.type: {
        stats.snapshots += 1;
        const moved = (msg.payload as Payload<typeof Snapshot>).moved;
        for (let i = 0; i + 2 < moved.length; i += 3) {
          const pid = moved[i]!;
          if (pid === this.pid) continue;
          const seen = this.others.get(pid);
          if (seen === undefined) this.others.set(pid, { x: moved[i + 1]!, y: moved[i + 2]! });
          else {
            seen.x = moved[i + 1]!;
            seen.y = moved[i + 2]!;
          }
          this.othersMovesSeen += 1;
          stats.othersMoves += 1;
        }
        break;
      }
      case MemberJoined.type: {
        const m = msg.payload as Payload<typeof MemberJoined>;
        if (m.pid !== this.pid) this.others.set(m.pid, { x: m.x, y: m.y });
        break;
      }
      case MemberLeft.type:
        this.others.delete((msg.payload as Payload<typeof MemberLeft>).pid);
        break;
      case ChatLine.type:
        if ((msg.payload as Payload<typeof ChatLine>).from !== this.pid) {
          this.chatsReceived += 1;
          stats.chatsReceived += 1;
        }
        break;
      case Rejected.type: {
        const r = msg.payload as Payload<typeof Rejected>;
        if (r.x !== undefined && r.y !== undefined) {
          this.x = r.x;
          this.y = r.y;
        }
        this.#error(r.code, r.text);
        break;
      }
      default:
        break;
    }
  }

  /** The nearest other player within `radius`, if any. */
  nearest(radius: number): { pid: number; x: number; y: number } | undefined {
    let best: { pid: number; x: number; y: number } | undefined;
    let bestD = radius;
    for (const [pid, s] of this.others) {
      const d = Math.hypot(s.x - this.x, s.y - this.y);
      if (d <= bestD) {
        bestD = d;
        best = { pid, x: s.x, y: s.y };
      }
    }
    return best;
  }

  move(x: number, y: number): void {
    this.x = x;
    this.y = y;
    if (this.ref?.send(Move, { x, y })) this.#host.stats.movesSent += 1;
  }

  chat(text: string): void {
    if (this.ref?.send(Chat, { text })) {
      this.chatsSent += 1;
      this.#host.stats.chatsSent += 1;
    }
  }

  ping(): void {
    this.ref?.ping();
  }

  tag(target: { pid: number }, now: number): void {
    this.tagInFlight = true;
    this.lastTagAt = now;
    void this.#request('tag', Tag, { target: target.pid }).then((r) => {
      this.tagInFlight = false;
      if (r !== undefined) this.#host.stats.tagsScored += 1;
    });
  }

  leaderboard(): void {
    void this.#request('leaderboard', Leaderboard, { top: 10 }).then((r) => {
      if (r !== undefined) {
        this.leaderboardAnswers += 1;
        this.#host.stats.leaderboards += 1;
      }
    });
  }

  echo(now: number): void {
    void this.#request('echo', Echo, { t: now });
  }

  /** The session ended: by the swarm (expected) or not. */
  onClose(code: string, text: string, expected: boolean): void {
    if (this.phase === 'closed' || this.phase === 'failed') return;
    this.phase = expected ? 'closed' : 'failed';
    if (!expected) {
      this.#host.stats.dropped += 1;
      this.#error(code, `connection closed: ${text}`, false);
    }
  }

  /** Counts a failure that happened before the bot had a session (connect refused). */
  fail(code: string, text: string): void {
    if (this.phase === 'failed') return;
    this.phase = 'failed';
    this.#error(code, text, false);
  }

  #error(code: string, text: string, expected = this.#host.expects(code)): void {
    if (!expected) this.unexpectedErrors += 1;
    this.#host.stats.error(this.name, code, text, expected);
  }

  /** A timed request; resolves undefined on an error (counted), never rejects. */
  async #request<D extends AnyDefinition>(name: string, def: D, payload: Payload<D>): Promise<Reply<D> | undefined> {
    const ref = this.ref;
    if (ref === undefined) return undefined;
    // Timed here, not from the tick's clock: a tick serves thousands of bots.
    const sentAt = performance.now();
    try {
      const reply = await ref.request(def, payload, { timeout: this.#host.requestTimeoutMs });
      this.#host.stats.roundTrip(name, performance.now() - sentAt);
      return reply;
    } catch (err) {
      const code = err instanceof HearthError ? err.code : 'INTERNAL';
      // Cut short by the swarm's own shutdown (not a failure), or by a close already counted.
      if (this.phase === 'closed' || (this.phase === 'failed' && code === 'CLOSED')) return undefined;
      this.#error(code, `${name}: ${(err as Error).message}`);
      if (this.phase === 'loggingIn' || this.phase === 'joining') this.phase = 'failed';
      return undefined;
    }
  }
}
