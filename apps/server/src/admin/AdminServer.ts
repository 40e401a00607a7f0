import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { Registry } from 'prom-client';
import { AdminGuard } from './AdminGuard.ts';
import type { AdminRoutes } from './AdminRoutes.ts';
import type { AdminSource } from './AdminSource.ts';

/** `/sessions` page size when `?limit=` is absent. */
export const DEFAULT_SESSIONS_LIMIT = 100;
/** Largest `/sessions?limit=`: one page is built synchronously, so its size bounds the event-loop stall. */
export const MAX_SESSIONS_LIMIT = 1000;

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
  /** Bearer token every path but `/health` requires (`Authorization: Bearer <token>`). @defaultValue none */
  token?: string | undefined;
  /** More routes (the web page and the dashboard, `src/web/WebRoutes.ts`). @defaultValue none */
  routes?: AdminRoutes | undefined;
}

/**
 * The admin HTTP endpoint: `/metrics` (Prometheus text), `/sessions?offset=&limit=` (JSON, one
 * page), `/nodes` (JSON: the live nodes of the cluster, or this lone node in memory), `/health`
 * (`ok`, or `degraded` while the cluster's Redis is down). Read-only. Every request must carry a
 * `Host` naming this endpoint, and with `token` a bearer token (see {@link AdminGuard}); bind it to
 * loopback unless it sits behind something that authenticates.
 */
export class AdminServer implements AsyncDisposable {
  readonly #server: Server;
  readonly #routes: AdminRoutes | undefined;
  readonly port: number;
  readonly url: string;

  private constructor(server: Server, port: number, host: string, routes: AdminRoutes | undefined) {
    this.#server = server;
    this.#routes = routes;
    this.port = port;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  /** Starts listening; resolves once bound. */
  static async listen(options: AdminServerOptions): Promise<AdminServer> {
    const { source, registry } = options;
    const host = options.host ?? '127.0.0.1';
    // Set once bound (the Host check needs the real port).
    const bound: { guard?: AdminGuard; publicGuard?: AdminGuard } = {};
    const routes = options.routes;
    const server = createServer((req, res) => {
      const [path = '/', query = ''] = (req.url ?? '/').split('?', 2);
      // Public routes (the page, its config) skip the token, not the Host check.
      const guard = routes?.isPublic(path) === true ? bound.publicGuard : bound.guard;
      const refusal = guard === undefined ? { status: 403 as const, text: 'not listening yet' } : guard.check(req, path);
      if (refusal !== undefined) {
        const headers = { 'content-type': 'text/plain', ...(refusal.status === 401 ? { 'www-authenticate': 'Bearer realm="hearth-admin"' } : {}) };
        res.writeHead(refusal.status, headers).end(`${refusal.text}\n`);
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/metrics') {
        registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
          (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(err as Error).message}\n`),
        );
      } else if (path === '/sessions') {
        const page = pageOf(new URLSearchParams(query));
        if (typeof page === 'string') {
          res.writeHead(400, { 'content-type': 'text/plain' }).end(`${page}\n`);
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...page, ...source.sessions(page.offset, page.limit) }));
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
          (err: unknown) => {
            const { code, message } = err as Error & { code?: string };
            res
              .writeHead(503, { 'content-type': 'application/json' })
              .end(JSON.stringify({ ...self, available: false, error: code ?? 'INTERNAL', text: message }));
          },
        );
      } else if (path === '/health') {
        // Degraded, not down: local play goes on while Redis is away (200, so a balancer keeps the node).
        const view = source.cluster?.();
        const backplane = view?.mode === 'redis' ? { backplane: view.available ? 'up' : 'down' } : {};
        const status = view?.mode === 'redis' && !view.available ? 'degraded' : 'ok';
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status, sessions: source.stats().sessionsOpen, ...backplane }));
      } else if (routes?.serve(req, res, path, new URLSearchParams(query)) !== true) {
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
    const port = (server.address() as AddressInfo).port;
    bound.guard = new AdminGuard(host, port, options.token);
    bound.publicGuard = new AdminGuard(host, port, undefined);
    return new AdminServer(server, port, host, routes);
  }

  /** Stops listening and ends open connections; idempotent. */
  async close(): Promise<void> {
    this.#routes?.close();
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

/** `?offset=&limit=` of `/sessions`, or the one-line reason they are refused. */
function pageOf(params: URLSearchParams): { offset: number; limit: number } | string {
  const read = (name: string, fallback: number, max: number): number | string => {
    const raw = params.get(name);
    if (raw === null || raw === '') return fallback;
    const n = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
    return Number.isNaN(n) ? `${name}: expected an integer 0..${max}, got "${raw.slice(0, 20)}"` : Math.min(n, max);
  };
  const offset = read('offset', 0, 999_999_999);
  const limit = read('limit', DEFAULT_SESSIONS_LIMIT, MAX_SESSIONS_LIMIT);
  if (typeof offset === 'string') return offset;
  if (typeof limit === 'string') return limit;
  return { offset, limit };
}
