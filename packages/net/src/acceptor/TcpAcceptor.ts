import { createServer, type Server, type Socket } from 'node:net';
import type { ByteAllocator } from '@hearth/protocol';
import { formatAddress } from '../address.ts';
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

  /** Listens on `host:port` (0 = ephemeral). */
  static async listen(host: string, port: number, protocol: string, gate: ConnectionGate, allocator: ByteAllocator): Promise<TcpAcceptor> {
    const options = { maxFrameBytes: gate.limits.maxFrameBytes, maxHelloBytes: gate.limits.maxHelloBytes, allocator };
    const server = createServer({ noDelay: true }, (socket: Socket) => {
      gate.admit(new TcpLink(socket, options), gate.enter(socket.remoteAddress));
    });
    const acceptor = new TcpAcceptor(server, gate, protocol);
    acceptor.#port = await listen(server, host, port);
    acceptor.#address = formatAddress('tcp', host, acceptor.#port);
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
