import type { RoomOptions } from '@hearth/protocol';
import {
  ErrorCode,
  HearthError,
  RoomCreate,
  RoomJoin,
  RoomJoinOrCreate,
  RoomLeave,
  RoomList,
  RoomSend,
} from '@hearth/protocol';
import type { EventObject } from 'xstate';
import type { PlayerDefinition } from '../player/definePlayer.ts';
import type { PlayerRoomService, RoomManager } from './RoomManager.ts';
import { withRef } from './RoomRefs.ts';

const MAX_ID = 64;

function badRequest(text: string): HearthError {
  return new HearthError(ErrorCode.BAD_REQUEST, text);
}

/** Checks a wire payload is a plain object (not null, not an array). */
function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) throw badRequest(`${what} must be a map`);
  return value as Record<string, unknown>;
}

function name(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID) throw badRequest(`${what} must be a string of 1-${MAX_ID} characters`);
  return value;
}

/**
 * Marks a reply promise handled: the binder ignores the result of a *push* (a client may send any
 * of these requests as a push), and a rejection nobody awaits would be an unhandled rejection.
 * The binder still sees the rejection of a request through its own `then`.
 */
function handled<T>(result: T): T {
  if (result instanceof Promise) result.catch(() => {});
  return result;
}

function options(value: unknown): RoomOptions {
  return value === undefined || value === null ? {} : record(value, 'options');
}

/**
 * The player definition with the framework's room requests (types 10–15) served on the fast path,
 * and an `onLeave` that takes a closing player out of its rooms first (then the game's own hook).
 * A disconnect into grace keeps the memberships (a resume finds the player in its rooms; pushes
 * are queued meanwhile); the end of the actor (grace expired, kicked, closed) leaves them.
 *
 * @internal createNode calls it when given `rooms`.
 */
export function installRooms<G, E extends EventObject>(definition: PlayerDefinition<G, E>, manager: RoomManager): PlayerDefinition<G, E> {
  // The cluster's room layer when the node has one (it may be set after this call): read on use.
  const rooms = {
    get s(): PlayerRoomService {
      return manager.service;
    },
  };
  const gameLeave = definition.hooksOf.onLeave;
  const gameJoin = definition.hooksOf.onJoin;
  return definition
    .handle(RoomJoin, (p, payload) => {
      const m = record(payload, 'room.join');
      return handled(withRef(p, rooms.s.join(p, name(m['roomId'], 'roomId'), options(m['options']))));
    })
    .handle(RoomCreate, (p, payload) => {
      const m = record(payload, 'room.create');
      return handled(withRef(p, rooms.s.createAndJoin(p, name(m['kind'], 'kind'), options(m['options']), { private: m['private'] === true })));
    })
    .handle(RoomJoinOrCreate, (p, payload) => {
      const m = record(payload, 'room.joinOrCreate');
      return handled(withRef(p, rooms.s.joinOrCreate(p, name(m['kind'], 'kind'), options(m['options']))));
    })
    .handle(RoomLeave, (p, payload) => handled(rooms.s.leave(p, name(record(payload, 'room.leave')['roomId'], 'roomId'))))
    .handle(RoomList, (_p, payload) => {
      const m = record(payload, 'room.list');
      return handled(rooms.s.list(name(m['kind'], 'kind'), m['options'] === undefined ? undefined : options(m['options'])));
    })
    .handle(RoomSend, (p, payload) => {
      if (!Array.isArray(payload) || payload.length !== 3) throw badRequest('room.send must be [roomId, type, payload]');
      return handled(rooms.s.send(p, payload[0], payload[1], payload[2]));
    })
    .hooks({
      // A user held away in a room restored here (its node died or drained) takes its seat back.
      onJoin: async (p, login) => {
        await gameJoin?.(p, login);
        rooms.s.reenter(p);
      },
      onLeave: async (p, reason) => {
        await rooms.s.leaveAll(p, reason);
        await gameLeave?.(p, reason);
      },
    });
}
