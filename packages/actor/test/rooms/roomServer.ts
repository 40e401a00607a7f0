import { Service } from '@hearth/net';
import { HearthError, RoomSend, defineMessage, type AnyDefinition, type Payload, type Reply } from '@hearth/protocol';
import { pino } from 'pino';
import { createNode, definePlayer, devAuthenticator, type Clock, type HearthNode, type PlayerTimeouts, type RoomDefinition } from '../../src/index.ts';
import type { RoomLimits } from '../../src/room/RoomManager.ts';
import { clientService, connect, type TestClient } from '../helpers.ts';

/** Messages the test rooms handle (application range). */
export const Say = defineMessage<{ text: string }, { heard: number }>(200, 'test.room.say');
export const Said = defineMessage<{ from: string; text: string }>(201, 'test.room.said');
export const Where = defineMessage<Record<string, never>, { roomId: string; members: string[] }>(202, 'test.room.where');
export const Lock = defineMessage<{ locked: boolean }, boolean>(203, 'test.room.lock');
/** A player-level request that joins through the server-side API (`player.rooms`). */
export const ServerJoin = defineMessage<{ kind: string; mode?: string }, { roomId: string; rooms: number }>(300, 'test.serverJoin');
/** A player-level request that leaves a room through the server-side API (`player.rooms.leave`). */
export const ServerLeave = defineMessage<{ roomId: string }, boolean>(301, 'test.serverLeave');

const fixtures: (() => Promise<void>)[] = [];
export async function cleanupRooms(): Promise<void> {
  for (const close of fixtures.splice(0).reverse()) await close();
}

/** The test game's player: no game logic but a server-side join and leave. */
export const roomPlayer = definePlayer()
  .handle(ServerJoin, async (p, { kind, mode }) => {
    const joined = await p.rooms.joinOrCreate(kind, mode === undefined ? {} : { mode });
    return { roomId: joined.roomId, rooms: p.rooms.list.length };
  })
  .handle(ServerLeave, (p, { roomId }) => p.rooms.leave(roomId));

export interface RoomServer {
  node: HearthNode<Record<string, never>, never>;
  port: number;
}

/** A node serving `rooms` on 127.0.0.1 (ephemeral port, plain msgpack). */
export async function startRoomServer(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any room kind
  rooms: readonly RoomDefinition<any, any>[],
  options: { clock?: Clock; timeouts?: PlayerTimeouts; roomLimits?: RoomLimits } = {},
): Promise<RoomServer> {
  const service = new Service({ log: false });
  const node = await createNode({
    service,
    player: roomPlayer,
    authenticate: devAuthenticator,
    rooms,
    listen: [{ address: 'tcp://127.0.0.1:0', protocol: 'msgpack' }],
    logger: pino({ enabled: false }),
    ...(options.clock && { clock: options.clock }),
    ...(options.timeouts && { timeouts: options.timeouts }),
    ...(options.roomLimits && { roomLimits: options.roomLimits }),
  });
  fixtures.push(async () => {
    await node.close();
    await service.close({ deadlineMs: 500 });
  });
  return { node, port: node.endpoints[0]!.port };
}

/** A logged-in client (`name`). */
export async function player(port: number, name: string): Promise<TestClient> {
  const client = await connect(clientService(), port);
  await client.login(name);
  return client;
}

/** Sends `definition` to room `roomId` (the `room.send` envelope) and returns its typed reply. */
export function toRoom<D extends AnyDefinition>(client: TestClient, roomId: string, definition: D, payload: Payload<D>): Promise<Reply<D>> {
  return client.ref.request(RoomSend, [roomId, definition.type, payload]) as Promise<Reply<D>>;
}

/** The coded error a promise rejects with. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof HearthError) return err.code;
    throw err;
  }
  throw new Error('expected a coded refusal, got a reply');
}
