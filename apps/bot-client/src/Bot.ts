import { HearthError, type HearthClient } from '@hearth/client';
import type { AnyDefinition, Payload, Reply } from '@hearth/protocol';
import {
  ArenaErrorCode,
  ChatLine,
  Chat,
  Echo,
  Join,
  Leaderboard,
  MemberJoined,
  MemberLeft,
  Move,
  Rejected,
  StatePatch,
  FullState,
  ArenaState,
  Tag,
  type JoinReply,
} from '@hearth/server/messages';
import { Mirror } from '@hearth/state';
import type { SwarmStats } from './stats/SwarmStats.ts';
import { botDevice } from './botDevice.ts';

/** A bot's view of another player. */
export interface Seen {
  x: number;
  y: number;
}

/** Where a bot is in its life. */
export type BotPhase = 'waiting' | 'connecting' | 'loggingIn' | 'joining' | 'playing' | 'reconnecting' | 'closed' | 'failed';

/** What a bot needs from its swarm. */
export interface BotHost {
  readonly stats: SwarmStats;
  /** Whether `code` is part of the scenario. */
  expects(code: string): boolean;
  /** Request timeout, in ms. */
  readonly requestTimeoutMs: number;
  /** Whether the run is ending (closes are then expected). */
  readonly stopping: boolean;
  /**
   * A client for this bot, dialling `from` first; `again` for a fresh login after the session was
   * lost (its first connect is retried like a redial: the bot's node may be gone).
   */
  newClient(from: string, again: boolean): HearthClient;
  /** A connect failure, in words that say how to fix it (e.g. which `--protocol` to pass). */
  explain(code: string, text: string): string;
}

/** Fresh logins a bot makes after its session was lost for good (its node died), at most. */
const MAX_RELOGINS = 3;

/**
 * One simulated player on its own `HearthClient`: plain state plus the few actions a scenario
 * combines. Bots own no scenario timers; the swarm's single tick drives all of them. The client
 * redials and resumes on its own; when the session is lost for good (its node died, so the resume
 * is refused) the bot logs in again on a new client and rejoins a room.
 */
export class Bot {
  readonly index: number;
  readonly name: string;
  readonly url: string;
  readonly #host: BotHost;
  #seed: number;

  phase: BotPhase = 'waiting';
  client: HearthClient | undefined;
  /** Sessions resumed after a drop, and fresh logins after a session was lost. */
  resumes = 0;
  relogins = 0;
  #connectedOnce = false;
  #loggedInOnce = false;
  /** Player number and room once joined. */
  pid = 0;
  room = '';
  x = 0;
  y = 0;
  readonly others = new Map<number, Seen>();
  /** The room's synchronised state (from the join reply, then patches): where the others are read. */
  #mirror: Mirror<typeof ArenaState> | undefined;
  #resyncing = false;
  #queued: Uint8Array[] = [];

  // Scenario scheduling (performance.now() ms). Set on join with a per-bot offset, so the swarm's
  // bots do not all act on the same tick.
  nextMoveAt = 0;
  lastMoveAt = 0;
  nextChatAt = 0;
  nextLeaderboardAt = 0;
  nextEchoAt = 0;
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

  /** Connects, logs in and joins a room; resolves when playing (or failed). */
  async start(client: HearthClient): Promise<void> {
    this.client = client;
    this.#listen(client);
    this.phase = 'connecting';
    const stats = this.#host.stats;
    try {
      await client.connect();
    } catch (err) {
      const code = err instanceof HearthError ? err.code : 'CONNECT_FAILED';
      if (!this.#host.stopping) this.fail(code, this.#host.explain(code, `connect ${client.url}: ${(err as Error).message}`));
      return;
    }
    if (!this.#connectedOnce) {
      this.#connectedOnce = true;
      stats.connected += 1;
    }
    this.phase = 'loggingIn';
    // `{ name }` for --auth dev, and a device login for an accounts server (botDevice.ts).
    const login = await this.#request('login', null, { name: this.name, ...botDevice(this.name) });
    if (login === undefined) return;
    if (!this.#loggedInOnce) {
      this.#loggedInOnce = true;
      stats.loggedIn += 1;
    }
    this.phase = 'joining';
    const joined = await this.#request('join', Join, {});
    if (joined === undefined) return;
    this.#joined(joined, performance.now());
  }

  /** Routes the client's pushes and lifecycle to this bot. */
  #listen(client: HearthClient): void {
    client.on(StatePatch, (bytes) => this.onState(bytes));
    client.on(MemberJoined, (p) => this.onPush(MemberJoined.type, p));
    client.on(MemberLeft, (p) => this.onPush(MemberLeft.type, p));
    client.on(ChatLine, (p) => this.onPush(ChatLine.type, p));
    client.on(Rejected, (p) => this.onPush(Rejected.type, p));
    client.on('disconnected', () => {
      if (this.phase === 'playing') this.phase = 'reconnecting';
    });
    client.on('resumed', () => {
      this.resumes += 1;
      this.#host.stats.resumed += 1;
      if (this.phase === 'reconnecting') this.phase = 'playing';
    });
    client.on('closed', ({ code, text }) => {
      if (client !== this.client) return;
      this.#closed(code, text);
    });
  }

  /** The client closed for good: expected at the end of the run; else log in again, or fail. */
  #closed(code: string, text: string): void {
    // A failed connect is reported by start(), with advice.
    if (this.phase === 'closed' || this.phase === 'failed' || this.phase === 'connecting') return;
    if (this.#host.stopping) {
      this.phase = 'closed';
      return;
    }
    const lostSession = code === 'RESUME_REFUSED' || (this.phase === 'reconnecting' && code !== 'KICKED');
    if (lostSession && this.#restart()) return;
    this.phase = 'failed';
    this.#host.stats.dropped += 1;
    this.#error(code, `connection closed: ${text}`, false);
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
    this.#mirror = new Mirror(ArenaState);
    this.#mirror.apply(reply.state);
    this.#drain();
    this.goalX = this.x;
    this.goalY = this.y;
    const offset = 1000 * this.random();
    this.lastMoveAt = t;
    this.nextMoveAt = t + offset * 0.25;
    this.nextChatAt = t + 500 + offset;
    this.nextLeaderboardAt = t + 1000 + offset;
    this.nextEchoAt = t + offset;
    this.phase = 'playing';
  }

  /**
   * A state patch, applied to the mirror; the others are read from it. Patches that arrive before the
   * mirror can take them (before the join reply is handled, or while the full state is asked for
   * again after a gap) are kept, copied, and applied after it (the mirror ignores those it includes).
   */
  onState(bytes: Uint8Array): void {
    this.#host.stats.patches += 1;
    this.#host.stats.patchBytes += bytes.length;
    if (this.#mirror === undefined || this.#resyncing) {
      if (this.#resyncing || this.phase === 'joining') this.#queued.push(bytes.slice());
      return;
    }
    if (this.#applyState(bytes)) this.#readMirror();
  }

  /** Applies one patch; on a gap asks for the full state again. False when nothing was applied. */
  #applyState(bytes: Uint8Array): boolean {
    const mirror = this.#mirror!;
    try {
      return mirror.apply(bytes) !== 'old';
    } catch (err) {
      if (!mirror.stale) throw err;
      this.#resync(mirror);
      return false;
    }
  }

  /** Asks for the full state (a patch was missed), keeping the patches that arrive meanwhile. */
  #resync(mirror: Mirror<typeof ArenaState>): void {
    this.#resyncing = true;
    this.#queued = [];
    void this.#request('fullState', FullState, {}).then((full) => {
      if (this.#mirror !== mirror) return;
      this.#resyncing = false;
      if (full === undefined) return;
      mirror.apply(full);
      this.#drain();
    });
  }

  /** Applies the patches kept while the mirror could not take them. */
  #drain(): void {
    const queued = this.#queued;
    this.#queued = [];
    for (const b of queued) {
      this.#applyState(b);
      if (this.#resyncing) return;
    }
    this.#readMirror();
  }

  /** Brings `others` up to the mirror, counting the moves seen. */
  #readMirror(): void {
    const players = this.#mirror!.state!.players;
    const stats = this.#host.stats;
    for (const [pid, p] of players) {
      if (pid === this.pid) continue;
      const seen = this.others.get(pid);
      if (seen === undefined) this.others.set(pid, { x: p.x, y: p.y });
      else if (seen.x !== p.x || seen.y !== p.y) {
        seen.x = p.x;
        seen.y = p.y;
        this.othersMovesSeen += 1;
        stats.othersMoves += 1;
      }
    }
    for (const pid of this.others.keys()) if (!players.has(pid)) this.others.delete(pid);
  }

  /** Handles a push from the server. */
  onPush(type: number, payload: unknown): void {
    const stats = this.#host.stats;
    const msg = { type, payload };
    switch (msg.type) {
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
    if (this.client?.send(Move, { x, y })) this.#host.stats.movesSent += 1;
  }

  chat(text: string): void {
    if (this.client?.send(Chat, { text })) {
      this.chatsSent += 1;
      this.#host.stats.chatsSent += 1;
    }
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

  /**
   * Logs in again on a new client (the node that held the session died, or the connection dropped
   * during login or join): what a player would do. False when the bot has done so too often.
   */
  #restart(): boolean {
    if (this.relogins >= MAX_RELOGINS) return false;
    this.relogins += 1;
    this.#host.stats.relogins += 1;
    const old = this.client;
    this.client = undefined;
    old?.close();
    this.others.clear();
    this.#mirror = undefined;
    this.#resyncing = false;
    this.#queued = [];
    this.room = '';
    void this.start(this.#host.newClient(old?.url ?? this.url, true));
    return true;
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

  /** A timed request (`def` null: login); resolves undefined on an error (counted), never rejects. */
  async #request<D extends AnyDefinition>(name: string, def: D | null, payload: Payload<D>): Promise<Reply<D> | undefined> {
    const client = this.client;
    if (client === undefined) return undefined;
    // Timed here, not from the tick's clock: a tick serves thousands of bots.
    const sentAt = performance.now();
    try {
      const reply = def === null ? ((await client.login(payload as Record<string, unknown>)) as Reply<D>) : await client.request(def, payload);
      this.#host.stats.roundTrip(name, performance.now() - sentAt);
      return reply;
    } catch (err) {
      const code = err instanceof HearthError ? err.code : 'INTERNAL';
      // Cut short by the swarm's own shutdown (not a failure), by a close already counted, or by a
      // drop: a request in flight then fails DISCONNECTED and the bot carries on once resumed.
      if (this.phase === 'closed' || this.#host.stopping || (this.phase === 'failed' && code === 'CLOSED')) return undefined;
      if (client !== this.client || code === 'RESUME_REFUSED') return undefined;
      if (code === ArenaErrorCode.ROOM_UNREACHABLE && this.phase === 'playing') {
        // The room's node died (a cluster): there is no way to leave a dead room but to log in
        // again, which is what a player does. Expected after a node loss, so not a failure.
        this.#host.stats.error(this.name, code, `${name}: ${(err as Error).message}`, true);
        if (!this.#restart()) this.#error(code, `${name}: ${(err as Error).message}`, false);
        return undefined;
      }
      if (code === 'DISCONNECTED') {
        // Lost with the connection: in play the bot carries on once resumed; before it plays, it
        // cannot know whether it logged in or joined, so it starts over.
        if ((this.phase === 'loggingIn' || this.phase === 'joining') && !this.#restart()) this.#error(code, `${name}: ${(err as Error).message}`);
        return undefined;
      }
      this.#error(code, `${name}: ${(err as Error).message}`);
      if (this.phase === 'loggingIn' || this.phase === 'joining') this.phase = 'failed';
      return undefined;
    }
  }
}
