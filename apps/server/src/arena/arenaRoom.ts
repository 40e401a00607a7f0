import { defineRoom, type Room, type RoomMember } from '@hearth/actor';
import { HearthError } from '@hearth/protocol';
import { StateEncoder } from '@hearth/state';
import { tableOf } from './ArenaTable.ts';
import { ARENA, ArenaErrorCode } from './constants.ts';
import { ARENA_ROOM, ArenaState, Chat, ChatLine, MemberJoined, MemberLeft, Move, Rejected, Tag, Tagged, WhereAmI } from './messages.ts';
import { createArenaPlayer, type ArenaPlayer } from './rules/ArenaPlayer.ts';
import { tryChat } from './rules/chat.ts';
import type { ScoreBoard } from './rules/Leaderboard.ts';
import { tryMove } from './rules/movement.ts';
import { tryTag } from './rules/tagging.ts';
import { timed, type ObserveTime } from '../admin/timed.ts';
import { whereAmI } from './whereAmI.ts';

/** Options of {@link defineArenaRoom}. */
export interface ArenaRoomOptions {
  /** Where tags are recorded (in memory, storage or Redis). */
  leaderboard: ScoreBoard;
  /** Ticks (state patches) per second. @defaultValue ARENA.tickHz */
  tickHz?: number;
  /** Where new players appear. @defaultValue a random point away from the edges */
  spawn?: () => { x: number; y: number };
  /**
   * The name others see for a user: an account's display name (the storage authenticators: their
   * user ids are UUIDs). @defaultValue the user id (the dev login's name)
   */
  displayName?: (userId: string) => Promise<string | undefined>;
  /** Called with each room request's handling time by message name (the admin latency histogram). */
  observe?: ObserveTime;
}

/** The rules' record of `member`, or `NO_SUCH_PLAYER`. */
function playerOf(room: Room, member: RoomMember): ArenaPlayer {
  const p = tableOf(room).players.get(member.userId);
  if (p === undefined) throw new HearthError(ArenaErrorCode.NO_SUCH_PLAYER, 'you are not in this room');
  return p;
}

/**
 * Arena's room kind: up to 16 players on a plane, moving, chatting and tagging each other. Clients
 * join with `room.joinOrCreate('arena')`; positions, names and scores are the synchronised
 * {@link ArenaState} (one patch per tick, encoded once); chat and tags are room pushes.
 *
 * Moves arrive many times a second per player, so they are plain handlers on the rules' record of
 * the player ({@link ArenaPlayer}); the tick copies what changed into the synchronised state, which
 * nothing else writes (so between ticks it is clean: a re-join gets its full encoding at any time).
 */
export function defineArenaRoom(options: ArenaRoomOptions) {
  const { leaderboard, displayName, observe } = options;
  const spawn = options.spawn ?? randomSpawn;
  return defineRoom({
    name: ARENA_ROOM,
    maxPlayers: ARENA.roomCapacity,
    tickHz: options.tickHz ?? ARENA.tickHz,
    sync: () => new StateEncoder(ArenaState, { players: [] }),
  })
    .handle(Move, timed(observe, Move.name, (room, member, { x, y }) => {
      const p = playerOf(room, member);
      const refused = tryMove(p, x, y, room.clock.now());
      if (refused !== undefined) room.send(member, Rejected, { code: refused, text: `move to (${x}, ${y}) refused`, x: p.x, y: p.y });
    }))
    .handle(Chat, timed(observe, Chat.name, (room, member, { text }) => {
      const p = playerOf(room, member);
      const refused = tryChat(p, text, room.clock.now());
      if (refused !== undefined) room.send(member, Rejected, { code: refused, text: 'chat line refused' });
      else room.broadcast(ChatLine, { from: p.pid, name: p.name, text });
    }))
    .handle(Tag, timed(observe, Tag.name, (room, member, { target }) => {
      const p = playerOf(room, member);
      let hit: ArenaPlayer | undefined;
      for (const q of tableOf(room).players.values()) if (q.pid === target) hit = q;
      const refused = tryTag(p, hit, room.clock.now());
      if (refused !== undefined) throw new HearthError(refused, `tag of ${target} refused`);
      leaderboard.record(p.userId, p.name, p.score);
      room.broadcast(Tagged, { by: p.pid, target, score: p.score });
      return { score: p.score };
    }))
    .handle(WhereAmI, timed(observe, WhereAmI.name, whereAmI))
    .tick((room) => {
      const table = tableOf(room);
      const players = room.state.players;
      for (const pid of table.gone.splice(0)) {
        players.delete(pid);
        room.broadcast(MemberLeft, { pid });
      }
      for (const p of table.players.values()) {
        const s = players.get(p.pid);
        const score = Math.min(p.score, 0xffff);
        if (s === undefined) {
          // Shown once its join completed. onJoin writes the record last and the framework seats the
          // member (or refuses: the player closed, the room went) in the same turn, so a record
          // without a member here is a refused join's: freed, else it stays until the room closes.
          const member = room.members.get(p.userId);
          if (member === undefined) {
            table.players.delete(p.userId);
            continue;
          }
          players.set(p.pid, { user: p.userId, name: p.name, x: p.x, y: p.y, score });
          room.broadcast(MemberJoined, { pid: p.pid, name: p.name, x: p.x, y: p.y, score: p.score }, { except: member });
          p.moved = false;
          continue;
        }
        if (p.moved) {
          p.moved = false;
          s.x = p.x;
          s.y = p.y;
        }
        if (s.score !== score) s.score = score;
      }
    })
    .hooks({
      onJoin: async (room, member) => {
        // The server's name for the user, never one the client chose.
        const name = (await displayName?.(member.userId).catch(() => undefined)) ?? member.userId;
        const table = tableOf(room);
        const at = spawn();
        const before = table.players.get(member.userId);
        if (before !== undefined) table.gone.push(before.pid); // the same user on a new session
        table.players.set(member.userId, createArenaPlayer(table.nextPid(), member.userId, name, at.x, at.y, room.clock.now()));
      },
      onLeave: (room, member) => {
        // A session replaced by a newer one of the same user leaves after the new one joined.
        if (room.members.has(member.userId)) return;
        const table = tableOf(room);
        const p = table.players.get(member.userId);
        if (p === undefined) return;
        table.players.delete(member.userId);
        table.gone.push(p.pid);
      },
      // Restored on another node from its checkpoint: the state and members are back; the rules'
      // records are rebuilt from the state (budgets and cooldowns start afresh). A member whose join
      // the checkpoint caught before a tick showed it (no state record) comes back without onJoin:
      // it gets a fresh record, as onJoin would have made.
      onRestore: async (room) => {
        const table = tableOf(room);
        const now = room.clock.now();
        for (const [pid, s] of room.state.players) {
          table.skipPast(pid);
          if (!room.members.has(s.user)) {
            table.gone.push(pid);
            continue;
          }
          const p = createArenaPlayer(pid, s.user, s.name, s.x, s.y, now);
          p.score = s.score;
          table.players.set(s.user, p);
        }
        for (const userId of room.members.keys()) {
          if (table.players.has(userId)) continue;
          const name = (await displayName?.(userId).catch(() => undefined)) ?? userId;
          const at = spawn();
          table.players.set(userId, createArenaPlayer(table.nextPid(), userId, name, at.x, at.y, room.clock.now()));
        }
      },
    });
}

/** A random point at least 10 % of the plane away from its edges. */
function randomSpawn(): { x: number; y: number } {
  const at = () => Math.round(ARENA.worldSize * (0.1 + 0.8 * Math.random()));
  return { x: at(), y: at() };
}
