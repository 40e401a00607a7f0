import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
const SPECIFIER = /(?:^|[\s;])(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]/g;
/** A dynamic import whose specifier is not a string literal (invisible to bundlers, on purpose). */
const DYNAMIC_VARIABLE = /\bimport\s*\(\s*(?:\/\*[^*]*\*\/\s*)?([A-Za-z_$][\w$]*)\s*\)/g;

/** Every module reachable from `entry` by static or literal dynamic import: local files and bare specifiers. */
function importGraph(entry: string): { files: string[]; bare: string[]; variables: string[] } {
  const files = new Set<string>();
  const bare = new Set<string>();
  const variables = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(SPECIFIER)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else bare.add(spec);
    }
    for (const m of text.matchAll(DYNAMIC_VARIABLE)) {
      const value = new RegExp(`const ${m[1]} = '([^']+)'`).exec(text)?.[1];
      variables.add(value ?? `unresolved ${m[1]}`);
    }
  };
  visit(entry);
  return { files: [...files].map((f) => relative(srcDir, f)), bare: [...bare], variables: [...variables] };
}

const isNodeBuiltin = (spec: string): boolean => spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]!);

describe('the main entry stays browser-safe', () => {
  const main = importGraph(resolve(srcDir, 'index.ts'));

  it('imports no node: module or Node builtin', () => {
    expect(main.bare.filter(isNodeBuiltin)).toEqual([]);
  });

  it('reaches nothing under src/node', () => {
    expect(main.files.filter((f) => f.startsWith('node/'))).toEqual([]);
  });

  it('depends statically only on the portable protocol entry', () => {
    expect(main.bare.sort()).toEqual(['@hearth/protocol']);
  });

  it('loads Node-only modules only through variable specifiers that bundlers skip', () => {
    expect(main.variables.sort()).toEqual(['@hearth/client/node', '@hearth/protocol/node', 'ws']);
  });

  it('the walker does see Node imports where they are (src/node/index.ts)', () => {
    const node = importGraph(resolve(srcDir, 'node/index.ts'));
    expect(node.bare.filter(isNodeBuiltin)).toContain('node:net');
    expect(main.files).toContain('connection/Connection.ts');
  });

  it('the TCP transport is reachable through the "./node" subpath export', async () => {
    const node = await import('@hearth/client/node');
    expect(typeof node.tcpTransport).toBe('function');
  });
});

describe('runtime defaults in Node', () => {
  it('picks the libsodium provider and the ws package (Node 20) automatically', async () => {
    const { defaultProvider, defaultTransport, isNode } = await import('../src/runtime.ts');
    expect(isNode()).toBe(true);
    expect((await defaultProvider()).name).toBe('node');
    await expect(defaultTransport(new URL('ws://127.0.0.1:1'))).resolves.toBeTypeOf('function');
    await expect(defaultTransport(new URL('http://127.0.0.1:1'))).rejects.toThrow(/ws:\/\/, wss:\/\/, tcp:\/\/ or tls:\/\//);
  });
});
