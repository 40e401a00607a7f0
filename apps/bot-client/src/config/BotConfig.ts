import { readFileSync } from 'node:fs';
import { FlagError, parseFlags, type FlagSpec } from '@hearth/server/cli';
import { SCENARIO_NAMES, type ScenarioName } from '../scenarios/Scenario.ts';
import { parseUntil, type UntilGoal } from './UntilGoal.ts';

/** Everything `hearth-bots` is configured with. */
export interface BotConfig {
  /** Server addresses; bots are spread over them round-robin. */
  readonly urls: readonly string[];
  readonly bots: number;
  /** Run time in seconds; 0 = until stopped. With {@link until}: the limit, reaching it fails the run. */
  readonly durationS: number;
  /** End the run by work done (`--until`), if given. */
  readonly until: UntilGoal | undefined;
  readonly rampS: number;
  readonly scenario: ScenarioName;
  readonly protocol: 'msgpack+nacl' | 'msgpack';
  /** The server's public signing key (32 bytes) to pin, if given. */
  readonly serverKey: Uint8Array | undefined;
  /** Where to write the JSON summary, if anywhere. */
  readonly json: string | undefined;
  /** Live progress: `line` (one rewritten line, on a TTY), `log` (a line every 5 s), `off`. */
  readonly progress: 'line' | 'log' | 'off';
  readonly maxConnecting: number;
  /** PEM certificate(s) to trust for `tls://` and `wss://` (e.g. the server's self-signed one), if given. */
  readonly tlsCa: string | undefined;
}

/** The bot client's flags. */
export const BOT_FLAGS = {
  url: { env: 'HEARTH_BOT_URL', multiple: true, default: 'tcp://127.0.0.1:7700', help: 'server address tcp://, ws://, tls:// or wss://host:port (repeatable)' },
  bots: { env: 'HEARTH_BOTS', type: 'int', min: 1, max: 100_000, default: 20, help: 'number of bots' },
  duration: { env: 'HEARTH_BOT_DURATION', type: 'number', min: 0, default: 30, help: 'run time in seconds, ramp included (0: until Ctrl-C); with --until, a limit whose end fails the run (no limit unless given)' },
  until: {
    env: 'HEARTH_BOT_UNTIL',
    help: 'end by work done, not time: TERM=COUNT,… — every bot playing with moves (own moves applied), others (others\' moves seen), chats (received), leaderboards (answers); swarm totals tags (scored), recovered (resumes, logins and joins again); moves and others count since the last resume/login/join again. e.g. moves=40,chats=1',
  },
  ramp: { env: 'HEARTH_BOT_RAMP', type: 'number', min: 0, default: 0, help: 'seconds over which bots start' },
  scenario: { env: 'HEARTH_BOT_SCENARIO', choices: SCENARIO_NAMES, default: 'play', help: 'what the bots do' },
  protocol: { env: 'HEARTH_PROTOCOL', choices: ['msgpack+nacl', 'msgpack'], default: 'msgpack+nacl', help: 'wire protocol (as the server)' },
  'server-key': { env: 'HEARTH_SERVER_KEY', help: "pin the server's public signing key (64 hex digits)" },
  'server-key-file': { env: 'HEARTH_SERVER_KEY_FILE', help: 'pin the key in this file (the server writes .hearth/server.key.pub)' },
  json: { env: 'HEARTH_BOT_JSON', help: 'write the summary as JSON to this file' },
  progress: { env: 'HEARTH_BOT_PROGRESS', choices: ['line', 'log', 'off'], default: 'line on a TTY, else log', help: 'live progress' },
  'tls-ca': { env: 'HEARTH_BOT_TLS_CA', help: "PEM file of the certificate authority (or self-signed certificate) to trust for tls:// and wss://" },
  'max-connecting': { env: 'HEARTH_BOT_MAX_CONNECTING', type: 'int', min: 1, default: 200, help: 'bots connecting at once, at most' },
} as const satisfies Record<string, FlagSpec>;

/**
 * Reads the bot client's configuration.
 * @returns the configuration, or `'help'`.
 * @throws {FlagError} one line naming the flag.
 */
export function parseBotConfig(argv: readonly string[], env: NodeJS.ProcessEnv, isTTY = false): BotConfig | 'help' {
  const v = parseFlags(argv, env, BOT_FLAGS);
  if (v['help'] === true) return 'help';
  const urls = (v['url'] as string[] | undefined) ?? ['tcp://127.0.0.1:7700'];
  for (const url of urls) {
    if (!/^(tcp|ws|tls|wss):\/\/[^/:]+(:\d+)?(\/.*)?$|^(tcp|ws|tls|wss):\/\/\[[0-9a-fA-F:]+\](:\d+)?(\/.*)?$/.test(url)) {
      throw new FlagError('--url', `--url: expected tcp://host:port or ws://host:port (tls:// and wss:// for TLS), got "${url}"`);
    }
  }
  if (v['server-key'] !== undefined && v['server-key-file'] !== undefined) {
    throw new FlagError('--server-key', '--server-key and --server-key-file: give one, not both');
  }
  let serverKey: Uint8Array | undefined;
  if (v['server-key'] !== undefined) serverKey = parseKey('--server-key', v['server-key'] as string);
  if (v['server-key-file'] !== undefined) {
    const path = v['server-key-file'] as string;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (cause) {
      throw new FlagError('--server-key-file', `--server-key-file: cannot read ${path}: ${(cause as Error).message}`, { cause });
    }
    serverKey = parseKey('--server-key-file', text, path);
  }
  let tlsCa: string | undefined;
  if (v['tls-ca'] !== undefined) {
    const path = v['tls-ca'] as string;
    try {
      tlsCa = readFileSync(path, 'utf8');
    } catch (cause) {
      throw new FlagError('--tls-ca', `--tls-ca: cannot read ${path}: ${(cause as Error).message}`, { cause });
    }
  }
  const until = v['until'] === undefined ? undefined : parseUntil(v['until'] as string);
  const duration = (v['duration'] as number | undefined) ?? (until === undefined ? 30 : 0);
  const ramp = (v['ramp'] as number | undefined) ?? 0;
  if (duration > 0 && ramp >= duration) throw new FlagError('--ramp', `--ramp: ${ramp} s must be shorter than --duration ${duration} s`);
  return Object.freeze({
    urls,
    bots: (v['bots'] as number | undefined) ?? 20,
    durationS: duration,
    until,
    rampS: ramp,
    scenario: ((v['scenario'] as string | undefined) ?? 'play') as ScenarioName,
    protocol: ((v['protocol'] as string | undefined) ?? 'msgpack+nacl') as BotConfig['protocol'],
    serverKey,
    json: v['json'] as string | undefined,
    progress: ((v['progress'] as string | undefined) ?? (isTTY ? 'line' : 'log')) as BotConfig['progress'],
    maxConnecting: (v['max-connecting'] as number | undefined) ?? 200,
    tlsCa,
  });
}

function parseKey(flag: string, text: string, path?: string): Uint8Array {
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new FlagError(flag, `${flag}: expected a 32-byte public key as 64 hex digits${path ? ` in ${path}` : ''}`);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
