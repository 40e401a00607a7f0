import { Service } from '@hearth/net';
import { Bot, type BotHost } from './Bot.ts';
import type { Scenario } from './scenarios/Scenario.ts';
import { SwarmStats } from './stats/SwarmStats.ts';
import { summarize, type SwarmSummary } from './report/summarize.ts';

/** Options of a {@link Swarm}. */
export interface SwarmOptions {
  /** Server addresses (`tcp://…`, `ws://…`); bots are spread over them round-robin. */
  urls: readonly string[];
  /** Number of bots. */
  bots: number;
  /** Total run time, ramp included, in ms. */
  durationMs: number;
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
  /** The shared tick, in ms (bots act on their own schedules; a finer tick spreads their sends). @defaultValue 20 */
  tickMs?: number;
}

/** A progress sample (about once a second). */
export interface SwarmProgress {
  elapsedMs: number;
  connected: number;
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
 * A swarm of bots against one server, in one process: one `Service` dials every connection, one
 * subscription routes every push to its bot by session id, and one timer (the tick) drives every
 * bot's scenario. That is what lets one process run thousands of bots.
 */
export class Swarm implements BotHost {
  readonly stats = new SwarmStats();
  readonly requestTimeoutMs: number;
  readonly #o: Required<Omit<SwarmOptions, 'serverKey'>> & { serverKey: Uint8Array | undefined };
  readonly #bots: Bot[] = [];
  readonly #bySession = new Map<number, Bot>();
  #service: Service | undefined;
  #stopping = false;
  #stopRequested = false;
  #connecting = 0;
  #started = 0;
  #peakMsgsIn = 0;
  #peakMsgsOut = 0;

  constructor(options: SwarmOptions) {
    this.#o = {
      urls: options.urls,
      bots: options.bots,
      durationMs: options.durationMs,
      rampMs: options.rampMs ?? 0,
      scenario: options.scenario,
      protocol: options.protocol ?? 'msgpack+nacl',
      serverKey: options.serverKey,
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

  /**
   * Runs the scenario for the configured duration, then closes every connection.
   * @param onProgress called about once a second.
   */
  async run(onProgress?: (p: SwarmProgress) => void): Promise<SwarmSummary> {
    const service = new Service({ log: false, requestTimeoutMs: this.requestTimeoutMs });
    this.#service = service;
    const unsubMessage = service.sub('message', (ref, msg) => this.#bySession.get(ref.id)?.onPush(msg));
    const unsubClose = service.sub('close', (ev) => {
      const bot = this.#bySession.get(ev.id);
      if (bot === undefined) return;
      this.#bySession.delete(ev.id);
      bot.onClose(ev.code, ev.text, this.#stopping);
    });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const base = service.stats();
    let last = { t: t0, in: base.messagesIn, out: base.messagesOut };
    const scenario = this.#o.scenario;

    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const now = performance.now();
        const elapsed = now - t0;
        if (elapsed >= this.#o.durationMs || this.#stopRequested) {
          clearInterval(timer);
          resolve();
          return;
        }
        this.#startDue(elapsed);
        for (const bot of this.#bots) if (bot.phase === 'playing') scenario.act(bot, now);
        if (now - last.t >= 1000) {
          const s = service.stats();
          const secs = (now - last.t) / 1000;
          const msgsIn = (s.messagesIn - last.in) / secs;
          const msgsOut = (s.messagesOut - last.out) / secs;
          if (msgsIn > this.#peakMsgsIn) this.#peakMsgsIn = msgsIn;
          if (msgsOut > this.#peakMsgsOut) this.#peakMsgsOut = msgsOut;
          last = { t: now, in: s.messagesIn, out: s.messagesOut };
          const progress: SwarmProgress = {
            elapsedMs: elapsed,
            connected: this.#bySession.size,
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
    const cpu = process.cpuUsage(cpu0);
    const end = service.stats();
    this.#stopping = true;
    for (const bot of this.#bots) {
      if (bot.phase !== 'playing' && bot.phase !== 'failed' && bot.phase !== 'closed') {
        bot.fail('NOT_STARTED', `still ${bot.phase} when the run ended; lengthen --duration or shorten --ramp`);
      } else if (bot.phase === 'playing') bot.phase = 'closed';
      bot.ref?.close('NORMAL', 'bot run over');
    }
    await service.close({ deadlineMs: 2000 });
    unsubMessage();
    unsubClose();
    return summarize({
      options: { ...this.#o, serverKeyPinned: this.#o.serverKey !== undefined },
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

  async #launch(bot: Bot): Promise<void> {
    bot.phase = 'connecting';
    let ref;
    try {
      ref = await this.#service!.connect(bot.url, this.#o.protocol, {
        reconnect: false,
        ...(this.#o.serverKey !== undefined ? { serverSigningKey: this.#o.serverKey } : {}),
      });
    } catch (err) {
      // A dial cut short by the end of the run was already counted as NOT_STARTED.
      if (!this.#stopping) bot.fail((err as { code?: string }).code ?? 'CONNECT_FAILED', `connect ${bot.url}: ${(err as Error).message}`);
      return;
    }
    if (this.#stopping) {
      ref.close('NORMAL');
      return;
    }
    this.stats.connected += 1;
    this.#bySession.set(ref.id, bot);
    await bot.start(ref);
  }
}
