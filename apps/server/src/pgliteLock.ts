import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, readSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
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
 * Where {@link lockPgliteDir} is in a take-over of a dead holder's lock (for tests, which interleave
 * two takers at these steps): `stale` (found a holder that is gone), `takeover` (holds
 * `DIR.lock.takeover`), `removed` (the stale lock is gone, its own not yet in place), `created`
 * (its own lock is in place).
 */
export type PgliteLockStep = 'stale' | 'takeover' | 'removed' | 'created';

/** Options of {@link lockPgliteDir}; the defaults are this process. */
export interface PgliteLockOptions {
  /** The id written into the lock. @defaultValue process.pid */
  pid?: number;
  /** Whether the process with this id runs. @defaultValue signal 0 (EPERM: runs, as another user) */
  isAlive?: (pid: number) => boolean;
  /** Called at each step of a take-over (tests). */
  onStep?: (step: PgliteLockStep) => void;
}

/** Take-over attempts before giving up (each lost one means another server started meanwhile). */
const ATTEMPTS = 5;

/**
 * Holds PGlite folder `dir` for this process: `DIR.lock` next to it, with the process id. PGlite
 * itself does not lock its folder, and two processes on one folder corrupt it, so a second
 * `hearth-server` (a second `pnpm dev`) stops with what to do. A lock whose process is gone (a
 * crash, a SIGKILL) is taken over. Returns the release (idempotent; also run at process exit).
 *
 * The lock appears whole (a hard link to a file already written, which fails if one exists), so
 * it is never seen empty. Taking over a dead holder's lock is done holding `DIR.lock.takeover`
 * (made the same way), re-reading the holder under it: only that holder removes a lock not its
 * own, so two servers taking over at once cannot both end up holding the folder.
 *
 * @throws {PgliteLockedError} when a live process holds the folder (or is taking it over).
 */
export function lockPgliteDir(dir: string, options: PgliteLockOptions = {}): () => void {
  const pid = options.pid ?? process.pid;
  const alive = options.isAlive ?? isAlive;
  const step = options.onStep ?? (() => undefined);
  const path = `${dir}.lock`;
  const mutex = `${path}.takeover`;
  mkdirSync(dirname(path), { recursive: true });
  const refuse = (holder: number | undefined) => {
    const near = relative(process.cwd(), dir);
    const shown = near !== '' && !near.startsWith('..') ? near : dir;
    return new PgliteLockedError(
      `the PGlite folder ${shown} is in use by another hearth-server${holder === undefined ? '' : ` (pid ${holder})`}: stop that one, or give this one a folder of its own: --database pglite:${shown}-2`,
    );
  };
  const live = (holder: number | undefined): holder is number => holder !== undefined && holder !== ABSENT && holder !== pid && alive(holder);

  const mine = `${path}.${pid}-${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(mine, `${pid}\n`, { mode: 0o644, flag: 'wx' });
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (linkIfAbsent(mine, path)) return holdUntilRelease(path, pid);
      const holder = holderOf(path);
      if (live(holder)) throw refuse(holder);
      step('stale');
      if (!linkIfAbsent(mine, mutex)) {
        const taker = readLock(mutex);
        if (taker === ABSENT) continue; // its take-over just ended
        if (live(taker)) throw refuse(taker); // it is taking the folder over: it will hold it
        removeIfStill(mutex, taker); // a taker that died mid-take-over
        continue;
      }
      try {
        step('takeover');
        // Under the take-over lock nobody else removes DIR.lock: if it still names a dead (or no)
        // holder, it is that stale lock, or gone; a server starting now can only create it anew.
        const now = readLock(path);
        if (live(now)) throw refuse(now);
        if (now !== ABSENT) removeIfStill(path, now);
        step('removed');
        if (linkIfAbsent(mine, path)) {
          step('created');
          return holdUntilRelease(path, pid);
        }
      } finally {
        if (holderOf(mutex) === pid) unlinkQuietly(mutex);
      }
    }
    throw refuse(holderOf(path)); // lost every attempt to servers starting meanwhile

  } finally {
    unlinkQuietly(mine);
  }
}

/** The release of the lock at `path` held as `pid` (idempotent, also run at process exit). */
function holdUntilRelease(path: string, pid: number): () => void {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    if (holderOf(path) === pid) unlinkQuietly(path);
  };
  process.on('exit', release);
  return release;
}

/** Links `from` as `to` unless `to` exists: the atomic create of a file with its content. */
function linkIfAbsent(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Removes lock file `path` if it still names `holder` (undefined: unreadable or gone). It is moved
 * aside first (atomic), then checked: a lock made meanwhile by another process is put back.
 */
function removeIfStill(path: string, holder: number | undefined): void {
  const aside = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.gone`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (holderOf(aside) !== holder) linkIfAbsent(aside, path);
  unlinkQuietly(aside);
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** No such lock file (see {@link readLock}). */
const ABSENT = -1;

/** The process id in lock file `path`, undefined when it holds none (damaged), {@link ABSENT} when there is no file. */
function readLock(path: string): number | undefined {
  const head = Buffer.alloc(32); // a pid and a newline: anything longer is not ours
  let n: number;
  try {
    const fd = openSync(path, 'r');
    try {
      n = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return ABSENT;
    return undefined; // unreadable: not a lock this server wrote
  }
  const text = head.toString('latin1', 0, n);
  return /^[1-9]\d{0,9}\n?$/.test(text) ? Number(text.trim()) : undefined;
}

/** The process id in lock file `path`, if it holds one (none: damaged or gone). */
function holderOf(path: string): number | undefined {
  const pid = readLock(path);
  return pid === ABSENT ? undefined : pid;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}
