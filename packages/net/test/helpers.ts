import { HearthClient } from '@hearth/client';
import { ErrorCode, HearthError, defineMessage, type InboundMessage } from '@hearth/protocol';
import { Service, type ProtocolFactory, type ServiceOptions, type SessionChannel, type SessionRef, type CloseEvent } from '../src/index.ts';

/** Test messages. */
export const Echo = defineMessage<{ n: number; data?: Uint8Array; text?: string }>(100, 'test.echo');
export const Add = defineMessage<{ a: number; b: number }, number>(101, 'test.add');
export const Note = defineMessage<{ i: number }>(102, 'test.note');

const identity: SessionChannel = { secure: false, seal: (b) => b, open: (b) => b };

/**
 * A user-registered protocol with a trivial handshake (hello 0x01, reply 0x02, refusal 0xff + "code\ntext"):
 * exercises registration by name and lets plumbing tests run without the built-in handshakes.
 */
export const trivialProtocol: ProtocolFactory = {
  client: () => ({
    hello: () => Uint8Array.of(1),
    receive(body) {
      if (body[0] === 0xff) {
        const [code, text] = new TextDecoder().decode(body.subarray(1)).split('\n');
        throw new HearthError(code ?? ErrorCode.HANDSHAKE_FAILED, text ?? '');
      }
      if (body.length !== 1 || body[0] !== 2) throw new HearthError(ErrorCode.HANDSHAKE_FAILED, 'bad reply');
      return identity;
    },
  }),
  server: () => ({
    receive(hello) {
      if (hello.length !== 1 || hello[0] !== 1) throw new HearthError(ErrorCode.HANDSHAKE_FAILED, 'bad hello');
      return { reply: Uint8Array.of(2), channel: identity };
    },
  }),
  refusal: (code, text) => {
    const t = new TextEncoder().encode(`${code}\n${text}`);
    const out = new Uint8Array(t.length + 1);
    out[0] = 0xff;
    out.set(t, 1);
    return out;
  },
};

/** A service with logging off and the trivial protocol registered as `trivial`. */
export function newService(options: ServiceOptions = {}): Service {
  const service = new Service({ log: false, ...options });
  if (!service.protocols.has('trivial')) service.protocols.register('trivial', trivialProtocol);
  return service;
}

/** Resolves with the next `open` ref of a service. */
export function nextOpen(service: Service): Promise<SessionRef> {
  return new Promise((resolve) => {
    const off = service.sub('open', (ref) => {
      off();
      resolve(ref);
    });
  });
}

/** Resolves with the close event of `id`. */
export function closeOf(service: Service, id: number): Promise<CloseEvent> {
  return new Promise((resolve) => service.sub({ close: id }, resolve));
}

/** Collects messages of a type arriving at a service; `until(n)` resolves once n arrived. */
export function collect(service: Service, type: number): { messages: InboundMessage[]; until(n: number): Promise<InboundMessage[]> } {
  const messages: InboundMessage[] = [];
  const waiters: Array<{ n: number; resolve(m: InboundMessage[]): void }> = [];
  service.sub({ message: type }, (_ref, msg) => {
    messages.push(msg);
    for (const w of [...waiters]) if (messages.length >= w.n) w.resolve(messages);
  });
  return {
    messages,
    until: (n) =>
      messages.length >= n ? Promise.resolve(messages) : new Promise((resolve) => waiters.push({ n, resolve })),
  };
}

/** An echo server: answers Echo pushes with the same push, and Add requests with the sum. */
export function serveEcho(service: Service): void {
  service.sub({ message: Echo.type }, (ref, msg) => ref.send(Echo, msg.payload as { n: number }));
  service.sub({ message: Add.type }, (ref, msg) => {
    if (msg.kind !== 1) return;
    const p = msg.payload as { a: number; b: number };
    ref.reply(msg.rid, p.a + p.b);
  });
}

const dialled: HearthClient[] = [];

/**
 * A real client of a server under test: a connected `HearthClient` (no redial), closed
 * by {@link closeClients}. Tests of the `Service`'s own client mode dial with `service.connect`.
 * @throws {HearthError} the server's refusal code (`SERVER_FULL`, `TOO_MANY_CONNECTIONS`, ...).
 */
export async function dialClient(address: string, protocol: 'msgpack' | 'msgpack+nacl' = 'msgpack'): Promise<HearthClient> {
  // The test servers make their signing key at start: the secure client does not pin it.
  const client = new HearthClient({ url: address, protocol, allowUnpinned: true, reconnect: false });
  dialled.push(client);
  await client.connect();
  return client;
}

/** Closes the clients {@link dialClient} made (call it in afterEach). */
export function closeClients(): void {
  for (const client of dialled.splice(0)) client.close();
}
