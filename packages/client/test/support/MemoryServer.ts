import { BatchWriter, HearthError, ServerHandshake, decodeBatch, type Channel, type Message } from '@hearth/protocol';
import type { Transport, TransportLink, TransportSink } from '../../src/index.ts';

/** One in-memory connection, server side: speaks the plain protocol's handshake and batches. */
export class MemoryPeer {
  readonly received: Message[] = [];
  readonly #sink: TransportSink;
  readonly #handshake = new ServerHandshake({ secure: false });
  #channel: Channel | undefined;
  #open = true;
  onMessage: ((msg: Message, peer: MemoryPeer) => void) | undefined;
  /** When true, the peer swallows what it gets (a half-open connection). */
  deaf = false;
  readonly link: TransportLink;

  constructor(sink: TransportSink) {
    this.#sink = sink;
    this.link = {
      send: (body) => {
        const copy = body.slice();
        queueMicrotask(() => this.#fromClient(copy));
      },
      close: () => this.drop(undefined),
      destroy: () => this.drop(undefined),
    };
  }

  get open(): boolean {
    return this.#open;
  }

  /** Sends one batch to the client. */
  send(fill: (w: BatchWriter) => void): void {
    const w = new BatchWriter();
    fill(w);
    const body = this.#channel!.seal(w.take().slice());
    queueMicrotask(() => {
      if (this.#open) this.#sink.body(body);
    });
  }

  /** The connection ends; the client hears `code` (as a transport would report it). */
  drop(code: string | undefined, text = 'dropped'): void {
    if (!this.#open) return;
    this.#open = false;
    queueMicrotask(() => this.#sink.closed(code, text));
  }

  #fromClient(body: Uint8Array): void {
    if (!this.#open || this.deaf) return;
    if (this.#channel === undefined) {
      const { reply, channel } = this.#handshake.receive(body);
      this.#channel = channel;
      this.#sink.body(reply);
      return;
    }
    decodeBatch(body, (msg) => {
      this.received.push(msg);
      if (msg.kind === 4) this.send((w) => w.pong(msg.t));
      this.onMessage?.(msg, this);
    });
  }
}

/** An in-memory server: a transport whose dials succeed (or are refused) as the test says. */
export class MemoryServer {
  readonly peers: MemoryPeer[] = [];
  dials = 0;
  /** While set, dials fail with this code. */
  refuse: string | undefined;
  onMessage: ((msg: Message, peer: MemoryPeer) => void) | undefined;

  /** The URL of every dial, in order. */
  readonly dialled: string[] = [];
  /** While set, dials of URLs containing this text fail with `CLOSED`. */
  down: string | undefined;

  readonly transport: Transport = (url, sink) => {
    this.dials++;
    this.dialled.push(url.href);
    if (this.down !== undefined && url.href.includes(this.down)) return Promise.reject(new HearthError('CLOSED', `${url.href} is down`));
    if (this.refuse !== undefined) return Promise.reject(new HearthError(this.refuse, 'refused by the test'));
    const peer = new MemoryPeer(sink);
    peer.onMessage = (m, p) => this.onMessage?.(m, p);
    this.peers.push(peer);
    return Promise.resolve(peer.link);
  };

  get last(): MemoryPeer {
    return this.peers[this.peers.length - 1]!;
  }
}
