import { ErrorCode, HearthError } from '@hearth/protocol';

/*
 * Strings that arrive from a socket and become map keys, Redis key names (`{u:ID}`, `{r:TOKEN}`)
 * or channel names are checked here first: bounded length, a small ASCII alphabet with no hash-tag
 * braces, glob characters (`*?[]`), whitespace, control or binary bytes. See docs/security.md.
 */

/**
 * A user id: 1–64 ASCII letters, digits, `_ . : @ -`. The authenticator's result must match it
 * (a login with another id is refused), and so must every user id game code passes to the holder
 * (`send`, `deliver`, `dispatch`, `kick`): a whisper target taken from the wire is checked before any
 * lookup or Redis call.
 */
export const USER_ID_FORMAT = /^[\w.:@-]{1,64}$/;

/** A resume token: 16–64 base64url characters (the holder issues 24). */
export const RESUME_TOKEN_FORMAT = /^[\w-]{16,64}$/;

/** True when `value` is a string in {@link USER_ID_FORMAT}. */
export function isUserId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && USER_ID_FORMAT.test(value);
}

/** True when `value` is a string in {@link RESUME_TOKEN_FORMAT}. */
export function isResumeToken(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && RESUME_TOKEN_FORMAT.test(value);
}

/** A short, printable rendering of a rejected wire string for an error text or a log line. */
export function describeRejected(value: unknown): string {
  if (typeof value !== 'string') return typeof value;
  const shown = JSON.stringify(value.length > 24 ? `${value.slice(0, 24)}…` : value);
  return `${shown.replace(/[^\x20-\x7e]/g, '?')} (${value.length} chars)`;
}

/**
 * Throws `BAD_REQUEST` unless `userId` is in {@link USER_ID_FORMAT}.
 * @throws {HearthError} `BAD_REQUEST`, naming the format.
 */
export function checkUserId(userId: unknown, what = 'user id'): asserts userId is string {
  if (!isUserId(userId)) {
    throw new HearthError(ErrorCode.BAD_REQUEST, `${what} ${describeRejected(userId)} is malformed: 1-64 of A-Z a-z 0-9 _ . : @ -`);
  }
}
