/** Options of a {@link RegistrationLimit}. */
export interface RegistrationLimitOptions {
  /** Registrations per address (host; port ignored) per window. @defaultValue 10 */
  perAddress?: number;
  /** @defaultValue 600_000 (10 minutes) */
  windowMs?: number;
  /** Addresses remembered at most (the oldest are forgotten first). @defaultValue 100_000 */
  maxKeys?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

/** The host of a `host:port` peer address (IPv6 too: the last `:` starts the port). */
function hostOf(remoteAddress: string): string {
  const at = remoteAddress.lastIndexOf(':');
  return (at > 0 ? remoteAddress.slice(0, at) : remoteAddress).replace(/^\[(.*)\]$/, '$1');
}

/**
 * Registrations per address in fixed windows. Every attempt counts (each costs an argon2id hash,
 * and a successful one an account), so one address cannot mint accounts or burn CPU in a loop. The
 * failed-login throttle does not cover this: a successful registration is not a failure.
 */
export class RegistrationLimit {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, { count: number; endsMs: number }>();

  constructor(opts: RegistrationLimitOptions = {}) {
    this.#max = opts.perAddress ?? 10;
    this.#windowMs = opts.windowMs ?? 600_000;
    this.#maxKeys = opts.maxKeys ?? 100_000;
    this.#now = opts.now ?? Date.now;
  }

  /** Counts an attempt from `remoteAddress`; returns 0 when allowed, else ms until the next one may be tried. */
  take(remoteAddress: string): number {
    const key = hostOf(remoteAddress);
    const now = this.#now();
    const w = this.#windows.get(key);
    if (w !== undefined && now < w.endsMs) {
      if (w.count >= this.#max) return w.endsMs - now;
      w.count++;
      return 0;
    }
    this.#windows.delete(key);
    if (this.#windows.size >= this.#maxKeys) this.#windows.delete(this.#windows.keys().next().value!);
    this.#windows.set(key, { count: 1, endsMs: now + this.#windowMs });
    return 0;
  }
}
