import { HearthClient, type RoomOf } from '@hearth/client';
import { ChatLine, Move, WhereAmI } from '@hearth/server/messages';
import { ArenaKind } from '../../src/game/arenaKind.ts';

/**
 * A bot of the browser tests: a real client (WebSocket, secure protocol, pinned key) that joins a
 * room (`joinOrCreate`), walks a circle around its spawn point and records what it hears: chat
 * lines and the last position of every player of its room (from the room's mirrored state).
 */
export class TestBot implements AsyncDisposable {
  readonly client: HearthClient;
  readonly name: string;
  /** The room joined and your player number there. */
  room!: { room: string; you: number; x: number; y: number };
  readonly chat: Array<{ from: number; name: string; text: string }> = [];
  /** Last position of each player (by pid), from the room's state. */
  readonly positions = new Map<number, { x: number; y: number }>();
  readonly #waiters = new Set<() => void>();
  #handle: RoomOf<typeof ArenaKind> | undefined;
  #walk: NodeJS.Timeout | undefined;

  private constructor(client: HearthClient, name: string) {
    this.client = client;
    this.name = name;
  }

  static async join(ws: string, serverKey: string, name: string): Promise<TestBot> {
    const bot = new TestBot(new HearthClient({ url: ws, serverKey }), name);
    await bot.client.connect();
    await bot.client.login({ name });
    const handle = await bot.client.joinOrCreate(ArenaKind);
    bot.#handle = handle;
    handle.on(ChatLine, (line) => {
      bot.chat.push(line);
      bot.#wake();
    });
    handle.onStateChange(() => bot.#read());
    const me = await handle.request(WhereAmI, {});
    bot.room = { room: me.roomId, you: me.pid, x: me.x, y: me.y };
    bot.#read();
    return bot;
  }

  /** Walks a circle of `radius` around where it joined (one move per 50 ms, ~80 units/s). */
  walk(radius = 40): void {
    const home = { x: this.room.x, y: this.room.y };
    let step = 0;
    this.#walk = setInterval(() => {
      step++;
      const a = step * 0.1;
      this.#handle?.send(Move, { x: Math.round(home.x + radius * Math.sin(a)), y: Math.round(home.y - radius + radius * Math.cos(a)) });
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

  #read(): void {
    for (const [pid, p] of this.#handle?.state?.players ?? []) this.positions.set(pid, { x: p.x, y: p.y });
    this.#wake();
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  [Symbol.asyncDispose](): Promise<void> {
    clearInterval(this.#walk);
    this.client.close();
    return Promise.resolve();
  }
}
