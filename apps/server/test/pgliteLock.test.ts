import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockPgliteDir, PgliteLockedError, type PgliteLockStep } from '../src/pgliteLock.ts';

// Several "processes" in one test: each taker has its own pid, and the liveness check says which
// pids run. Two takers are interleaved at the lock's steps by its hook, never by timing.
const DEAD = 999_999_001;
const A = 999_999_002;
const B = 999_999_003;
const running = new Set([A, B]);
const isAlive = (pid: number) => running.has(pid);

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));
/** A PGlite folder path whose lock is `content` (none: no lock). */
function folder(content?: string): { dir: string; path: string } {
  root = mkdtempSync(join(tmpdir(), 'hearth-pglite-lock-'));
  const dir = join(root, 'pglite');
  if (content !== undefined) writeFileSync(`${dir}.lock`, content);
  return { dir, path: `${dir}.lock` };
}
const files = () => readdirSync(root).sort();

type Outcome = 'owns' | PgliteLockedError;
function take(dir: string, pid: number, onStep?: (step: PgliteLockStep) => void): { outcome: Outcome; release: () => void } {
  try {
    return { outcome: 'owns', release: lockPgliteDir(dir, { pid, isAlive, ...(onStep && { onStep }) }) };
  } catch (err) {
    if (err instanceof PgliteLockedError) return { outcome: err, release: () => undefined };
    throw err;
  }
}

/** A takes over the dead holder's lock; at A's step `at`, B tries (all of its steps). */
function race(at: PgliteLockStep) {
  const { dir, path } = folder(`${DEAD}\n`);
  let b: ReturnType<typeof take> | undefined;
  const a = take(dir, A, (step) => {
    if (step === at && b === undefined) b = take(dir, B);
  });
  expect(b, `A never reached "${at}"`).toBeDefined();
  return { a, b: b!, path };
}

describe("lockPgliteDir: two servers taking over a dead holder's lock at once", () => {
  it.each([
    // B completes first: it holds the take-over lock, finds the stale one, replaces it; A then finds B.
    ['stale', B],
    // A holds the take-over lock: B is refused naming A, which is about to hold the folder.
    ['takeover', A],
    // The stale lock is gone, A's not in place: B creates its own (a plain start); A then finds B.
    ['removed', B],
    // A holds it.
    ['created', A],
  ] as const)('B runs at A\'s "%s" step: exactly one holds the folder (%i), the other is refused naming it', (at, winner) => {
    const { a, b, path } = race(at);
    const [won, lost] = winner === A ? [a, b] : [b, a];
    expect(won.outcome).toBe('owns');
    expect(lost.outcome).toBeInstanceOf(PgliteLockedError);
    expect((lost.outcome as Error).message).toContain(`(pid ${winner})`);
    expect(readFileSync(path, 'utf8')).toBe(`${winner}\n`);
    expect(files()).toEqual(['pglite.lock']); // no take-over lock, no temporary file left
    lost.release();
    expect(files()).toEqual(['pglite.lock']); // the loser's release leaves the winner's lock
    won.release();
    won.release(); // idempotent
    expect(files()).toEqual([]);
  });

  it('a take-over lock left by a server that died mid-take-over is removed, and the folder taken', () => {
    const { dir, path } = folder(`${DEAD}\n`);
    writeFileSync(`${path}.takeover`, `${DEAD + 100}\n`);
    const a = take(dir, A);
    expect(a.outcome).toBe('owns');
    expect(readFileSync(path, 'utf8')).toBe(`${A}\n`);
    expect(files()).toEqual(['pglite.lock']);
    a.release();
  });

  it('a damaged lock (not a pid) is taken over; a live holder, or a live taker, refuses', () => {
    for (const junk of ['', 'x\n', '0x10\n', '1e3\n', `${'9'.repeat(40)}\n`, '-5\n']) {
      const { dir, path } = folder(junk);
      const a = take(dir, A);
      expect(a.outcome, JSON.stringify(junk)).toBe('owns');
      expect(readFileSync(path, 'utf8')).toBe(`${A}\n`);
      a.release();
      rmSync(root, { recursive: true, force: true });
    }
    const held = folder(`${B}\n`);
    expect(take(held.dir, A).outcome).toMatchObject({ message: expect.stringMatching(/is in use by another hearth-server \(pid 999999003\): stop that one, or give this one a folder of its own: --database pglite:.+-2$/) as unknown });
    expect(readFileSync(held.path, 'utf8')).toBe(`${B}\n`);
    rmSync(root, { recursive: true, force: true });
    const taking = folder(`${DEAD}\n`);
    writeFileSync(`${taking.path}.takeover`, `${B}\n`); // B is mid-take-over
    expect(take(taking.dir, A).outcome).toMatchObject({ message: expect.stringContaining('(pid 999999003)') as unknown });
    expect(files()).toEqual(['pglite.lock', 'pglite.lock.takeover']);
  });

  it('a free folder: the lock is made whole (the pid is in it as soon as it exists), and released', () => {
    const { dir, path } = folder();
    const a = take(dir, A);
    expect(readFileSync(path, 'utf8')).toBe(`${A}\n`);
    expect(take(dir, B).outcome).toBeInstanceOf(PgliteLockedError);
    a.release();
    expect(take(dir, B).outcome).toBe('owns');
  });
});
