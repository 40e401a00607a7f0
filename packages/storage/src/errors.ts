import { ErrorCode, HearthError } from '@hearth/protocol';

/** `BAD_REQUEST`: an input of the wrong type or format. */
export function badRequest(message: string): HearthError {
  return new HearthError(ErrorCode.BAD_REQUEST, message);
}

/** `TOO_LARGE`: an input past its documented limit. */
export function tooLarge(message: string): HearthError {
  return new HearthError(ErrorCode.TOO_LARGE, message);
}

/** `STORAGE_CONFLICT`: a write-if-version lost the race. */
export function conflict(message: string): HearthError {
  return new HearthError(ErrorCode.STORAGE_CONFLICT, message);
}

/** `ALREADY_EXISTS`: a unique name, email or device id is taken. */
export function alreadyExists(message: string): HearthError {
  return new HearthError(ErrorCode.ALREADY_EXISTS, message);
}

/**
 * Maps anything a driver threw to `STORAGE_UNAVAILABLE` (the cause kept), and passes our own coded
 * errors through. The message never carries the driver's text to a client: it is in `cause`.
 */
export function toStorageError(err: unknown, what: string): HearthError {
  if (err instanceof HearthError) return err;
  return new HearthError(
    ErrorCode.STORAGE_UNAVAILABLE,
    `storage unavailable (${what}): the database failed or cannot be reached; retry later`,
    { cause: err },
  );
}

/** The SQLSTATE of a driver error, if it has one (both postgres.js and PGlite set `code`). */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** SQLSTATE 23505: a unique constraint refused the row. */
export const UNIQUE_VIOLATION = '23505';
