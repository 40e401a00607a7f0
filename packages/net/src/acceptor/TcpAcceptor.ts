import { createServer, type Server, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { ErrorCode, type ByteAllocator } from '@hearth/protocol';
import { formatAddress } from '../address.ts';
import type { TlsCredentials } from '../ServiceOptions.ts';
import { TcpLink, type TcpLinkOptions } from '../transport/TcpLink.ts';
import type { Acceptor } from './Acceptor.ts';
import type { ConnectionGate } from './ConnectionGate.ts';
import { listen } from './listen.ts';
import { tlsListener } from './tlsListener.ts';

/** A `tls://` socket between its TCP accept and the end of its TLS handshake. */
interface Securing {
  readonly remoteHost: string | undefined;
  readonly startedAt: number;
  readonly timer: NodeJS.Timeout;
  readonly onClose: () => void;
}

/**
 * The TCP acceptor: a `node:net` server whose connections become sessions through a gate.
 *
 * With TLS (`tls://`) a socket is a connection from its TCP accept: it is counted (and refused,
 * destroyed before any TLS work) then, and its TLS handshake and the session's handshake together
 * are bounded by `handshakeTimeoutMs` from the accept.
 */
export class TcpAcceptor implements Acceptor {
  readonly transport = 'tcp';
  readonly protocol: string;
  readonly #server: Server;
  readonly #gate: ConnectionGate;
  readonly #linkOptions: TcpLinkOptions;
  readonly #securing = new Map<TLSSocket, Securing>();
  #address = '';
  #port = 0;
  #closing: Promise<void> | undefined;

  private constructor(gate: ConnectionGate, protocol: string, linkOptions: TcpLinkOptions, tls: TlsCredentials | undefined) {
    this.#gate = gate;
    this.protocol = protocol;
    this.#linkOptions = linkOptions;
    this.#server =
      tls === undefined
        ? createServer({ noDelay: true }, (socket: Socket) => gate.admit(new TcpLink(socket, linkOptions), gate.enter(socket.remoteAddress)))
        : tlsListener(tls, gate, (socket) => this.#accepted(socket), (socket) => this.#secure(socket));
  }

  /** Listens on `host:port` (0 = ephemeral); with `tls`, TCP frames over TLS (`tls://`). */
  static async listen(host: string, port: number, protocol: string, gate: ConnectionGate, allocator: ByteAllocator, tls?: TlsCredentials): Promise<TcpAcceptor> {
    const options = { maxFrameBytes: gate.limits.maxFrameBytes, maxHelloBytes: gate.limits.maxHelloBytes, allocator };
    const acceptor = new TcpAcceptor(gate, protocol, options, tls);
    const server = acceptor.#server;
    acceptor.#port = await listen(server, host, port);
    server.on('error', (error: Error) => gate.serverError(error));
    acceptor.#address = formatAddress('tcp', host, acceptor.#port).replace(/^tcp:/, tls === undefined ? 'tcp:' : 'tls:');
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

  close(): Promise<void> {
    // server.close resolves when every connection is gone; the service ends those, so only wait for the listener.
    this.#closing ??= new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      if (!this.#server.listening) resolve();
      this.destroyPending();
    });
    return Promise.resolve();
  }

  /** Resolves once the listener and all its connections are closed. */
  closed(): Promise<void> {
    return this.#closing ?? Promise.resolve();
  }

  /** Destroys every socket still in its TLS handshake (the others are sessions: the service ends those). */
  destroyPending(): void {
    for (const socket of [...this.#securing.keys()]) socket.destroy();
  }

  /** A TLS handshake not finished in time: counted as `HANDSHAKE_TIMEOUT` (one function for every socket). */
  readonly #timedOut = (socket: TLSSocket): void => {
    this.#gate.stats.countClose(ErrorCode.HANDSHAKE_TIMEOUT);
    socket.destroy();
  };

  /** An admitted `tls://` socket starts its TLS handshake: its count is released when it closes before {@link #secure}. */
  #accepted(socket: TLSSocket): void {
    const remoteHost = socket.remoteAddress;
    const timer = setTimeout(this.#timedOut, this.#gate.limits.handshakeTimeoutMs, socket);
    const onClose = (): void => {
      if (this.#forget(socket) !== undefined) this.#gate.leave(remoteHost, undefined);
    };
    this.#securing.set(socket, { remoteHost, startedAt: performance.now(), timer, onClose });
    socket.once('close', onClose);
  }

  #forget(socket: TLSSocket): Securing | undefined {
    const entry = this.#securing.get(socket);
    if (entry === undefined) return undefined;
    this.#securing.delete(socket);
    clearTimeout(entry.timer);
    socket.off('close', entry.onClose);
    return entry;
  }

  /** TLS is up: the socket becomes a session (which owns its count from here) with what is left of the handshake time. */
  #secure(socket: TLSSocket): void {
    const entry = this.#forget(socket);
    if (entry === undefined) {
      socket.destroy();
      return;
    }
    const gate = this.#gate;
    if (socket.destroyed) {
      gate.leave(entry.remoteHost, undefined);
      return;
    }
    const left = gate.limits.handshakeTimeoutMs - (performance.now() - entry.startedAt);
    gate.admit(new TcpLink(socket, this.#linkOptions), undefined, Math.max(1, left));
  }
}
