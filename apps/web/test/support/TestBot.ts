import { HearthClient } from '@hearth/client';
import { ArenaState, ChatLine, FullState, Join, Move, StatePatch, type JoinReply } from '@hearth/server/messages';
import { Mirror } from '@hearth/state';

/**
 * A bot of the browser tests: a real client (WebSocket, secure protocol, pinned key) that joins a
 * room, walks a circle around its spawn point and records what it hears: chat lines and the last
 * position of every player of its room (from its mirror of the room's state).
 */
export class TestBot implements AsyncDisposable {
  readonly client: HearthClient;
  readonly name: string;
  room!: JoinReply;
  readonly chat: Array<{ from: number; name: string; text: string }> = [];
  /** Last position of each player (by pid), from the room's state. */
  readonly positions = new Map<number, { x: number; y: number }>();
  readonly #mirror = new Mirror(ArenaState);
  readonly #waiters = new Set<() => void>();
  #walk: NodeJS.Timeout | undefined;

  private constructor(client: HearthClient, name: string) {
    this.client = client;
    this.name = name;
  }

  static async join(ws: string, serverKey: string, name: string): Promise<TestBot> {
    const bot = new TestBot(new HearthClient({ url: ws, serverKey }), name);
    bot.client.on(ChatLine, (line) => {
      bot.chat.push(line);
      bot.#wake();
    });
    // Patches before the join reply's full state are kept and applied after it (old ones are ignored).
    const early: Uint8Array[] = [];
    bot.client.on(StatePatch, (bytes) => {
      if (bot.#mirror.state === undefined) early.push(bytes);
      else bot.#apply(bytes);
    });
    await bot.client.connect();
    await bot.client.login({ name });
    bot.room = await bot.client.request(Join, {});
    bot.#mirror.apply(bot.room.state);
    for (const bytes of early.splice(0)) bot.#apply(bytes);
    bot.#read();
    return bot;
  }

  /** Walks a circle of `radius` around where it stands (one move per 50 ms, ~80 units/s). */
  walk(radius = 40): void {
    const home = this.positions.get(this.room.you)!;
    let step = 0;
    this.#walk = setInterval(() => {
      step++;
      const a = step * 0.1;
      this.client.send(Move, { x: Math.round(home.x + radius * Math.sin(a)), y: Math.round(home.y - radius + radius * Math.cos(a)) });
    }, 50);
  }

  /** Resolves once `check()` holds (checked after every push received). */
  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = () => {
        if (!check()) return;
        this.#waiters.delete(waiter);
        resolve();
      };
      this.#waiters.add(waiter);
    });
  }

  #apply(bytes: Uint8Array): void {
    try {
      if (this.#mirror.apply(bytes) === 'old') return;
    } catch (err) {
      if (!this.#mirror.stale) throw err;
      void this.client.request(FullState, {}).then((full) => {
        this.#mirror.apply(full);
        this.#read();
      });
      return;
    }
    this.#read();
  }

  #read(): void {
    for (const [pid, p] of this.#mirror.state!.players) this.positions.set(pid, { x: p.x, y: p.y });
    this.#wake();
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    clearInterval(this.#walk);
    this.client.close();
  }
}
