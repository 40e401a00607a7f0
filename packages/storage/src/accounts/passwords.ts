import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id parameters. The defaults are OWASP's first recommended set (m = 19 MiB, t = 2, p = 1);
 * their cost on this machine is measured by `pnpm bench` (packages/storage/bench, "argon2id hash")
 * and written in docs/storage.md. Each hash holds `memoryCost` KiB while it runs, on libuv's thread
 * pool (4 threads by default; UV_THREADPOOL_SIZE raises it).
 */
export interface Argon2Params {
  /** KiB of memory. @defaultValue 19_456 */
  memoryCost: number;
  /** Passes. @defaultValue 2 */
  timeCost: number;
  /** Lanes. @defaultValue 1 */
  parallelism: number;
}

export const DEFAULT_ARGON2: Argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** An argon2id PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`); the algorithm is the library's default. */
export function hashPassword(password: string, params: Argon2Params = DEFAULT_ARGON2): Promise<string> {
  return hash(password, { memoryCost: params.memoryCost, timeCost: params.timeCost, parallelism: params.parallelism });
}

/** True when `password` matches `phc`; false for a wrong password or a malformed stored hash. */
export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}

const PARAMS = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/;

/** True when a stored hash is not argon2id with at least `params` (it is rehashed at the next login). */
export function needsRehash(phc: string, params: Argon2Params = DEFAULT_ARGON2): boolean {
  const m = PARAMS.exec(phc);
  if (!m) return true;
  return Number(m[1]) < params.memoryCost || Number(m[2]) < params.timeCost || Number(m[3]) < params.parallelism;
}

let dummy: Promise<string> | undefined;

/**
 * Verifies against a fixed hash made with `params`, so a login for an unknown name costs what a
 * wrong password costs (no user enumeration by timing). Always false.
 */
export async function verifyDummy(password: string, params: Argon2Params = DEFAULT_ARGON2): Promise<false> {
  dummy ??= hashPassword('hearth dummy password', params);
  await verifyPassword(await dummy, password);
  return false;
}
