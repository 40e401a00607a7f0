import { Writable } from 'node:stream';
import { HearthClient, type CloseInfo } from '@hearth/client';
import { Service } from '@hearth/net';
import {
  Kind,
  Resume,
  RoomLeft,
  RoomPush,
  RoomState,
  defineMessage,
  type AnyDefinition,
  type InboundMessage,
  type LoginReply,
  type Payload,
  type Reply,
} from '@hearth/protocol';
import { pino, type Logger } from 'pino';
import type { EventObject } from 'xstate';
import { createNode, devAuthenticator, type Authenticator, type Clock, type HearthNode, type PlayerDefinition, type PlayerTimeouts } from '../src/index.ts';

function newService(): Service {
  return new Service({ log: false });
}

/** Test messages shared by the tests. */
export const Echo = defineMessage<{ n: number; data?: Uint8Array }, { n: number; data?: Uint8Array }>(100, 'test.echo');
export const Note = defineMessage<{ text: string }>(101, 'test.note');
export const Notice = defineMessage<{ seq: number }>(102, 'test.notice');
export const Boom = defineMessage<Record<string, never>, { ok: boolean }>(103, 'test.boom');
export const Join = defineMessage<{ room: string }, { members: number }>(104, 'test.join');
export const Poke = defineMessage<{ to: string; seq: number }, boolean>(105, 'test.poke');
export const Shout = defineMessage<{ room: string; seq: number }, number>(106, 'test.shout');
export const Tell = defineMessage<{ to: string; seq: number }, boolean>(107, 'test.tell');

/** A logger whose JSON lines are kept in `lines` (to assert what was logged). */
export function memoryLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** Disposable fixtures, closed in reverse order by `cleanup()` (call it in afterEach). */
const fixtures: (() => Promise<void>)[] = [];
export async function cleanup(): Promise<void> {
  for (const close of fixtures.splice(0).reverse()) await close();
}

export interface TestServer<G, E extends EventObject> {
  service: Service;
  node: HearthNode<G, E>;
  port: number;
}

/** A service + node listening on 127.0.0.1, ephemeral port, plain msgpack (or `protocol`). */
export async function startServer<G, E extends EventObject>(
  player: PlayerDefinition<G, E>,
  options: { timeouts?: PlayerTimeouts; logger?: Logger; authenticate?: Authenticator; protocol?: string; clock?: Clock } = {},
): Promise<TestServer<G, E>> {
  const service = newService();
  const node = await createNode({
    service,
    player,
    authenticate: options.authenticate ?? devAuthenticator,
    listen: [{ address: 'tcp://127.0.0.1:0', protocol: options.protocol ?? 'msgpack' }],
    ...(options.timeouts && { timeouts: options.timeouts }),
    ...(options.clock && { clock: options.clock }),
    logger: options.logger ?? pino({ enabled: false }),
  });
  fixtures.push(async () => {
    await node.close();
    await service.close({ deadlineMs: 500 });
  });
  return { service, node, port: node.endpoints[0]!.port };
}

/** The clients of a test: HearthClients closed by `cleanup()`. */
export class TestClients {
  readonly #clients: HearthClient[] = [];

  constructor() {
    fixtures.push(() => {
      for (const client of this.#clients.splice(0)) client.close();
      return Promise.resolve();
    });
  }

  /** Keeps `client` to close at cleanup. */
  track(client: HearthClient): HearthClient {
    this.#clients.push(client);
    return client;
  }
}

/** The client side of a test (the name is from when it was a `Service` dialling out). */
export function clientService(): TestClients {
  return new TestClients();
}

/**
 * The pushes a test client records in its inbox: the test game's and the rooms' framework pushes.
 * A test expecting another type passes its definition to {@link connect}.
 */
const PUSHES: readonly AnyDefinition[] = [Echo, Note, Notice, RoomPush, RoomState, RoomLeft];

/**
 * A test player: a {@link HearthClient} (no reconnect: a test drops and resumes by hand) and the
 * pushes it received, in arrival order.
 */
export class TestClient {
  readonly client: HearthClient;
  /** Inbound pushes (of the watched types) in arrival order. */
  readonly inbox: InboundMessage[] = [];
  /** The client's `closed` event: the server's close code (`KICKED`, `SHUTDOWN`...) or the client's own. */
  readonly closed: Promise<CloseInfo>;
  readonly #watched: ReadonlySet<number>;
  readonly #waiters: (() => void)[] = [];

  constructor(client: HearthClient, pushes: readonly AnyDefinition[]) {
    this.client = client;
    this.closed = new Promise((resolve) => client.on('closed', resolve));
    this.#watched = new Set(pushes.map((d) => d.type));
    for (const type of this.#watched) {
      client.on({ type, name: `push ${type}` } as AnyDefinition, (payload) => {
        this.inbox.push({ kind: Kind.PUSH, type, payload });
        for (const wake of this.#waiters.splice(0)) wake();
      });
    }
  }

  /** The client itself under its former name (tests written against a `SessionRef` read `client.ref.request`). */
  get ref(): this {
    return this;
  }

  /** True while the connection is open. */
  get alive(): boolean {
    return this.client.state === 'open';
  }

  request<D extends AnyDefinition>(definition: D, payload: Payload<D>): Promise<Reply<D>> {
    return this.client.request(definition, payload);
  }

  send<D extends AnyDefinition>(definition: D, payload: Payload<D>): boolean {
    return this.client.send(definition, payload);
  }

  /** Closes the connection with `[6, code, text]` (not `NORMAL`: the session then waits out its grace). */
  close(code: string, text?: string): void {
    this.client.close(code, text);
  }

  login(name: string): Promise<LoginReply> {
    return this.client.login({ name });
  }

  /** Resumes the session of `token` on this (not logged-in) connection. */
  resume(token: string): Promise<LoginReply> {
    return this.client.request(Resume, { token });
  }

  /** Resolves once `n` pushes of `type` arrived (all of them, in order). */
  async received(type: number, n: number): Promise<InboundMessage[]> {
    if (!this.#watched.has(type)) throw new Error(`push type ${type} is not recorded: pass its definition to connect()`);
    for (;;) {
      const got = this.inbox.filter((m) => m.type === type);
      if (got.length >= n) return got;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }
}

/**
 * Connects a client to `port` on 127.0.0.1 (TCP). Over `msgpack+nacl` it does not pin the key (the
 * test server's key is made at start). `pushes`: more push types to record in the inbox.
 */
export async function connect(
  clients: TestClients,
  port: number,
  protocol: 'msgpack' | 'msgpack+nacl' = 'msgpack',
  pushes: readonly AnyDefinition[] = [],
): Promise<TestClient> {
  const client = clients.track(new HearthClient({ url: `tcp://127.0.0.1:${port}`, protocol, allowUnpinned: true, reconnect: false }));
  const test = new TestClient(client, [...PUSHES, ...pushes]);
  await client.connect();
  return test;
}

/** Resolves when `predicate` holds, polling on timers (for state that has no event to await). */
export async function until(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

import { HearthError } from '@hearth/protocol';
import { definePlayer, type LeaveReason, type Player } from '../src/index.ts';

/** What the test player's hooks saw, in order. */
export type HookLog = string[];

/** The test game: fast-path echo/boom/poke, a routed `join` into a small game region. */
export function testPlayer(log: HookLog = []) {
  return definePlayer({ data: () => ({ echoes: 0, room: '' }) })
    .handle(Echo, (p, payload) => {
      p.data.echoes++;
      return payload;
    })
    .handle(Note, (p, { text }) => {
      p.data.room = text;
    })
    .handle(Boom, () => {
      throw new Error('boom');
    })
    .handle(Poke, (p, { to, seq }) => {
      if (to === '') throw new HearthError('NO_TARGET', 'poke needs a user id');
      return p.sendTo(to, Notice, { seq });
    })
    // broadcast to a room (local members now, other nodes through the backplane): the local count
    .handle(Shout, (p, { room, seq }) => p.broadcast(room, Notice, { seq }))
    // a push that reports cross-node failure (BACKPLANE_UNAVAILABLE reaches the client as the error reply)
    .handle(Tell, (p, { to, seq }) => p.deliver(to, Notice, { seq }))
    .route('join', Join)
    .events<{ type: 'explode' }>()
    .game({
      initial: 'lobby',
      states: {
        lobby: {
          on: {
            join: {
              target: 'inRoom',
              actions: ({ context, event }) => {
                if (event.payload.room === '') throw new HearthError('NO_ROOM', 'join needs a room name');
                context.player.join(event.payload.room);
                context.data.room = event.payload.room;
                event.reply({ members: context.player.groups.size });
              },
            },
          },
        },
        inRoom: {
          on: {
            explode: {
              target: 'lobby',
              actions: () => {
                throw new Error('exploded');
              },
            },
          },
        },
      },
    })
    .hooks({
      onJoin: (p: Player) => void log.push(`join ${p.userId} ${p.sessionId}`),
      onLeave: (p: Player, reason: LeaveReason) => void log.push(`leave ${p.userId} ${p.sessionId} ${reason.code}`),
    });
}
