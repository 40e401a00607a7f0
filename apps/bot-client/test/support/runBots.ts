import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { SwarmSummary } from '../../src/report/summarize.ts';

const BOTS_MAIN = join(import.meta.dirname, '../../src/main.ts');
const FROM_SOURCE = ['--import', 'tsx', '--conditions=@hearth/source'];

/** How a `hearth-bots` process ended. */
export interface BotRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly summary: SwarmSummary;
}

/** A running `hearth-bots` process. */
export interface BotProcess {
  readonly child: ChildProcess;
  /** Resolves when the process has ended by itself; rejects if the hang guard killed it. */
  readonly done: Promise<BotRun>;
  /** Resolves when a line of the bots' stderr matches `pattern` (e.g. `all 20 bots playing`). */
  line(pattern: RegExp): Promise<string>;
}

/**
 * A hang guard, never the expected end: a run ends by itself (`--until`, or every bot failed).
 * Generous: what a busy 2-core machine may need many times over.
 */
export const HANG_GUARD_MS = 240_000;
/** The `--duration` limit for `--until` runs: a goal not met by then fails with a summary saying what is missing. */
export const UNTIL_LIMIT_S = '180';

/**
 * Starts `hearth-bots` from source with `--json` (read back as `summary`) and `--progress off`.
 * The process is killed after {@link HANG_GUARD_MS} and `done` rejects: a failure.
 */
export function startBots(args: readonly string[]): BotProcess {
  const jsonFile = join(mkdtempSync(join(tmpdir(), 'hearth-bots-run-')), 'summary.json');
  const child = spawn(process.execPath, [...FROM_SOURCE, BOTS_MAIN, ...args, '--json', jsonFile, '--progress', 'off'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const waiters = new Set<(line: string) => boolean>();
  const lines: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderr += `${line}\n`;
    lines.push(line);
    for (const w of waiters) if (w(line)) waiters.delete(w);
  });
  let guarded = false;
  const guard = setTimeout(() => {
    guarded = true;
    child.kill('SIGKILL');
  }, HANG_GUARD_MS);
  const done = new Promise<BotRun>((resolve, reject) => {
    child.on('exit', (code) => {
      clearTimeout(guard);
      if (guarded) {
        reject(new Error(`hang guard: hearth-bots did not end within ${HANG_GUARD_MS / 1000} s\n${stderr}`));
        return;
      }
      try {
        resolve({ code, stdout, stderr, summary: JSON.parse(readFileSync(jsonFile, 'utf8')) as SwarmSummary });
      } catch (err) {
        reject(new Error(`hearth-bots exited ${code} without a summary (${(err as Error).message})\n${stdout}\n${stderr}`));
      }
    });
  });
  const line = (pattern: RegExp) =>
    Promise.race([
      new Promise<string>((resolve) => {
        const found = lines.find((l) => pattern.test(l));
        if (found !== undefined) resolve(found);
        else waiters.add((l) => pattern.test(l) && (resolve(l), true));
      }),
      done.then((r) => Promise.reject(new Error(`hearth-bots ended (${r.code}) before a line matching ${pattern}:\n${r.stderr}`))),
    ]);
  return { child, done, line };
}

/** Runs `hearth-bots` to its own end (see {@link startBots}). */
export function runBots(args: readonly string[]): Promise<BotRun> {
  return startBots(args).done;
}
