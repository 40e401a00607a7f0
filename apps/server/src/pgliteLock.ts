import { mkdirSync, openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

/** A second server on a PGlite folder another live server holds (PGlite has one process per folder). */
export class PgliteLockedError extends Error {
  override readonly name = 'PgliteLockedError';
}

/** The PGlite folder `--database` names (the default `.hearth/pglite` when undefined); undefined for PostgreSQL and `memory:`. */
export function pgliteDirOf(database: string | undefined, defaultDir: string): string | undefined {
  if (database === undefined || database === '') return resolve(defaultDir);
  if (database.startsWith('pglite:') && database.length > 7) return resolve(database.slice(7));
  return undefined;
}

/**
 * Holds PGlite folder `dir` for this process: `DIR.lock` next to it, with the process id. PGlite
 * itself does not lock its folder, and two processes on one folder corrupt it, so a second
 * `hearth-server` (a second `pnpm dev`) stops with what to do. A lock whose process is gone (a
 * crash, a SIGKILL) is taken over. Returns the release (idempotent; also run at process exit).
 *
 * @throws {PgliteLockedError} when a live process holds the folder.
 */
export function lockPgliteDir(dir: string): () => void {
  const path = `${dir}.lock`;
  mkdirSync(dirname(path), { recursive: true });
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const holder = holderOf(path);
    const near = relative(process.cwd(), dir);
    const shown = near !== '' && !near.startsWith('..') ? near : dir;
    if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
      throw new PgliteLockedError(
        `the PGlite folder ${shown} is in use by another hearth-server (pid ${holder}): stop that one, or give this one a folder of its own: --database pglite:${shown}-2`,
      );
    }
    unlinkSync(path); // the holder is gone
    fd = openSync(path, 'wx', 0o644); // EEXIST again: another server took it meanwhile (rare): thrown
  }
  writeSync(fd, `${process.pid}\n`);
  closeSync(fd);
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    try {
      if (holderOf(path) === process.pid) unlinkSync(path);
    } catch {
      // already gone
    }
  };
  process.on('exit', release);
  return release;
}

/** The process id in lock file `path`, if it holds one. */
function holderOf(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}
