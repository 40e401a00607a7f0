/**
 * The same player on Colyseus 0.16's own client (`colyseus.js`, its defaults): `joinOrCreate('game')`
 * and `room.send('move', { x, y })`; its own position is read from the decoded state after each patch.
 */
import { Client, type Room } from 'colyseus.js';
import { countError, type DriverCounters, type GameClient } from './GameClient.ts';
import type { DriverJob } from './ipc.ts';
import { Player } from './Player.ts';

export interface PlayerView {
  x: number;
  y: number;
}
interface GameView {
  players: { get(key: string): PlayerView | undefined };
}

export class ColyseusGameClient implements GameClient {
  readonly #client: Client;
  readonly #c: DriverCounters;
  readonly #index: number;
  #room: Room<GameView> | undefined;
  #player: Player | undefined;
  #open = false;

  constructor(job: DriverJob, index: number, counters: DriverCounters) {
    this.#client = new Client(job.url);
    this.#c = counters;
    this.#index = index;
  }

  get playing(): boolean {
    return this.#open;
  }

  async join(): Promise<Player> {
    const room = await this.#client.joinOrCreate<GameView>('game', {});
    this.#room = room;
    room.onLeave((code) => {
      if (this.#open) countError(this.#c, `left:${code}`);
      this.#open = false;
    });
    const player = await new Promise<Player>((resolve) => {
      room.onStateChange((state) => {
        const me = state.players.get(room.sessionId);
        if (me === undefined) return;
        const p = this.#player;
        if (p === undefined) {
          this.#player = new Player(me.x, me.y, this.#index);
          resolve(this.#player);
          return;
        }
        this.#c.updates += 1;
        p.seen(me.x, me.y, performance.now(), this.#c.delays);
      });
    });
    this.#open = true;
    return player;
  }

  move(x: number, y: number): void {
    if (this.#room === undefined || !this.#open) return;
    this.#room.send('move', { x, y });
    this.#c.movesSent += 1;
  }

  close(): void {
    this.#open = false;
    void this.#room?.leave(true).catch(() => undefined);
  }
}
