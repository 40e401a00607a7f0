import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder in front of the game's WebSocket port, so a test can drop the browser's
 * connection as a network would (`cut()` destroys every live pair; new connections go through).
 */
export class CutProxy implements AsyncDisposable {
  readonly #server: Server;
  readonly #pairs = new Set<[Socket, Socket]>();
  /** Connections accepted so far. */
  accepted = 0;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(targetPort: number): Promise<CutProxy> {
    const proxy: CutProxy = new CutProxy(
      createServer((client) => {
        proxy.accepted++;
        const upstream = connect(targetPort, '127.0.0.1');
        const pair: [Socket, Socket] = [client, upstream];
        proxy.#pairs.add(pair);
        const end = () => {
          proxy.#pairs.delete(pair);
          client.destroy();
          upstream.destroy();
        };
        client.on('error', end).on('close', end);
        upstream.on('error', end).on('close', end);
        client.pipe(upstream);
        upstream.pipe(client);
      }),
    );
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as { port: number }).port;
  }

  /** Destroys every live connection (a cable pulled: no close frame, no FIN to the page first). */
  cut(): number {
    const n = this.#pairs.size;
    for (const [a, b] of this.#pairs) {
      a.resetAndDestroy();
      b.destroy();
    }
    this.#pairs.clear();
    return n;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
