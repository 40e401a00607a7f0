import { HearthClient, type TrafficStats } from '@hearth/client';
import { Bot, type BotHost } from './Bot.ts';
import { formatUntil, untilShortfall, type UntilGoal } from './config/UntilGoal.ts';
import type { Scenario } from './scenarios/Scenario.ts';
import { SwarmStats } from './stats/SwarmStats.ts';
import { summarize, type SwarmSummary } from './report/summarize.ts';

/** Options of a {@link Swarm}. */
export interface SwarmOptions {
  /** Server addresses (`tcp://…`, `ws://…`); bots are spread over them round-robin. */
  urls: readonly string[];
  /** Number of bots. */
  bots: number;
  /** Total run time, ramp included, in ms; with {@link until}, the limit (reaching it fails the run). */
  durationMs: number;
  /** End the run once this holds: by work done, not time (see `--until`). */
  until?: UntilGoal;
  /** Bots start evenly over this time, in ms. @defaultValue 0 */
  rampMs?: number;
  scenario: Scenario;
  /** @defaultValue 'msgpack+nacl' */
  protocol?: string;
  /** The server's public signing key to pin (32 bytes). */
  serverKey?: Uint8Array;
  /** @defaultValue 10_000 */
  requestTimeoutMs?: number;
  /** Bots connecting and logging in at once, at most (protects the server's handshake timeout). @defaultValue 200 */
  maxConnecting?: number;
  /** PEM certificate(s) to trust for `tls://` and `wss://`. @defaultValue Node's defaults */
  tlsCa?: string;
  /** The shared tick, in ms (bots act on their own schedules; a finer tick spreads their sends). @defaultValue 20 */
  tickMs?: number;
}

/** A progress sample (about once a second). */
export interface SwarmProgress {
  elapsedMs: number;
  connected: number;
  /** Bots in a room, playing the scenario. */
  playing: number;
  loggedIn: number;
  bots: number;
  msgsInPerSec: number;
  msgsOutPerSec: number;
  rttP50: number;
  rttP99: number;
  errors: ReadonlyMap<string, number>;
  unexpected: number;
}

/**
 * A swarm of bots against one server (or the nodes of a cluster), in one process: every bot has
 * its own `HearthClient` (reconnect and resume built in; the other `--url`s are its fallbacks when
 * its node dies), all clients add to one traffic counter, and one timer (the tick) drives every
 * bot's scenario. That is what lets one process run thousands of bots.
 */
export class Swarm implements BotHost {
  readonly stats = new SwarmStats();
  readonly requestTimeoutMs: number;
  readonly #o: Required<Omit<SwarmOptions, 'serverKey' | 'tlsCa' | 'until'>> & {
    serverKey: Uint8Array | undefined;
    tlsCa: string | undefined;
    until: UntilGoal | undefined;
  };
  readonly #bots: Bot[] = [];
  readonly #traffic: TrafficStats = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
  #stopping = false;
  #stopRequested = false;
  #connecting = 0;
  #started = 0;
  #peakMsgsIn = 0;
  #peakMsgsOut = 0;
  /** Resumes + logins and joins again when the swarm last settled, and each bot's counts then. */
  #settledAt = 0;
  readonly #settledCounts = new Map<Bot, { moves: number; others: number }>();

  constructor(options: SwarmOptions) {
    this.#o = {
      urls: options.urls,
      bots: options.bots,
      durationMs: options.durationMs,
      rampMs: options.rampMs ?? 0,
      scenario: options.scenario,
      until: options.until,
      protocol: options.protocol ?? 'msgpack+nacl',
      serverKey: options.serverKey,
      tlsCa: options.tlsCa,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      maxConnecting: options.maxConnecting ?? 200,
      tickMs: options.tickMs ?? 20,
    };
    this.requestTimeoutMs = this.#o.requestTimeoutMs;
    for (let i = 0; i < options.bots; i++) this.#bots.push(new Bot(i + 1, options.urls[i % options.urls.length]!, this));
  }

  expects(code: string): boolean {
    return this.#o.scenario.expected.has(code);
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  /** A client dialling `from` first, the other addresses (other nodes) as fallbacks. */
  newClient(from: string, again = false): HearthClient {
    const urls = this.#o.urls;
    const first = Math.max(0, urls.findIndex((u) => new URL(u).href === new URL(from).href));
    return new HearthClient({
      url: [...urls.slice(first), ...urls.slice(0, first)],
      ...(again && { reconnect: { retryFirst: true } }),
      protocol: this.#o.protocol === 'msgpack' ? 'msgpack' : 'msgpack+nacl',
      ...(this.#o.serverKey !== undefined ? { serverKey: this.#o.serverKey } : { allowUnpinned: true }),
      requestTimeoutMs: this.requestTimeoutMs,
      stats: this.#traffic,
      ...(this.#o.tlsCa !== undefined && { tls: { ca: this.#o.tlsCa } }),
    });
  }

  explain(code: string, text: string): string {
    if (code !== 'HANDSHAKE_FAILED') return text;
    // The handshake says which protocol the server speaks; say which flag picks it.
    if (/plain protocol/.test(text)) return `${text}. The server speaks msgpack: run the bots with --protocol msgpack`;
    if (/secure protocol/.test(text)) return `${text}. The server speaks msgpack+nacl: run the bots with --protocol msgpack+nacl (and --server-key-file)`;
    return text;
  }

  /**
   * Runs the scenario for the configured duration (or, with `until`, until the goal is met), then
   * closes every connection.
   * @param onProgress called about once a second.
   */
  async run(onProgress?: (p: SwarmProgress) => void): Promise<SwarmSummary> {
    const traffic = this.#traffic;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const base = { ...traffic };
    let last = { t: t0, in: base.messagesIn, out: base.messagesOut };
    const { scenario, until } = this.#o;
    let shortfall: string | undefined = 'not started';

    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const now = performance.now();
        const elapsed = now - t0;
        if (until !== undefined) shortfall = this.#shortfall(until);
        // With --until, a failed bot can never meet the goal: the run ends at once.
        const ended = shortfall === undefined || (until !== undefined && this.#bots.some((b) => b.phase === 'failed'));
        if (ended || elapsed >= this.#o.durationMs || this.#stopRequested || this.#allFailed()) {
          clearInterval(timer);
          resolve();
          return;
        }
        this.#startDue(elapsed);
        for (const bot of this.#bots) if (bot.phase === 'playing') scenario.act(bot, now);
        if (now - last.t >= 1000) {
          const secs = (now - last.t) / 1000;
          const msgsIn = (traffic.messagesIn - last.in) / secs;
          const msgsOut = (traffic.messagesOut - last.out) / secs;
          if (msgsIn > this.#peakMsgsIn) this.#peakMsgsIn = msgsIn;
          if (msgsOut > this.#peakMsgsOut) this.#peakMsgsOut = msgsOut;
          last = { t: now, in: traffic.messagesIn, out: traffic.messagesOut };
          let connected = 0;
          let playing = 0;
          for (const bot of this.#bots) {
            if (bot.client?.state === 'open') connected++;
            if (bot.phase === 'playing') playing++;
          }
          const progress: SwarmProgress = {
            elapsedMs: elapsed,
            connected,
            playing,
            loggedIn: this.stats.loggedIn,
            bots: this.#o.bots,
            msgsInPerSec: msgsIn,
            msgsOutPerSec: msgsOut,
            rttP50: this.stats.rttWindow.quantile(0.5),
            rttP99: this.stats.rttWindow.quantile(0.99),
            errors: this.stats.errors,
            unexpected: this.stats.unexpectedCount,
          };
          this.stats.rttWindow.reset();
          onProgress?.(progress);
        }
      }, this.#o.tickMs);
    });

    const elapsedMs = performance.now() - t0;
    if (until !== undefined && shortfall !== undefined && !this.#stopRequested) {
      this.stats.error('swarm', 'UNTIL_NOT_MET', `--until ${formatUntil(until)} not met after ${(elapsedMs / 1000).toFixed(1)} s: ${shortfall}`, false);
    }
    const cpu = process.cpuUsage(cpu0);
    const end = { ...traffic };
    this.#stopping = true;
    for (const bot of this.#bots) {
      if (bot.phase === 'reconnecting') {
        bot.fail('NOT_RESUMED', `still reconnecting (${bot.client?.url}) when the run ended`);
      } else if (bot.phase !== 'playing' && bot.phase !== 'failed' && bot.phase !== 'closed') {
        bot.fail('NOT_STARTED', `still ${bot.phase} when the run ended; lengthen --duration or shorten --ramp`);
      } else if (bot.phase === 'playing') bot.phase = 'closed';
      bot.client?.close('NORMAL', 'bot run over');
    }
    return summarize({
      options: { ...this.#o, serverKeyPinned: this.#o.serverKey !== undefined },
      until: until === undefined ? null : { goal: formatUntil(until), met: shortfall === undefined },
      resumed: this.stats.resumed,
      relogins: this.stats.relogins,
      bots: this.#bots,
      stats: this.stats,
      elapsedMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      messagesIn: end.messagesIn - base.messagesIn,
      messagesOut: end.messagesOut - base.messagesOut,
      bytesIn: end.bytesIn - base.bytesIn,
      bytesOut: end.bytesOut - base.bytesOut,
      peakMsgsInPerSec: this.#peakMsgsIn,
      peakMsgsOutPerSec: this.#peakMsgsOut,
    });
  }

  /** Ends the run early (at the next tick); `run` then closes the connections and resolves its summary. */
  stop(): void {
    this.#stopRequested = true;
  }

  /**
   * What the run still lacks to meet `goal`, or `undefined`. The swarm settles again whenever a bot
   * resumes, logs in or joins again: `moves` and `others` count from there.
   */
  #shortfall(goal: UntilGoal): string | undefined {
    const recoveries = this.stats.resumed + this.stats.relogins;
    if (recoveries !== this.#settledAt) {
      this.#settledAt = recoveries;
      for (const b of this.#bots) this.#settledCounts.set(b, { moves: b.movesConfirmed, others: b.othersMovesSeen });
    }
    const bots = this.#bots.map((b) => {
      const base = this.#settledCounts.get(b) ?? { moves: 0, others: 0 };
      return {
        name: b.name,
        playing: b.phase === 'playing',
        moves: b.movesConfirmed - base.moves,
        others: b.othersMovesSeen - base.others,
        chats: b.chatsReceived,
        leaderboards: b.leaderboardAnswers,
      };
    });
    return untilShortfall(goal, bots, { tags: this.stats.tagsScored, recovered: recoveries });
  }

  /** Starts the bots whose ramp slot has come, within the connecting limit. */
  #startDue(elapsed: number): void {
    const { bots, rampMs, maxConnecting } = this.#o;
    const due = rampMs <= 0 ? bots : Math.min(bots, Math.ceil((elapsed / rampMs) * bots));
    while (this.#started < due && this.#connecting < maxConnecting && !this.#stopping) {
      const bot = this.#bots[this.#started++]!;
      this.#connecting += 1;
      void this.#launch(bot).finally(() => (this.#connecting -= 1));
    }
  }

  /** Every bot has started and every one has failed: waiting out the run would show nothing more. */
  #allFailed(): boolean {
    if (this.#started < this.#bots.length) return false;
    for (const bot of this.#bots) if (bot.phase !== 'failed') return false;
    return true;
  }

  async #launch(bot: Bot): Promise<void> {
    if (this.#stopping) return;
    await bot.start(this.newClient(bot.url));
  }
}
