import type { HearthClient } from '@hearth/client';
import { Chat, ChatLine, FullState, Join, Leaderboard, MemberJoined, MemberLeft, Move, Rejected, StatePatch, Tag, Tagged } from '@hearth/server/messages';
import type { ArenaModel } from './ArenaModel.ts';
import { StateSync } from './stateSync.ts';

/** What the page's controls ask of the game, whatever carries it. */
export interface GameLink {
  /** Joins a room; the model then holds it. */
  join(): Promise<void>;
  /** Sends your new position (integers, on the plane). */
  move(x: number, y: number): void;
  chat(text: string): boolean;
  /** Tags player `pid`; resolves your new score. @throws {HearthError} `ARENA_TOO_FAR`, … */
  tag(pid: number): Promise<number>;
  leaderboard(top: number): Promise<Array<{ name: string; score: number }>>;
  /** Stops writing into the model. */
  detach(): void;
}

/**
 * Arena's messages (`@hearth/server/messages`) decoded into the {@link ArenaModel}: positions and
 * scores from the room's synchronised state (the join reply's full state, then `arena.state`
 * patches, see `stateSync.ts`); joins, leaves, chat and tags from their pushes. With `stateSync.ts`, the only code of the page that
 * knows the wire messages.
 */
export function arenaFeed(client: HearthClient, model: ArenaModel, now: () => number = () => performance.now()): GameLink {
  let sync: StateSync | undefined;
  let recovering = false;
  const off = [
    client.on(StatePatch, (bytes) => {
      if (sync === undefined || recovering || sync.apply(bytes, now())) return;
      // A patch was missed (a drop the resume could not fill): the full state again, then patches.
      recovering = true;
      const current = sync;
      client.request(FullState, {}).then(
        (full) => {
          recovering = false;
          if (sync === current) current.apply(full, now());
        },
        () => (recovering = false),
      );
    }),
    client.on(MemberJoined, (m) => model.joined(m)),
    client.on(MemberLeft, ({ pid }) => model.left(pid)),
    client.on(ChatLine, ({ from, name, text }) => model.chatLine(from, name, text)),
    client.on(Tagged, ({ by, target, score }) => model.tagged(by, target, score, now())),
    client.on(Rejected, ({ code, x, y }) => {
      if (x !== undefined && y !== undefined) model.corrected(x, y);
      else model.notice(code);
    }),
  ];
  return {
    async join() {
      const reply = await client.request(Join, {});
      model.enterRoom(reply.room, reply.you, reply.members);
      sync = new StateSync(model, reply.state, now());
    },
    move: (x, y) => void client.send(Move, { x, y }),
    chat: (text) => client.send(Chat, { text }),
    tag: async (pid) => (await client.request(Tag, { target: pid })).score,
    leaderboard: async (top) => (await client.request(Leaderboard, { top })).entries,
    detach: () => off.forEach((f) => f()),
  };
}
