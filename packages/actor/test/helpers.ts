import { Writable } from 'node:stream';
import { Service, type CloseEvent, type SessionRef } from '@hearth/net';
import { Login, Resume, defineMessage, type InboundMessage, type LoginReply } from '@hearth/protocol';
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

/** The client side: one service dialling many connections. */
export function clientService(): Service {
  const service = newService();
  fixtures.push(() => service.close({ deadlineMs: 500 }));
  return service;
}

export interface TestClient {
  ref: SessionRef;
  /** Inbound pushes/requests in arrival order. */
  inbox: InboundMessage[];
  /** Resolves once `n` messages of `type` arrived. */
  received(type: number, n: number): Promise<InboundMessage[]>;
  closed: Promise<CloseEvent>;
  login(name: string): Promise<LoginReply>;
  resume(token: string): Promise<LoginReply>;
}

/** Connects one client connection to `port`. */
export async function connect(service: Service, port: number, protocol = 'msgpack'): Promise<TestClient> {
  const ref = await service.connect(`tcp://127.0.0.1:${port}`, protocol, { reconnect: false });
  const inbox: InboundMessage[] = [];
  const waiters: { type: number; n: number; resolve(m: InboundMessage[]): void }[] = [];
  const ofType = (type: number): InboundMessage[] => inbox.filter((m) => m.type === type);
  service.sub('message', (from, msg) => {
    if (from.id !== ref.id) return;
    inbox.push(msg);
    for (const w of [...waiters]) {
      const got = ofType(w.type);
      if (got.length >= w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(got);
      }
    }
  });
  const closed = new Promise<CloseEvent>((resolve) => service.sub({ close: ref.id }, resolve));
  return {
    ref,
    inbox,
    closed,
    received: (type, n) => {
      const got = ofType(type);
      return got.length >= n ? Promise.resolve(got) : new Promise((resolve) => waiters.push({ type, n, resolve }));
    },
    login: (name) => ref.request(Login, { name }),
    resume: (token) => ref.request(Resume, { token }),
  };
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
