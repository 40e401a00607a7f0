/**
 * The raw floor's player (rawServer.ts): a bare node:net socket, length-prefixed msgpack frames.
 * It reads its id and start position from the welcome frame, sends `[x, y]` moves, and finds its
 * own entry in each room update (`[[id, x, y], …]`) to time the move that put it there.
 */
import { Decoder, Encoder } from '@msgpack/msgpack';
import { connect, type Socket } from 'node:net';
import { countError, type DriverCounters, type GameClient } from './GameClient.ts';
import type { DriverJob } from './ipc.ts';
import { Player } from './Player.ts';
import { FrameReader, frame } from './rawFrames.ts';

/** The largest frame a client takes: a room update of 16 players is under 200 bytes. */
const MAX_UPDATE_FRAME = 64 * 1024;
const encoder = new Encoder();
const decoder = new Decoder();

type Entry = [number, number, number];

function parseAddress(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}

export class RawGameClient implements GameClient {
  readonly #job: DriverJob;
  readonly #c: DriverCounters;
  readonly #index: number;
  readonly #reader = new FrameReader(MAX_UPDATE_FRAME);
  #socket: Socket | undefined;
  #player: Player | undefined;
  #id = -1;
  #open = false;

  constructor(job: DriverJob, index: number, counters: DriverCounters) {
    this.#job = job;
    this.#c = counters;
    this.#index = index;
  }

  get playing(): boolean {
    return this.#open;
  }

  join(): Promise<Player> {
    return new Promise<Player>((resolve, reject) => {
      const socket = connect({ ...parseAddress(this.#job.url), noDelay: true });
      this.#socket = socket;
      socket.once('error', (err) => reject(err));
      socket.once('close', () => {
        if (this.#open) countError(this.#c, 'closed');
        this.#open = false;
        reject(new Error('closed before the welcome'));
      });
      socket.on('data', (chunk: Buffer) => {
        const ok = this.#reader.push(chunk, (body) => {
          const m = decoder.decode(body) as unknown[];
          if (this.#player === undefined) {
            this.#id = m[0] as number;
            this.#player = new Player(m[1] as number, m[2] as number, this.#index);
            this.#open = true;
            resolve(this.#player);
          } else this.#update(m as Entry[]);
        });
        if (!ok) socket.destroy(new Error('frame too large'));
      });
    });
  }

  #update(entries: Entry[]): void {
    this.#c.updates += 1;
    for (const e of entries) {
      if (e[0] === this.#id) {
        this.#player!.seen(e[1], e[2], performance.now(), this.#c.delays);
        return;
      }
    }
  }

  move(x: number, y: number): void {
    if (!this.#open) return;
    this.#socket!.write(frame(encoder.encodeSharedRef([x, y])));
    this.#c.movesSent += 1;
  }

  close(): void {
    this.#open = false;
    this.#socket?.destroy();
  }
}
