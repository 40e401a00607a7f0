import { ErrorCode, HearthError } from '@hearth/protocol';
import type { CloseInfo } from './ClientEvents.ts';

/**
 * Codes the client reports locally, besides the wire codes of `ErrorCode` (`@hearth/protocol`).
 * A request rejects with a `HearthError` carrying one of these or a code the server sent.
 */
export const ClientErrorCode = {
  /**
   * The connection dropped while the request was in flight and its definition is not idempotent:
   * it may or may not have been handled. Retryable once the client is back (`resumed`).
   */
  DISCONNECTED: 'DISCONNECTED',
  /** The client is closed (by `close()` or for good after a final code); nothing more is sent. */
  CLOSED: ErrorCode.CLOSED,
  /** No reply within the request's timeout. */
  TIMEOUT: ErrorCode.TIMEOUT,
  /** The server refused to resume (unknown or expired token: its grace period ran out). Log in again. */
  RESUME_REFUSED: 'RESUME_REFUSED',
  /** The client was used wrongly (e.g. `request` before `connect`, a bad option). */
  USAGE: 'USAGE',
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

const RETRYABLE = new Set<string>([
  ClientErrorCode.DISCONNECTED,
  ErrorCode.TIMEOUT,
  ErrorCode.SHUTDOWN,
  ErrorCode.SERVER_FULL,
  ErrorCode.HANDSHAKE_TIMEOUT,
]);

/** Whether a request that failed with `code` may simply be tried again (after `resumed`). */
export function isRetryable(code: string): boolean {
  return RETRYABLE.has(code);
}

/**
 * Codes after which the client does not redial: the server or the configuration says no, and
 * dialling again would get the same answer (or take a session over from a newer login).
 */
export const FINAL_CODES: ReadonlySet<string> = new Set<string>([
  ErrorCode.KICKED,
  ErrorCode.LOGIN_TIMEOUT,
  ErrorCode.HANDSHAKE_FAILED,
  ErrorCode.VERSION_UNSUPPORTED,
  ErrorCode.NORMAL,
  ClientErrorCode.RESUME_REFUSED,
  ClientErrorCode.USAGE,
]);

/** An error as the `{ code, text }` of a failure (`INTERNAL` for one that is not a `HearthError`). */
export function infoOf(error: unknown): CloseInfo {
  if (error instanceof HearthError) return { code: error.code, text: error.message };
  return { code: ErrorCode.INTERNAL, text: error instanceof Error ? error.message : String(error) };
}
