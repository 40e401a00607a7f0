import { devAuthenticator, type Authenticator } from '@hearth/actor';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config/ServerConfig.ts';

/** Builds the login check `--auth <name>` names, from the server's configuration (may be async: a database, a key set). */
export type AuthenticatorFactory = (config: ServerConfig, logger: Logger) => Authenticator | Promise<Authenticator>;

/** One choice of `--auth`. */
export interface AuthenticatorEntry {
  /** One line for `--help`, docs and the "choose an authenticator" error. */
  readonly summary: string;
  /** True for a check that must never face the internet (refused on a non-loopback `--host` without `--insecure-dev-auth`). */
  readonly insecure: boolean;
  readonly create: AuthenticatorFactory;
}

/**
 * The authenticators `--auth` can choose, by name. A new one (`device`, `password`, `jwt`, …) is one
 * entry here: its flags go in `SERVER_FLAGS`, its factory reads them from the config.
 */
export const AUTHENTICATORS = {
  dev: {
    summary: 'no password: { name } logs in as that user; for local play, tests and bots only',
    insecure: true,
    create: () => devAuthenticator,
  },
} as const satisfies Record<string, AuthenticatorEntry>;

/** A name `--auth` accepts. */
export type AuthName = keyof typeof AUTHENTICATORS;

/** The names `--auth` accepts, in table order. */
export const AUTH_NAMES = Object.keys(AUTHENTICATORS) as AuthName[];

/** The login check of `config.auth`. */
export async function createAuthenticator(config: ServerConfig, logger: Logger): Promise<Authenticator> {
  const entry: AuthenticatorEntry = AUTHENTICATORS[config.auth];
  return entry.create(config, logger.child({ component: 'auth', auth: config.auth }));
}
