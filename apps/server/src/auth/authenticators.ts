import { readFileSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import { devAuthenticator, type Authenticator } from '@hearth/actor';
import {
  accountsAuthenticator,
  deviceAuthenticator,
  jwtAuthenticator,
  passwordAuthenticator,
  type Accounts,
  type JwtOptions,
} from '@hearth/storage';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config/ServerConfig.ts';

/** What a factory may use besides the configuration. */
export interface AuthDeps {
  /** Accounts on the server's storage (`--database`); present when the entry has `storage: true`. */
  readonly accounts: Accounts | undefined;
}

/** Builds the login check `--auth <name>` names, from the server's configuration (may be async: a database, a key set). */
export type AuthenticatorFactory = (config: ServerConfig, logger: Logger, deps: AuthDeps) => Authenticator | Promise<Authenticator>;

/** One choice of `--auth`. */
export interface AuthenticatorEntry {
  /** One line for `--help`, docs and the "choose an authenticator" error. */
  readonly summary: string;
  /** True for a check that must never face the internet (refused on a non-loopback `--host` without `--insecure-dev-auth`). */
  readonly insecure: boolean;
  /** True when it keeps accounts in the server's storage (`--database`, default PGlite under .hearth/). */
  readonly storage: boolean;
  readonly create: AuthenticatorFactory;
}

function needAccounts(deps: AuthDeps): Accounts {
  if (!deps.accounts) throw new Error('this --auth needs the server storage (startServer opens it for entries with storage: true)');
  return deps.accounts;
}

/** `--jwt-*` flags as jose options (the key file is a PEM public key). */
export function jwtOptionsOf(config: ServerConfig): JwtOptions {
  const base = { issuer: config.jwtIssuer!, ...(config.jwtAudience !== undefined && { audience: config.jwtAudience }) };
  if (config.jwtJwksUrl !== undefined) return { ...base, jwksUrl: config.jwtJwksUrl };
  return { ...base, key: createPublicKey(readFileSync(config.jwtKeyFile!, 'utf8')) };
}

/**
 * The authenticators `--auth` can choose, by name. A new one is one entry here: its flags go in
 * `SERVER_FLAGS`, its factory reads them from the config.
 */
export const AUTHENTICATORS = {
  dev: {
    summary: 'no password: { name } logs in as that user; for local play, tests and bots only',
    insecure: true,
    storage: false,
    create: () => devAuthenticator,
  },
  accounts: {
    summary: 'device, password and (with --jwt-issuer) token logins, accounts in --database',
    insecure: false,
    storage: true,
    create: (config, _logger, deps) =>
      accountsAuthenticator({
        device: deviceAuthenticator(needAccounts(deps)),
        password: passwordAuthenticator(needAccounts(deps)),
        ...(config.jwtIssuer !== undefined && { jwt: jwtAuthenticator(needAccounts(deps), jwtOptionsOf(config)) }),
      }),
  },
  device: {
    summary: 'guest logins: { device, secret } the client keeps; a new device gets an account',
    insecure: false,
    storage: true,
    create: (_config, _logger, deps) => deviceAuthenticator(needAccounts(deps)),
  },
  password: {
    summary: 'username or email with a password (argon2id); { register: true, ... } signs up',
    insecure: false,
    storage: true,
    create: (_config, _logger, deps) => passwordAuthenticator(needAccounts(deps)),
  },
  jwt: {
    summary: 'signed tokens of an identity service: { token }, checked with --jwt-issuer and --jwt-jwks-url or --jwt-key-file',
    insecure: false,
    storage: true,
    create: (config, _logger, deps) => jwtAuthenticator(needAccounts(deps), jwtOptionsOf(config)),
  },
} as const satisfies Record<string, AuthenticatorEntry>;

/** A name `--auth` accepts. */
export type AuthName = keyof typeof AUTHENTICATORS;

/** The names `--auth` accepts, in table order. */
export const AUTH_NAMES = Object.keys(AUTHENTICATORS) as AuthName[];

/** The login check of `config.auth`. */
export async function createAuthenticator(config: ServerConfig, logger: Logger, deps: AuthDeps = { accounts: undefined }): Promise<Authenticator> {
  const entry: AuthenticatorEntry = AUTHENTICATORS[config.auth];
  return entry.create(config, logger.child({ component: 'auth', auth: config.auth }), deps);
}
