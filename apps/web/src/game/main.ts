import { HearthClient, type HearthError } from '@hearth/client';
import { ARENA } from '@hearth/server/messages';
import { ArenaModel } from './ArenaModel.ts';
import { arenaFeed, type GameLink } from './arenaFeed.ts';
import { rejoinsAfter } from './roomLoss.ts';
import { Controls } from './controls.ts';
import { loadConfig, type GameConfig } from './loadConfig.ts';
import { credentialsOf, isRefusal, loginOptions, type LoginChoice } from './login.ts';
import { Panels } from './panels.ts';
import { draw, playerAt, toWorld, type View } from './render.ts';

/** The page's live objects, on `window.hearth` for the console and the browser tests. */
export interface PageHandle {
  readonly model: ArenaModel;
  client: HearthClient | undefined;
  /** The game over the client (its `room`: the room handle while in one). */
  link: GameLink | undefined;
  /** The page's `/config.json`. */
  readonly config: Promise<GameConfig>;
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- T: the element the page's HTML has at that id
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const model = new ArenaModel();
const view: View = { canvas: $<HTMLCanvasElement>('room'), scale: 1 };
const panels = new Panels({ status: $('status'), room: $('room-info'), leaderboard: $<HTMLOListElement>('leaderboard'), chat: $<HTMLUListElement>('chat') });
const controls = new Controls(window);
const config = loadConfig();
const handle: PageHandle = { model, client: undefined, link: undefined, config };
(window as unknown as { hearth: PageHandle }).hearth = handle;
let link: GameLink | undefined;

/** Connects, logs in, joins a room; a session that ends for good is started again (a refused login shows the form). */
async function play(choice: LoginChoice): Promise<void> {
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
  let refused = false;
  /** Joins a room again (`joinOrCreate`) after the last one ended under the page; retried every 2 s while it fails. */
  const rejoin = (why: string): void => {
    if (client.state === 'closed' || handle.client !== client) return;
    model.setStatus({ state: 'reconnecting', detail: `${why}; joining a room again…` });
    game.join().then(
      () => {
        link = game;
        model.setStatus({ state: 'online', detail: `rejoined · ${model.room ?? ''}` });
      },
      (err: unknown) => {
        if (client.state === 'closed' || handle.client !== client) return;
        setTimeout(() => rejoin(`joining failed (${(err as HearthError).code ?? 'ERROR'})`), 2000);
      },
    );
  };
  const game = arenaFeed(client, model, {
    // The room went away (its node died, it was disposed, …): another room, unless the end was meant.
    // A client closed for good is handled by 'closed' (a new session).
    roomLost: ({ code, text }) => {
      link = undefined;
      if (client.state === 'closed' || handle.client !== client) return;
      if (rejoinsAfter(code)) rejoin(`room lost (${code})`);
      else model.setStatus({ state: 'offline', detail: `out of the room (${code}): ${text}` });
    },
  });
  handle.link = game;
  client.on('disconnected', ({ code }) => model.setStatus({ state: 'reconnecting', detail: `connection lost (${code}), reconnecting…` }));
  client.on('resumed', () => model.setStatus({ state: 'online', detail: `resumed · ${model.room ?? ''}` }));
  client.on('closed', ({ code, text }) => {
    game.detach();
    link = undefined;
    model.setStatus({ state: 'offline', detail: `disconnected (${code}): ${text}; logging in again…` });
    // The session is gone (grace expired, kicked, server restarted): a new one, after a pause.
    if (!refused) setTimeout(() => void play(choice), 2000);
  });
  try {
    await client.connect();
    await client.login(credentialsOf(cfg.auth, choice));
    // Registered: the account exists now, a later session logs in to it.
    if (choice.kind === 'account' && choice.register) choice = { ...choice, register: false };
    await game.join();
    link = game;
    model.setStatus({ state: 'online', detail: `online · ${cfg.protocol}, key pinned` });
  } catch (err) {
    const code = (err as HearthError).code;
    model.setStatus({ state: 'offline', detail: `${code ?? 'ERROR'}: ${(err as Error).message}` });
    // Wrong password, name taken, too many tries: ask again rather than repeat it.
    if (handle.client === client && isRefusal(code) && client.userId === undefined) {
      refused = true;
      showLogin(`${code}: ${(err as Error).message}`);
    }
    client.close();
  }
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
    (err: unknown) => {
      const { code } = err as HearthError;
      model.notice(`tag refused: ${code === 'ARENA_TOO_FAR' ? `too far (reach ${ARENA.tagRadius})` : code}`);
    },
  );
});

$<HTMLFormElement>('chat-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = $<HTMLInputElement>('chat-input');
  const text = input.value.trim();
  if (text === '' || link === undefined) return;
  if (link.chat(text.slice(0, ARENA.chatMaxLength))) input.value = '';
});

// The leaderboard of the whole server, every 2 s; and whether the room still answers (a room whose
// node died, or that has the player out, is noticed here: the page then joins a room again).
setInterval(() => {
  link?.leaderboard(10).then(
    (entries) => model.setLeaderboard(entries),
    () => {},
  );
  link?.probe().catch(() => {});
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

// Log in: `?name=` (bookmarks, tests: a guest) or the form, which offers what the server's --auth takes.
const login = $<HTMLFormElement>('login');
const start = (choice: LoginChoice) => {
  login.hidden = true;
  view.canvas.focus();
  void play(choice);
};
/** Shows the login form again, with why the last login was refused. */
function showLogin(error: string): void {
  $('login-error').textContent = error;
  login.hidden = false;
}
const preset = new URLSearchParams(location.search).get('name');
if (preset !== null && /^[\w.-]{1,32}$/.test(preset)) start({ kind: 'guest', name: preset });
else {
  const input = $<HTMLInputElement>('login-name');
  input.value = `guest-${Math.floor(Math.random() * 9000 + 1000)}`;
  const account = (register: boolean) => () => {
    const username = $<HTMLInputElement>('login-user').value.trim().toLowerCase();
    const password = $<HTMLInputElement>('login-password').value;
    if (!/^[a-z0-9_.-]{3,32}$/.test(username)) showLogin('username: 3-32 of a-z 0-9 _ . -');
    else if (password.length < 8 || password.length > 128) showLogin('password: 8-128 characters');
    else start({ kind: 'account', username, password, register });
  };
  login.addEventListener('submit', (e) => {
    e.preventDefault();
    // Enter in the account fields logs in to the account; elsewhere it plays as a guest.
    if ($('login-with-account').contains(document.activeElement)) return account(false)();
    const name = input.value.trim();
    if (/^[\w.-]{1,32}$/.test(name)) start({ kind: 'guest', name });
  });
  $('login-account').addEventListener('click', account(false));
  $('register-account').addEventListener('click', account(true));
  // What the server takes: guests (dev, device, accounts), accounts with a password (password, accounts).
  void config.then(
    (cfg) => {
      const offer = loginOptions(cfg.auth);
      $('login-guest').hidden = !offer.guest;
      $('login-with-account').hidden = !offer.account;
      if (!offer.guest && !offer.account) showLogin(`this server logs players in with --auth ${cfg.auth}, which this page cannot do`);
    },
    () => {},
  );
}
