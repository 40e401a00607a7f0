import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { ByteAllocator } from '@hearth/protocol';
import { formatAddress } from '../address.ts';
import type { TlsCredentials } from '../ServiceOptions.ts';
import { TcpLink } from '../transport/TcpLink.ts';
import type { Acceptor } from './Acceptor.ts';
import type { ConnectionGate } from './ConnectionGate.ts';
import { listen } from './listen.ts';

/** The TCP acceptor: a `node:net` server whose connections become sessions through a gate. */
export class TcpAcceptor implements Acceptor {
  readonly transport = 'tcp';
  readonly protocol: string;
  readonly #server: Server;
  readonly #gate: ConnectionGate;
  #address = '';
  #port = 0;
  #closing: Promise<void> | undefined;

  private constructor(server: Server, gate: ConnectionGate, protocol: string) {
    this.#server = server;
    this.#gate = gate;
    this.protocol = protocol;
  }

  /** Listens on `host:port` (0 = ephemeral); with `tls`, TCP frames over TLS (`tls://`). */
  static async listen(host: string, port: number, protocol: string, gate: ConnectionGate, allocator: ByteAllocator, tls?: TlsCredentials): Promise<TcpAcceptor> {
    const options = { maxFrameBytes: gate.limits.maxFrameBytes, maxHelloBytes: gate.limits.maxHelloBytes, allocator };
    const admit = (socket: Socket): void => {
      gate.admit(new TcpLink(socket, options), gate.enter(socket.remoteAddress));
    };
    const server =
      tls === undefined
        ? createServer({ noDelay: true }, admit)
        : createTlsServer({ cert: pem(tls.cert), key: pem(tls.key), handshakeTimeout: gate.limits.handshakeTimeoutMs, noDelay: true }, admit);
    // A failed TLS handshake (a scanner, a plain-TCP client) ends only that socket.
    if (tls !== undefined) server.on('tlsClientError', () => {});
    const acceptor = new TcpAcceptor(server, gate, protocol);
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
    });
    return Promise.resolve();
  }

  /** Resolves once the listener and all its connections are closed. */
  closed(): Promise<void> {
    return this.#closing ?? Promise.resolve();
  }

  /** Nothing to destroy: every accepted socket became a session at once (the service ends those). */
  destroyPending(): void {}
}

/** PEM text for node:tls (a Uint8Array is taken as the file's bytes). */
export function pem(value: string | Uint8Array): string | Buffer {
  return typeof value === 'string' ? value : Buffer.from(value);
}
