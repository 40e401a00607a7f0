#!/usr/bin/env node
// `node scripts/lib/initPglite.mjs DIR`: creates an empty PGlite database in DIR (PostgreSQL's
// initdb, compiled to WASM: the slow part of a first start, ~20 s on a busy 2-core machine), so that
// `pnpm dev` can do it while turbo builds. The server migrates it at start. Made in a sibling
// folder and renamed into place: an interrupted run leaves no half-made DIR behind.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

const dir = resolve(process.argv[2] ?? `${root}.hearth/pglite`);
if (existsSync(dir)) process.exit(0);
// The storage package's own PGlite (its pinned version): it is not built yet, its dependency is installed.
const entry = createRequire(`${root}packages/storage/package.json`).resolve('@electric-sql/pglite');
const { PGlite } = await import(pathToFileURL(entry).href);
const tmp = `${dir}.init-${process.pid}`;
mkdirSync(dirname(dir), { recursive: true });
// What a killed earlier run left (Ctrl-C during the build).
for (const name of readdirSync(dirname(dir))) {
  if (name.startsWith(`${basename(dir)}.init-`)) rmSync(join(dirname(dir), name), { recursive: true, force: true });
}
try {
  const db = await PGlite.create({ dataDir: tmp });
  await db.close();
  if (!existsSync(dir)) renameSync(tmp, dir);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
