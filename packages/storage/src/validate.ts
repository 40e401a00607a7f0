import { badRequest, tooLarge } from './errors.ts';

/**
 * Input checks. Every value that reaches SQL passes one of these first: strings are type-,
 * length- and format-checked (an oversized one is `TOO_LARGE`, a malformed one `BAD_REQUEST`),
 * so no NUL byte, lone surrogate or control character reaches the database (PostgreSQL refuses
 * NUL in text, which would otherwise surface as a database error).
 */
export const Limits = {
  userId: 64,
  username: 32,
  email: 254,
  passwordMin: 8,
  password: 128,
  displayName: 32,
  deviceId: 128,
  deviceSecretMin: 22,
  deviceSecret: 128,
  collection: 64,
  key: 128,
  leaderboardId: 64,
  /** Largest page of a list, top N or around-me query. */
  page: 100,
} as const;

const USER_ID = /^[\w-]+$/;
const USERNAME = /^[a-z0-9_.-]{3,}$/;
const EMAIL = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u;
const DEVICE_ID = /^[\w.:-]{8,}$/;
// A device secret is random and high-entropy (≥ 22 base64url characters = 128 bits): that is why
// a fast hash (SHA-256) suffices for it where a password needs argon2id.
const DEVICE_SECRET = /^[\w-]+$/;
const NAME_PART = /^[\w.-]+$/;
const KEY = /^[\w.:-]+$/;
const CONTROL = /\p{Cc}/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `s` has no lone surrogate (it encodes to UTF-8 without replacement). */
export const wellFormed = (s: string): boolean => !LONE_SURROGATE.test(s);

function str(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string') throw badRequest(`${field} must be a string`);
  if (v.length > max) throw tooLarge(`${field} is ${v.length} characters; the limit is ${max}`);
  return v;
}

function matching(v: unknown, field: string, max: number, re: RegExp, what: string): string {
  const s = str(v, field, max);
  if (!re.test(s)) throw badRequest(`${field} must be ${what}`);
  return s;
}

export const checkUserId = (v: unknown): string => matching(v, 'userId', Limits.userId, USER_ID, 'letters, digits, "_" or "-"');

/** A username, folded to lower case. */
export function checkUsername(v: unknown): string {
  const s = str(v, 'username', Limits.username).toLowerCase();
  if (!USERNAME.test(s)) throw badRequest('username must be 3-32 letters, digits, "_", "." or "-"');
  return s;
}

/** An email address, folded to lower case (format only; no delivery check). */
export function checkEmail(v: unknown): string {
  const s = str(v, 'email', Limits.email).toLowerCase();
  if (!EMAIL.test(s) || !wellFormed(s)) throw badRequest('email must look like name@example.com');
  return s;
}

export function checkPassword(v: unknown, field = 'password'): string {
  const s = str(v, field, Limits.password);
  if (s.length < Limits.passwordMin) throw badRequest(`${field} must be at least ${Limits.passwordMin} characters`);
  if (!wellFormed(s) || s.includes('\0')) throw badRequest(`${field} must be well-formed text without NUL`);
  return s;
}

/** A display name: trimmed, 1-32 characters, no control characters. */
export function checkDisplayName(v: unknown): string {
  const s = str(v, 'displayName', Limits.displayName * 4).trim();
  if (s.length > Limits.displayName) throw tooLarge(`displayName is ${s.length} characters; the limit is ${Limits.displayName}`);
  if (s.length === 0 || CONTROL.test(s) || !wellFormed(s)) throw badRequest('displayName must be 1-32 printable characters');
  return s;
}

export const checkDeviceId = (v: unknown): string =>
  matching(v, 'device', Limits.deviceId, DEVICE_ID, 'at least 8 letters, digits, "_", ".", ":" or "-"');

export function checkDeviceSecret(v: unknown): string {
  const s = matching(v, 'secret', Limits.deviceSecret, DEVICE_SECRET, 'base64url text (letters, digits, "_", "-")');
  if (s.length < Limits.deviceSecretMin) throw badRequest(`secret must be at least ${Limits.deviceSecretMin} characters (128 random bits)`);
  return s;
}

export const checkCollection = (v: unknown): string =>
  matching(v, 'collection', Limits.collection, NAME_PART, 'letters, digits, "_", "." or "-"');

export const checkKey = (v: unknown): string => matching(v, 'key', Limits.key, KEY, 'letters, digits, "_", ".", ":" or "-"');

export const checkLeaderboardId = (v: unknown): string =>
  matching(v, 'leaderboard', Limits.leaderboardId, NAME_PART, 'letters, digits, "_", "." or "-"');

/** A score: a safe integer (stored as bigint; sums are clamped to ±(2^53−1)). */
export function checkScore(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw badRequest('score must be a safe integer');
  return v;
}

/** An object version for write-if-version: 0 = "must not exist yet", n = "must be at version n". */
export function checkVersion(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw badRequest('version must be an integer ≥ 0');
  return v;
}

/** A page size: 1..100. */
export function checkLimit(v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw badRequest('limit must be an integer ≥ 1');
  if (v > Limits.page) throw tooLarge(`limit ${v} is over ${Limits.page}`);
  return v;
}
