/**
 * maxConnections defaults to what the process may open: a server started under `ulimit -n 256`
 * refuses the connections past it with SERVER_FULL (instead of failing accept with EMFILE), and
 * keeps serving.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ErrorCode } from '@hearth/protocol';
import { expect, it } from 'vitest';
import { RESERVED_FILE_DESCRIPTORS } from '../../src/index.ts';
import { Add, closeClients, dialClient } from '../helpers.ts';
import { rawSocket } from './rawSockets.ts';

it.skipIf(process.platform === 'win32')('under ulimit -n 256 the default maxConnections leaves room and refuses SERVER_FULL', { timeout: 60_000 }, async () => {
  const script = fileURLToPath(new URL('./fixtures/fdLimitServer.ts', import.meta.url));
  const child = spawn('/bin/sh', ['-c', `ulimit -n 256 && exec "${process.execPath}" --import tsx --conditions=@hearth/source "${script}"`], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, HEARTH_NET_LOG: '0' },
  });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout });
  // An iterator buffers lines that arrive together (a `once('line')` between them would lose one).
  const lineIterator = lines[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const line = await lineIterator.next();
    if (line.done === true) throw new Error('the fd-limit server closed its output');
    return line.value;
  };
  const hello = JSON.parse(await next()) as { address: string; maxConnections: number; fds: number };
  expect(hello.fds).toBe(256);
  expect(hello.maxConnections).toBe(256 - RESERVED_FILE_DESCRIPTORS);
  const sockets: Socket[] = [];
  try {
    // More silent connections than maxConnections: the ones past it are refused (and closed), the
    // server does not run out of descriptors. A few more than the limit, not more than the fd limit:
    // the client connects faster than a loaded server closes refused sockets, and connections the
    // server could not accept (EMFILE) would wait in the backlog and never be counted.
    const total = hello.maxConnections + 8;
    for (let i = 0; i < total; i++) {
      const s = await rawSocket(hello.address);
      s.resume();
      sockets.push(s);
    }
    let stats: { closedByCode: Record<string, number>; connections: number; accepted: number };
    do {
      child.stdin.write('stats\n');
      stats = JSON.parse(await next()) as typeof stats;
    } while (stats.accepted < total);
    expect(stats.closedByCode[ErrorCode.SERVER_FULL]).toBe(total - hello.maxConnections);
    for (const s of sockets) s.destroy();
    do {
      child.stdin.write('stats\n');
      stats = JSON.parse(await next()) as typeof stats;
    } while (stats.connections > 0);
    // Still serving.
    const client = await dialClient(hello.address);
    await expect(client.request(Add, { a: 2, b: 3 })).resolves.toBe(5);
  } finally {
    for (const s of sockets) s.destroy();
    closeClients();
    child.stdin.end();
    await exited;
  }
  expect(child.exitCode).toBe(0);
});
