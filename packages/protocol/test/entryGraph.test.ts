import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
const SPECIFIER = /(?:^|[\s;])(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]/g;

/** Every module reachable from `entry` by static or dynamic import: local files and bare specifiers. */
function importGraph(entry: string): { files: string[]; bare: string[] } {
  const files = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else bare.add(spec);
    }
  };
  visit(entry);
  return { files: [...files].map((f) => relative(srcDir, f)), bare: [...bare] };
}

const isNodeBuiltin = (spec: string): boolean => spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]!);

describe('the main entry stays portable (browser-safe)', () => {
  const main = importGraph(resolve(srcDir, 'index.ts'));

  it('imports no node: module or Node builtin', () => {
    expect(main.bare.filter(isNodeBuiltin)).toEqual([]);
  });

  it('reaches nothing under src/node', () => {
    expect(main.files.filter((f) => f.startsWith('node/'))).toEqual([]);
  });

  it('depends only on the portable packages', () => {
    expect(main.bare.sort()).toEqual(['@msgpack/msgpack', 'tweetnacl']);
  });

  it('the walker does see Node imports where they are (src/node/index.ts)', () => {
    const node = importGraph(resolve(srcDir, 'node/index.ts'));
    expect(node.bare.filter(isNodeBuiltin)).toContain('node:crypto');
    expect(node.bare).toContain('sodium-native');
    expect(main.files).toContain('handshake/ServerHandshake.ts');
  });

  it('the Node providers are reachable through the "./node" subpath export', async () => {
    const node = await import('@hearth/protocol/node');
    expect(node.nodeCryptoProvider.name).toBe('node');
    expect(node.opensslCryptoProvider.name).toBe('openssl');
  });
});
