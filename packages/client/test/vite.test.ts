import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Rolldown } from 'vite';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

describe('Vite', () => {
  it('bundles the client for the browser as is (no plugin, no config, no Node polyfill)', async () => {
    const out = (await build({
      configFile: false,
      logLevel: 'silent',
      root: resolve(here, '../bench/app'),
      resolve: { conditions: ['@hearth/source', 'browser', 'module', 'import', 'default'] },
      build: {
        write: false,
        minify: true,
        target: 'es2022',
        lib: { entry: resolve(here, '../bench/app/main.ts'), formats: ['es'], fileName: 'app' },
      },
    })) as Rolldown.RolldownOutput[];
    const chunks = out.flatMap((o) => o.output).filter((c): c is Rolldown.OutputChunk => c.type === 'chunk');
    const modules = chunks.flatMap((c) => Object.keys(c.modules));
    expect(modules.some((m) => m.includes('tweetnacl'))).toBe(true);
    expect(modules.some((m) => m.includes('HearthClient'))).toBe(true);
    expect(modules.filter((m) => /\/(ws|sodium-native)\/|\/src\/node\/|^node:/.test(m))).toEqual([]);
    const code = chunks.map((c) => c.code).join('\n');
    expect(code).not.toMatch(/from\s*["']node:/);
  });
});
