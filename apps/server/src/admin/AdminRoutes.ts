import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * More routes for the admin endpoint (the web page, the dashboard and its API: `src/web/`). The
 * endpoint checks the `Host` of every request; it asks {@link AdminRoutes.isPublic} whether a path
 * may skip the admin token, then offers every path none of its own routes took to
 * {@link AdminRoutes.serve}.
 */
export interface AdminRoutes {
  /** True for a path anyone may fetch without the admin token (static files, the page's config). */
  isPublic(path: string): boolean;
  /** Serves `GET`/`HEAD` `path`; false when it is not one of these routes (nothing written). */
  serve(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): boolean;
  /** Ends live streams and timers; idempotent. */
  close(): void;
}
