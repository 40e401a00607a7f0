import type { Bot } from '../Bot.ts';
import type { LatencyHistogram } from '../stats/LatencyHistogram.ts';
import type { SwarmStats } from '../stats/SwarmStats.ts';

/** Round-trip figures in ms. */
export interface RttSummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * The machine-readable result of a run (`--json FILE`). `ok` is false when any bot failed in a way
 * the scenario does not expect; the process then exits with code 1.
 */
export interface SwarmSummary {
  ok: boolean;
  scenario: string;
  urls: readonly string[];
  protocol: string;
  serverKeyPinned: boolean;
  elapsedS: number;
  /** The `--until` goal and whether it was met (the run ended by work done); null without `--until`. */
  until: { goal: string; met: boolean } | null;
  /** CPU time of the bot process ÷ wall time (1.0 = one core busy). */
  cpuCores: number;
  bots: {
    total: number;
    connected: number;
    loggedIn: number;
    joined: number;
    dropped: number;
    failed: number;
    /** Sessions resumed after a dropped connection (the client redialled and resumed). */
    resumed: number;
    /** Fresh logins after a session was lost for good (its node died: nothing to resume). */
    relogins: number;
    /** Bots that saw at least one other player of their room move. */
    sawOthersMove: number;
    /** Bots that received at least one chat line from another bot. */
    receivedChat: number;
    /** Bots that got at least one leaderboard answer. */
    gotLeaderboard: number;
    /** Bots with an unexpected error. */
    withUnexpectedErrors: number;
  };
  rooms: number;
  messages: { in: number; out: number; inPerSec: number; outPerSec: number; peakInPerSec: number; peakOutPerSec: number };
  bytes: { in: number; out: number };
  game: {
    moves: number;
    chatsSent: number;
    chatsReceived: number;
    tagsScored: number;
    /** State patches received, and their payload bytes. */
    patches: number;
    patchBytes: number;
    othersMoves: number;
    leaderboards: number;
  };
  rtt: RttSummary & { byType: Record<string, RttSummary> };
  errors: Record<string, number>;
  unexpectedErrors: Record<string, number>;
  unexpectedCount: number;
  failures: { bot: string; code: string; text: string }[];
}

/** Inputs of {@link summarize}. */
export interface SummaryInput {
  options: { urls: readonly string[]; protocol: string; scenario: { name: string }; serverKeyPinned: boolean };
  bots: readonly Bot[];
  stats: SwarmStats;
  until: { goal: string; met: boolean } | null;
  resumed: number;
  relogins: number;
  elapsedMs: number;
  cpuMs: number;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  peakMsgsInPerSec: number;
  peakMsgsOutPerSec: number;
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

function rtt(h: LatencyHistogram): RttSummary {
  return { count: h.count, p50: round(h.quantile(0.5)), p90: round(h.quantile(0.9)), p99: round(h.quantile(0.99)), max: round(h.max), mean: round(h.mean) };
}

/** Builds the summary of a finished run. */
export function summarize(input: SummaryInput): SwarmSummary {
  const { bots, stats } = input;
  const secs = input.elapsedMs / 1000;
  const rooms = new Set<string>();
  let failed = 0;
  let sawOthersMove = 0;
  let receivedChat = 0;
  let gotLeaderboard = 0;
  let withUnexpected = 0;
  for (const b of bots) {
    if (b.phase === 'failed') failed += 1;
    if (b.room !== '') rooms.add(b.room);
    if (b.othersMovesSeen > 0) sawOthersMove += 1;
    if (b.chatsReceived > 0) receivedChat += 1;
    if (b.leaderboardAnswers > 0) gotLeaderboard += 1;
    if (b.unexpectedErrors > 0) withUnexpected += 1;
  }
  const byType: Record<string, RttSummary> = {};
  for (const [name, h] of stats.rttByType) byType[name] = rtt(h);
  const unexpectedCount = stats.unexpectedCount;
  return {
    ok: unexpectedCount === 0 && failed === 0,
    scenario: input.options.scenario.name,
    urls: input.options.urls,
    protocol: input.options.protocol,
    serverKeyPinned: input.options.serverKeyPinned,
    elapsedS: round(secs, 2),
    until: input.until,
    cpuCores: round(input.cpuMs / input.elapsedMs, 2),
    bots: {
      total: bots.length,
      connected: stats.connected,
      loggedIn: stats.loggedIn,
      joined: stats.joined,
      dropped: stats.dropped,
      failed,
      resumed: input.resumed,
      relogins: input.relogins,
      sawOthersMove,
      receivedChat,
      gotLeaderboard,
      withUnexpectedErrors: withUnexpected,
    },
    rooms: rooms.size,
    messages: {
      in: input.messagesIn,
      out: input.messagesOut,
      inPerSec: Math.round(input.messagesIn / secs),
      outPerSec: Math.round(input.messagesOut / secs),
      peakInPerSec: Math.round(input.peakMsgsInPerSec),
      peakOutPerSec: Math.round(input.peakMsgsOutPerSec),
    },
    bytes: { in: input.bytesIn, out: input.bytesOut },
    game: {
      moves: stats.movesSent,
      chatsSent: stats.chatsSent,
      chatsReceived: stats.chatsReceived,
      tagsScored: stats.tagsScored,
      patches: stats.patches,
      patchBytes: stats.patchBytes,
      othersMoves: stats.othersMoves,
      leaderboards: stats.leaderboards,
    },
    rtt: { ...rtt(stats.rtt), byType },
    errors: Object.fromEntries(stats.errors),
    unexpectedErrors: Object.fromEntries(stats.unexpected),
    unexpectedCount,
    failures: stats.failures,
  };
}
