import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { AdminRoutes } from '../admin/AdminRoutes.ts';
import type { AdminSession, AdminSource } from '../admin/AdminSource.ts';
import { DashboardFeed } from './DashboardFeed.ts';
import { StaticFiles } from './StaticFiles.ts';

/** What the dashboard reads beyond {@link AdminSource}: rooms and one player in full. */
export interface DashboardSource {
  /** Rooms on this node (the holder's groups) and their local players. */
  rooms(): Array<{ name: string; players: number }>;
  /** The player actor of session `sessionId` (snapshot and game data), or undefined. */
  player(sessionId: number): unknown;
}

/** What `/config.json` tells the page: where the game is and the key it must pin. */
export interface PageConfig {
  /** The game's WebSocket address (a wildcard host means "the page's own host"). */
  ws: string;
  protocol: string;
  /** The server's Ed25519 public key, 64 hex digits. */
  serverKey: string;
  tickHz: number;
  /** The `--auth` in force: how the page logs in (`dev`: a name; `device`, `accounts`: a guest device). */
  auth: string;
}

/** Options of {@link WebRoutes}. */
export interface WebRoutesOptions {
  source: AdminSource;
  registry: Registry;
  dashboard: DashboardSource;
  /** Directory of the built page (`apps/web/dist`); undefined = no static files. */
  webDir: string | undefined;
  page: PageConfig;
  /** Dashboard sampling interval. @defaultValue 1000 */
  intervalMs?: number;
}

/** Paths the admin endpoint owns: never static files, never public. */
const RESERVED = new Set(['/metrics', '/sessions', '/nodes', '/health']);
const API = '/admin/api/';
/** Page size of the dashboard's tables at most. */
const MAX_PAGE = 200;
/** Sessions a search looks at, at most (each is a snapshot built synchronously). */
const MAX_SCAN = 20_000;
const SCAN_CHUNK = 500;

/**
 * The admin port's web routes: the built page and dashboard (static, public), `/config.json`
 * (public), and the dashboard's API under `/admin/api/` behind the admin token: `events` (live
 * samples as server-sent events), `sessions` and `rooms` (`?q=&offset=&limit=`), `player?id=`.
 */
export class WebRoutes implements AdminRoutes {
  readonly feed: DashboardFeed;
  readonly #files: StaticFiles | undefined;
  readonly #o: WebRoutesOptions;

  constructor(options: WebRoutesOptions) {
    this.#o = options;
    this.#files = options.webDir === undefined ? undefined : new StaticFiles(options.webDir);
    this.feed = new DashboardFeed({ source: options.source, registry: options.registry, ...(options.intervalMs !== undefined && { intervalMs: options.intervalMs }) });
  }

  /** The directory served, or undefined. */
  get webDir(): string | undefined {
    return this.#files?.root;
  }

  isPublic(path: string): boolean {
    if (path === '/config.json') return true;
    if (RESERVED.has(path) || path.startsWith(API) || this.#files === undefined) return false;
    return this.#files.resolve(path) !== undefined || this.#files.resolve(`${path}/`) !== undefined;
  }

  serve(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): boolean {
    if (path === '/config.json') {
      json(res, this.#o.page);
      return true;
    }
    if (path.startsWith(API)) return this.#api(req, res, path.slice(API.length), query);
    return this.#files?.serve(req, res, path) ?? false;
  }

  close(): void {
    this.feed.close();
  }

  #api(_req: IncomingMessage, res: ServerResponse, route: string, query: URLSearchParams): boolean {
    switch (route) {
      case 'events':
        this.feed.subscribe(res);
        return true;
      case 'sessions': {
        const page = pageOf(query);
        if (typeof page === 'string') return badRequest(res, page);
        json(res, { ...page, ...this.#sessions(page.q, page.offset, page.limit) });
        return true;
      }
      case 'rooms': {
        const page = pageOf(query);
        if (typeof page === 'string') return badRequest(res, page);
        const all = this.#o.dashboard
          .rooms()
          .filter((r) => page.q === '' || r.name.toLowerCase().includes(page.q))
          .sort((a, b) => a.name.localeCompare(b.name));
        json(res, { ...page, total: all.length, rooms: all.slice(page.offset, page.offset + page.limit) });
        return true;
      }
      case 'player': {
        const raw = query.get('id') ?? '';
        if (!/^\d{1,10}$/.test(raw)) return badRequest(res, `id: expected a session id (an integer), got "${raw.slice(0, 20)}"`);
        const player = this.#o.dashboard.player(Number(raw));
        if (player === undefined) res.writeHead(404, { 'content-type': 'text/plain' }).end(`no player on session ${raw}\n`);
        else json(res, player);
        return true;
      }
      default:
        return false;
    }
  }

  /** One page of the sessions whose id, user, address or rooms contain `q` (all when `q` is empty). */
  #sessions(q: string, offset: number, limit: number): { total: number; scanned: number; sessions: AdminSession[] } {
    const { source } = this.#o;
    if (q === '') {
      const page = source.sessions(offset, limit);
      return { total: page.total, scanned: page.total, sessions: page.sessions };
    }
    const found: AdminSession[] = [];
    let matched = 0;
    let scanned = 0;
    for (let at = 0; at < MAX_SCAN; at += SCAN_CHUNK) {
      const chunk = source.sessions(at, SCAN_CHUNK);
      for (const s of chunk.sessions) {
        const text = `${s.id} ${s.user ?? ''} ${s.remoteAddress ?? ''} ${s.groups.join(' ')}`.toLowerCase();
        if (!text.includes(q)) continue;
        if (matched >= offset && found.length < limit) found.push(s);
        matched++;
      }
      scanned += chunk.sessions.length;
      if (at + SCAN_CHUNK >= chunk.total) break;
    }
    return { total: matched, scanned, sessions: found };
  }
}

function json(res: ServerResponse, value: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(value));
}

function badRequest(res: ServerResponse, text: string): true {
  res.writeHead(400, { 'content-type': 'text/plain' }).end(`${text}\n`);
  return true;
}

/** `?q=&offset=&limit=` of the dashboard's tables, or why they are refused. */
function pageOf(query: URLSearchParams): { q: string; offset: number; limit: number } | string {
  const q = (query.get('q') ?? '').trim().toLowerCase();
  if (q.length > 100) return 'q: at most 100 characters';
  const int = (name: string, fallback: number, max: number): number | string => {
    const raw = query.get(name);
    if (raw === null || raw === '') return fallback;
    return /^\d{1,9}$/.test(raw) ? Math.min(Number(raw), max) : `${name}: expected an integer 0..${max}, got "${raw.slice(0, 20)}"`;
  };
  const offset = int('offset', 0, 999_999_999);
  const limit = int('limit', 20, MAX_PAGE);
  if (typeof offset === 'string') return offset;
  if (typeof limit === 'string') return limit;
  return { q, offset, limit };
}
