import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../sql/migrate.ts';
import { openPglite, type PgliteClient } from '../sql/PgliteClient.ts';
import { SCHEMA_VERSION } from '../sql/schema.ts';

let template: Promise<Blob> | undefined;

/**
 * A migrated, empty PGlite data directory dump, made once per machine (cached in the temp folder,
 * by schema version) and once per process: initdb costs 13-16 s on a loaded 2-core machine, a load
 * about 3 s.
 */
export function pgliteTemplate(): Promise<Blob> {
  return (template ??= (async () => {
    const file = join(tmpdir(), `hearth-pglite-template-v${SCHEMA_VERSION}.tar`);
    if (existsSync(file)) return new Blob([readFileSync(file)]);
    const c = await openPglite();
    await migrate(c);
    const blob = await c.dump();
    await c.close();
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, new Uint8Array(await blob.arrayBuffer()));
    renameSync(tmp, file); // atomic: parallel test workers never read half a file
    return blob;
  })());
}

/** A fresh in-memory PGlite loaded from {@link pgliteTemplate}: migrated and empty. */
export async function openTestPglite(): Promise<PgliteClient> {
  return openPglite(undefined, { loadDataDir: await pgliteTemplate() });
}
