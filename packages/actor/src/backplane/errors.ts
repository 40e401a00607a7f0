import { HearthError } from '@hearth/protocol';

/**
 * Stable codes of the backplane. Thrown to game code on this node (a cross-node operation that
 * cannot be done now); a client sees `BACKPLANE_UNAVAILABLE` only as the error reply to a request
 * that failed because of it (a resume of a token parked on another node, or a handler that lets
 * `player.deliver` reject). Compare with the string: clients need not import this package.
 */
export const BackplaneErrorCode = {
  /** Redis is unreachable: cross-node operations fail fast (nothing is queued) until it returns. */
  BACKPLANE_UNAVAILABLE: 'BACKPLANE_UNAVAILABLE',
  /** The backplane was closed; create a new one. */
  BACKPLANE_CLOSED: 'BACKPLANE_CLOSED',
} as const;
/** One of {@link BackplaneErrorCode}. */
export type BackplaneErrorCode = (typeof BackplaneErrorCode)[keyof typeof BackplaneErrorCode];

/** A `HearthError` with code `BACKPLANE_UNAVAILABLE` that says what failed and how to fix it. */
export function backplaneUnavailable(what: string, cause?: unknown): HearthError {
  return new HearthError(
    BackplaneErrorCode.BACKPLANE_UNAVAILABLE,
    `${what}: Redis is unavailable (cross-node operations fail fast while it is down and resume when it ` +
      `reconnects; check that the server named by --redis / REDIS_URL is running)`,
    cause === undefined ? undefined : { cause },
  );
}

/** True for an error that means "the backplane cannot do cross-node work now" (unavailable or closed). */
export function isBackplaneDown(err: unknown): err is HearthError {
  return (
    err instanceof HearthError &&
    (err.code === BackplaneErrorCode.BACKPLANE_UNAVAILABLE || err.code === BackplaneErrorCode.BACKPLANE_CLOSED)
  );
}
