#!/usr/bin/env node
// `pnpm dev`: the Arena server (in-memory, msgpack+nacl, dev key in .hearth/) and 20 bots playing
// it, with the server's logs made readable by pino-pretty and the bots' live line kept at the
// bottom of the terminal. Ctrl-C stops the bots (they print their summary), then the server.
// The server's admin port also serves the page built in apps/web/dist (the `dev` script builds it):
// the game at /, the live dashboard at /admin/; both URLs are printed once it listens.
//
// Logins: `--auth dev` (names, no password; loopback only). Arena's leaderboard is kept in PGlite under
// .hearth/pglite (the first start creates it, once), or in the PostgreSQL DATABASE_URL names;
// HEARTH_DEV_DATABASE=none keeps it in memory.
//
// Environment: HEARTH_DEV_BOTS (20), DATABASE_URL, HEARTH_DEV_DATABASE, and every variable the two
// programs read (HEARTH_TCP_PORT, …).
import { existsSync } from 'node:fs';
import { children, print, root, setStatus, startBots, startServer } from './lib/devConsole.mjs';

const bots = process.env.HEARTH_DEV_BOTS ?? '20';
const PGLITE_DIR = '.hearth/pglite';
const database = process.env.HEARTH_DEV_DATABASE || process.env.DATABASE_URL || `pglite:${PGLITE_DIR}`;
if (database === `pglite:${PGLITE_DIR}` && !existsSync(`${root}${PGLITE_DIR}`)) {
  print(`dev: first start: creating the leaderboard's PGlite database in ${PGLITE_DIR} (once; about 20 s on a busy 2-core machine)`);
}
const server = startServer('', [
  '--protocol', 'msgpack+nacl',
  '--auth', 'dev',
  ...(database === 'none' ? [] : ['--database', database]),
  // Every bot comes from 127.0.0.1: the per-address limits (docs/security.md) would refuse HEARTH_DEV_BOTS=500.
  '--max-connections-per-address', '0', '--handshakes-per-second-per-address', '0',
]);

let botsChild;
let stopping = false;
async function stop(exitCode = 0) {
  if (stopping) return;
  stopping = true;
  if (botsChild && children.has(botsChild)) {
    botsChild.kill('SIGINT');
    await botsChild.exited;
  }
  setStatus('');
  if (children.has(server)) {
    server.kill('SIGTERM');
    await server.exited;
  }
  process.exit(exitCode);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

let addr;
try {
  addr = await server.listening;
} catch (err) {
  print(`dev: ${err.message}`);
  process.exit(1);
}
if (addr.admin && existsSync(`${root}apps/web/dist/index.html`)) {
  print(`dev: play Arena in a browser at ${addr.admin}/ · live dashboard at ${addr.admin}/admin/`);
} else if (addr.admin) {
  print('dev: no page (apps/web/dist is not built: npx -y pnpm@10 --filter @hearth/web build)');
}
print(`dev: starting ${bots} bots against ${addr.tcp} (Ctrl-C stops bots and server)`);
botsChild = startBots('[bots]', ['--url', addr.tcp, '--bots', bots, '--ramp', '0']);
botsChild.exited.then((code) => {
  if (!stopping) {
    print(`dev: the bots exited (${code}); the server keeps running, Ctrl-C stops it`);
    setStatus('');
  }
});
server.exited.then((code) => {
  if (!stopping) {
    print(`dev: the server exited (${code})`);
    void stop(1);
  }
});
