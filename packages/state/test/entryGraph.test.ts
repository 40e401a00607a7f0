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

describe('the entry stays portable (browser-safe)', () => {
  const main = importGraph(resolve(srcDir, 'index.ts'));

  it('imports no node: module, no Node builtin and no package at all', () => {
    expect(main.bare).toEqual([]);
  });

  it('the walker does see the whole package', () => {
    expect(main.files).toContain('mirror/Decoder.ts');
    expect(main.files).toContain('server/StateEncoder.ts');
    expect(main.files.length).toBeGreaterThan(12);
  });

  it('the walker does see a Node import where there is one (this test file)', () => {
    const self = importGraph(fileURLToPath(import.meta.url));
    expect(self.bare.filter(isNodeBuiltin)).toContain('node:fs');
  });
});
