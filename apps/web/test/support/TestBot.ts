import { HearthClient } from '@hearth/client';
import { ChatLine, Join, Move, Snapshot, type JoinReply } from '@hearth/server/messages';

/**
 * A bot of the browser tests: a real client (WebSocket, secure protocol, pinned key) that joins a
 * room, walks a circle around its spawn point and records what it hears: chat lines and the last
 * position of every player of its room.
 */
export class TestBot implements AsyncDisposable {
  readonly client: HearthClient;
  readonly name: string;
  room!: JoinReply;
  readonly chat: Array<{ from: number; name: string; text: string }> = [];
  /** Last position of each player (by pid), from the room's snapshots. */
  readonly positions = new Map<number, { x: number; y: number }>();
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
    bot.client.on(Snapshot, ({ moved }) => {
      for (let i = 0; i + 2 < moved.length; i += 3) bot.positions.set(moved[i]!, { x: moved[i + 1]!, y: moved[i + 2]! });
      bot.#wake();
    });
    await bot.client.connect();
    await bot.client.login({ name });
    bot.room = await bot.client.request(Join, {});
    for (const m of bot.room.members) bot.positions.set(m.pid, { x: m.x, y: m.y });
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

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    clearInterval(this.#walk);
    this.client.close();
  }
}
