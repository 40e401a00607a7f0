import { createReadStream, realpathSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';

/** Content types of what a Vite build emits. */
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Pages load only their own scripts and talk only to their origin and WebSockets (the game port
 * differs from the page's); no framing (clickjacking).
 */
const PAGE_POLICY = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

/** Longest URL path looked up, in characters (longer ones are not files of a build). */
const MAX_PATH = 512;

/**
 * Read-only static files from one directory (a Vite build): `GET`/`HEAD` only, no listing, no
 * dot-files, nothing outside the directory (`..`, encoded separators, NUL and symlinks leading out
 * are refused: the URL path is hostile input). A directory path serves its `index.html`. Files
 * under `assets/` carry a content hash in their name and are cached for a year; the rest is
 * revalidated (`no-cache`).
 */
export class StaticFiles {
  readonly root: string;

  /** @param root an existing directory (its real path is taken once). */
  constructor(root: string) {
    this.root = realpathSync(root);
  }

  /** The file a URL path names inside the root, or undefined (never a path outside the root). */
  resolve(urlPath: string): string | undefined {
    if (urlPath.length > MAX_PATH || !urlPath.startsWith('/')) return undefined;
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return undefined;
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
    const parts = decoded.split('/').filter((p) => p !== '');
    if (parts.some((p) => p.startsWith('.'))) return undefined; // `..`, `.git`, `.env`
    let file = join(this.root, ...parts);
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      const real = realpathSync(file);
      if (!real.startsWith(this.root + sep) || !statSync(real).isFile()) return undefined;
      return real;
    } catch {
      return undefined;
    }
  }

  /** Serves `urlPath` when it names a file; false (nothing written) otherwise. */
  serve(req: IncomingMessage, res: ServerResponse, urlPath: string): boolean {
    // `/admin` → `/admin/`: relative asset URLs in its index.html resolve against the slash.
    if (!urlPath.endsWith('/') && extname(urlPath) === '' && this.resolve(`${urlPath}/`) !== undefined) {
      res.writeHead(308, { location: `${urlPath}/` }).end();
      return true;
    }
    const file = this.resolve(urlPath);
    if (file === undefined) return false;
    const size = statSync(file).size;
    const immutable = file.startsWith(join(this.root, 'assets') + sep);
    res.writeHead(200, {
      'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': size,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
      ...(file.endsWith('.html') ? { 'content-security-policy': PAGE_POLICY } : {}),
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).on('error', () => res.destroy()).pipe(res);
    return true;
  }
}
