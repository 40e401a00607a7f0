import { HearthClient, type HearthError } from '@hearth/client';
import { ARENA } from '@hearth/server/messages';
import { ArenaModel } from './ArenaModel.ts';
import { arenaFeed, type GameLink } from './arenaFeed.ts';
import { Controls } from './controls.ts';
import { loadConfig, type GameConfig } from './loadConfig.ts';
import { Panels } from './panels.ts';
import { draw, playerAt, toWorld, type View } from './render.ts';

/** The page's live objects, on `window.hearth` for the console and the browser tests. */
export interface PageHandle {
  readonly model: ArenaModel;
  client: HearthClient | undefined;
  /** The page's `/config.json`. */
  readonly config: Promise<GameConfig>;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const model = new ArenaModel();
const view: View = { canvas: $<HTMLCanvasElement>('room'), scale: 1 };
const panels = new Panels({ status: $('status'), room: $('room-info'), leaderboard: $<HTMLOListElement>('leaderboard'), chat: $<HTMLUListElement>('chat') });
const controls = new Controls(window);
const config = loadConfig();
const handle: PageHandle = { model, client: undefined, config };
(window as unknown as { hearth: PageHandle }).hearth = handle;
let link: GameLink | undefined;

/** Connects, logs in as `name`, joins a room; a session that ends for good is started again. */
async function play(name: string): Promise<void> {
  let cfg: GameConfig;
  try {
    cfg = await config;
  } catch (err) {
    model.setStatus({ state: 'offline', detail: (err as Error).message });
    return;
  }
  model.setTickHz(cfg.tickHz);
  model.setStatus({ state: 'connecting', detail: `connecting to ${cfg.ws}…` });
  const client = new HearthClient({
    url: cfg.ws,
    protocol: cfg.protocol,
    serverKey: cfg.serverKey,
    reconnect: { retryFirst: true, maxElapsedMs: 60_000 },
    ...heartbeat(),
  });
  handle.client = client;
  const game = arenaFeed(client, model);
  client.on('disconnected', ({ code }) => model.setStatus({ state: 'reconnecting', detail: `connection lost (${code}), reconnecting…` }));
  client.on('resumed', () => model.setStatus({ state: 'online', detail: `resumed · ${model.room ?? ''}` }));
  client.on('closed', ({ code, text }) => {
    game.detach();
    link = undefined;
    model.setStatus({ state: 'offline', detail: `disconnected (${code}): ${text}; logging in again…` });
    // The session is gone (grace expired, kicked, server restarted): a new one, after a pause.
    setTimeout(() => void play(name), 2000);
  });
  try {
    await client.connect();
    await client.login(credentials(cfg.auth, name));
    await game.join();
    link = game;
    model.setStatus({ state: 'online', detail: `online · ${cfg.protocol}, key pinned` });
  } catch (err) {
    model.setStatus({ state: 'offline', detail: `${(err as HearthError).code ?? 'ERROR'}: ${(err as Error).message}` });
    client.close();
  }
}

/**
 * What to log in with: a name for the dev authenticator; for `device` / `accounts` a guest device
 * (an id and a 128-bit secret made once and kept in this browser's localStorage) named `name`.
 */
function credentials(auth: string, name: string): Record<string, unknown> {
  if (auth !== 'device' && auth !== 'accounts') return { name };
  const random = (bytes: number) => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(bytes)))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const kept = (key: string, make: () => string) => localStorage.getItem(key) ?? (localStorage.setItem(key, make()), localStorage.getItem(key)!);
  return { device: kept('hearth-device', () => `web-${random(12)}`), secret: kept('hearth-device-secret', () => random(24)), displayName: name };
}

/**
 * `?heartbeat=<ms>`: declare the connection dead after this long without a byte (default 15 s). A
 * browser set offline (devtools) keeps its WebSocket open and silent; this is how soon the page
 * notices and redials.
 */
function heartbeat(): { heartbeatTimeoutMs?: number; pingIntervalMs?: number } {
  const ms = Number(new URLSearchParams(location.search).get('heartbeat'));
  return Number.isInteger(ms) && ms >= 1000 ? { heartbeatTimeoutMs: ms, pingIntervalMs: Math.floor(ms / 3) } : {};
}

// The browser knows at once when it goes offline; the connection notices within the heartbeat.
window.addEventListener('offline', () => model.setStatus({ state: 'reconnecting', detail: 'the browser is offline; waiting for the network…' }));
window.addEventListener('online', () => {
  if (handle.client?.state === 'open') model.setStatus({ state: 'online', detail: `online · ${model.room ?? ''}` });
});

// Click a nearby player to tag it.
view.canvas.addEventListener('click', (e) => {
  const now = performance.now();
  const target = playerAt(view, model, toWorld(view, e.clientX, e.clientY), now);
  if (target === undefined || link === undefined) return;
  link.tag(target).then(
    (score) => model.notice(`tag! your score is ${score}`),
    (err: HearthError) => model.notice(`tag refused: ${err.code === 'ARENA_TOO_FAR' ? `too far (reach ${ARENA.tagRadius})` : err.code}`),
  );
});

$<HTMLFormElement>('chat-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = $<HTMLInputElement>('chat-input');
  const text = input.value.trim();
  if (text === '' || link === undefined) return;
  if (link.chat(text.slice(0, ARENA.chatMaxLength))) input.value = '';
});

// The leaderboard of the whole server, every 2 s.
setInterval(() => {
  link?.leaderboard(10).then(
    (entries) => model.setLeaderboard(entries),
    () => {},
  );
}, 2000);

let last = performance.now();
function frame(now: number): void {
  controls.step(model, link, now - last, now);
  last = now;
  draw(view, model, now);
  panels.update(model);
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

// Log in: `?name=` (bookmarks, tests) or the form.
const login = $<HTMLFormElement>('login');
const start = (name: string) => {
  login.hidden = true;
  view.canvas.focus();
  void play(name);
};
const preset = new URLSearchParams(location.search).get('name');
if (preset !== null && /^[\w.-]{1,32}$/.test(preset)) start(preset);
else {
  const input = $<HTMLInputElement>('login-name');
  input.value = `guest-${Math.floor(Math.random() * 9000 + 1000)}`;
  login.addEventListener('submit', (e) => {
    e.preventDefault();
    const name = input.value.trim();
    if (/^[\w.-]{1,32}$/.test(name)) start(name);
  });
}
