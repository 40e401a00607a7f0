import { AUTH_NAMES, AUTHENTICATORS, type AuthName } from '../auth/authenticators.ts';
import { isLoopbackHost } from '../auth/isLoopbackHost.ts';
import { FlagError, parseFlags, type FlagSpec } from '../cli/parseFlags.ts';

/** Everything `hearth-server` is configured with (flags, else environment, else defaults). */
export interface ServerConfig {
  /** Interface the game listeners bind. */
  readonly host: string;
  /** How players log in (`--auth`; default `accounts`: device and password logins on the server's storage). */
  readonly auth: AuthName;
  /** `--auth dev` on a non-loopback host was asked for explicitly (warned at start and every minute). */
  readonly insecureDevAuth: boolean;
  /** Failed logins per client address per minute before its logins are refused `RATE_LIMITED`; 0 = no limit. */
  readonly loginFailuresPerAddress: number;
  /** Failed logins naming one user per minute before logins naming it are refused `RATE_LIMITED`; 0 = no limit. */
  readonly loginFailuresPerUser: number;
  /** TCP game port (0 = ephemeral; the bound port is logged in the `listening` line). */
  readonly tcpPort: number;
  /** WebSocket game port (0 = ephemeral). */
  readonly wsPort: number;
  readonly protocol: 'msgpack+nacl' | 'msgpack';
  /** The server's long-term signing key (created on first start). */
  readonly keyFile: string;
  /** `--tls-cert`/`--tls-key`: serve TLS (tls:// on the TCP port, wss:// on the WebSocket port); absent = plain TCP and ws. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** Admin HTTP port (0 = ephemeral); `-1` turns the endpoint off. */
  readonly adminPort: number;
  /** Interface the admin endpoint binds (loopback unless you mean otherwise). */
  readonly adminHost: string;
  /** Bearer token the admin endpoint requires (`Authorization: Bearer …`); undefined = none. */
  readonly adminToken: string | undefined;
  /** Redis URL for cluster mode; undefined = in-memory, one node. */
  readonly redis: string | undefined;
  /** Prefix of every Redis key and channel (several games or test runs can share one Redis). */
  readonly redisPrefix: string;
  /** Cluster heartbeat: node, users and rooms are refreshed this often and lapse after 3×. */
  readonly clusterHeartbeatMs: number;
  /** Shared secret signing every backplane message (HMAC-SHA256); undefined = unsigned. Needs `redis`. */
  readonly clusterSecret: string | undefined;
  /** Node processes (`node:cluster` workers sharing the game ports); above 1 needs `redis`. */
  readonly workers: number;
  /** Fixed point where players appear (tests, demos); undefined = random. */
  readonly spawn: { x: number; y: number } | undefined;
  readonly logLevel: string;
  /** `pretty` (pino-pretty, for people) or `json` (for machines). */
  readonly logFormat: 'pretty' | 'json';
  /** Room tick (state patch) rate in Hz. */
  readonly tickHz: number;
  /** Transport limits of both game listeners (docs/security.md, "Transport limits"); undefined = the net default. */
  readonly maxConnections: number | undefined;
  /** Live connections per address (IPv4 address, IPv6 /64); 0 = off. */
  readonly maxConnectionsPerAddress: number;
  /** New connections per second per address (burst 4x); 0 = off. */
  readonly handshakesPerSecondPerAddress: number;
  /** How long a graceful shutdown may take before connections are destroyed, in ms. */
  readonly shutdownDeadlineMs: number;
  /** `--web-dir`: static files the admin port serves (the Arena page); undefined = the built apps/web/dist if any, `off` = none. */
  readonly webDir: string | undefined;
  /** `--database`: `postgres://…` or `pglite:DIR`; undefined = PGlite in `.hearth/pglite` when storage is used. */
  readonly database: string | undefined;
  /** True when the server opens storage: an accounts `--auth`, or `--database` given (Arena's leaderboard then persists). */
  readonly storage: boolean;
  /** `--jwt-issuer`: required `iss` of token logins (enables them under `--auth accounts`). */
  readonly jwtIssuer: string | undefined;
  /** `--jwt-jwks-url`: the identity service's JWKS endpoint. */
  readonly jwtJwksUrl: string | undefined;
  /** `--jwt-key-file`: the identity service's public key (PEM). */
  readonly jwtKeyFile: string | undefined;
  /** `--jwt-audience`: required `aud`, when set. */
  readonly jwtAudience: string | undefined;
}

/**
 * `--auth` when none is given: device, password (and, with `--jwt-issuer`, token) logins, accounts
 * in `--database` (PGlite under `.hearth/` by default). Never `dev`: it must be asked for.
 */
export const DEFAULT_AUTH: AuthName = 'accounts';

/** The server's flags (kebab-case) with their environment variables. */
export const SERVER_FLAGS = {
  host: { env: 'HEARTH_HOST', default: '127.0.0.1', help: 'interface the game listeners bind' },
  auth: { env: 'HEARTH_AUTH', choices: AUTH_NAMES, default: DEFAULT_AUTH, help: 'how players log in: accounts = device + password (+ jwt), dev = no password, loopback only' },
  'insecure-dev-auth': { env: 'HEARTH_INSECURE_DEV_AUTH', type: 'boolean', help: 'allow --auth dev on a non-loopback --host (anyone can log in as anyone)' },
  'login-failures-per-address': { env: 'HEARTH_LOGIN_FAILURES_PER_ADDRESS', type: 'int', min: 0, max: 1_000_000, default: 20, help: 'failed logins per client address per minute, then RATE_LIMITED; 0: no limit' },
  'login-failures-per-user': { env: 'HEARTH_LOGIN_FAILURES_PER_USER', type: 'int', min: 0, max: 1_000_000, default: 5, help: 'failed logins naming one user per minute, then RATE_LIMITED; 0: no limit' },
  'tcp-port': { env: 'HEARTH_TCP_PORT', type: 'port', default: 7700, help: 'TCP game port (0: ephemeral)' },
  'ws-port': { env: 'HEARTH_WS_PORT', type: 'port', default: 7701, help: 'WebSocket game port (0: ephemeral)' },
  protocol: { env: 'HEARTH_PROTOCOL', choices: ['msgpack+nacl', 'msgpack'], default: 'msgpack+nacl', help: 'wire protocol' },
  'key-file': { env: 'HEARTH_KEY_FILE', default: '.hearth/server.key', help: 'signing key, created (mode 0600) on first start' },
  'tls-cert': { env: 'HEARTH_TLS_CERT', help: 'PEM certificate (chain) file: serve TLS, tls:// on the TCP port and wss:// on the WebSocket port (with --tls-key)' },
  'tls-key': { env: 'HEARTH_TLS_KEY', help: 'PEM private key file of --tls-cert' },
  'admin-port': { env: 'HEARTH_ADMIN_PORT', type: 'int', min: -1, max: 65_535, default: 7702, help: 'admin HTTP port (0: ephemeral, --admin-port=-1: off)' },
  'admin-host': { env: 'HEARTH_ADMIN_HOST', default: '127.0.0.1', help: 'interface the admin endpoint binds' },
  'admin-token': { env: 'HEARTH_ADMIN_TOKEN', help: 'bearer token the admin endpoint requires (Authorization: Bearer <token>; default none)' },
  redis: { env: 'HEARTH_REDIS_URL', help: 'Redis URL for cluster mode, also read from REDIS_URL (absent: in-memory)' },
  'redis-prefix': { env: 'HEARTH_REDIS_PREFIX', default: 'hearth:', help: 'prefix of every Redis key and channel (no braces)' },
  'cluster-secret': { env: 'HEARTH_CLUSTER_SECRET', help: 'secret every node signs backplane messages with (HMAC; same on all nodes, >= 16 chars; prefer the env var)' },
  'cluster-heartbeat-ms': { env: 'HEARTH_CLUSTER_HEARTBEAT_MS', type: 'int', min: 50, max: 60_000, default: 5000, help: 'cluster heartbeat; a dead node lapses after 3x' },
  workers: { env: 'HEARTH_WORKERS', type: 'int', min: 1, max: 64, default: 1, help: 'node processes sharing the game ports (> 1 needs --redis)' },
  spawn: { env: 'HEARTH_ARENA_SPAWN', help: 'fixed spawn point x,y for every player (tests, demos; default random)' },
  'log-level': { env: 'HEARTH_LOG_LEVEL', choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], default: 'info', help: 'log level' },
  'log-format': { env: 'HEARTH_LOG_FORMAT', choices: ['pretty', 'json'], default: 'pretty on a TTY, else json', help: 'log format' },
  'tick-hz': { env: 'HEARTH_TICK_HZ', type: 'number', min: 1, max: 120, default: 20, help: 'room tick rate (state patches per second at most)' },
  'max-connections': { env: 'HEARTH_MAX_CONNECTIONS', type: 'int', min: 1, max: 10_000_000, default: 'min(10000, ulimit -n - 64)', help: 'live connections per game listener; more get SERVER_FULL' },
  'max-connections-per-address': { env: 'HEARTH_MAX_CONNECTIONS_PER_ADDRESS', type: 'int', min: 0, max: 10_000_000, default: 256, help: 'live connections per client address (IPv6: /64); 0: no limit' },
  'handshakes-per-second-per-address': { env: 'HEARTH_HANDSHAKES_PER_SECOND_PER_ADDRESS', type: 'int', min: 0, max: 1_000_000, default: 32, help: 'new connections per second per client address (burst 4x); 0: no limit' },
  'shutdown-deadline-ms': { env: 'HEARTH_SHUTDOWN_DEADLINE_MS', type: 'int', min: 0, max: 600_000, default: 5000, help: 'graceful shutdown deadline; then connections are destroyed' },
  database: { env: 'HEARTH_DATABASE', default: 'PGlite in .hearth/pglite (when storage is used)', help: 'accounts and leaderboard storage: postgres://user@host:port/db, or pglite:DIR' },
  'jwt-issuer': { env: 'HEARTH_JWT_ISSUER', help: 'required iss of token logins (--auth jwt, or accounts with tokens)' },
  'jwt-jwks-url': { env: 'HEARTH_JWT_JWKS_URL', help: "the identity service's JWKS URL (or --jwt-key-file)" },
  'jwt-key-file': { env: 'HEARTH_JWT_KEY_FILE', help: "the identity service's public key, PEM (or --jwt-jwks-url)" },
  'jwt-audience': { env: 'HEARTH_JWT_AUDIENCE', help: 'required aud of token logins (default: not checked)' },
  'web-dir': { env: 'HEARTH_WEB_DIR', default: 'apps/web/dist when built', help: 'static files served on the admin port: the Arena page at /, the dashboard at /admin/ (off: none)' },
} as const satisfies Record<string, FlagSpec>;

/**
 * Reads the server's configuration.
 * @returns the configuration, or `'help'` when `--help` was asked.
 * @throws {FlagError} one line naming the flag.
 */
export function parseServerConfig(argv: readonly string[], env: NodeJS.ProcessEnv, isTTY = false): ServerConfig | 'help' {
  const v = parseFlags(argv, env, SERVER_FLAGS);
  if (v['help'] === true) return 'help';
  // REDIS_URL is the variable Redis tooling (and the tests' fixture) uses; HEARTH_REDIS_URL wins.
  const fromRedisUrl = v['redis'] === undefined && env['REDIS_URL'] !== undefined && env['REDIS_URL'] !== '';
  const redis = (v['redis'] as string | undefined) ?? (fromRedisUrl ? env['REDIS_URL'] : undefined);
  if (redis !== undefined && !/^rediss?:\/\//.test(redis)) {
    throw new FlagError('--redis', `--redis${fromRedisUrl ? ' (REDIS_URL)' : ''}: expected redis://host:port, got "${redis}"`);
  }
  const redisPrefix = (v['redis-prefix'] as string | undefined) ?? 'hearth:';
  if (/[{}]/.test(redisPrefix)) throw new FlagError('--redis-prefix', `--redis-prefix: must not contain braces, got "${redisPrefix}"`);
  const workers = (v['workers'] as number | undefined) ?? 1;
  if (workers > 1 && redis === undefined) {
    throw new FlagError(
      '--workers',
      `--workers ${workers} needs --redis (or REDIS_URL): in-memory nodes in separate processes cannot see each other; pnpm dev:cluster starts a private Redis`,
    );
  }
  const clusterSecret = v['cluster-secret'] as string | undefined;
  if (clusterSecret !== undefined && clusterSecret.length < 16) {
    throw new FlagError('--cluster-secret', `--cluster-secret: expected at least 16 characters (e.g. openssl rand -hex 32), got ${clusterSecret.length}`);
  }
  if (clusterSecret !== undefined && redis === undefined) {
    throw new FlagError('--cluster-secret', '--cluster-secret needs --redis (or REDIS_URL): it signs the messages between cluster nodes');
  }
  const host = (v['host'] as string | undefined) ?? '127.0.0.1';
  // A real authenticator unless told otherwise: the dev one is only ever chosen explicitly.
  const auth = (v['auth'] as AuthName | undefined) ?? DEFAULT_AUTH;
  const insecureDevAuth = v['insecure-dev-auth'] === true;
  if (AUTHENTICATORS[auth].insecure && !isLoopbackHost(host) && !insecureDevAuth) {
    throw new FlagError(
      '--auth',
      `--auth ${auth} on --host ${host}: anyone who reaches the port could log in as any player; bind --host 127.0.0.1, choose a real --auth, or add --insecure-dev-auth if you mean it`,
    );
  }
  const storage = checkStorage(v, auth, redis, workers);
  const adminToken = v['admin-token'] as string | undefined;
  if (adminToken !== undefined && adminToken.length < 16) {
    throw new FlagError('--admin-token', `--admin-token: expected at least 16 characters (e.g. openssl rand -hex 32), got ${adminToken.length}`);
  }
  let spawn: { x: number; y: number } | undefined;
  if (v['spawn'] !== undefined) {
    const m = /^(\d+),(\d+)$/.exec(v['spawn'] as string);
    const [x, y] = [Number(m?.[1]), Number(m?.[2])];
    if (m === null || x > 1000 || y > 1000) throw new FlagError('--spawn', `--spawn: expected x,y in 0..1000, got "${v['spawn'] as string}"`);
    spawn = { x, y };
  }
  const tlsCert = v['tls-cert'] as string | undefined;
  const tlsKey = v['tls-key'] as string | undefined;
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    const [given, missing] = tlsCert === undefined ? ['--tls-key', '--tls-cert'] : ['--tls-cert', '--tls-key'];
    throw new FlagError(missing, `${given} needs ${missing}: give the certificate and its private key (PEM files) together`);
  }
  return Object.freeze({
    host,
    auth,
    insecureDevAuth,
    loginFailuresPerAddress: (v['login-failures-per-address'] as number | undefined) ?? 20,
    loginFailuresPerUser: (v['login-failures-per-user'] as number | undefined) ?? 5,
    tcpPort: (v['tcp-port'] as number | undefined) ?? 7700,
    wsPort: (v['ws-port'] as number | undefined) ?? 7701,
    protocol: ((v['protocol'] as string | undefined) ?? 'msgpack+nacl') as ServerConfig['protocol'],
    keyFile: (v['key-file'] as string | undefined) ?? '.hearth/server.key',
    ...(tlsCert !== undefined && tlsKey !== undefined && { tls: { certFile: tlsCert, keyFile: tlsKey } }),
    adminPort: (v['admin-port'] as number | undefined) ?? 7702,
    adminHost: (v['admin-host'] as string | undefined) ?? '127.0.0.1',
    adminToken,
    redis,
    redisPrefix,
    clusterHeartbeatMs: (v['cluster-heartbeat-ms'] as number | undefined) ?? 5000,
    clusterSecret,
    workers,
    spawn,
    logLevel: (v['log-level'] as string | undefined) ?? 'info',
    logFormat: ((v['log-format'] as string | undefined) ?? (isTTY ? 'pretty' : 'json')) as ServerConfig['logFormat'],
    tickHz: (v['tick-hz'] as number | undefined) ?? 20,
    maxConnections: v['max-connections'] as number | undefined,
    maxConnectionsPerAddress: (v['max-connections-per-address'] as number | undefined) ?? 256,
    handshakesPerSecondPerAddress: (v['handshakes-per-second-per-address'] as number | undefined) ?? 32,
    shutdownDeadlineMs: (v['shutdown-deadline-ms'] as number | undefined) ?? 5000,
    webDir: v['web-dir'] as string | undefined,
    ...storage,
  });
}

type StorageConfig = Pick<ServerConfig, 'database' | 'storage' | 'jwtIssuer' | 'jwtJwksUrl' | 'jwtKeyFile' | 'jwtAudience'>;

/** `--database` and `--jwt-*`: well-formed, complete for the chosen `--auth`, and shared in a cluster. */
function checkStorage(v: Record<string, unknown>, auth: AuthName, redis: string | undefined, workers: number): StorageConfig {
  const database = v['database'] as string | undefined;
  if (database !== undefined && !/^(postgres(ql)?:\/\/.+|pglite:.+)$/.test(database)) {
    throw new FlagError('--database', `--database: expected postgres://user@host:port/db or pglite:DIR, got "${database.replace(/:[^:@/]*@/, ':***@')}"`);
  }
  const storage = AUTHENTICATORS[auth].storage || database !== undefined;
  if (storage && (redis !== undefined || workers > 1) && !database?.startsWith('postgres')) {
    throw new FlagError('--database', '--database: a cluster (--redis, --workers) needs one shared PostgreSQL: --database postgres://…; PGlite belongs to one process');
  }
  const jwtIssuer = v['jwt-issuer'] as string | undefined;
  const jwtJwksUrl = v['jwt-jwks-url'] as string | undefined;
  const jwtKeyFile = v['jwt-key-file'] as string | undefined;
  if ((auth === 'jwt' || jwtIssuer !== undefined) && (jwtIssuer === undefined || (jwtJwksUrl === undefined) === (jwtKeyFile === undefined))) {
    throw new FlagError('--jwt-issuer', '--jwt-issuer: token logins need --jwt-issuer and exactly one of --jwt-jwks-url or --jwt-key-file');
  }
  if (jwtJwksUrl !== undefined && !/^https?:\/\//.test(jwtJwksUrl)) {
    throw new FlagError('--jwt-jwks-url', `--jwt-jwks-url: expected an http(s) URL, got "${jwtJwksUrl}"`);
  }
  return { database, storage, jwtIssuer, jwtJwksUrl, jwtKeyFile, jwtAudience: v['jwt-audience'] as string | undefined };
}
