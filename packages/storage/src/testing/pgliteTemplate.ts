import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../sql/migrate.ts';
import { openPglite, type PgliteClient } from '../sql/PgliteClient.ts';
import { MIGRATIONS } from '../sql/schema.ts';

let template: Promise<Blob> | undefined;

/** The cache file: named by a hash of the schema, so an edited migration never loads a stale dump. */
function cacheFile(): string {
  const schema = createHash('sha256').update(JSON.stringify(MIGRATIONS)).digest('hex').slice(0, 16);
  return join(tmpdir(), `hearth-pglite-template-${schema}.tar`);
}

async function build(file: string): Promise<Blob> {
  const c = await openPglite();
  await migrate(c);
  const blob = await c.dump();
  await c.close();
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, new Uint8Array(await blob.arrayBuffer()));
  renameSync(tmp, file); // atomic: parallel test workers never read half a file
  return blob;
}

/**
 * A migrated, empty PGlite data directory dump, made once per machine (cached in the temp folder,
 * by schema) and once per process: initdb costs 13-16 s on a loaded 2-core machine, a load about 3 s.
 */
export function pgliteTemplate(): Promise<Blob> {
  return (template ??= (async () => {
    const file = cacheFile();
    return existsSync(file) ? new Blob([readFileSync(file)]) : build(file);
  })());
}

/**
 * A fresh in-memory PGlite loaded from {@link pgliteTemplate}: migrated and empty. A cached dump
 * that does not load (another PGlite version made it) is rebuilt once.
 */
export async function openTestPglite(): Promise<PgliteClient> {
  try {
    return await openPglite(undefined, { loadDataDir: await pgliteTemplate() });
  } catch {
    rmSync(cacheFile(), { force: true });
    template = build(cacheFile());
    return openPglite(undefined, { loadDataDir: await template });
  }
}
