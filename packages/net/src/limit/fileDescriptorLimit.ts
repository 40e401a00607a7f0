import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let cached: { value: number | undefined } | undefined;

/**
 * The process's soft limit on open file descriptors (`ulimit -n`), or undefined when unknown or
 * unlimited. Node has no getrlimit: Linux reads `/proc/self/limits`; elsewhere `sh -c 'ulimit -n'`
 * is asked once (a child inherits the limit). Read once per process.
 */
export function fileDescriptorLimit(): number | undefined {
  cached ??= { value: readLimit() };
  return cached.value;
}

/** Parses the "Max open files" soft limit of a `/proc/<pid>/limits` text. */
export function parseProcLimits(text: string): number | undefined {
  const m = /^Max open files\s+(\S+)/m.exec(text);
  return m === null ? undefined : toLimit(m[1]!);
}

function readLimit(): number | undefined {
  if (process.platform === 'linux') {
    try {
      return parseProcLimits(readFileSync('/proc/self/limits', 'utf8'));
    } catch {
      // no /proc (a container without it): ask the shell
    }
  }
  if (process.platform === 'win32') return undefined;
  try {
    const out = spawnSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8', timeout: 2_000 });
    return out.status === 0 ? toLimit(out.stdout.trim()) : undefined;
  } catch {
    return undefined;
  }
}

function toLimit(text: string): number | undefined {
  const n = Number(text);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
