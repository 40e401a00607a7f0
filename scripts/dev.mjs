#!/usr/bin/env node
// `pnpm dev`: the Arena server (in-memory, msgpack+nacl, dev key in .hearth/) and 20 bots playing
// it, with the server's logs made readable by pino-pretty and the bots' live line kept at the
// bottom of the terminal. Ctrl-C stops the bots (they print their summary), then the server.
// The server's admin port also serves the page built in apps/web/dist (the `dev` script builds it):
// the game at /, the live dashboard at /admin/; both URLs are printed once it listens.
//
// Logins: `--auth dev` (names, no password; loopback only). Arena's leaderboard is kept in PGlite under
// .hearth/pglite, or in the PostgreSQL DATABASE_URL names; HEARTH_DEV_DATABASE=none keeps it in
// memory. The first run creates the PGlite database while turbo builds (scripts/lib/initPglite.mjs).
//
// Environment: HEARTH_DEV_BOTS (20), DATABASE_URL, HEARTH_DEV_DATABASE, and every variable the two
// programs read (HEARTH_TCP_PORT, …).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { children, print, root, setStatus, start, startBots, startServer } from './lib/devConsole.mjs';

const bots = process.env.HEARTH_DEV_BOTS ?? '20';
const PGLITE_DIR = '.hearth/pglite';
const database = process.env.HEARTH_DEV_DATABASE || process.env.DATABASE_URL || `pglite:${PGLITE_DIR}`;

// The build, and meanwhile (first run only) the PGlite database: its initdb takes ~20 s on a busy
// 2-core machine, about as long again as the server's start, so it is not left to the server.
let init;
if (database === `pglite:${PGLITE_DIR}` && !existsSync(`${root}${PGLITE_DIR}`)) {
  print(`dev: first run: creating the leaderboard's PGlite database in ${PGLITE_DIR} while the build runs (once)`);
  init = start(process.execPath, [`${root}scripts/lib/initPglite.mjs`, `${root}${PGLITE_DIR}`]);
  init.stdout.resume();
  init.stderr.on('data', (d) => process.stderr.write(d));
}
const build = spawn(
  `${root}node_modules/.bin/turbo`,
  ['run', 'build', '--filter=@hearth/server', '--filter=@hearth/bot-client', '--filter=@hearth/web', '--output-logs=errors-only'],
  { cwd: root, stdio: 'inherit' },
);
const built = await new Promise((resolve) => build.on('exit', (code) => resolve(code)));
if (built !== 0) {
  print(`dev: the build failed (${built})`);
  process.exit(1);
}
if (init && (await init.exited) !== 0) print('dev: creating the PGlite database failed; the server will try again');

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
