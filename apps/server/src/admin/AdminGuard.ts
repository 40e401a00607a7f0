import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/** Why a request was turned away: the HTTP status and a one-line text. */
export interface AdminRefusal {
  readonly status: 401 | 403;
  readonly text: string;
}

/**
 * The admin endpoint's two checks, before any route runs:
 * - `Host` must name this endpoint (DNS rebinding: a web page on `evil.example` that re-points its
 *   name to 127.0.0.1 still sends `Host: evil.example`). Allowed: the bind host, `localhost`,
 *   `127.0.0.1` and `[::1]`, each with the bound port; on a wildcard bind (`0.0.0.0`, `::`) also any
 *   IP literal with the port (a page can only send an IP literal as Host from that very origin).
 * - With a token, `Authorization: Bearer <token>` (compared in constant time) on every path but `/health`.
 */
export class AdminGuard {
  readonly #names: ReadonlySet<string>;
  readonly #wildcard: boolean;
  readonly #port: number;
  readonly #tokenDigest: Buffer | undefined;

  constructor(bindHost: string, port: number, token: string | undefined) {
    const bind = bracket(bindHost.toLowerCase());
    this.#names = new Set([bind, 'localhost', '127.0.0.1', '[::1]']);
    this.#wildcard = bind === '0.0.0.0' || bind === '[::]';
    this.#port = port;
    this.#tokenDigest = token === undefined ? undefined : digest(token);
  }

  /** The refusal for `req` on `path`, or undefined when it may proceed. */
  check(req: IncomingMessage, path: string): AdminRefusal | undefined {
    if (!this.#hostAllowed(req.headers.host)) {
      return { status: 403, text: `Host "${(req.headers.host ?? '').slice(0, 100)}" is not this admin endpoint; use its address, e.g. 127.0.0.1:${this.#port}` };
    }
    if (this.#tokenDigest === undefined || path === '/health') return undefined;
    const match = /^Bearer +(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (match === null || !timingSafeEqual(digest(match[1]!), this.#tokenDigest)) {
      return { status: 401, text: 'admin token required: send Authorization: Bearer <--admin-token>' };
    }
    return undefined;
  }

  #hostAllowed(header: string | undefined): boolean {
    if (header === undefined) return false;
    const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(header.trim().toLowerCase());
    if (m === null) return false;
    const port = m[2] === undefined ? 80 : Number(m[2]);
    if (port !== this.#port) return false;
    const name = m[1]!;
    if (this.#names.has(name)) return true;
    return this.#wildcard && isIP(name.replace(/^\[(.*)\]$/, '$1')) !== 0;
  }
}

function bracket(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Equal-length digests, so `timingSafeEqual` neither throws nor leaks the token's length. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
