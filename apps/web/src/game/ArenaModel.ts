import { TickRate, positionAt, type Sample } from './interpolate.ts';

/** One player as the page draws it. */
export interface PlayerView {
  readonly pid: number;
  name: string;
  score: number;
  /** Server-confirmed positions stamped with their local arrival time, oldest first (a short window). */
  readonly samples: Sample[];
  /** Local time of the last tag it took (for a flash). */
  taggedAt: number;
}

/** One line of the chat box. */
export interface ChatEntry {
  readonly from: number;
  readonly name: string;
  readonly text: string;
  readonly system: boolean;
}

/** The connection as the status badge shows it. */
export type Status = { readonly state: 'connecting' | 'online' | 'reconnecting' | 'offline'; readonly detail: string };

/** How far behind the newest snapshot the others are drawn, in (measured) ticks: two samples to blend. */
const INTERPOLATION_TICKS = 2;
/** Samples kept per player. */
const MAX_SAMPLES = 20;
const MAX_CHAT = 60;

/**
 * What the page shows, independent of how it arrives: the room, the players with their recent
 * positions, your own (predicted) position, chat, leaderboard and connection status. The feed
 * (`arenaFeed.ts`, decoding today's hand-made Arena messages) writes it; the renderer and the panels
 * read it. A synced-state feed can replace the first without touching the others.
 */
export class ArenaModel {
  room: string | undefined;
  /** Your player number in the room. */
  you: number | undefined;
  readonly players = new Map<number, PlayerView>();
  /** Where you are (moved locally at once; corrected when the server refuses a move). */
  self: { x: number; y: number } | undefined;
  readonly chat: ChatEntry[] = [];
  leaderboard: Array<{ name: string; score: number }> = [];
  status: Status = { state: 'connecting', detail: 'connecting…' };
  /** Bumped when the chat, scores or status change (panels redraw on change only). */
  version = 0;
  readonly #rate = new TickRate();
  #lastTick = -1;

  setTickHz(hz: number): void {
    this.#rate.setHz(hz);
  }

  /** You are in `room` as `you`, with these members (positions as of now). */
  enterRoom(room: string, you: number, members: ReadonlyArray<{ pid: number; name: string; x: number; y: number; score: number }>): void {
    this.room = room;
    this.you = you;
    this.players.clear();
    this.#rate.reset();
    this.#lastTick = -1;
    for (const m of members) this.players.set(m.pid, { pid: m.pid, name: m.name, score: m.score, samples: [{ t: -Infinity, x: m.x, y: m.y }], taggedAt: 0 });
    const me = members.find((m) => m.pid === you);
    this.self = me === undefined ? undefined : { x: me.x, y: me.y };
    this.#system(`you joined ${room}`);
  }

  /** A room tick: `moved` is flat `[pid, x, y, …]`; `now` is the local time it arrived. */
  moved(tick: number, moved: readonly number[], now: number): void {
    if (tick <= this.#lastTick) return; // a replayed tick
    this.#rate.observe(tick, now);
    this.#lastTick = tick;
    const t = now;
    const msPerTick = this.#rate.ms;
    for (let i = 0; i + 2 < moved.length; i += 3) {
      const p = this.players.get(moved[i]!);
      if (p === undefined) continue;
      const samples = p.samples;
      const last = samples[samples.length - 1];
      // Still until the tick before: it started moving now, not at its previous sample.
      if (last !== undefined && t - last.t > msPerTick * 1.5) samples.push({ t: t - msPerTick, x: last.x, y: last.y });
      samples.push({ t, x: moved[i + 1]!, y: moved[i + 2]! });
      if (samples.length > MAX_SAMPLES) samples.splice(0, samples.length - MAX_SAMPLES);
    }
  }

  joined(m: { pid: number; name: string; x: number; y: number; score: number }): void {
    this.players.set(m.pid, { pid: m.pid, name: m.name, score: m.score, samples: [{ t: -Infinity, x: m.x, y: m.y }], taggedAt: 0 });
    this.#system(`${m.name} joined`);
  }

  left(pid: number): void {
    const p = this.players.get(pid);
    this.players.delete(pid);
    if (p !== undefined) this.#system(`${p.name} left`);
  }

  chatLine(from: number, name: string, text: string): void {
    this.#push({ from, name, text, system: false });
  }

  tagged(by: number, target: number, score: number, now: number): void {
    const tagger = this.players.get(by);
    const victim = this.players.get(target);
    if (tagger !== undefined) tagger.score = score;
    if (victim !== undefined) victim.taggedAt = now;
    this.#system(`${tagger?.name ?? `#${by}`} tagged ${victim?.name ?? `#${target}`} (${score})`);
  }

  /** The server refused a move of yours and kept `(x, y)`. */
  corrected(x: number, y: number): void {
    this.self = { x, y };
  }

  setStatus(status: Status): void {
    this.status = status;
    this.version++;
  }

  setLeaderboard(entries: Array<{ name: string; score: number }>): void {
    this.leaderboard = entries;
    this.version++;
  }

  notice(text: string): void {
    this.#system(text);
  }

  /** Where to draw player `pid` at local time `now`: you where you are, the others interpolated. */
  drawPosition(pid: number, now: number): { x: number; y: number } | undefined {
    if (pid === this.you && this.self !== undefined) return this.self;
    const p = this.players.get(pid);
    if (p === undefined) return undefined;
    return positionAt(p.samples, now - INTERPOLATION_TICKS * this.#rate.ms);
  }

  /** Your position as the server last confirmed it (a snapshot), or undefined. */
  confirmed(): { x: number; y: number } | undefined {
    const s = this.you === undefined ? undefined : this.players.get(this.you)?.samples.at(-1);
    return s === undefined ? undefined : { x: s.x, y: s.y };
  }

  /** Measured ms between the room's ticks. */
  get msPerTick(): number {
    return this.#rate.ms;
  }

  get lastTick(): number {
    return this.#lastTick;
  }

  #system(text: string): void {
    this.#push({ from: -1, name: '', text, system: true });
  }

  #push(entry: ChatEntry): void {
    this.chat.push(entry);
    if (this.chat.length > MAX_CHAT) this.chat.splice(0, this.chat.length - MAX_CHAT);
    this.version++;
  }
}
