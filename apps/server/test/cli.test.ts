import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlagError, parseFlags } from '../src/cli/parseFlags.ts';
import { parseServerConfig } from '../src/config/ServerConfig.ts';
import { KeyFileError, loadOrCreateSigningKey } from '../src/keys/loadOrCreateSigningKey.ts';

describe('server flags', () => {
  it('defaults', () => {
    expect(parseServerConfig([], {})).toMatchObject({
      auth: 'accounts',
      storage: true,
      database: undefined,
      insecureDevAuth: false,
      loginFailuresPerAddress: 20,
      loginFailuresPerUser: 5,
      adminToken: undefined,
      clusterSecret: undefined,
      host: '127.0.0.1',
      tcpPort: 7700,
      wsPort: 7701,
      protocol: 'msgpack+nacl',
      keyFile: '.hearth/server.key',
      adminPort: 7702,
      adminHost: '127.0.0.1',
      redis: undefined,
      logFormat: 'json',
      tickHz: 20,
    });
  });

  it('flags win over environment variables, which win over defaults', () => {
    const env = { HEARTH_TCP_PORT: '9000', HEARTH_WS_PORT: '9001', HEARTH_PROTOCOL: 'msgpack', HEARTH_AUTH: 'dev' };
    expect(parseServerConfig(['--tcp-port', '0'], env)).toMatchObject({ tcpPort: 0, wsPort: 9001, protocol: 'msgpack' });
  });

  it.each([
    [['--tcp-port', 'abc'], {}, /^--tcp-port: expected a port 0\.\.65535, got "abc"$/],
    [['--ws-port', '70000'], {}, /^--ws-port: expected a port/],
    [[], { HEARTH_TCP_PORT: 'x' }, /^--tcp-port \(HEARTH_TCP_PORT\): expected a port/],
    [['--protocol', 'json'], {}, /^--protocol: expected one of msgpack\+nacl\|msgpack, got "json"$/],
    [['--redis', 'localhost:6379'], {}, /^--redis: expected redis:\/\//],
    [['--bogus'], {}, /--bogus/],
    [['--tick-hz', '0'], {}, /^--tick-hz: expected a number in 1\.\.120/],
    [['--auth', 'none'], {}, /^--auth: expected one of dev(\|[a-z]+)*, got "none"$/],
    [['--admin-token', 'short'], {}, /^--admin-token: expected at least 16 characters/],
    [['--cluster-secret', 'short', '--redis', 'redis://127.0.0.1:6379'], {}, /^--cluster-secret: expected at least 16 characters/],
    [[], { HEARTH_CLUSTER_SECRET: 'x'.repeat(32) }, /^--cluster-secret needs --redis/],
  ])('refuses %j with a one-line error naming the flag', (argv, env, message) => {
    const run = () => parseServerConfig((argv as string[]).includes('--auth') ? argv : [...argv, '--auth', 'dev'], env);
    expect(run).toThrow(FlagError);
    expect(run).toThrow(message);
    try {
      run();
    } catch (err) {
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('parses repeatable flags from argv and comma lists from env', () => {
    const spec = { url: { multiple: true, env: 'URLS', help: '' } } as const;
    expect(parseFlags(['--url', 'a', '--url', 'b'], {}, spec)).toEqual({ url: ['a', 'b'] });
    expect(parseFlags([], { URLS: 'a,b' }, spec)).toEqual({ url: ['a', 'b'] });
  });
});

describe('signing key file', () => {
  it('is created with mode 0600 beside a hex public key, then read back unchanged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-key-'));
    const path = join(dir, 'nested', 'server.key');
    const first = loadOrCreateSigningKey(path);
    expect(first.created).toBe(true);
    expect(first.secretKey).toHaveLength(64);
    expect(first.publicKey).toHaveLength(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(`${path}.pub`, 'utf8').trim()).toBe(Buffer.from(first.publicKey).toString('hex'));
    const second = loadOrCreateSigningKey(path);
    expect(second.created).toBe(false);
    expect(Buffer.from(second.secretKey).equals(Buffer.from(first.secretKey))).toBe(true);
  });

  it('refuses a file that is not a key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-key-'));
    const path = join(dir, 'server.key');
    writeFileSync(path, 'not a key\n');
    expect(() => loadOrCreateSigningKey(path)).toThrow(KeyFileError);
  });

  it('refuses an unreadable file', () => {
    if (process.getuid?.() === 0) return; // root reads anything; the CLI test below covers the exit path
    const dir = mkdtempSync(join(tmpdir(), 'hearth-key-'));
    const path = join(dir, 'server.key');
    writeFileSync(path, 'ab'.repeat(64));
    chmodSync(path, 0o000);
    expect(() => loadOrCreateSigningKey(path)).toThrow(/cannot read/);
  });
});

function runServer(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@hearth/source', 'src/main.ts', ...args], {
      cwd: join(import.meta.dirname, '..'),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('hearth-server process', () => {
  it('exits 2 with one line naming the flag on a bad flag', async () => {
    const { code, stderr } = await runServer(['--tcp-port', 'nope']);
    expect(code).toBe(2);
    expect(stderr).toBe('hearth-server: --tcp-port: expected a port 0..65535, got "nope"\n');
  });

  it('exits 2 naming --key-file when the key file is unusable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-key-'));
    const path = join(dir, 'server.key');
    writeFileSync(path, 'garbage');
    const { code, stderr } = await runServer(['--key-file', path, '--tcp-port', '0', '--ws-port', '0', '--admin-port=-1', '--auth', 'dev']);
    expect(code).toBe(2);
    expect(stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(stderr).toMatch(/^hearth-server: --key-file: key file .* does not hold a hex ed25519 key/);
  });
});

describe('pnpm start -- [flags]', () => {
  it('ignores the leading "--" pnpm passes through', () => {
    expect(parseServerConfig(['--', '--tcp-port', '1234', '--auth', 'dev'], {})).toMatchObject({ tcpPort: 1234 });
  });
});
