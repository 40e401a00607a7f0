import { connect, type Socket } from 'node:net';
import { BatchWriter, FrameReader, Kind, decodeBatch, encodeFrame, type Message } from '@hearth/protocol';
import type { ProtocolFactory, SessionChannel } from '@hearth/net';

/**
 * A hand-driven TCP client: does the protocol's client handshake itself, sends what a test wants,
 * records what comes back, and (unlike a `Service` client) never answers pings: a dead peer.
 */
export class RawClient {
  readonly messages: Message[] = [];
  readonly closed: Promise<void>;
  readonly #socket: Socket;
  #channel: SessionChannel | undefined;
  #onBody: ((body: Uint8Array) => void) | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    const reader = new FrameReader({ maxFrameBytes: 1 << 20 });
    socket.on('data', (chunk) =>
      reader.push(chunk, (body) => {
        if (this.#channel === undefined) this.#onBody?.(body.slice());
        else decodeBatch(this.#channel.open(body), (m) => this.messages.push(m));
      }),
    );
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
  }

  static async handshake(port: number, factory: ProtocolFactory): Promise<RawClient> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new RawClient(socket);
    const hs = factory.client({});
    const reply = new Promise<Uint8Array>((resolve) => (client.#onBody = resolve));
    socket.write(encodeFrame(hs.hello()));
    client.#channel = hs.receive(await reply);
    return client;
  }

  /** Encodes messages with a BatchWriter, seals them, sends them as one body. */
  send(fill: (w: BatchWriter) => void): void {
    const w = new BatchWriter();
    fill(w);
    this.#socket.write(encodeFrame(this.#channel!.seal(w.take().slice())));
  }

  /** The close message received, if any. */
  get closeMessage(): { code: string; text: string } | undefined {
    const m = this.messages.find((x) => x.kind === Kind.CLOSE);
    return m?.kind === Kind.CLOSE ? { code: m.code, text: m.text } : undefined;
  }

  destroy(): void {
    this.#socket.destroy();
  }
}
