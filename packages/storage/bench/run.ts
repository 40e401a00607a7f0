/**
 * `pnpm bench` (storage): logins per second for each authenticator (argon2id at its default cost),
 * and storage reads and writes per second on PGlite (on disk, the default engine) and PostgreSQL
 * (127.0.0.1:5432 or DATABASE_URL, a private database), each beside a raw driver query loop on the
 * same connection(s) in the same run. Authenticators are called directly (no sockets), IN_FLIGHT at
 * a time. Median of BENCH_RUNS (3); writes bench/results/storage.json at the repository root.
 *
 * Env: BENCH_RUNS (3), BENCH_DURATION_MS (1000), BENCH_IN_FLIGHT (16), DATABASE_URL.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Authenticator } from '@hearth/actor';
import { generateKeyPair, SignJWT } from 'jose';
import {
  Accounts,
  DEFAULT_ARGON2,
  deviceAuthenticator,
  hashPassword,
  jwtAuthenticator,
  migrate,
  openPglite,
  openPostgres,
  passwordAuthenticator,
  SqlStorage,
  verifyPassword,
  type SqlClient,
} from '../src/index.ts';
import { createPrivateDatabase, pgliteTemplate } from '../src/testing/index.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 1000);
const IN_FLIGHT = Number(process.env['BENCH_IN_FLIGHT'] ?? 16);
const SECRET = 'YmVuY2gtc2VjcmV0LWJlbmNoLXNlY3JldA';
const ctx = { sessionId: 1, remoteAddress: '127.0.0.1:1' };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs `op(i)` with `inFlight` outstanding for `ms`; operations per second. */
async function rate(op: (i: number) => Promise<unknown>, inFlight = IN_FLIGHT, ms = DURATION_MS): Promise<number> {
  let n = 0;
  const t0 = performance.now();
  const end = t0 + ms;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) await op(n++);
    }),
  );
  return Math.round(n / ((performance.now() - t0) / 1000));
}

interface Row {
  name: string;
  engine?: string;
  perSec: number;
  runs: number[];
  note?: string;
}
const rows: Row[] = [];
async function measure(name: string, engine: string | undefined, op: (i: number) => Promise<unknown>, inFlight?: number, note?: string): Promise<void> {
  const runs: number[] = [];
  await rate(op, inFlight, Math.min(200, DURATION_MS)); // warm-up: JIT, prepared statements, caches
  for (let r = 0; r < RUNS; r++) runs.push(await rate(op, inFlight));
  rows.push({ name, ...(engine && { engine }), perSec: median(runs), runs, ...(note && { note }) });
  console.log(`${engine ?? ''} ${name}: ${median(runs)}/s  [${runs.join(', ')}]`);
}

/** argon2id with the default parameters: ms per hash alone, and hashes/s with 4 in flight (libuv pool). */
async function argon2Cost(): Promise<Record<string, number>> {
  const one: number[] = [];
  for (let i = 0; i < 9; i++) {
    const t = performance.now();
    await hashPassword(`password ${i}`);
    one.push(performance.now() - t);
  }
  const phc = await hashPassword('bench password');
  const verifyMs: number[] = [];
  for (let i = 0; i < 9; i++) {
    const t = performance.now();
    await verifyPassword(phc, 'bench password');
    verifyMs.push(performance.now() - t);
  }
  const parallel: number[] = [];
  for (let r = 0; r < RUNS; r++) parallel.push(await rate(() => hashPassword('x password'), 4));
  return {
    hashMsMedian: Math.round(median(one) * 10) / 10,
    verifyMsMedian: Math.round(median(verifyMs) * 10) / 10,
    hashesPerSecFourInFlight: median(parallel),
  };
}

async function engineBench(engine: string, client: SqlClient, raw: (i: number) => Promise<unknown>): Promise<void> {
  await migrate(client);
  const storage = new SqlStorage(client);
  const accounts = new Accounts(storage);
  const device = deviceAuthenticator(accounts);
  // No registration limit here: the bench registers from one address as fast as it can.
  const password = passwordAuthenticator(accounts, { registrations: { perAddress: Infinity } });
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwt = jwtAuthenticator(accounts, { key: publicKey, issuer: 'https://id.bench' });
  const tokens = await Promise.all(
    Array.from({ length: 64 }, (_, i) =>
      new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setIssuer('https://id.bench').setSubject(`sub-${i}`).setExpirationTime('1h').sign(privateKey),
    ),
  );
  const call = (a: Authenticator, c: Record<string, unknown>) => Promise.resolve(a(c, ctx));

  // PGlite's WASM takes a few thousand queries to reach speed (first 1000: ~250/s, later ~1,600/s):
  // warm both engines the same way before anything is measured.
  for (let i = 0; i < 3000; i++) await raw(i);
  await measure('raw driver query loop (SELECT $1::int)', engine, raw);
  // Logins.
  await call(device, { device: 'bench-device-0', secret: SECRET });
  await measure('device login (existing device)', engine, () => call(device, { device: 'bench-device-0', secret: SECRET }));
  let d = 0;
  await measure('device login, new device (guest account created)', engine, () => call(device, { device: `bench-new-${d++}`, secret: SECRET }));
  await password({ register: true, username: 'benchuser', password: 'bench password' }, ctx);
  await measure('password login (argon2id verify)', engine, () => call(password, { username: 'benchuser', password: 'bench password' }), 4);
  let p = 0;
  await measure('password registration (argon2id hash)', engine, () => call(password, { register: true, username: `b${p++}x`, password: 'bench password' }), 4);
  await measure('jwt login (ES256, key)', engine, (i) => call(jwt, { token: tokens[i % tokens.length] }));
  // Storage.
  const users = await Promise.all(Array.from({ length: 64 }, (_, i) => storage.createUser({ displayName: `u${i}` })));
  for (const u of users) await storage.writeObject(u, 'save', 'slot', { hp: 10, items: ['a', 'b'] });
  await measure('storage read (readObject)', engine, (i) => storage.readObject(users[i % 64]!, 'save', 'slot'));
  await measure('storage write (writeObject)', engine, (i) => storage.writeObject(users[i % 64]!, 'save', 'slot', { hp: i, items: ['a', 'b'] }));
  const versions = new Map<string, number>();
  await measure('storage write-if-version (read + conditional write)', engine, async (i) => {
    const u = users[i % 64]!;
    const v = versions.get(u) ?? (await storage.readObject(u, 'save', 'slot'))!.version;
    try {
      versions.set(u, await storage.writeObject(u, 'save', 'slot', { hp: i }, v));
    } catch {
      versions.delete(u); // lost a race with another in-flight write of the same user: reread
    }
  });
  await storage.defineLeaderboard({ id: 'bench', operator: 'best' });
  await measure('leaderboard submitScore', engine, (i) => storage.submitScore('bench', users[i % 64]!, i));
  await measure('leaderboard top 10', engine, () => storage.topScores('bench', 10));
  await measure('leaderboard around me (±5)', engine, (i) => storage.scoresAround('bench', users[i % 64]!, 5));
  await storage.close();
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0]!;
  const argon2 = await argon2Cost();
  console.log('argon2id', DEFAULT_ARGON2, argon2);

  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-pglite-'));
  try {
    const lite = await openPglite(dir, { loadDataDir: await pgliteTemplate() });
    await engineBench('pglite', lite, (i) => lite.query('SELECT $1::int AS x', [i]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const db = await createPrivateDatabase();
  try {
    const pg = openPostgres(db.url, { maxConnections: 8 });
    await engineBench('postgres', pg, (i) => pg.query('SELECT $1::int AS x', [i]));
  } finally {
    await db.drop();
  }

  const out = {
    benchmark: 'storage: logins per authenticator, storage reads/writes per engine, raw driver baseline',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    // The machine is shared: a load average above the core count means other work competed for the CPUs.
    loadAverage1m: { before: Math.round(loadBefore * 10) / 10, after: Math.round(loadavg()[0]! * 10) / 10 },
    config: { runs: RUNS, durationMs: DURATION_MS, inFlight: IN_FLIGHT, passwordInFlight: 4, argon2: DEFAULT_ARGON2 },
    notes: [
      'authenticators called directly (no sockets), IN_FLIGHT logins outstanding (password: 4, the libuv pool size); median of runs',
      'pglite: on disk (the default engine), one connection in this process; postgres: 127.0.0.1:5432 through postgres.js, pool of 8',
      'raw driver query loop: SELECT $1::int on the same client, same in-flight count, as the floor of per-query cost',
      'for scale (published by Nakama): ~500 registrations/s and ~900 logins/s per node',
    ],
    argon2id: argon2,
    rows,
  };
  const file = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bench/results/storage.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

await main();
process.exit(0);
