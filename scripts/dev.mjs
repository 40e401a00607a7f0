#!/usr/bin/env node
// `pnpm dev`: the Arena server (in-memory, msgpack+nacl, dev key in .hearth/) and 20 bots playing
// it, with the server's logs made readable by pino-pretty and the bots' live line kept at the
// bottom of the terminal. Ctrl-C stops the bots (they print their summary), then the server.
//
// Environment: HEARTH_DEV_BOTS (20), and every variable the two programs read (HEARTH_TCP_PORT, …).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const root = fileURLToPath(new URL('..', import.meta.url));
const serverMain = `${root}apps/server/dist/main.js`;
const botsMain = `${root}apps/bot-client/dist/main.js`;
const { prettyFactory } = createRequire(`${root}apps/server/package.json`)('pino-pretty');
const tty = process.stdout.isTTY === true;
const prettify = prettyFactory({ colorize: tty, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,name', singleLine: true });
const bots = process.env.HEARTH_DEV_BOTS ?? '20';

// The bottom line (the bots' progress) is redrawn after every log line printed above it.
let status = '';
function print(text) {
  if (tty && status) process.stdout.write('\r\x1b[2K');
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  if (tty && status) process.stdout.write(status);
}
function setStatus(line) {
  status = line;
  if (tty) process.stdout.write(`\r\x1b[2K${status}`);
}

const children = new Set();
function start(name, args) {
  // Own process group: Ctrl-C reaches only this script, which stops the children in order.
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.add(child);
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    children.delete(child);
    resolve(code ?? signal);
  }));
  return child;
}

const server = start('server', [serverMain, '--log-format', 'json', '--protocol', 'msgpack+nacl']);
createInterface({ input: server.stderr }).on('line', (line) => print(`[server] ${line}`));
const listening = new Promise((resolve, reject) => {
  createInterface({ input: server.stdout }).on('line', (line) => {
    let rec;
    try {
      rec = JSON.parse(line);
    } catch {
      print(line);
      return;
    }
    print(prettify(rec));
    if (rec.event === 'listening') resolve(rec);
  });
  server.exited.then((code) => reject(new Error(`the server exited (${code}) before listening`)));
});

let botsChild;
let stopping = false;
async function stop(exitCode = 0) {
  if (stopping) return;
  stopping = true;
  if (botsChild && children.has(botsChild)) {
    botsChild.kill('SIGINT');
    await botsChild.exited;
  }
  setStatus('');
  if (children.has(server)) {
    server.kill('SIGTERM');
    await server.exited;
  }
  process.exit(exitCode);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

let addr;
try {
  addr = await listening;
} catch (err) {
  print(`dev: ${err.message}`);
  process.exit(1);
}
print(`dev: starting ${bots} bots against ${addr.tcp} (Ctrl-C stops bots and server)`);
botsChild = start('bots', [
  botsMain,
  '--url', addr.tcp,
  '--bots', bots,
  '--duration', '0',
  '--ramp', '0',
  '--server-key-file', `${root}.hearth/server.key.pub`,
  '--progress', 'line',
]);
// The bots print only their summary on stdout, at the end: the live line is over.
createInterface({ input: botsChild.stdout }).on('line', (line) => {
  if (status !== '') setStatus('');
  print(`[bots] ${line}`);
});
// The bots draw their live line as `\r\x1b[2K<line>` (no newline); other stderr output is lines.
// Writes this small reach the pipe whole, so each chunk is parsed on its own.
botsChild.stderr.on('data', (chunk) => {
  const parts = chunk.toString().split('\r\x1b[2K');
  for (const [i, part] of parts.entries()) {
    if (i > 0 && part === '') setStatus(''); // a bare clear: the live line ended
    const nl = part.lastIndexOf('\n');
    if (nl >= 0) for (const line of part.slice(0, nl).split('\n')) print(`[bots] ${line}`);
    const rest = part.slice(nl + 1);
    if (rest !== '') setStatus(rest);
  }
});
botsChild.exited.then((code) => {
  if (!stopping) {
    print(`dev: the bots exited (${code}); the server keeps running, Ctrl-C stops it`);
    setStatus('');
  }
});
server.exited.then((code) => {
  if (!stopping) {
    print(`dev: the server exited (${code})`);
    void stop(1);
  }
});
