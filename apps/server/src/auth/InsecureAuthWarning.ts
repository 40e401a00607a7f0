import type { Logger } from 'pino';

/** The timer the warning repeats on (injected by tests, so they need not wait a minute). */
export interface IntervalTimer {
  setInterval(run: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** How often the warning repeats. */
export const INSECURE_AUTH_WARNING_MS = 60_000;

/**
 * `--auth dev --insecure-dev-auth` on a non-loopback host: anyone who reaches the port can log in
 * as anyone. Says so at start and again every minute, so it cannot scroll out of sight.
 */
export class InsecureAuthWarning implements Disposable {
  readonly #timer: IntervalTimer;
  readonly #handle: unknown;

  constructor(logger: Logger, where: string, timer: IntervalTimer = globalThis, everyMs = INSECURE_AUTH_WARNING_MS) {
    const warn = () =>
      logger.warn(
        { event: 'insecure-dev-auth', host: where },
        `INSECURE: --auth dev on ${where}: anyone who reaches this server can log in as any player (no password); use a real --auth before exposing it`,
      );
    warn();
    this.#timer = timer;
    const handle = timer.setInterval(warn, everyMs);
    (handle as { unref?: () => void }).unref?.();
    this.#handle = handle;
  }

  /** Stops repeating. Idempotent. */
  stop(): void {
    this.#timer.clearInterval(this.#handle);
  }

  [Symbol.dispose](): void {
    this.stop();
  }
}
