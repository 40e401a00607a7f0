// What `pnpm dev` and `pnpm dev:cluster` share: child processes in their own process group, log
// lines printed above the bots' live line, server JSON logs made readable, and the bots' output.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const serverMain = `${root}apps/server/dist/main.js`;
export const botsMain = `${root}apps/bot-client/dist/main.js`;
export const tty = process.stdout.isTTY === true;
const { prettyFactory } = createRequire(`${root}apps/server/package.json`)('pino-pretty');
const prettify = prettyFactory({ colorize: tty, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,name', singleLine: true });

// The bottom line (the bots' progress) is redrawn after every log line printed above it.
let status = '';
export function print(text) {
  if (tty && status) process.stdout.write('\r\x1b[2K');
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  if (tty && status) process.stdout.write(status);
}
export function setStatus(line) {
  status = line;
  if (tty) process.stdout.write(`\r\x1b[2K${status}`);
}

/** Children still running; the exit handler kills what is left. */
export const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Spawns a child with piped output; `child.exited` resolves with its exit code or signal. */
export function start(command, args) {
  // Own process group: Ctrl-C reaches only the dev script, which stops the children in order.
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.add(child);
  child.exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve(code ?? signal);
    }),
  );
  child.on('error', () => {}); // reported through `exited`
  return child;
}

/** Starts a server node (JSON logs on stdout); `child.listening` resolves its `listening` record. */
export function startServer(tag, args) {
  const child = start(process.execPath, [serverMain, '--log-format', 'json', ...args]);
  const prefix = tag === '' ? '' : `${tag} `;
  createInterface({ input: child.stderr }).on('line', (line) => print(`${prefix}${line}`));
  child.listening = new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      let rec;
      try {
        rec = JSON.parse(line);
      } catch {
        print(`${prefix}${line}`);
        return;
      }
      print(`${prefix}${prettify(rec).trimEnd()}`);
      if (rec.event === 'listening') resolve(rec);
    });
    child.exited.then((code) => reject(new Error(`${tag || 'the server'} exited (${code}) before listening`)));
  });
  return child;
}

/** Starts the bot client with a live line; its summary and other lines are printed under `tag`. */
export function startBots(tag, args) {
  const child = start(process.execPath, [botsMain, '--duration', '0', '--server-key-file', `${root}.hearth/server.key.pub`, '--progress', 'line', ...args]);
  // The bots print only their summary on stdout, at the end: the live line is over.
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (status !== '') setStatus('');
    print(`${tag} ${line}`);
  });
  // The bots draw their live line as `\r\x1b[2K<line>` (no newline); other stderr output is lines.
  // Writes this small reach the pipe whole, so each chunk is parsed on its own.
  child.stderr.on('data', (chunk) => {
    const parts = chunk.toString().split('\r\x1b[2K');
    for (const [i, part] of parts.entries()) {
      if (i > 0 && part === '') setStatus(''); // a bare clear: the live line ended
      const nl = part.lastIndexOf('\n');
      if (nl >= 0) for (const line of part.slice(0, nl).split('\n')) print(`${tag} ${line}`);
      const rest = part.slice(nl + 1);
      if (rest !== '') setStatus(rest);
    }
  });
  return child;
}
