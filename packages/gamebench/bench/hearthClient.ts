/**
 * A lean Arena client on `@hearth/client`: login (`--auth dev`), join, moves; it reads its own
 * position from each room update (`arena.state` patches applied to a `Mirror(ArenaState)`).
 */
import { HearthClient, HearthError, type TrafficStats } from '@hearth/client';
import { ArenaState, FullState, Join, Move, StatePatch } from '@hearth/server/messages';
import { Mirror } from '@hearth/state';
import { countError, type DriverCounters, type GameClient } from './GameClient.ts';
import type { DriverJob } from './ipc.ts';
import { Player } from './Player.ts';

export class HearthGameClient implements GameClient {
  readonly #client: HearthClient;
  readonly #c: DriverCounters;
  readonly #index: number;
  #player: Player | undefined;
  #pid = -1;
  #mirror: Mirror<typeof ArenaState> | undefined;
  #resyncing = false;
  #open = false;

  constructor(job: DriverJob, index: number, counters: DriverCounters, traffic: TrafficStats) {
    this.#c = counters;
    this.#index = index;
    this.#client = new HearthClient({
      url: job.url,
      protocol: job.protocol ?? 'msgpack',
      ...(job.serverKey !== undefined ? { serverKey: job.serverKey } : {}),
      stats: traffic,
      reconnect: false,
      requestTimeoutMs: 60_000,
      handshakeTimeoutMs: 60_000,
    });
    this.#client.on(StatePatch, (bytes) => this.#patch(bytes));
    this.#client.on('closed', ({ code }) => {
      if (this.#open) countError(this.#c, `closed:${code}`);
      this.#open = false;
    });
  }

  get playing(): boolean {
    return this.#open;
  }

  async join(): Promise<Player> {
    try {
      await this.#client.connect();
      await this.#client.login({ name: `gb-${this.#index}` });
      const reply = await this.#client.request(Join, {});
      this.#pid = reply.you;
      const me = reply.members.find((m) => m.pid === reply.you);
      this.#mirror = new Mirror(ArenaState);
      this.#mirror.apply(reply.state);
      this.#player = new Player(me?.x ?? 500, me?.y ?? 500, this.#index);
      this.#open = true;
      return this.#player;
    } catch (err) {
      throw new Error(err instanceof HearthError ? err.code : (err as Error).message);
    }
  }

  move(x: number, y: number): void {
    if (this.#client.send(Move, { x, y })) this.#c.movesSent += 1;
  }

  close(): void {
    this.#open = false;
    this.#client.close();
  }

  #patch(bytes: Uint8Array): void {
    this.#c.updates += 1;
    const mirror = this.#mirror;
    const player = this.#player;
    if (mirror === undefined || player === undefined || this.#resyncing) return;
    try {
      if (mirror.apply(bytes) === 'old') return;
    } catch (err) {
      if (!mirror.stale) throw err;
      countError(this.#c, 'STATE_SEQ_GAP');
      this.#resyncing = true;
      void this.#client.request(FullState, {}).then(
        (full) => {
          mirror.apply(full);
          this.#resyncing = false;
        },
        () => countError(this.#c, 'FULL_STATE_FAILED'),
      );
      return;
    }
    const me = mirror.state?.players.get(this.#pid);
    if (me !== undefined) player.seen(me.x, me.y, performance.now(), this.#c.delays);
  }
}
