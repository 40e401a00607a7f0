import { connect, type Socket } from 'node:net';
import { BatchWriter, FrameReader, Kind, decodeBatch, encodeFrame, type Message } from '@hearth/protocol';
import { WebSocket } from 'ws';
import type { ProtocolFactory, SessionChannel } from '../src/index.ts';

/**
 * A hand-driven client for limit tests: does the protocol's client handshake itself over a raw
 * socket, then sends whatever bytes a test wants, and records what comes back.
 */
export class RawClient {
  readonly messages: Message[] = [];
  /** The `[6, code, text]` received, if any. */
  closeMessage: { code: string; text: string } | undefined;
  /** Raw bodies received before the handshake finished (e.g. a refusal). */
  readonly preHandshake: Uint8Array[] = [];
  readonly closed: Promise<void>;
  channel: SessionChannel | undefined;
  readonly #socket: Socket | undefined;
  readonly #ws: WebSocket | undefined;
  #onBody: ((body: Uint8Array) => void) | undefined;

  private constructor(socket: Socket | undefined, ws: WebSocket | undefined) {
    this.#socket = socket;
    this.#ws = ws;
    const reader = new FrameReader({ maxFrameBytes: 64 << 20 });
    const deliver = (body: Uint8Array): void => {
      if (this.channel === undefined) {
        this.preHandshake.push(body.slice());
        this.#onBody?.(body.slice());
        return;
      }
      decodeBatch(this.channel.open(body), (m) => {
        this.messages.push(m);
        if (m.kind === Kind.CLOSE) this.closeMessage = { code: m.code, text: m.text };
      }, { copyBinary: true });
    };
    if (socket !== undefined) {
      socket.on('data', (chunk) => reader.push(chunk, deliver));
      socket.on('error', () => {});
      this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    } else {
      ws!.on('message', (data: Buffer) => deliver(data));
      ws!.on('error', () => {});
      this.closed = new Promise((resolve) => ws!.on('close', () => resolve()));
    }
  }

  /** Connects without any handshake. */
  static async open(address: string): Promise<RawClient> {
    const url = new URL(address);
    if (url.protocol === 'tcp:') {
      const socket = connect({ host: url.hostname, port: Number(url.port) });
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      return new RawClient(socket, undefined);
    }
    const ws = new WebSocket(address.replace(/^ws:/, 'ws:'));
    await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
    return new RawClient(undefined, ws);
  }

  /** Connects and handshakes with `factory`'s client side. */
  static async handshake(address: string, factory: ProtocolFactory, options = {}): Promise<RawClient> {
    const client = await RawClient.open(address);
    const hs = factory.client(options);
    const reply = new Promise<Uint8Array>((resolve) => (client.#onBody = resolve));
    client.sendBody(hs.hello());
    client.channel = hs.receive(await reply);
    client.#onBody = undefined;
    return client;
  }

  /** Sends one body as is (framed on TCP, one binary message on WS). */
  sendBody(body: Uint8Array): void {
    if (this.#socket !== undefined) this.#socket.write(encodeFrame(body));
    else this.#ws!.send(body);
  }

  /** Sends raw bytes on the TCP stream (no framing). */
  sendRaw(bytes: Uint8Array): void {
    this.#socket!.write(bytes);
  }

  /** Sends a WebSocket text message. */
  sendText(text: string): void {
    this.#ws!.send(text);
  }

  /** Encodes messages with a BatchWriter, seals with the channel, and sends them as one body. */
  sendBatch(fill: (w: BatchWriter) => void): void {
    const w = new BatchWriter();
    fill(w);
    this.sendBody(this.channel!.seal(w.take().slice()));
  }

  /** Sends a WebSocket ping control frame. */
  ping(): void {
    this.#ws!.ping();
  }

  /** Stops reading (the server's send queue grows). */
  pause(): void {
    if (this.#socket !== undefined) this.#socket.pause();
    else (this.#ws as unknown as { _socket: Socket })._socket.pause();
  }

  destroy(): void {
    this.#socket?.destroy();
    this.#ws?.terminate();
  }
}
