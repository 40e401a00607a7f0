import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Server as NetServer, Socket } from 'node:net';
import { ErrorCode } from '@hearth/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import { formatAddress } from '../address.ts';
import type { TlsCredentials } from '../ServiceOptions.ts';
import type { Refusal } from '../limit/AddressTable.ts';
import { WsLink } from '../transport/WsLink.ts';
import type { Acceptor } from './Acceptor.ts';
import type { ConnectionGate } from './ConnectionGate.ts';
import { listen } from './listen.ts';
import { tlsListener } from './tlsListener.ts';

/** A socket between its TCP accept and its WebSocket upgrade. */
interface Upgrading {
  readonly remoteHost: string | undefined;
  readonly refusal: Refusal | undefined;
  readonly startedAt: number;
  readonly timer: NodeJS.Timeout;
  readonly onClose: () => void;
}

/**
 * The WebSocket acceptor: an HTTP server upgraded by `ws` on any path. Per-message deflate is off
 * (game bodies are small and often encrypted); `maxPayload` is the frame limit.
 *
 * A socket is a connection from its TCP accept: the HTTP upgrade phase counts against
 * `maxConnections` and the per-address limits, and is bounded by `handshakeTimeoutMs` (the
 * session gets what is left of it); a socket not upgraded by then is destroyed, and so are all
 * of them when the acceptor closes. With TLS (`wss://`) that is from the TCP accept too: the TLS
 * handshake is part of the upgrade phase, and a refused socket is destroyed before any TLS work.
 */
export class WsAcceptor implements Acceptor {
  readonly transport = 'ws';
  readonly protocol: string;
  readonly #http: Server;
  /** What listens: the HTTP server, or with TLS the TCP server handing it TLS sockets. */
  readonly #listener: NetServer;
  readonly #wss: WebSocketServer;
  readonly #gate: ConnectionGate;
  readonly #upgrading = new Map<Socket, Upgrading>();
  #address = '';
  #port = 0;
  #closing: Promise<void> | undefined;

  private constructor(http: Server, listener: NetServer, wss: WebSocketServer, gate: ConnectionGate, protocol: string) {
    this.#http = http;
    this.#listener = listener;
    this.#wss = wss;
    this.#gate = gate;
    this.protocol = protocol;
  }

  /** Listens on `host:port` (0 = ephemeral); with `tls`, WebSocket over HTTPS (`wss://`). */
  static async listen(host: string, port: number, protocol: string, gate: ConnectionGate, tls?: TlsCredentials): Promise<WsAcceptor> {
    const { handshakeTimeoutMs } = gate.limits;
    const httpOptions = {
      // Node's own request timeouts, matched to the handshake's (they are checked only every
      // connectionsCheckingInterval, and not at all once close() is called: the timers below are
      // what bounds an upgrade; these answer 408 to a slow request first when they can).
      headersTimeout: handshakeTimeoutMs,
      requestTimeout: handshakeTimeoutMs,
      connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(handshakeTimeoutMs / 2))),
    };
    const refuse = (_req: IncomingMessage, res: ServerResponse): void => {
      res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' }).end('WebSocket upgrade required\n');
    };
    const http: Server = createServer(httpOptions, refuse);
    // noServer: the acceptor drives the upgrade (so it is counted and timed), and a listen error
    // stays the listen promise's (ws re-emits its server's errors, which would be unhandled).
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: gate.limits.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
    // With TLS the gate counts (or refuses) the TCP socket at its accept; the TLS socket is watched
    // from then, and given to the HTTP server once its TLS handshake is done.
    const listener =
      tls === undefined
        ? http
        : tlsListener(tls, gate, (socket) => acceptor.#accepted(socket, undefined), (socket) => http.emit('connection', socket));
    const acceptor = new WsAcceptor(http, listener, wss, gate, protocol);
    if (tls === undefined) http.on('connection', (socket: Socket) => acceptor.#accepted(socket, gate.enter(socket.remoteAddress)));
    http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => acceptor.#upgrade(req, socket, head));
    acceptor.#port = await listen(listener, host, port);
    listener.on('error', (error: Error) => gate.serverError(error));
    acceptor.#address = formatAddress('ws', host, acceptor.#port).replace(/^ws:/, tls === undefined ? 'ws:' : 'wss:');
    return acceptor;
  }

  get address(): string {
    return this.#address;
  }

  get port(): number {
    return this.#port;
  }

  get connections(): number {
    return this.#gate.connections;
  }

  /** Sockets accepted and not upgraded yet. */
  get upgrading(): number {
    return this.#upgrading.size;
  }

  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#wss.close();
      this.#listener.close(() => resolve());
      if (this.#listener !== this.#http) this.#http.close();
      this.#http.closeIdleConnections();
      // server.close stops Node's header-timeout checks: a half-sent upgrade would hold it open forever.
      this.destroyPending();
    });
    return Promise.resolve();
  }

  /** Resolves once the listener and every socket it accepted are closed. */
  closed(): Promise<void> {
    return this.#closing ?? Promise.resolve();
  }

  /** Destroys every socket that has not finished its upgrade. */
  destroyPending(): void {
    for (const socket of [...this.#upgrading.keys()]) socket.destroy();
  }

  /** An upgrade not finished in time: counted as `HANDSHAKE_TIMEOUT` (one function for every socket). */
  readonly #timedOut = (socket: Socket): void => {
    this.#gate.stats.countClose(ErrorCode.HANDSHAKE_TIMEOUT);
    socket.destroy();
  };

  /** A socket {@link ConnectionGate.enter} counted (`refusal`: what it said) starts its upgrade. */
  #accepted(socket: Socket, refusal: Refusal | undefined): void {
    const gate = this.#gate;
    const remoteHost = socket.remoteAddress;
    const limits = gate.limits;
    // A refused socket may still upgrade to hear why (SERVER_FULL, ...), but only for as long as a closing connection may drain.
    const ms = refusal === undefined ? limits.handshakeTimeoutMs : Math.min(limits.handshakeTimeoutMs, limits.closeTimeoutMs);
    const timer = setTimeout(this.#timedOut, ms, socket);
    const onClose = (): void => void this.#forget(socket, true);
    this.#upgrading.set(socket, { remoteHost, refusal, startedAt: performance.now(), timer, onClose });
    gate.stats.upgrading++;
    socket.once('close', onClose);
  }

  /** Stops watching an upgrading socket; `gone`: it closed without becoming a session. */
  #forget(socket: Socket, gone: boolean): Upgrading | undefined {
    const entry = this.#upgrading.get(socket);
    if (entry === undefined) return undefined;
    this.#upgrading.delete(socket);
    clearTimeout(entry.timer);
    socket.off('close', entry.onClose);
    this.#gate.stats.upgrading--;
    if (gone) this.#gate.leave(entry.remoteHost, entry.refusal);
    return entry;
  }

  #upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    if (!this.#upgrading.has(socket)) {
      socket.destroy();
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const entry = this.#forget(socket, false);
      if (entry === undefined || socket.destroyed) {
        // Timed out (or closed) during the upgrade: its socket is already forgotten and counted out.
        if (entry !== undefined) this.#gate.leave(entry.remoteHost, entry.refusal);
        ws.terminate();
        return;
      }
      socket.setNoDelay(true);
      const gate = this.#gate;
      const remote = `${entry.remoteHost ?? '?'}:${socket.remotePort ?? 0}`;
      // perMessageDeflate is off and nothing sends a Blob: the link may write its frames on the socket directly.
      const link = new WsLink(ws, remote, entry.remoteHost, { socket, maxHelloBytes: gate.limits.maxHelloBytes }, socket);
      gate.admit(link, entry.refusal, gate.limits.handshakeTimeoutMs - (performance.now() - entry.startedAt));
    });
  }
}
