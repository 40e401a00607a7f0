import { HearthError, type HearthClient, type RoomOf } from '@hearth/client';
import { RoomState } from '@hearth/protocol';
import { ChatLine, Chat, Echo, Leaderboard, Move, Rejected, Tag, WhereAmI } from '@hearth/server/messages';
import { ArenaKind } from './arenaKind.ts';
import { botDevice } from './botDevice.ts';
import { failureAction } from './failureAction.ts';
import { RoomView } from './RoomView.ts';
import { xorshift32 } from './xorshift32.ts';
import type { SwarmStats } from './stats/SwarmStats.ts';

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
  /** A client dialling `from` first; `again`: a fresh login after a lost session (first connect retried). */
  newClient(from: string, again: boolean): HearthClient;
  /** A connect failure, in words that say how to fix it (e.g. which `--protocol` to pass). */
  explain(code: string, text: string): string;
}

/** Fresh logins (or joins) a bot makes after its session (or room) was lost for good, at most. */
const MAX_RELOGINS = 3;
/** Codes with which a room can end under a bot that did nothing wrong (its node died, drained, moved). */
const ROOM_LOST: ReadonlySet<string> = new Set(['ROOM_UNREACHABLE', 'ROOM_NOT_FOUND', 'ROOM_DISPOSED', 'NOT_IN_ROOM']);
/** Wait before joining again after a join reached a dead node, in ms. */
const JOIN_RETRY_MS = 1000;

type ArenaRoom = RoomOf<typeof ArenaKind>;

/**
 * One simulated player on its own `HearthClient`: it joins an Arena room with `joinOrCreate`,
 * reads the others from the room's mirrored state ({@link RoomView}) and offers the few actions a
 * scenario combines. Bots own no scenario timers; the swarm's single tick drives all of them. The
 * client redials and resumes on its own (the room handle resynchronises its state); when the session
 * is lost for good (its node died) the bot logs in again on a new client and joins a room again.
 */
export class Bot {
  readonly index: number;
  readonly name: string;
  readonly url: string;
  readonly #host: BotHost;
  readonly #view = new RoomView();
  #seed: number;
  #room: ArenaRoom | undefined;
  /** Room handles whose pushes this bot listens to (joining a room again gives the same handle). */
  readonly #wired = new WeakSet<ArenaRoom>();

  phase: BotPhase = 'waiting';
  client: HearthClient | undefined;
  /** Sessions resumed after a drop, and fresh logins (or joins) after a session (or room) was lost. */
  resumes = 0;
  relogins = 0;
  #connectedOnce = false;
  #loggedInOnce = false;
  #joinedOnce = false;
  /** The room id once joined. */
  room = '';
  x = 0;
  y = 0;

  // Scenario clocks (performance.now() ms), set on join with a per-bot offset (not all on one tick).
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
    this.#seed = xorshift32(this.#seed);
    return this.#seed / 4294967296;
  }

  /** Your player number in the room (0 before joining). */
  get pid(): number {
    return this.#view.pid;
  }

  /** Own moves the server applied, seen in the room's state (a running total over every room). */
  get movesConfirmed(): number {
    return this.#view.selfMoves;
  }

  /** The others of the room, by player number, as of the last state patch. */
  get others(): ReadonlyMap<number, { x: number; y: number }> {
    return this.#view.others;
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
    const login = await this.#request('login', (c) => c.login({ name: this.name, ...botDevice(this.name) }));
    if (login === undefined) return;
    if (!this.#loggedInOnce) {
      this.#loggedInOnce = true;
      stats.loggedIn += 1;
    }
    await this.#join();
  }

  /**
   * Joins an Arena room (`joinOrCreate`; with `roomId`, that room again, else any) and asks where it
   * is.
   */
  async #join(roomId?: string): Promise<void> {
    this.phase = 'joining';
    const room = await this.#request('join', (c) =>
      roomId === undefined ? c.joinOrCreate(ArenaKind) : c.join(roomId, undefined, { kind: ArenaKind }).catch(() => c.joinOrCreate(ArenaKind)),
    );
    if (room === undefined) return;
    const me = await this.#request('whereAmI', () => room.request(WhereAmI, {}));
    if (me === undefined) return;
    this.#entered(room, me, performance.now());
  }

  /** Routes the client's lifecycle to this bot, and counts the state patches it receives. */
  #listen(client: HearthClient): void {
    client.on(RoomState, (patch) => {
      this.#host.stats.patches += 1;
      if (Array.isArray(patch) && patch[1] instanceof Uint8Array) this.#host.stats.patchBytes += patch[1].length;
    });
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

  #entered(room: ArenaRoom, me: { roomId: string; pid: number; x: number; y: number }, t: number): void {
    const stats = this.#host.stats;
    if (!this.#joinedOnce) {
      this.#joinedOnce = true;
      stats.joined += 1;
    }
    this.#room = room;
    this.room = room.id;
    this.#view.clear();
    this.#view.pid = me.pid;
    this.x = me.x;
    this.y = me.y;
    if (room.state !== undefined) this.#view.read(room.state.players);
    this.#schedule(t);
    if (this.#wired.has(room)) return;
    this.#wired.add(room);
    room.onStateChange((state) => {
      const moved = this.#view.read(state.players);
      this.othersMovesSeen += moved;
      stats.othersMoves += moved;
    });
    room.on(ChatLine, ({ from }) => {
      if (from === this.pid) return;
      this.chatsReceived += 1;
      stats.chatsReceived += 1;
    });
    room.on(Rejected, (r) => {
      let corrected = false;
      if (r.x !== undefined && r.y !== undefined) {
        this.x = r.x;
        this.y = r.y;
        corrected = true;
      }
      // A too-fast move the server corrects is the authoritative game reconciling positions (e.g. after
      // moves lost while the room was being restored on another node): counted, not a failure.
      this.#error(r.code, r.text, corrected && r.code === 'ARENA_TOO_FAST' ? true : undefined);
    });
    room.onLeave(({ code, text }) => this.#roomLost(room, code, text));
  }

  /** Starts the scenario's clocks, with a per-bot offset. */
  #schedule(t: number): void {
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

  /** The room ended under the bot (not by the client closing): join another, as a player would. */
  #roomLost(room: ArenaRoom, code: string, text: string): void {
    if (room !== this.#room || this.client?.state === 'closed' || this.#host.stopping || this.phase !== 'playing') return;
    this.#room = undefined;
    this.room = '';
    const expected = ROOM_LOST.has(code) && this.relogins < MAX_RELOGINS;
    this.#host.stats.error(this.name, code, `room ${room.id} ended: ${text}`, expected);
    if (!expected) {
      this.unexpectedErrors += 1;
      return;
    }
    this.relogins += 1;
    this.#host.stats.relogins += 1;
    void this.#join();
  }

  /**
   * A room request got no answer from the room's node (it died): join the room again by id, which a
   * survivor restores from its checkpoint, else another room. What a player would do.
   */
  #reenter(): void {
    const room = this.#room;
    if (room === undefined || this.phase !== 'playing' || this.relogins >= MAX_RELOGINS) return;
    this.relogins += 1;
    this.#host.stats.relogins += 1;
    this.#room = undefined;
    this.room = '';
    void this.#join(room.id);
  }

  /** Joins again in a second (a join that reached a dead node), unless the bot moved on meanwhile. */
  #retryJoin(client: HearthClient): void {
    this.relogins += 1;
    this.#host.stats.relogins += 1;
    setTimeout(() => {
      if (this.client === client && this.phase === 'joining' && !this.#host.stopping) void this.#join();
    }, JOIN_RETRY_MS).unref();
  }

  /** The nearest other player within `radius`, if any. */
  nearest(radius: number): { pid: number; x: number; y: number } | undefined {
    return this.#view.nearest(this.x, this.y, radius);
  }

  move(x: number, y: number): void {
    this.x = x;
    this.y = y;
    if (this.client?.state === 'open' && this.#room?.send(Move, { x, y }) === true) this.#host.stats.movesSent += 1;
  }

  chat(text: string): void {
    if (this.client?.state === 'open' && this.#room?.send(Chat, { text }) === true) {
      this.chatsSent += 1;
      this.#host.stats.chatsSent += 1;
    }
  }

  tag(target: { pid: number }, now: number): void {
    const room = this.#room;
    if (room === undefined) return;
    this.tagInFlight = true;
    this.lastTagAt = now;
    void this.#request('tag', () => room.request(Tag, { target: target.pid })).then((r) => {
      this.tagInFlight = false;
      if (r !== undefined) this.#host.stats.tagsScored += 1;
    });
  }

  leaderboard(): void {
    void this.#request('leaderboard', (c) => c.request(Leaderboard, { top: 10 })).then((r) => {
      if (r !== undefined) {
        this.leaderboardAnswers += 1;
        this.#host.stats.leaderboards += 1;
      }
    });
  }

  echo(now: number): void {
    void this.#request('echo', (c) => c.request(Echo, { t: now }));
  }

  /** Asks the room where the bot is: NOT_IN_ROOM joins again; a new player number is taken. */
  checkRoom(): void {
    const room = this.#room;
    if (room === undefined) return;
    void this.#request('checkRoom', () => room.request(WhereAmI, {})).then((me) => {
      if (me !== undefined && room === this.#room) this.#view.reseat(me.pid);
    });
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
    this.#view.clear();
    this.#room = undefined;
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

  /** A timed request; resolves undefined on an error (counted), never rejects. */
  async #request<R>(name: string, send: (client: HearthClient) => Promise<R>): Promise<R | undefined> {
    const client = this.client;
    if (client === undefined) return undefined;
    // Timed here, not from the tick's clock: a tick serves thousands of bots.
    const sentAt = performance.now();
    try {
      const reply = await send(client);
      this.#host.stats.roundTrip(name, performance.now() - sentAt);
      return reply;
    } catch (err) {
      const code = err instanceof HearthError ? err.code : 'INTERNAL';
      const text = `${name}: ${(err as Error).message}`;
      const stopping = this.#host.stopping;
      const step = name === 'login' || name === 'join' || name === 'whereAmI';
      const action = failureAction(code, { phase: this.phase, stopping, staleClient: client !== this.client, mayRetry: this.relogins < MAX_RELOGINS, step });
      if (action === 'rejoin') {
        this.#host.stats.error(this.name, code, text, true);
        if (this.phase === 'playing') this.#reenter();
        else this.#retryJoin(client);
      } else if (action === 'restart') {
        if (!this.#restart()) this.#error(code, text);
      } else if (action !== 'ignore') {
        // A failed login or join step ends the bot: never part of the scenario, always reported.
        this.#error(code, text, action === 'fail' ? false : undefined);
        if (action === 'fail') this.phase = 'failed';
      }
      return undefined;
    }
  }
}
