import {
  BatchWriter,
  ClientHandshake,
  ErrorCode,
  HearthError,
  Kind,
  decodeBatch,
  type Channel,
  type CryptoProvider,
  type Message,
} from '@hearth/protocol';
import type { TrafficStats } from '../ClientOptions.ts';
import type { Clock } from '../clock.ts';
import type { TlsOptions, Transport, TransportLink } from '../transport/Transport.ts';

/** What one connection needs (resolved by the client). */
export interface ConnectionConfig {
  readonly url: URL;
  readonly transport: Transport;
  readonly secure: boolean;
  readonly provider: CryptoProvider | undefined;
  readonly serverKey: Uint8Array | undefined;
  readonly maxFrameBytes: number;
  readonly handshakeTimeoutMs: number;
  /** Send a ping after this long without sending anything. */
  readonly pingIntervalMs: number;
  /** Declare the connection dead after this long without receiving anything. */
  readonly heartbeatTimeoutMs: number;
  readonly clock: Clock;
  readonly stats: TrafficStats;
  readonly tls?: TlsOptions | undefined;
}

/** What a connection reports to its owner. */
export interface ConnectionSink {
  /** A push, request, reply or error reply, in arrival order. */
  message(msg: Message): void;
  /** The connection ended (once), not through {@link Connection.close}. */
  lost(code: string, text: string): void;
}

/**
 * One live connection after the Hearth handshake: seals and batches outbound messages (one body
 * per event-loop turn), opens and decodes inbound bodies, answers pings, sends pings when idle and
 * detects a silent (half-open) connection by its heartbeat timeout.
 */
export class Connection {
  readonly #link: TransportLink;
  readonly #channel: Channel;
  readonly #config: ConnectionConfig;
  readonly #sink: ConnectionSink;
  readonly #writer = new BatchWriter({ initialBytes: 1024 });
  #flushQueued = false;
  #ended = false;
  #lastReceived: number;
  #lastSent: number;
  #timer: unknown;
  /** Round-trip time of the last answered ping, in ms (undefined before one). */
  rttMs: number | undefined;

  private constructor(link: TransportLink, channel: Channel, config: ConnectionConfig, sink: ConnectionSink) {
    this.#link = link;
    this.#channel = channel;
    this.#config = config;
    this.#sink = sink;
    this.#lastReceived = this.#lastSent = config.clock.now();
    this.#arm();
  }

  /**
   * Connects and runs the client handshake.
   * @throws {HearthError} `CLOSED` (unreachable), `HANDSHAKE_TIMEOUT`, `HANDSHAKE_FAILED` (bad
   * welcome, plain/secure mismatch, signature not matching the pinned key), `VERSION_UNSUPPORTED`,
   * or a refusal code the server sent (`SERVER_FULL`, `SHUTDOWN`, ...).
   */
  static open(config: ConnectionConfig, sink: ConnectionSink, signal?: AbortSignal): Promise<Connection> {
    const { clock } = config;
    const handshake = new ClientHandshake({
      secure: config.secure,
      ...(config.provider && { provider: config.provider }),
      ...(config.serverKey && { serverSigningKey: config.serverKey }),
    });
    return new Promise((resolve, reject) => {
      // Made before dialling: a server's refusal (SERVER_FULL...) can arrive before the link's
      // promise settles (WebSocket: in the same turn as `open`), and is read by the handshake.
      const hello = handshake.hello();
      let link: TransportLink | undefined;
      let connection: Connection | undefined;
      let settled = false;
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        clock.clearTimeout(timer);
        link?.destroy();
        reject(error);
      };
      const timer = clock.setTimeout(
        () => fail(new HearthError(ErrorCode.HANDSHAKE_TIMEOUT, `no handshake with ${config.url.href} within ${config.handshakeTimeoutMs} ms`)),
        config.handshakeTimeoutMs,
      );
      // The client closed while this dial was under way: give up at once (no socket left behind).
      signal?.addEventListener('abort', () => fail(new HearthError(ErrorCode.CLOSED, 'the client closed while connecting')), { once: true });
      const opened = config.transport(
        config.url,
        {
          body: (body) => {
            if (connection !== undefined) return connection.#body(body);
            if (settled) return;
            try {
              const channel = handshake.receive(body);
              settled = true;
              clock.clearTimeout(timer);
              connection = new Connection(link!, channel, config, sink);
              resolve(connection);
            } catch (error) {
              fail(error as Error);
            }
          },
          closed: (code, text) => {
            if (connection !== undefined) connection.#lost(code ?? ErrorCode.CLOSED, text);
            else fail(new HearthError(code ?? ErrorCode.CLOSED, `the connection closed during the handshake: ${text}`));
          },
        },
        { maxFrameBytes: config.maxFrameBytes, timeoutMs: config.handshakeTimeoutMs, tls: config.tls },
      );
      opened.then(
        (l) => {
          link = l;
          if (settled) l.destroy();
          else l.send(hello);
        },
        (error: unknown) => fail(error instanceof Error ? error : new Error(String(error))),
      );
    });
  }

  /** Whether the connection has ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Queues messages into this turn's batch; the batch is sealed and sent once per turn. */
  write(fill: (writer: BatchWriter) => void): boolean {
    if (this.#ended) return false;
    fill(this.#writer);
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(() => this.#flush());
    }
    return true;
  }

  /** Sends a close message `[6, code, text]` and closes the connection. No `lost` follows. */
  close(code: string, text: string): void {
    if (this.#ended) return;
    this.#writer.close(code, text);
    this.#flush();
    this.#end();
    this.#link.close(code);
  }

  /** Drops the connection at once (no close message). No `lost` follows. */
  destroy(): void {
    if (this.#ended) return;
    this.#end();
    this.#link.destroy();
  }

  #flush(): void {
    this.#flushQueued = false;
    if (this.#ended || this.#writer.count === 0) return;
    const stats = this.#config.stats;
    stats.messagesOut += this.#writer.count;
    const plain = this.#writer.take();
    // A plain channel returns the writer's own (reused) buffer: copy it before it leaves.
    const body = this.#channel.secure ? this.#channel.seal(plain) : plain.slice();
    stats.bytesOut += body.length;
    this.#link.send(body);
    this.#lastSent = this.#config.clock.now();
  }

  #body(body: Uint8Array): void {
    if (this.#ended) return;
    this.#lastReceived = this.#config.clock.now();
    this.#config.stats.bytesIn += body.length;
    try {
      decodeBatch(this.#channel.open(body), (msg) => this.#message(msg), { copyBinary: true });
    } catch (error) {
      if (this.#ended) return;
      const e = error instanceof HearthError ? error : new HearthError(ErrorCode.PROTOCOL_ERROR, String(error));
      // A handler's own error is not the server's fault: only protocol failures end the connection.
      if (e.code !== ErrorCode.PROTOCOL_ERROR && e.code !== ErrorCode.BAD_MAC) throw error;
      this.close(e.code, e.message);
      this.#sink.lost(e.code, e.message);
    }
  }

  #message(msg: Message): void {
    if (this.#ended) return;
    this.#config.stats.messagesIn++;
    switch (msg.kind) {
      case Kind.PING:
        this.write((w) => w.pong(msg.t));
        return;
      case Kind.PONG:
        this.rttMs = Math.max(0, this.#config.clock.now() - msg.t);
        return;
      case Kind.CLOSE:
        this.#end();
        this.#link.close(msg.code);
        this.#sink.lost(msg.code, msg.text);
        return;
      default:
        this.#sink.message(msg);
    }
  }

  #lost(code: string, text: string): void {
    if (this.#ended) return;
    this.#end();
    this.#sink.lost(code, text);
  }

  #end(): void {
    this.#ended = true;
    this.#config.clock.clearTimeout(this.#timer);
  }

  /** The heartbeat: one timer per connection, checking at a fraction of the shorter period. */
  #arm(): void {
    const { pingIntervalMs, heartbeatTimeoutMs, clock } = this.#config;
    const every = Math.max(10, Math.min(pingIntervalMs, heartbeatTimeoutMs) / 4);
    this.#timer = clock.setTimeout(() => {
      if (this.#ended) return;
      const now = clock.now();
      if (now - this.#lastReceived >= heartbeatTimeoutMs) {
        const text = `nothing received for ${now - this.#lastReceived} ms (heartbeatTimeoutMs ${heartbeatTimeoutMs}): the connection is dead or half-open`;
        this.destroy();
        this.#sink.lost(ErrorCode.HEARTBEAT_TIMEOUT, text);
        return;
      }
      if (now - this.#lastSent >= pingIntervalMs) this.write((w) => w.ping(Math.max(0, Math.floor(now))));
      this.#arm();
    }, every);
  }
}
