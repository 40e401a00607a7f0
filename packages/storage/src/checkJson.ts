import { badRequest, tooLarge } from './errors.ts';
import { wellFormed } from './validate.ts';

/** Deepest accepted nesting of a stored object's value. */
export const MAX_JSON_DEPTH = 32;

/**
 * Serializes a storage object's value after checking that it is plain JSON (objects, arrays,
 * strings, finite numbers, booleans, null), nested at most {@link MAX_JSON_DEPTH}, with no NUL and
 * no lone surrogate in any string (jsonb refuses `\u0000`), and at most `maxBytes` UTF-8 bytes.
 * The walk stops as soon as its running size passes `maxBytes`, so a huge value costs little.
 *
 * @throws {HearthError} `BAD_REQUEST` (not plain JSON), `TOO_LARGE` (over `maxBytes` or too deep).
 */
export function checkJson(value: unknown, maxBytes: number): string {
  let budget = maxBytes;
  const spend = (n: number): void => {
    budget -= n;
    if (budget < 0) throw tooLarge(`value is over ${maxBytes} bytes as JSON`);
  };
  const walk = (v: unknown, depth: number): void => {
    if (depth > MAX_JSON_DEPTH) throw tooLarge(`value is nested deeper than ${MAX_JSON_DEPTH}`);
    if (v === null || typeof v === 'boolean') return spend(5);
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw badRequest('value holds a number that is not finite');
      return spend(8);
    }
    if (typeof v === 'string') {
      spend(v.length + 2);
      if (v.includes('\0') || !wellFormed(v)) throw badRequest('value holds a string with NUL or a lone surrogate');
      return;
    }
    if (Array.isArray(v)) {
      spend(2);
      for (const x of v) walk(x, depth + 1);
      return;
    }
    if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      spend(2);
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        walk(k, depth + 1);
        walk(x, depth + 1);
      }
      return;
    }
    throw badRequest('value must be plain JSON (objects, arrays, strings, finite numbers, booleans, null)');
  };
  walk(value, 0);
  const text = JSON.stringify(value);
  if (Buffer.byteLength(text) > maxBytes) throw tooLarge(`value is over ${maxBytes} bytes as JSON`);
  return text;
}
