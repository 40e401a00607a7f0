#!/usr/bin/env node
// `pnpm dev:cluster`: "many nodes, one world" on one machine. Starts a private redis-server on a
// free port (unless REDIS_URL is given), two Arena server nodes A and B on their own ports, both
// members of the Redis-backed cluster, and bots spread over both (one bot process, `--url` twice,
// so every bot has its own name). Logs are prefixed with their source and made readable by
// pino-pretty; the bottom line is the bots' live progress. Ctrl-C stops the bots (summary), then
// the nodes (graceful: SHUTDOWN to every player, directory and rooms cleaned), then Redis.
//
// Arena's leaderboard: in Redis (cluster-wide, not persisted by the private Redis), or, when
// DATABASE_URL names a PostgreSQL database, kept there by both nodes (survives restarts).
//
// Environment: HEARTH_DEV_BOTS (40), REDIS_URL (use that Redis instead of a private one),
// DATABASE_URL (postgres://…: the nodes' shared storage), HEARTH_DEV_PORTS (base port, 7700: node A
// uses 7700-7702, node B 7710-7712).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { children, print, setStatus, start, startBots, startServer, tty } from './lib/devConsole.mjs';

const bots = process.env.HEARTH_DEV_BOTS ?? '40';
const base = Number(process.env.HEARTH_DEV_PORTS ?? 7700);
const color = (code, text) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);
const TAGS = { redis: color(31, '[redis]'), A: color(36, '[A]'), B: color(35, '[B]'), bots: color(33, '[bots]'), dev: color(32, 'dev:') };

async function freePort() {
  const srv = createServer();
  await new Promise((resolve, reject) => srv.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** A private redis-server (no persistence, own temp dir), or the one REDIS_URL names. */
async function startRedis() {
  if (process.env.REDIS_URL) {
    print(`${TAGS.dev} using REDIS_URL=${process.env.REDIS_URL}`);
    return { url: process.env.REDIS_URL, child: undefined, dir: undefined };
  }
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) {
    print(`${TAGS.dev} redis-server is not on PATH: install it (apt-get install redis-server) or set REDIS_URL=redis://host:port`);
    process.exit(1);
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hearth-dev-redis-'));
  const child = start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir]);
  await new Promise((resolve, reject) => {
    let out = '';
    const onLine = (line) => {
      out += `${line}\n`;
      if (line.includes('Ready to accept connections')) resolve();
    };
    // Redis' own log stays quiet (it goes to its stdout); only its errors are shown.
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', (line) => print(`${TAGS.redis} ${line}`));
    child.exited.then((code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${out}`)));
  });
  const url = `redis://127.0.0.1:${port}`;
  print(`${TAGS.redis} private redis-server ready on ${url} (no persistence; stopped with Ctrl-C)`);
  return { url, child, dir };
}

/** Starts one node; `child.listening` resolves its `listening` record. */
function startNode(tag, ports, redisUrl) {
  return startServer(TAGS[tag], [
    '--protocol', 'msgpack+nacl',
    '--auth', 'dev',
    // Every bot comes from 127.0.0.1: the per-address limits (docs/security.md) would refuse many bots.
    '--max-connections-per-address', '0', '--handshakes-per-second-per-address', '0',
    '--redis', redisUrl,
    // PGlite belongs to one process: a cluster's storage is a PostgreSQL both nodes share, or none.
    ...(process.env.DATABASE_URL ? ['--database', process.env.DATABASE_URL] : []),
    '--tcp-port', String(ports), '--ws-port', String(ports + 1), '--admin-port', String(ports + 2),
  ]);
}

let stopping = false;
let redis;
let botsChild;
const nodes = [];
async function stop(exitCode = 0) {
  if (stopping) return;
  stopping = true;
  if (botsChild && children.has(botsChild)) {
    botsChild.kill('SIGINT');
    await botsChild.exited;
  }
  setStatus('');
  // Both at once: each drains to the other, which refuses while it stops (rooms stay in Redis; docs/rooms.md).
  const codes = await Promise.all(
    nodes.filter((n) => children.has(n)).map((n) => {
      n.kill('SIGTERM');
      return n.exited;
    }),
  );
  // A node's graceful stop exits 0: anything else is said (and is the script's exit code).
  if (codes.some((code) => code !== 0)) {
    print(`${TAGS.dev} a node did not stop cleanly (exit codes ${codes.join(', ')}): see its log above`);
    exitCode ||= 1;
  }
  if (redis?.child && children.has(redis.child)) {
    redis.child.kill('SIGTERM');
    await redis.child.exited;
    print(`${TAGS.redis} stopped`);
  }
  if (redis?.dir) rmSync(redis.dir, { recursive: true, force: true });
  process.exit(exitCode);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

let addrs;
try {
  redis = await startRedis();
  const db = process.env.DATABASE_URL;
  print(`${TAGS.dev} leaderboard ${db ? `in ${db.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')} (DATABASE_URL, shared by both nodes)` : 'in Redis, not persisted (set DATABASE_URL=postgres://… to keep it)'}`);
  // A first, so that it creates the shared dev key (.hearth/server.key) that B then reads.
  nodes.push(startNode('A', base, redis.url));
  const a = await nodes[0].listening;
  nodes.push(startNode('B', base + 10, redis.url));
  const b = await nodes[1].listening;
  addrs = [a, b];
} catch (err) {
  print(`${TAGS.dev} ${err.message}`);
  await stop(1);
}
const [a, b] = addrs;
print(`${TAGS.dev} cluster up: node A ${a.tcp} (admin ${a.admin}), node B ${b.tcp} (admin ${b.admin}); try curl ${a.admin}/nodes`);
print(`${TAGS.dev} starting ${bots} bots spread over A and B (Ctrl-C stops bots, nodes and Redis)`);
botsChild = startBots(TAGS.bots, ['--url', a.tcp, '--url', b.tcp, '--bots', bots, '--ramp', '2']);
botsChild.exited.then((code) => {
  if (!stopping) {
    print(`${TAGS.dev} the bots exited (${code}); the nodes keep running, Ctrl-C stops them`);
    setStatus('');
  }
});
for (const [i, node] of nodes.entries()) {
  node.exited.then((code) => {
    if (!stopping) print(`${TAGS.dev} node ${i === 0 ? 'A' : 'B'} exited (${code}); the other keeps playing (its players can log in again on it)`);
  });
}
if (redis.child) {
  redis.child.exited.then((code) => {
    if (!stopping) print(`${TAGS.dev} redis-server exited (${code}): local play continues, cross-node calls fail until it is back`);
  });
}
