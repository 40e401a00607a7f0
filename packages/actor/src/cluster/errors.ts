import { HearthError } from '@hearth/protocol';

/**
 * Stable codes of the cluster layer. Kept here rather than in `@hearth/protocol`'s `ErrorCode`
 * because they never travel on the client wire; they are thrown to game code on this node.
 */
export const ClusterErrorCode = {
  /** Redis is unreachable: cross-node operations fail fast (nothing is queued) until it returns. */
  BACKPLANE_UNAVAILABLE: 'BACKPLANE_UNAVAILABLE',
  /** The backplane was closed; create a new one. */
  BACKPLANE_CLOSED: 'BACKPLANE_CLOSED',
} as const;
/** One of {@link ClusterErrorCode}. */
export type ClusterErrorCode = (typeof ClusterErrorCode)[keyof typeof ClusterErrorCode];

/** A `HearthError` with code `BACKPLANE_UNAVAILABLE` that says what failed and how to fix it. */
export function backplaneUnavailable(what: string, cause?: unknown): HearthError {
  return new HearthError(
    ClusterErrorCode.BACKPLANE_UNAVAILABLE,
    `${what}: Redis is unavailable (cross-node operations fail fast while it is down and resume when it ` +
      `reconnects; check that the server named by --redis / REDIS_URL is running)`,
    cause === undefined ? undefined : { cause },
  );
}
