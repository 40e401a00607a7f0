// The Arena page on a server with its default authenticator (--auth accounts, on a private
// PostgreSQL database): guest play on a device kept in localStorage, registration and login with a
// password, a refused login shown in the form. Real Chromium, real server process.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startArena, type ArenaProcess } from '../../server/test/fixtures/arenaProcess.ts';
import { createPrivateDatabase } from '../../server/test/fixtures/privateDatabase.ts';
import type { PageHandle } from '../src/game/main.ts';
import { launchChromium, type TestBrowser } from './support/chromium.ts';

const WEB = join(import.meta.dirname, '..');
const WAIT = { timeout: 20_000, polling: 'raf' as const };

declare const window: { hearth: PageHandle };

let db: Awaited<ReturnType<typeof createPrivateDatabase>>;
let server: ArenaProcess;
let admin: string;
let browser: TestBrowser;
const pageErrors: string[] = [];

beforeAll(async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'hearth-web-dist-'));
  await build({ root: WEB, configFile: join(WEB, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  db = await createPrivateDatabase();
  // An empty HEARTH_AUTH counts as unset: no --auth at all, the server's default (accounts).
  server = startArena(['--web-dir', outDir, '--database', db.url, '--protocol', 'msgpack+nacl'], { HEARTH_AUTH: '' });
  admin = (await server.listening).admin;
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.[Symbol.asyncDispose]();
  await server?.stop();
  await db?.[Symbol.asyncDispose]();
});

async function open(path: string): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(`${admin}${path}`);
  return page;
}

const online = (page: Page) => page.waitForFunction(() => window.hearth.model.status.state === 'online' && window.hearth.model.you !== undefined, undefined, WAIT);
/** The name the room shows for the page's own player, and its user id. */
const me = (page: Page) =>
  page.evaluate(() => ({ name: window.hearth.model.players.get(window.hearth.model.you!)?.name, userId: window.hearth.client?.userId }));

describe('the Arena page on an accounts server (the default --auth)', () => {
  it('/config.json says accounts, and the form offers guest play and an account', async () => {
    const config = (await (await fetch(`${admin}/config.json`)).json()) as { auth: string };
    expect(config.auth).toBe('accounts');
    const page = await open('/');
    await page.waitForSelector('#login-with-account', { state: 'visible' });
    expect(await page.isVisible('#login-guest')).toBe(true);
    await page.close();
  });

  it('plays as a guest device kept in localStorage: the same account, by its display name, on the next visit', async () => {
    const first = await open('/?name=ann-guest');
    await online(first);
    const was = await me(first);
    expect(was.name).toBe('ann-guest');
    expect(was.userId).toMatch(/^[0-9a-f-]{36}$/);
    await first.close();
    // Same browser profile, another name asked for: the device (and its account) is the one kept.
    const again = await open('/?name=someone-else');
    await online(again);
    expect(await me(again)).toEqual(was);
    await again.close();
  });

  it('registers with a password and plays under that name; a wrong password is shown in the form, then the right one logs in', async () => {
    const page = await open('/');
    await page.fill('#login-user', 'carol');
    await page.fill('#login-password', 'carol password');
    await page.click('#register-account');
    await online(page);
    expect((await me(page)).name).toBe('carol');
    await page.close();

    const next = await open('/');
    await next.fill('#login-user', 'carol');
    await next.fill('#login-password', 'not her password');
    await next.click('#login-account');
    await next.waitForSelector('#login', { state: 'visible' });
    await next.waitForFunction(() => document.getElementById('login-error')!.textContent.startsWith('UNAUTHENTICATED'), undefined, WAIT);
    await next.fill('#login-password', 'carol password');
    await next.press('#login-password', 'Enter');
    await online(next);
    expect((await me(next)).name).toBe('carol');
    await next.close();
    expect(pageErrors).toEqual([]);
  });
});
