/**
 * The game's physical floor (bench only): the same game as Arena and Colyseus on a bare node:net
 * server with as little JavaScript as it can have. No handshake, no auth, no protocol beyond
 * length-prefixed msgpack frames (rawFrames.ts):
 * - a client is seated on arrival in the newest room with a free seat (rooms of 16, seats never
 *   refilled), its id its seat (0–15); it gets `[id, x, y, [[id, x, y], …]]` (itself, then the room);
 * - a move is `[x, y]`, checked like Arena's (integers on the 1000×1000 plane): anything else, or a
 *   frame over 64 bytes, ends that client's socket;
 * - each room ticks at 20 Hz: the players that moved since the last tick are encoded once,
 *   `[[id, x, y], …]`, and that one buffer is written to every member (one `socket.write` each);
 *   no change, no frame (as Colyseus' patches).
 * Forked by stacks.ts: `rawServer.ts PORT`; tells its parent `{ type: 'ready' }` once it listens.
 */
import { Decoder, Encoder } from '@msgpack/msgpack';
import { createServer, type Socket } from 'node:net';
import { FrameReader, frame } from './rawFrames.ts';

const ROOM_SIZE = 16;
const TICK_MS = 50;
const WORLD = 1000;
const MAX_MOVE_FRAME = 64;
/** A client whose unsent backlog passes this is too slow to keep: its socket is ended. */
const MAX_BACKLOG = 256 * 1024;

const encoder = new Encoder();
const decoder = new Decoder({ maxStrLength: 0, maxBinLength: 0, maxArrayLength: 2, maxMapLength: 0, maxExtLength: 0 });
const isCoord = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= WORLD;

class RawRoom {
  readonly members: (Socket | undefined)[] = [];
  readonly xs = new Uint16Array(ROOM_SIZE);
  readonly ys = new Uint16Array(ROOM_SIZE);
  readonly changed = new Uint8Array(ROOM_SIZE);
  #live = 0;
  readonly #timer = setInterval(() => this.#tick(), TICK_MS);

  get full(): boolean {
    return this.members.length === ROOM_SIZE;
  }

  seat(socket: Socket): number {
    const id = this.members.length;
    this.members.push(socket);
    this.#live += 1;
    this.xs[id] = 100 + Math.floor(Math.random() * 800);
    this.ys[id] = 100 + Math.floor(Math.random() * 800);
    this.changed[id] = 1;
    const all: [number, number, number][] = [];
    for (let i = 0; i < this.members.length; i++) if (this.members[i] !== undefined) all.push([i, this.xs[i]!, this.ys[i]!]);
    socket.write(frame(encoder.encodeSharedRef([id, this.xs[id], this.ys[id], all])));
    return id;
  }

  leave(id: number): void {
    this.members[id] = undefined;
    this.changed[id] = 0;
    if (--this.#live === 0 && this.full) clearInterval(this.#timer);
  }

  #tick(): void {
    const entries: [number, number, number][] = [];
    for (let i = 0; i < this.members.length; i++) {
      if (this.changed[i] === 0) continue;
      this.changed[i] = 0;
      entries.push([i, this.xs[i]!, this.ys[i]!]);
    }
    if (entries.length === 0) return;
    const out = frame(encoder.encodeSharedRef(entries));
    for (const s of this.members) {
      if (s === undefined) continue;
      if (s.writableLength > MAX_BACKLOG) s.destroy();
      else s.write(out);
    }
  }
}

let room: RawRoom | undefined;

function admit(socket: Socket): void {
  if (room === undefined || room.full) room = new RawRoom();
  const r = room;
  const id = r.seat(socket);
  const reader = new FrameReader(MAX_MOVE_FRAME);
  const onMove = (body: Buffer): void => {
    if (socket.destroyed) return;
    let m: unknown;
    try {
      m = decoder.decode(body);
    } catch {
      m = undefined;
    }
    if (!Array.isArray(m) || m.length !== 2 || !isCoord(m[0]) || !isCoord(m[1])) {
      socket.destroy();
      return;
    }
    r.xs[id] = m[0];
    r.ys[id] = m[1];
    r.changed[id] = 1;
  };
  socket.on('data', (chunk: Buffer) => {
    if (!reader.push(chunk, onMove)) socket.destroy();
  });
  socket.on('error', () => undefined);
  socket.once('close', () => r.leave(id));
}

const port = Number(process.argv[2]);
const server = createServer({ noDelay: true }, admit);
server.listen(port, '127.0.0.1', () => process.send?.({ type: 'ready' }));
process.once('SIGTERM', () => process.exit(0));
