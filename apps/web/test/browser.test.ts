// The Arena page and the admin dashboard in a real headless Chromium (Debian's, driven by
// playwright-core), against a real server process (from source) with bots, its page built by Vite
// and served from the admin port. Every wait is on a condition (waitForFunction / a bot's pushes).
import { mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startArena, type ArenaProcess } from '../../server/test/fixtures/arenaProcess.ts';
import type { PageHandle } from '../src/game/main.ts';
import { launchChromium, type TestBrowser } from './support/chromium.ts';
import { CutProxy } from './support/CutProxy.ts';
import { TestBot } from './support/TestBot.ts';

const WEB = join(import.meta.dirname, '..');
/** Screenshots (ignored by git; docs/img has the committed ones). */
const SHOTS = join(WEB, 'test-output');
const TOKEN = 'browser-test-admin-token-0123456789';
const WAIT = { timeout: 20_000, polling: 'raf' as const };

declare const window: { hearth: PageHandle; dashboard: { samples: Array<{ sessions: number }> } };

let server: ArenaProcess;
let outDir: string;
let admin: string;
let proxy: CutProxy;
let browser: TestBrowser;
let page: Page;
const bots: TestBot[] = [];
const pageErrors: string[] = [];
/**
 * What the pages asked and got a 404 for, or logged a 404 of (a /favicon.ico, …): a new user's
 * console is clean. (The tests' own doings log errors too: a WebSocket refused while offline, the
 * dashboard's 401 before its token.)
 */
const notFound: string[] = [];
const watch = (p: Page) => {
  p.on('pageerror', (err) => pageErrors.push(err.message));
  p.on('console', (m) => {
    if (m.type() === 'error' && /\b404\b/.test(m.text())) notFound.push(`${p.url()}: ${m.text()}`);
  });
  p.on('response', (r) => {
    if (r.status() === 404) notFound.push(r.url());
  });
};

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'hearth-web-dist-'));
  await build({ root: WEB, configFile: join(WEB, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  server = startArena(['--web-dir', outDir, '--spawn', '500,500', '--protocol', 'msgpack+nacl'], { HEARTH_ADMIN_TOKEN: TOKEN });
  const listening = await server.listening;
  admin = listening.admin;
  proxy = await CutProxy.start(Number(new URL(listening.ws).port));
  // Two walking bots and one standing still (to be tagged), all in the page's room-to-be.
  for (const name of ['walker-1', 'walker-2', 'statue']) bots.push(await TestBot.join(listening.ws, listening.publicKey, name));
  bots[0]!.walk();
  bots[1]!.walk(30);
  browser = await launchChromium();
  page = await browser.context.newPage();
  watch(page);
  mkdirSync(SHOTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.[Symbol.asyncDispose]();
  for (const bot of bots) await bot[Symbol.asyncDispose]();
  await proxy?.[Symbol.asyncDispose]();
  await server?.stop();
});

/** The `<link rel="icon">` of a page (a browser asks /favicon.ico without one). */
const iconOf = (p: Page) => p.evaluate(() => document.querySelector<HTMLLinkElement>('link[rel~="icon"]')?.href ?? null);

/** The page's player number once in a room. */
const you = () => page.evaluate(() => window.hearth.model.you!);

describe('the Arena page in Chromium', () => {
  it('is small: the JavaScript of each page is at most 100 KB gzipped', () => {
    const pages = { main: readFileSync(join(outDir, 'index.html'), 'utf8'), admin: readFileSync(join(outDir, 'admin/index.html'), 'utf8') };
    const assets = readdirSync(join(outDir, 'assets'));
    for (const [name, html] of Object.entries(pages)) {
      // The scripts a page loads: its entry and the chunks it preloads.
      const scripts = [...html.matchAll(/(?:src|href)="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]!);
      expect(scripts.length, name).toBeGreaterThan(0);
      const gzip = scripts.reduce((n, f) => (expect(assets).toContain(f), n + gzipSync(readFileSync(join(outDir, 'assets', f))).length), 0);
      expect(gzip, `${name}: ${scripts.join(', ')}`).toBeLessThanOrEqual(100 * 1024);
    }
  });

  it('loads from the admin port, connects over WebSocket (msgpack+nacl, key pinned) and shows the room with the bots', async () => {
    // The game through the proxy (?ws=), so the test can cut the connection later.
    await page.goto(`${admin}/?name=browser&heartbeat=3000&ws=ws://127.0.0.1:${proxy.port}`);
    await page.waitForFunction(() => window.hearth.model.status.state === 'online' && window.hearth.model.players.size >= 4, undefined, WAIT);
    const names = await page.evaluate(() => [...window.hearth.model.players.values()].map((p) => p.name).sort());
    expect(names).toEqual(['browser', 'statue', 'walker-1', 'walker-2']);
    expect(await page.textContent('#status')).toContain('key pinned');
    expect(await page.evaluate(() => window.hearth.model.room)).toBe(bots[0]!.room.room);
  });

  it('shows the others moving, drawn between the positions of successive state patches (interpolated)', async () => {
    const walker = bots[0]!.room.you;
    // Some frame draws the walker strictly between two positions the room's state gave it.
    const between = await page.waitForFunction(
      (pid) => {
        const m = window.hearth.model;
        const at = m.drawPosition(pid, performance.now());
        const samples = m.players.get(pid)?.samples ?? [];
        if (at === undefined || samples.length < 3) return false;
        return samples.every((s) => Math.hypot(s.x - at.x, s.y - at.y) > 0.01) ? at : false;
      },
      walker,
      WAIT,
    );
    const first = (await between.jsonValue()) as { x: number; y: number };
    await page.waitForFunction(
      ([pid, x, y]) => {
        const at = window.hearth.model.drawPosition(pid, performance.now());
        return at !== undefined && Math.hypot(at.x - x, at.y - y) > 5;
      },
      [walker, first.x, first.y] as const,
      WAIT,
    );
  });

  it('tags a nearby player with a click', async () => {
    const statue = bots[2]!.room.you;
    const point = await page.evaluate((pid) => {
      const at = window.hearth.model.drawPosition(pid, performance.now())!;
      const r = document.getElementById('room')!.getBoundingClientRect();
      return { x: r.left + (at.x / 1000) * r.width, y: r.top + (at.y / 1000) * r.height };
    }, statue);
    await page.mouse.click(point.x, point.y);
    await page.waitForFunction(() => (window.hearth.model.players.get(window.hearth.model.you!)?.score ?? 0) >= 1, undefined, WAIT);
  });

  it('moves its own player with the keyboard: the server state and another client see it', async () => {
    const pid = await you();
    const start = (await page.evaluate(() => window.hearth.model.confirmed()))!;
    await page.locator('#room').focus();
    await page.keyboard.down('ArrowRight');
    await page.waitForFunction((x0) => (window.hearth.model.confirmed()?.x ?? 0) >= x0 + 40, start.x, WAIT);
    await bots[2]!.until(() => (bots[2]!.positions.get(pid)?.x ?? 0) >= start.x + 40);
    await page.keyboard.up('ArrowRight');
  });

  it('sends a chat line that a bot receives', async () => {
    await page.fill('#chat-input', 'hello from Chromium');
    await page.press('#chat-input', 'Enter');
    const pid = await you();
    await bots[1]!.until(() => bots[1]!.chat.some((l) => l.from === pid && l.text === 'hello from Chromium'));
    await page.waitForFunction(() => document.getElementById('chat')!.textContent.includes('hello from Chromium'), undefined, WAIT);
  });

  it('survives a dropped connection: resumes into the same room as the same player', async () => {
    const before = await page.evaluate(() => ({ room: window.hearth.model.room, you: window.hearth.model.you }));
    const dials = proxy.accepted;
    expect(proxy.cut()).toBeGreaterThan(0);
    await page.waitForFunction(() => window.hearth.model.status.detail.startsWith('resumed'), undefined, WAIT);
    expect(proxy.accepted).toBeGreaterThan(dials);
    expect(await page.evaluate(() => ({ room: window.hearth.model.room, you: window.hearth.model.you }))).toEqual(before);
    // Back in the room: its moves reach the others again.
    const y0 = bots[2]!.positions.get(before.you!)!.y;
    await page.locator('#room').focus();
    await page.keyboard.down('ArrowDown');
    await bots[2]!.until(() => (bots[2]!.positions.get(before.you!)?.y ?? 0) >= y0 + 30);
    await page.keyboard.up('ArrowDown');
    await page.waitForFunction(() => window.hearth.model.leaderboard.length > 0, undefined, WAIT);
  });

  it('comes back after devtools sets the browser offline, then online (CDP): same room, same player', async () => {
    const before = await page.evaluate(() => ({ room: window.hearth.model.room, you: window.hearth.model.you }));
    const cdp = await browser.context.newCDPSession(page);
    const network = (offline: boolean) => cdp.send('Network.emulateNetworkConditions', { offline, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.send('Network.enable');
    await network(true);
    // Chromium keeps the WebSocket open but silent: the page says offline at once, and the client
    // declares the connection dead after ?heartbeat= ms without a byte, then redials (refused while offline).
    await page.waitForFunction(() => window.hearth.model.status.state === 'reconnecting', undefined, WAIT);
    await page.waitForFunction(() => window.hearth.client?.state === 'reconnecting', undefined, WAIT);
    await network(false);
    await page.waitForFunction(() => window.hearth.client?.state === 'open' && window.hearth.model.status.detail.startsWith('resumed'), undefined, WAIT);
    expect(await page.evaluate(() => ({ room: window.hearth.model.room, you: window.hearth.model.you }))).toEqual(before);
    await cdp.detach();
    await page.screenshot({ path: join(SHOTS, 'arena.png') });
    expect(pageErrors).toEqual([]);
  });

  it('joins a room again (joinOrCreate) when its room handle ends with a non-final code, and says so in its status line', async () => {
    const before = await page.evaluate(() => ({ room: window.hearth.model.room, you: window.hearth.model.you }));
    const statuses: string[] = [];
    await page.exposeFunction('sawStatus', (detail: string) => statuses.push(detail));
    await page.evaluate(() => {
      const m = window.hearth.model;
      const set = m.setStatus.bind(m);
      m.setStatus = (s) => {
        set(s);
        (window as unknown as { sawStatus(d: string): void }).sawStatus(s.detail);
      };
    });
    // The server takes the page out of its room without a room.left (as server code may): the page's
    // next room request (its probe, every 2 s) hears NOT_IN_ROOM, which ends the room handle.
    const left = await page.evaluate(async () => {
      const h = window.hearth;
      return h.client!.request({ type: 13, name: 'room.leave' } as never, { roomId: h.link!.room!.id } as never);
    });
    expect(left).toBe(true);
    await page.waitForFunction(() => window.hearth.model.status.detail.startsWith('rejoined'), undefined, WAIT);
    expect(statuses.find((d) => d.startsWith('room lost'))).toBe('room lost (NOT_IN_ROOM); joining a room again…');
    const after = await page.evaluate(() => ({ room: window.hearth.model.room, you: window.hearth.model.you, handle: window.hearth.link?.room?.id }));
    // The bots' room is the one with seats: the page is back in it, as a new player.
    expect(after.room).toBe(before.room);
    expect(after.handle).toBe(before.room);
    expect(after.you).not.toBe(before.you);
    expect(await page.textContent('#status')).toContain('rejoined');
    await bots[2]!.until(() => bots[2]!.positions.has(after.you!));
    expect(pageErrors).toEqual([]);
  });

  it('has an icon of its own (no /favicon.ico 404 in a new user\'s console)', async () => {
    expect(await iconOf(page)).toMatch(/^data:image\/svg\+xml,/);
    expect(notFound).toEqual([]);
  });
});

describe('the admin dashboard in Chromium', () => {
  it('is behind the admin token, then shows the live session count and charts that move', async () => {
    const dash = await browser.context.newPage();
    watch(dash);
    await dash.goto(`${admin}/admin/`);
    await dash.waitForSelector('#token-form:not([hidden])', { timeout: 20_000 });
    await dash.fill('#token', TOKEN);
    await dash.press('#token', 'Enter');
    const health = async () => ((await (await fetch(`${admin}/health`)).json()) as { sessions: number }).sessions;
    /** Waits, sample by sample, until the sessions card shows what /health says; resolves that count. */
    const shown = async (): Promise<number> => {
      for (;;) {
        const n = await health();
        if ((await dash.textContent('.card[data-card="sessions"] .value')) === String(n)) return n;
        const seen = await dash.evaluate(() => window.dashboard.samples.length);
        await dash.waitForFunction((c) => window.dashboard.samples.length > c, seen, WAIT);
      }
    };
    const before = await shown();
    const chart = () => dash.evaluate(() => (document.querySelector('.card[data-card="sessions"] canvas') as HTMLCanvasElement).toDataURL());
    const drawn = await chart();
    // One more player: the count and its chart follow.
    bots.push(await TestBot.join((await server.listening).ws, (await server.listening).publicKey, 'late-bot'));
    await dash.waitForFunction((n) => Number(document.querySelector('.card[data-card="sessions"] .value')?.textContent) > n, before, WAIT);
    expect(await shown()).toBe(before + 1);
    expect(await chart()).not.toBe(drawn);
    // The tables list the sessions (search) and one player's actor.
    await dash.fill('#sessions input', 'late-bot');
    await dash.waitForFunction(() => document.querySelectorAll('#sessions tbody tr').length === 1, undefined, WAIT);
    await dash.click('#sessions tbody tr');
    await dash.waitForFunction(() => document.getElementById('player')!.textContent.includes('"userId": "late-bot"'), undefined, WAIT);
    await dash.waitForFunction(() => document.querySelectorAll('#rooms tbody tr').length >= 1, undefined, WAIT);
    await dash.fill('#sessions input', '');
    await dash.waitForFunction(() => document.querySelectorAll('#sessions tbody tr').length >= 5 && window.dashboard.samples.length >= 6, undefined, WAIT);
    // Request time by message: the walking bots' moves have a row of their own, with percentiles.
    await dash.waitForFunction(() => /^\d/.test(document.querySelector('#requests tr[data-type="arena.move"] td:nth-child(4)')?.textContent ?? ''), undefined, WAIT);
    await dash.screenshot({ path: join(SHOTS, 'dashboard.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
    expect(await iconOf(dash)).toMatch(/^data:image\/svg\+xml,/);
    expect(notFound).toEqual([]);
  });
});
