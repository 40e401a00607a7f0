// Room kinds served by a real node for the client's room tests, and the client-side kinds that
// mirror them (what a game shares between its server and its clients). `@hearth/state` is imported
// from its sources (it has no dependencies; the client does not depend on it).
import { createNode, definePlayer, defineRoom, devAuthenticator, type HearthNode, type PlayerTimeouts } from '@hearth/actor';
import { defineRoomKind } from '@hearth/client';
import { Service } from '@hearth/net';
import { HearthError, defineMessage, generateSigningKeyPair } from '@hearth/protocol';
import { pino } from 'pino';
import { Mirror, StateEncoder, f32, map, snapshot, string, struct, u32 } from '../../../state/src/index.ts';

// ---- shared definitions (server and client) ----

/** A chat line in a room, numbered by the room (1, 2, ...). */
export interface Line {
  seq: number;
  from: string;
  text: string;
}
export const Say = defineMessage<{ text: string }, { seq: number }>(200, 'rooms.say');
export const Said = defineMessage<Line>(201, 'rooms.said');
export const Lines = defineMessage<{ after: number }, Line[]>(202, 'rooms.lines', { idempotent: true });
export const Kick = defineMessage<Record<string, never>, boolean>(203, 'rooms.kickMe');
export const Dispose = defineMessage<Record<string, never>, boolean>(204, 'rooms.dispose');
export const Unhandled = defineMessage<Record<string, never>, boolean>(205, 'rooms.unhandled');
/** Answered when the test releases it (`held.get(id)!()`): a room request held in flight across a fault. */
export const Hold = defineMessage<{ id: number }, { id: number }>(206, 'rooms.hold');
export const HoldIdempotent = defineMessage<{ id: number }, { id: number }>(207, 'rooms.holdIdempotent', { idempotent: true });
/** Held room requests by id, and how many times each arrived. */
export const held = new Map<number, () => void>();
export const heldSeen = new Map<number, number>();
/** A player request: server code takes the player out of a room (`player.rooms.leave`: room.left LEFT is pushed). */
export const LeaveByServer = defineMessage<{ roomId: string }, boolean>(300, 'rooms.leaveByServer');
export const Move = defineMessage<{ dx: number; dy: number }, { x: number; y: number }>(210, 'rooms.move');
/** Moves without sending the patch (the room "loses" it, as a dead connection would). */
export const MoveLost = defineMessage<{ dx: number }, number>(211, 'rooms.moveLost');

export interface ChatState {
  topic: string;
  lines: Line[];
}
export interface ChatOptions {
  topic?: string;
  banned?: boolean;
}
export const World = struct({ players: map(string, struct({ x: f32, y: f32 })), moves: u32 });

/** The client's view of the kinds. */
export const ChatKind = defineRoomKind<ChatOptions, ChatState>('chat');
export const BoardKind = defineRoomKind<{ mode?: string }>('board').synced(() => new Mirror(World));

// ---- the server's room kinds ----

function hold(id: number): Promise<{ id: number }> {
  heldSeen.set(id, (heldSeen.get(id) ?? 0) + 1);
  return new Promise((resolve) => held.set(id, () => resolve({ id })));
}

/** Resolves once held request `id` has arrived `times` times. */
export async function holdArrived(id: number, times = 1): Promise<void> {
  while ((heldSeen.get(id) ?? 0) < times) await new Promise((r) => setTimeout(r, 5));
}

export const Chat = defineRoom({
  name: 'chat',
  maxPlayers: 2,
  filterBy: ['topic'],
  emptyTimeout: false,
  state: (options: ChatOptions): ChatState => ({ topic: options.topic ?? 'none', lines: [] }),
})
  .handle(Say, (room, member, { text }) => {
    const line = { seq: room.state.lines.length + 1, from: member.userId, text };
    room.state.lines.push(line);
    room.broadcast(Said, line);
    return { seq: line.seq };
  })
  .handle(Lines, (room, _member, { after }) => room.state.lines.filter((l) => l.seq > after))
  .handle(Kick, (room, member) => {
    void room.kick(member, 'KICKED', 'asked for it');
    return true;
  })
  .handle(Hold, (_room, _member, { id }) => hold(id))
  .handle(HoldIdempotent, (_room, _member, { id }) => hold(id))
  .handle(Dispose, (room) => {
    void room.dispose();
    return true;
  })
  .hooks({
    onCreate: (room, options) => room.setMetadata({ topic: options.topic ?? 'none' }),
    onJoin: (_room, _member, options) => {
      if (options['banned'] === true) throw new HearthError('BANNED', 'not in this room');
    },
  });

export const Board = defineRoom({
  name: 'board',
  maxPlayers: 8,
  emptyTimeout: false,
  sync: () => new StateEncoder(World, { players: new Map(), moves: 0 }),
})
  .handle(Move, (room, member, { dx, dy }) => {
    const me = room.state.players.get(member.userId)!;
    me.x += dx;
    me.y += dy;
    room.state.moves++;
    return { x: me.x, y: me.y };
  })
  .handle(MoveLost, (room, member, { dx }) => {
    room.state.players.get(member.userId)!.x += dx;
    room.state.moves++;
    room.synced!.encode(); // the patch is made and dropped: no member gets it
    return room.state.moves;
  })
  .hooks({
    onJoin: (room, member) => void room.state.players.set(member.userId, { x: 0, y: 0 }),
    onLeave: (room, member) => void room.state.players.delete(member.userId),
  });

/** A plain snapshot of a board's state (server side, or a mirror's), for comparisons. */
export function boardSnapshot(state: unknown): unknown {
  return snapshot(World, state);
}

export interface RoomNode {
  readonly node: HearthNode<object, never>;
  readonly tcpPort: number;
  readonly wsPort: number;
  readonly publicKeyHex: string;
  close(): Promise<void>;
}

/** A node on 127.0.0.1 (TCP and WS, ephemeral ports, secure protocol) serving the chat and board rooms. */
export async function startRoomNode(options: { timeouts?: PlayerTimeouts } = {}): Promise<RoomNode> {
  const keys = generateSigningKeyPair();
  const service = new Service({ log: false });
  const listenOptions = { signingSecretKey: keys.secretKey };
  const node = await createNode({
    service,
    player: definePlayer().handle(LeaveByServer, (p, { roomId }) => p.rooms.leave(roomId)),
    authenticate: devAuthenticator,
    rooms: [Chat, Board],
    listen: [
      { address: 'tcp://127.0.0.1:0', protocol: 'msgpack+nacl', options: listenOptions },
      { address: 'ws://127.0.0.1:0', protocol: 'msgpack+nacl', options: listenOptions },
    ],
    ...(options.timeouts && { timeouts: options.timeouts }),
    logger: pino({ enabled: false }),
  });
  let closed: Promise<void> | undefined;
  return {
    node: node as unknown as HearthNode<object, never>,
    tcpPort: node.endpoints[0]!.port,
    wsPort: node.endpoints[1]!.port,
    publicKeyHex: Buffer.from(keys.publicKey).toString('hex'),
    close: () =>
      (closed ??= (async () => {
        await node.close();
        await service.close({ deadlineMs: 500 });
      })()),
  };
}
