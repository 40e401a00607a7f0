import { FlagError, parseFlags, type FlagSpec } from '../cli/parseFlags.ts';

/** Everything `hearth-server` is configured with (flags, else environment, else defaults). */
export interface ServerConfig {
  /** Interface the game listeners bind. */
  readonly host: string;
  /** TCP game port (0 = ephemeral; the bound port is logged in the `listening` line). */
  readonly tcpPort: number;
  /** WebSocket game port (0 = ephemeral). */
  readonly wsPort: number;
  readonly protocol: 'msgpack+nacl' | 'msgpack';
  /** The server's long-term signing key (created on first start). */
  readonly keyFile: string;
  /** Admin HTTP port (0 = ephemeral); `-1` turns the endpoint off. */
  readonly adminPort: number;
  /** Interface the admin endpoint binds (loopback unless you mean otherwise). */
  readonly adminHost: string;
  /** Redis URL for cluster mode; undefined = in-memory, one node. */
  readonly redis: string | undefined;
  readonly logLevel: string;
  /** `pretty` (pino-pretty, for people) or `json` (for machines). */
  readonly logFormat: 'pretty' | 'json';
  /** Room snapshot rate in Hz. */
  readonly tickHz: number;
}

/** The server's flags (kebab-case) with their environment variables. */
export const SERVER_FLAGS = {
  host: { env: 'HEARTH_HOST', default: '127.0.0.1', help: 'interface the game listeners bind' },
  'tcp-port': { env: 'HEARTH_TCP_PORT', type: 'port', default: 7700, help: 'TCP game port (0: ephemeral)' },
  'ws-port': { env: 'HEARTH_WS_PORT', type: 'port', default: 7701, help: 'WebSocket game port (0: ephemeral)' },
  protocol: { env: 'HEARTH_PROTOCOL', choices: ['msgpack+nacl', 'msgpack'], default: 'msgpack+nacl', help: 'wire protocol' },
  'key-file': { env: 'HEARTH_KEY_FILE', default: '.hearth/server.key', help: 'signing key, created (mode 0600) on first start' },
  'admin-port': { env: 'HEARTH_ADMIN_PORT', type: 'int', min: -1, max: 65_535, default: 7702, help: 'admin HTTP port (0: ephemeral, --admin-port=-1: off)' },
  'admin-host': { env: 'HEARTH_ADMIN_HOST', default: '127.0.0.1', help: 'interface the admin endpoint binds' },
  redis: { env: 'HEARTH_REDIS_URL', help: 'Redis URL for cluster mode (absent: in-memory)' },
  'log-level': { env: 'HEARTH_LOG_LEVEL', choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], default: 'info', help: 'log level' },
  'log-format': { env: 'HEARTH_LOG_FORMAT', choices: ['pretty', 'json'], default: 'pretty on a TTY, else json', help: 'log format' },
  'tick-hz': { env: 'HEARTH_TICK_HZ', type: 'number', min: 1, max: 120, default: 20, help: 'room snapshot rate' },
} as const satisfies Record<string, FlagSpec>;

/**
 * Reads the server's configuration.
 * @returns the configuration, or `'help'` when `--help` was asked.
 * @throws {FlagError} one line naming the flag.
 */
export function parseServerConfig(argv: readonly string[], env: NodeJS.ProcessEnv, isTTY = false): ServerConfig | 'help' {
  const v = parseFlags(argv, env, SERVER_FLAGS);
  if (v['help'] === true) return 'help';
  const redis = v['redis'] as string | undefined;
  if (redis !== undefined && !/^rediss?:\/\//.test(redis)) {
    throw new FlagError('--redis', `--redis: expected redis://host:port, got "${redis}"`);
  }
  return Object.freeze({
    host: (v['host'] as string | undefined) ?? '127.0.0.1',
    tcpPort: (v['tcp-port'] as number | undefined) ?? 7700,
    wsPort: (v['ws-port'] as number | undefined) ?? 7701,
    protocol: ((v['protocol'] as string | undefined) ?? 'msgpack+nacl') as ServerConfig['protocol'],
    keyFile: (v['key-file'] as string | undefined) ?? '.hearth/server.key',
    adminPort: (v['admin-port'] as number | undefined) ?? 7702,
    adminHost: (v['admin-host'] as string | undefined) ?? '127.0.0.1',
    redis,
    logLevel: (v['log-level'] as string | undefined) ?? 'info',
    logFormat: ((v['log-format'] as string | undefined) ?? (isTTY ? 'pretty' : 'json')) as ServerConfig['logFormat'],
    tickHz: (v['tick-hz'] as number | undefined) ?? 20,
  });
}
