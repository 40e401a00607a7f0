import { pino, type Logger } from 'pino';

/** Environment variable that switches network logging off when set to `0`, `false`, `off` or `no`. */
export const NET_LOG_ENV = 'HEARTH_NET_LOG';
/** Environment variable with the level of the default logger (pino levels). @defaultValue info */
export const NET_LOG_LEVEL_ENV = 'HEARTH_NET_LOG_LEVEL';

/** True when {@link NET_LOG_ENV} switches network logging off. */
export function netLogDisabledByEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[NET_LOG_ENV]?.trim().toLowerCase();
  return value === '0' || value === 'false' || value === 'off' || value === 'no';
}

/**
 * The root logger of a service: the caller's, a default pino logger to stdout, or a silent one
 * when logging is off (`logger: false`, `log: false` or `HEARTH_NET_LOG=0`). It binds no
 * `component` itself: each part takes one child with its own (`net`, `net.acceptor`,
 * `net.connector`; pino would print a second `component` key for a child of a child), sessions a
 * child with their `sid` bound. Nothing is logged per message above `trace`.
 */
export function createNetLogger(options: { logger?: Logger | false; log?: boolean }, env = process.env): Logger {
  if (options.logger === false || options.log === false || netLogDisabledByEnv(env)) {
    return pino({ enabled: false });
  }
  if (options.logger !== undefined) return options.logger;
  return pino({ name: 'hearth-net', level: env[NET_LOG_LEVEL_ENV] ?? 'info' });
}
