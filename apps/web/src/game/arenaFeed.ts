import { HearthError, type CloseInfo, type HearthClient, type RoomOf } from '@hearth/client';
import { Chat, ChatLine, Leaderboard, MemberJoined, MemberLeft, Move, Rejected, Tag, Tagged, WhereAmI } from '@hearth/server/messages';
import { ArenaKind } from './arenaKind.ts';
import type { ArenaModel } from './ArenaModel.ts';
import { roomSilent } from './roomLoss.ts';
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
  /** Asks the room where you are: a room whose node stopped answering is then given up (`roomLost`). */
  probe(): Promise<void>;
  /** The room handle, while in a room (the console, the browser tests). */
  readonly room: RoomOf<typeof ArenaKind> | undefined;
  /** Stops writing into the model. */
  detach(): void;
}

/** Options of {@link arenaFeed}. */
export interface FeedOptions {
  /** @defaultValue performance.now */
  now?: () => number;
  /**
   * The room ended under the page (not by `detach`): the handle's end code (`ROOM_DISPOSED`,
   * `KICKED`, …, or the client's final code), or `ROOM_UNREACHABLE`/`TIMEOUT` for a room whose node
   * stopped answering (the handle is then left). `join()` enters another.
   */
  roomLost?: (info: CloseInfo) => void;
}

/**
 * Arena's room (`@hearth/server/messages`) decoded into the {@link ArenaModel}: the page joins with
 * `client.joinOrCreate`, asks where it is (`arena.whereAmI`), reads positions and scores from the
 * room's mirrored state (`stateSync.ts`), and joins, leaves, chat and tags from the room's pushes.
 * With `stateSync.ts`, the only code of the page that knows the wire messages.
 */
export function arenaFeed(client: HearthClient, model: ArenaModel, options: FeedOptions = {}): GameLink {
  const now = options.now ?? (() => performance.now());
  let room: RoomOf<typeof ArenaKind> | undefined;
  const off: Array<() => void> = [];
  const inRoom = (): RoomOf<typeof ArenaKind> => {
    if (room === undefined) throw new Error('not in a room yet');
    return room;
  };
  const unwire = () => off.splice(0).forEach((f) => f());
  /** The room ended (or stopped answering): stop reading it, tell the page. */
  const lost = (info: CloseInfo) => {
    unwire();
    room = undefined;
    options.roomLost?.(info);
  };
  /** A room request failed: a room whose node is silent is left (if it answers again) and reported lost. */
  const failed = (from: RoomOf<typeof ArenaKind>) => (err: unknown) => {
    const code = err instanceof HearthError ? err.code : undefined;
    if (from === room && roomSilent(code)) {
      lost({ code: code!, text: `room ${from.id} stopped answering: ${(err as Error).message}` });
      void from.leave().catch(() => {});
    }
    throw err;
  };
  return {
    get room() {
      return room;
    },
    async join() {
      const joined = await client.joinOrCreate(ArenaKind);
      unwire();
      const me = await joined.request(WhereAmI, {});
      // You appear in the state from the room's next tick on; the others are in it already.
      const members = [...(joined.state?.players ?? [])].map(([pid, p]) => ({ pid, name: p.name, x: p.x, y: p.y, score: p.score }));
      if (!members.some((m) => m.pid === me.pid)) members.push({ pid: me.pid, name: me.name, x: me.x, y: me.y, score: 0 });
      model.enterRoom(joined.id, me.pid, members);
      const sync = new StateSync(model, joined.mirror, now());
      room = joined;
      off.push(
        joined.onLeave((info) => {
          if (room === joined) lost(info);
        }),
        joined.onStateChange(() => sync.read(now())),
        joined.on(MemberJoined, (m) => model.joined(m)),
        joined.on(MemberLeft, ({ pid }) => model.left(pid)),
        joined.on(ChatLine, ({ from, name, text }) => model.chatLine(from, name, text)),
        joined.on(Tagged, ({ by, target, score }) => model.tagged(by, target, score, now())),
        joined.on(Rejected, ({ code, x, y }) => {
          if (x !== undefined && y !== undefined) model.corrected(x, y);
          else model.notice(code);
        }),
      );
    },
    move: (x, y) => void room?.send(Move, { x, y }),
    chat: (text) => room?.send(Chat, { text }) ?? false,
    tag: async (pid) => {
      const r = inRoom();
      return (await r.request(Tag, { target: pid }).catch(failed(r))).score;
    },
    probe: async () => {
      const r = inRoom();
      await r.request(WhereAmI, {}).catch(failed(r));
    },
    leaderboard: async (top) => (await client.request(Leaderboard, { top })).entries,
    detach: () => {
      unwire();
      room = undefined;
    },
  };
}
