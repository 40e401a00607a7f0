import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlagError } from '@hearth/server/cli';
import { describe, expect, it } from 'vitest';
import { parseBotConfig } from '../src/config/BotConfig.ts';
import { formatUntil, parseUntil, untilShortfall } from '../src/config/UntilGoal.ts';
import { failureAction } from '../src/failureAction.ts';
import { RoomView } from '../src/RoomView.ts';
import { LatencyHistogram } from '../src/stats/LatencyHistogram.ts';

describe('LatencyHistogram', () => {
  it('gives quantiles within 2 %', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i / 10); // 0.1 .. 100 ms
    expect(h.count).toBe(1000);
    expect(h.quantile(0.5)).toBeGreaterThanOrEqual(50);
    expect(h.quantile(0.5)).toBeLessThanOrEqual(50 * 1.02);
    expect(h.quantile(0.99)).toBeGreaterThanOrEqual(99);
    expect(h.quantile(0.99)).toBeLessThanOrEqual(99 * 1.02);
    expect(h.quantile(1)).toBe(100);
    expect(h.mean).toBeCloseTo(50.05, 5);
  });

  it('is empty after reset, and merges', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    a.record(1);
    b.record(3);
    a.merge(b);
    expect(a.count).toBe(2);
    expect(a.max).toBe(3);
    a.reset();
    expect(a.quantile(0.5)).toBe(0);
  });
});

describe('bot flags', () => {
  it('defaults and repeatable --url', () => {
    expect(parseBotConfig([], {})).toMatchObject({ urls: ['tcp://127.0.0.1:7700'], bots: 20, durationS: 30, scenario: 'play', progress: 'log' });
    expect(parseBotConfig(['--url', 'tcp://h:1', '--url', 'ws://h:2', '--bots', '5000'], {})).toMatchObject({ urls: ['tcp://h:1', 'ws://h:2'], bots: 5000 });
    expect(parseBotConfig([], { HEARTH_BOTS: '7', HEARTH_BOT_SCENARIO: 'idle' })).toMatchObject({ bots: 7, scenario: 'idle' });
  });

  it('reads a pinned key from hex or from the server.key.pub file', () => {
    const hex = 'ab'.repeat(32);
    expect(parseBotConfig(['--server-key', hex], {})).toMatchObject({ serverKey: new Uint8Array(32).fill(0xab) });
    const file = join(mkdtempSync(join(tmpdir(), 'hearth-bot-')), 'server.key.pub');
    writeFileSync(file, `${hex}\n`);
    expect(parseBotConfig(['--server-key-file', file], {})).toMatchObject({ serverKey: new Uint8Array(32).fill(0xab) });
  });

  it.each([
    [['--url', 'http://x:1'], /^--url: expected tcp:\/\/host:port or ws:\/\/host:port \(tls:\/\/ and wss:\/\/ for TLS\), got "http:\/\/x:1"$/],
    [['--bots', '0'], /^--bots: expected an integer in 1\.\.100000, got "0"$/],
    [['--scenario', 'dance'], /^--scenario: expected one of play\|idle\|chat-storm, got "dance"$/],
    [['--server-key', 'xyz'], /^--server-key: expected a 32-byte public key as 64 hex digits$/],
    [['--server-key-file', '/nonexistent/key.pub'], /^--server-key-file: cannot read \/nonexistent\/key\.pub/],
    [['--duration', '5', '--ramp', '5'], /^--ramp: 5 s must be shorter than --duration 5 s$/],
    [['--until', 'moves'], /^--until: expected TERM=COUNT\[,TERM=COUNT…\] with TERM one of moves\|others\|chats\|leaderboards\|tags\|recovered \(each once, COUNT ≥ 1\), got "moves"$/],
    [['--until', 'jumps=3'], /^--until: expected TERM=COUNT/],
    [['--until', 'moves=0'], /^--until: expected TERM=COUNT/],
    [['--until', 'moves=1,moves=2'], /^--until: expected TERM=COUNT/],
  ])('refuses %j with one line naming the flag', (argv, message) => {
    expect(() => parseBotConfig(argv, {})).toThrow(FlagError);
    expect(() => parseBotConfig(argv, {})).toThrow(message);
  });
});

describe('--until', () => {
  it('reads the goal; without --duration there is no time limit, with it a limit', () => {
    expect(parseBotConfig(['--until', 'moves=40, chats=1,tags=2'], {})).toMatchObject({ until: { moves: 40, chats: 1, tags: 2 }, durationS: 0 });
    expect(parseBotConfig(['--until', 'recovered=10', '--duration', '120'], {})).toMatchObject({ until: { recovered: 10 }, durationS: 120 });
    expect(parseBotConfig([], { HEARTH_BOT_UNTIL: 'moves=3' })).toMatchObject({ until: { moves: 3 } });
    expect(parseBotConfig([], {})).toMatchObject({ until: undefined, durationS: 30 });
    expect(formatUntil(parseUntil('tags=1,moves=5'))).toBe('moves=5,tags=1');
  });

  it('is met when every bot plays and has each per-bot count, and the swarm totals are reached', () => {
    const goal = parseUntil('moves=2,chats=1,tags=1,recovered=1');
    const bot = (name: string, over: Partial<{ playing: boolean; moves: number; chats: number }> = {}) => ({
      name, playing: true, moves: 2, others: 0, chats: 1, leaderboards: 0, ...over,
    });
    expect(untilShortfall(goal, [bot('a'), bot('b')], { tags: 1, recovered: 1 })).toBeUndefined();
    expect(untilShortfall(goal, [bot('a'), bot('b')], { tags: 0, recovered: 1 })).toBe('tags 0/1');
    expect(untilShortfall(goal, [bot('a', { moves: 1 }), bot('b', { playing: false })], { tags: 1, recovered: 1 })).toBe(
      '2 bots short (a moves 1/2; b not playing)',
    );
    const many = Array.from({ length: 5 }, (_, i) => bot(`b${i}`, { chats: 0 }));
    expect(untilShortfall(goal, many, { tags: 1, recovered: 0 })).toBe('recovered 0/1, 5 bots short (b0 chats 0/1; b1 chats 0/1; b2 chats 0/1; …)');
  });
});

describe('RoomView', () => {
  it('counts your own moves the room applied, over rooms, not the first sight of you', () => {
    const view = new RoomView();
    view.pid = 1;
    view.read(new Map([[1, { x: 0, y: 0 }], [2, { x: 5, y: 5 }]]));
    expect(view.selfMoves).toBe(0);
    expect(view.read(new Map([[1, { x: 1, y: 0 }], [2, { x: 6, y: 5 }]]))).toBe(1);
    view.read(new Map([[1, { x: 1, y: 0 }], [2, { x: 6, y: 5 }]]));
    expect(view.selfMoves).toBe(1);
    view.clear();
    view.pid = 3;
    view.read(new Map([[3, { x: 9, y: 9 }]]));
    view.read(new Map([[3, { x: 9, y: 8 }]]));
    expect(view.selfMoves).toBe(2);
    // the room says you are number 4 now (restored elsewhere): 4 is you, no longer another player
    view.read(new Map([[3, { x: 9, y: 8 }], [4, { x: 1, y: 1 }]]));
    expect(view.others.has(4)).toBe(true);
    view.reseat(4);
    expect(view.others.has(4)).toBe(false);
    view.read(new Map([[4, { x: 1, y: 1 }]]));
    view.read(new Map([[4, { x: 2, y: 1 }]]));
    expect(view.selfMoves).toBe(3);
  });
});

describe('failureAction', () => {
  const ctx = { phase: 'playing' as const, stopping: false, staleClient: false, mayRetry: true, step: false };
  it('joins again when the room\'s node stopped answering, while it may', () => {
    expect(failureAction('TIMEOUT', ctx)).toBe('rejoin');
    expect(failureAction('ROOM_UNREACHABLE', { ...ctx, phase: 'joining', step: true })).toBe('rejoin');
    // the room restored elsewhere no longer seats the bot: join it again
    expect(failureAction('NOT_IN_ROOM', ctx)).toBe('rejoin');
    // a tag of the room the bot already left to join again: nothing more (that join is under way)
    expect(failureAction('NOT_IN_ROOM', { ...ctx, phase: 'joining' })).toBe('ignore');
    expect(failureAction('TIMEOUT', { ...ctx, phase: 'joining' })).toBe('ignore');
    expect(failureAction('TIMEOUT', { ...ctx, mayRetry: false })).toBe('error');
    expect(failureAction('TIMEOUT', { ...ctx, phase: 'loggingIn', step: true })).toBe('fail');
  });
  it('starts over after a drop before playing, carries on after one in play', () => {
    expect(failureAction('DISCONNECTED', { ...ctx, phase: 'joining' })).toBe('restart');
    expect(failureAction('DISCONNECTED', ctx)).toBe('ignore');
  });
  it('ignores what the run\'s end or a replaced client cut short; the rest is for the scenario', () => {
    expect(failureAction('ARENA_TOO_FAR', { ...ctx, stopping: true })).toBe('ignore');
    expect(failureAction('ARENA_TOO_FAR', { ...ctx, staleClient: true })).toBe('ignore');
    expect(failureAction('CLOSED', { ...ctx, phase: 'failed' })).toBe('ignore');
    expect(failureAction('ARENA_TOO_FAR', ctx)).toBe('error');
  });
  it('ends the bot only for a failed login or join step, not for a tag answered while it joins again', () => {
    // The tag went out while playing; its room died, the bot left to join again, then the answer came.
    expect(failureAction('ARENA_NO_SUCH_PLAYER', { ...ctx, phase: 'joining' })).toBe('error');
    expect(failureAction('ROOM_FULL', { ...ctx, phase: 'joining', step: true })).toBe('fail');
    expect(failureAction('AUTH_FAILED', { ...ctx, phase: 'loggingIn', step: true })).toBe('fail');
  });
});
