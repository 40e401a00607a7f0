import { parseArgs } from 'node:util';

/** How one command-line flag is read. */
export interface FlagSpec {
  /** Environment variable read when the flag is absent. */
  env?: string;
  /** `string` (default), `int` (integer, optionally bounded), `port` (0..65535), `number`, or `boolean`. */
  type?: 'string' | 'int' | 'port' | 'number' | 'boolean';
  /** Allowed values of a string flag. */
  choices?: readonly string[];
  /** Smallest allowed value of a numeric flag. */
  min?: number;
  /** Largest allowed value of a numeric flag. */
  max?: number;
  /** May be given more than once (the value is then an array). */
  multiple?: boolean;
  /** One-line description for `--help`. */
  help: string;
  /** Shown in `--help`. */
  default?: string | number | boolean;
}

/** Parsed values: strings, numbers, booleans, or arrays of strings for `multiple` flags; absent = undefined. */
export type FlagValues = Record<string, string | number | boolean | string[] | undefined>;

/**
 * A bad command line. `message` is one line naming the flag (and the environment variable the
 * value came from), for example `--tcp-port (HEARTH_TCP_PORT): expected a port 0..65535, got "x"`.
 * Programs print it and exit with code 2.
 */
export class FlagError extends Error {
  override name = 'FlagError';
  /** The flag at fault, e.g. `--tcp-port` (empty for a flag that does not exist). */
  readonly flag: string;
  constructor(flag: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.flag = flag;
  }
}

/**
 * Parses `argv` against `specs` (flags are kebab-case names without dashes), falling back to
 * `env[spec.env]` for absent flags. Unknown flags and positional arguments are refused.
 *
 * @throws {FlagError} with a one-line message naming the flag.
 * @example
 * const values = parseFlags(process.argv.slice(2), process.env, { 'tcp-port': { type: 'port', env: 'HEARTH_TCP_PORT', help: '…' } });
 */
export function parseFlags(argv: readonly string[], env: NodeJS.ProcessEnv, specs: Readonly<Record<string, FlagSpec>>): FlagValues {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = { help: { type: 'boolean' } };
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = { type: spec.type === 'boolean' ? 'boolean' : 'string', ...(spec.multiple ? { multiple: true } : {}) };
  }
  // `pnpm start -- --flag` hands the program a leading `--`; it separates nothing here.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let raw: Record<string, unknown>;
  try {
    raw = parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (cause) {
    const text = (cause as Error).message.split('\n')[0] ?? String(cause);
    const flag = /'(-[^' ]+)/.exec(text)?.[1] ?? '';
    throw new FlagError(flag, `${text}; see --help`, { cause });
  }
  const out: FlagValues = {};
  if (raw['help'] === true) out['help'] = true;
  for (const [name, spec] of Object.entries(specs)) {
    let value = raw[name] as string | boolean | string[] | undefined;
    let source = `--${name}`;
    if (value === undefined && spec.env !== undefined && env[spec.env] !== undefined && env[spec.env] !== '') {
      const fromEnv = env[spec.env]!;
      source = `--${name} (${spec.env})`;
      value = spec.type === 'boolean' ? !/^(0|false|no|off)$/i.test(fromEnv) : spec.multiple ? fromEnv.split(',') : fromEnv;
    }
    if (value === undefined) continue;
    if (typeof value === 'boolean' || Array.isArray(value)) {
      if (Array.isArray(value)) for (const v of value) checkChoice(`--${name}`, source, v, spec);
      out[name] = value;
      continue;
    }
    out[name] = convert(`--${name}`, source, value, spec);
  }
  return out;
}

function convert(flag: string, source: string, value: string, spec: FlagSpec): string | number {
  switch (spec.type) {
    case 'port':
      return integer(flag, source, value, 0, 65_535, 'a port 0..65535');
    case 'int':
      return integer(flag, source, value, spec.min ?? -Infinity, spec.max ?? Infinity, 'an integer');
    case 'number': {
      const n = value.trim() === '' ? NaN : Number(value);
      const min = spec.min ?? -Infinity;
      const max = spec.max ?? Infinity;
      if (!Number.isFinite(n) || n < min || n > max) throw new FlagError(flag, `${source}: expected ${range('a number', min, max)}, got "${value}"`);
      return n;
    }
    default:
      checkChoice(flag, source, value, spec);
      return value;
  }
}

function integer(flag: string, source: string, value: string, min: number, max: number, what: string): number {
  const n = /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new FlagError(flag, `${source}: expected ${what === 'an integer' ? range(what, min, max) : what}, got "${value}"`);
  }
  return n;
}

function range(what: string, min: number, max: number): string {
  if (min > -Infinity && max < Infinity) return `${what} in ${min}..${max}`;
  if (min > -Infinity) return `${what} ≥ ${min}`;
  if (max < Infinity) return `${what} ≤ ${max}`;
  return what;
}

function checkChoice(flag: string, source: string, value: string, spec: FlagSpec): void {
  if (spec.choices !== undefined && !spec.choices.includes(value)) {
    throw new FlagError(flag, `${source}: expected one of ${spec.choices.join('|')}, got "${value}"`);
  }
}

/** `--help` text: one line per flag with its environment variable and default. */
export function formatHelp(usage: string, specs: Readonly<Record<string, FlagSpec>>): string {
  const lines = [usage, '', 'Flags (environment variable in brackets):'];
  for (const [name, spec] of Object.entries(specs)) {
    const head = `  --${name}${spec.type === 'boolean' ? '' : ' <' + (spec.choices?.join('|') ?? spec.type ?? 'value') + '>'}`;
    const tail = [spec.help, spec.env ? `[${spec.env}]` : '', spec.default !== undefined ? `(default ${String(spec.default)})` : '']
      .filter(Boolean)
      .join(' ');
    lines.push(`${head.padEnd(40)} ${tail}`);
  }
  return lines.join('\n');
}
