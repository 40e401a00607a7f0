import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

describe('browser bundle', () => {
  it.each(['main', 'rooms'])('bundles %s for the browser with no Node-only module, within the 30 KB gzip goal', async (app) => {
    const result = await build({
      entryPoints: [resolve(here, `../bench/app/${app}.ts`)],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      metafile: true,
      conditions: ['@hearth/source'], // from source: the test needs no build
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((p) => /node_modules\/(ws|sodium-native)\/|\/src\/node\/|^node:/.test(p))).toEqual([]);
    expect(inputs.some((p) => p.includes('tweetnacl'))).toBe(true);
    const gzip = gzipSync(result.outputFiles[0]!.contents, { level: 9 }).length;
    expect(gzip).toBeLessThanOrEqual(30 * 1024);
  });
});
