/** Reads a process's CPU time, bytes written and RSS from /proc (Linux). */
import { readFileSync } from 'node:fs';

const TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux

export interface ProcSample {
  /** utime + stime, µs. */
  cpuUs: number;
  /** stime alone (time in the kernel: socket reads and writes, loopback delivery), µs. */
  sysUs: number;
  /** Bytes the process wrote through write(2)/writev(2): sockets included (/proc/PID/io wchar). */
  wchar: number;
  /** Resident set, bytes. */
  rss: number;
  /** read(2)-family and write(2)-family system calls so far (/proc/PID/io syscr, syscw). */
  syscr: number;
  syscw: number;
}

export function sample(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: split after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuUs = (Number(fields[11]) + Number(fields[12])) * TICK_US; // fields 14 and 15 of stat
  const sysUs = Number(fields[12]) * TICK_US;
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const wchar = Number(/wchar:\s*(\d+)/.exec(io)?.[1] ?? NaN);
  const syscr = Number(/syscr:\s*(\d+)/.exec(io)?.[1] ?? NaN);
  const syscw = Number(/syscw:\s*(\d+)/.exec(io)?.[1] ?? NaN);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s*(\d+)\s*kB/.exec(status)?.[1] ?? NaN) * 1024;
  return { cpuUs, sysUs, wchar, rss, syscr, syscw };
}

/** The 1-minute load average. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}
