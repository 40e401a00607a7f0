import { createServer, type Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { formatAddress } from '../address.ts';
import { WsLink } from '../transport/WsLink.ts';
import type { Acceptor } from './Acceptor.ts';
import type { ConnectionGate } from './ConnectionGate.ts';
import { listen } from './listen.ts';

/**
 * The WebSocket acceptor: an HTTP server upgraded by `ws` on any path. Per-message deflate is off
 * (game bodies are small and often encrypted); `maxPayload` is the frame limit.
 */
export class WsAcceptor implements Acceptor {
  readonly transport = 'ws';
  readonly protocol: string;
  readonly #http: Server;
  readonly #wss: WebSocketServer;
  readonly #gate: ConnectionGate;
  #address = '';
  #port = 0;
  #closing: Promise<void> | undefined;

  private constructor(http: Server, wss: WebSocketServer, gate: ConnectionGate, protocol: string) {
    this.#http = http;
    this.#wss = wss;
    this.#gate = gate;
    this.protocol = protocol;
  }

  /** Listens on `host:port` (0 = ephemeral). */
  static async listen(host: string, port: number, protocol: string, gate: ConnectionGate): Promise<WsAcceptor> {
    const http = createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket upgrade required\n');
    });
    const wss = new WebSocketServer({
      server: http,
      maxPayload: gate.limits.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
    wss.on('connection', (ws: WebSocket, req) => {
      const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? 0}`;
      req.socket.setNoDelay(true);
      gate.admit(new WsLink(ws, remote));
    });
    const acceptor = new WsAcceptor(http, wss, gate, protocol);
    acceptor.#port = await listen(http, host, port);
    acceptor.#address = formatAddress('ws', host, acceptor.#port);
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
    this.#closing ??= new Promise<void>((resolve) => {
      this.#wss.close();
      this.#http.close(() => resolve());
      this.#http.closeIdleConnections();
    });
    return Promise.resolve();
  }

  /** Resolves once the listener is closed. */
  closed(): Promise<void> {
    return this.#closing ?? Promise.resolve();
  }
}
