import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { Registry } from 'prom-client';
import type { AdminSource } from './AdminSource.ts';

/** When this process started (ms since epoch), for the lone node of `/nodes` in memory. */
const STARTED_AT = Date.now();

/** Options of {@link AdminServer.listen}. */
export interface AdminServerOptions {
  source: AdminSource;
  registry: Registry;
  /** @defaultValue '127.0.0.1' (loopback: the endpoint lists users and addresses) */
  host?: string;
  /** 0 = ephemeral. */
  port: number;
}

/**
 * The admin HTTP endpoint: `/metrics` (Prometheus text), `/sessions` (JSON), `/nodes` (JSON: the
 * live nodes of the cluster, or this lone node in memory), `/health`.
 * Read-only; bind it to loopback unless it sits behind something that authenticates.
 */
export class AdminServer implements AsyncDisposable {
  readonly #server: Server;
  readonly port: number;
  readonly url: string;

  private constructor(server: Server, port: number, host: string) {
    this.#server = server;
    this.port = port;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  /** Starts listening; resolves once bound. */
  static async listen(options: AdminServerOptions): Promise<AdminServer> {
    const { source, registry } = options;
    const host = options.host ?? '127.0.0.1';
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/metrics') {
        registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
          (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err.message}\n`),
        );
      } else if (path === '/sessions') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(source.sessions()));
      } else if (path === '/nodes') {
        const view = source.cluster?.();
        const self = { nodeId: view?.nodeId ?? null, mode: view?.mode ?? 'memory' };
        if (view === undefined || view.mode === 'memory') {
          const lone = { nodeId: 'local', host: hostname(), pid: process.pid, users: source.stats().sessionsOpen, startedAt: STARTED_AT, expiresAt: null };
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...self, available: true, nodes: [lone] }));
          return;
        }
        view.nodes().then(
          (nodes) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...self, available: true, nodes })),
          (err: Error & { code?: string }) =>
            res
              .writeHead(503, { 'content-type': 'application/json' })
              .end(JSON.stringify({ ...self, available: false, error: err.code ?? 'INTERNAL', text: err.message })),
        );
      } else if (path === '/health') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', sessions: source.stats().sessionsOpen }));
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('try /metrics, /sessions, /nodes or /health\n');
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // exclusive: a node:cluster worker gets its own admin port instead of sharing one with the others.
      server.listen({ port: options.port, host, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new AdminServer(server, (server.address() as AddressInfo).port, host);
  }

  /** Stops listening and ends open connections; idempotent. */
  async close(): Promise<void> {
    if (!this.#server.listening) return;
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
