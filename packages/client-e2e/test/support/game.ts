import { createNode, definePlayer, devAuthenticator, type HearthNode, type PlayerTimeouts } from '@hearth/actor';
import { Service, type Limits } from '@hearth/net';
import { HearthError, defineMessage, generateSigningKeyPair } from '@hearth/protocol';
import { pino } from 'pino';

/** The test game's messages: an Arena-like chat room, echo, and a request the test answers itself. */
export const Echo = defineMessage<{ n: number }, { n: number }>(100, 'test.echo');
export const Subscribe = defineMessage<{ room: string }, { last: number }>(101, 'test.subscribe');
export const ChatLine = defineMessage<{ room: string; seq: number; text: string }>(102, 'test.chatLine');
export const History = defineMessage<{ room: string; after: number }, { lines: { room: string; seq: number; text: string }[] }>(
  103,
  'test.history',
  { idempotent: true },
);
export const Say = defineMessage<{ room: string; text: string }>(104, 'test.say');
/** Answered when the test releases it (to hold a request in flight across a fault). */
export const Slow = defineMessage<{ id: number }, { id: number }>(105, 'test.slow');
export const SlowIdempotent = defineMessage<{ id: number }, { id: number }>(106, 'test.slowIdempotent', { idempotent: true });
export const Fail = defineMessage<{ code: string }, never>(107, 'test.fail');
/** S→C request: the server asks the client something. */
export const Ask = defineMessage<{ q: string }, { a: string }>(108, 'test.ask');

export interface ChatRoom {
  lines: { room: string; seq: number; text: string }[];
}

/** Test-controlled state of the game. */
export class GameState {
  readonly rooms = new Map<string, ChatRoom>();
  /** Slow requests waiting, by id: resolve to answer. */
  readonly slow = new Map<number, () => void>();
  /** Times a slow request was received, by id (a re-sent idempotent request counts twice). */
  readonly slowSeen = new Map<number, number>();
  #waiters: (() => void)[] = [];

  room(name: string): ChatRoom {
    let room = this.rooms.get(name);
    if (room === undefined) this.rooms.set(name, (room = { lines: [] }));
    return room;
  }

  /** Resolves when slow request `id` has arrived `times` times. */
  async slowArrived(id: number, times = 1): Promise<void> {
    while ((this.slowSeen.get(id) ?? 0) < times) await new Promise<void>((r) => this.#waiters.push(r));
  }

  noteSlow(id: number, answer: () => void): void {
    this.slowSeen.set(id, (this.slowSeen.get(id) ?? 0) + 1);
    this.slow.set(id, answer);
    for (const w of this.#waiters.splice(0)) w();
  }
}

export function testPlayer(state: GameState) {
  const slow = (_p: unknown, { id }: { id: number }) =>
    new Promise<{ id: number }>((resolve) => state.noteSlow(id, () => resolve({ id })));
  return definePlayer({ data: () => ({}) })
    .handle(Echo, (_p, payload) => payload)
    .handle(Subscribe, (p, { room }) => {
      p.join(room);
      const lines = state.room(room).lines;
      return { last: lines.length === 0 ? 0 : lines[lines.length - 1]!.seq };
    })
    .handle(History, (_p, { room, after }) => ({ lines: state.room(room).lines.filter((l) => l.seq > after) }))
    .handle(Say, (p, { room, text }) => {
      const r = state.room(room);
      const line = { room, seq: r.lines.length + 1, text: `${p.userId}: ${text}` };
      r.lines.push(line);
      p.broadcast(room, ChatLine, line);
    })
    .handle(Slow, slow)
    .handle(SlowIdempotent, slow)
    .handle(Fail, (_p, { code }) => {
      throw new HearthError(code, `failed on purpose with ${code}`);
    });
}

export interface TestNode {
  readonly node: HearthNode<object, never>;
  readonly state: GameState;
  readonly tcpPort: number;
  readonly wsPort: number;
  readonly publicKeyHex: string;
  /** Appends a chat line to `room` from the server and broadcasts it. */
  chat(room: string, text: string): number;
  close(): Promise<void>;
}

/** A service and node on 127.0.0.1 (TCP and WS, ephemeral ports) running the test game. */
export async function startNode(
  options: { protocol?: 'msgpack' | 'msgpack+nacl'; timeouts?: PlayerTimeouts; tls?: { cert: string; key: string }; limits?: Limits } = {},
): Promise<TestNode> {
  const protocol = options.protocol ?? 'msgpack+nacl';
  const keys = generateSigningKeyPair();
  const state = new GameState();
  const service = new Service({ log: false, ...(options.limits && { limits: options.limits }) });
  const listenOptions = { signingSecretKey: keys.secretKey, ...(options.tls && { tls: options.tls }) };
  const node = await createNode({
    service,
    player: testPlayer(state),
    authenticate: devAuthenticator,
    listen: [
      { address: 'tcp://127.0.0.1:0', protocol, options: listenOptions },
      { address: 'ws://127.0.0.1:0', protocol, options: listenOptions },
    ],
    ...(options.timeouts && { timeouts: options.timeouts }),
    logger: pino({ enabled: false }),
  });
  let closed: Promise<void> | undefined;
  return {
    node: node as unknown as HearthNode<object, never>,
    state,
    tcpPort: node.endpoints[0]!.port,
    wsPort: node.endpoints[1]!.port,
    publicKeyHex: Buffer.from(keys.publicKey).toString('hex'),
    chat(room, text) {
      const r = state.room(room);
      const line = { room, seq: r.lines.length + 1, text };
      r.lines.push(line);
      node.holder.broadcast(room, ChatLine, line);
      return line.seq;
    },
    close: () =>
      (closed ??= (async () => {
        await node.close();
        await service.close({ deadlineMs: 500 });
      })()),
  };
}
