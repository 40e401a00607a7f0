/** Reads a process's CPU time, bytes written and RSS from /proc (Linux). */
import { readFileSync } from 'node:fs';

const TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux

export interface ProcSample {
  /** utime + stime, µs. */
  cpuUs: number;
  /** Bytes the process wrote through write(2)/writev(2): sockets included (/proc/PID/io wchar). */
  wchar: number;
  /** Resident set, bytes. */
  rss: number;
}

export function sample(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: split after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuUs = (Number(fields[11]) + Number(fields[12])) * TICK_US; // fields 14 and 15 of stat
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const wchar = Number(/wchar:\s*(\d+)/.exec(io)?.[1] ?? NaN);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s*(\d+)\s*kB/.exec(status)?.[1] ?? NaN) * 1024;
  return { cpuUs, wchar, rss };
}

/** The 1-minute load average. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}
