/**
 * Bundle size of a minimal browser client (bench/app/main.ts) with the secure protocol: esbuild,
 * platform browser, ESM, minified, from the built `dist` (what a bundler such as Vite consumes),
 * then gzip -9 and brotli. Writes bench/results/client-bundle.json at the repo root.
 * Goal (issue 13): at most 30 KB gzipped.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const GOAL_GZIP_BYTES = 30 * 1024;

const result = await build({
  entryPoints: [resolve(here, 'app/main.ts')],
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  metafile: true,
  // The published build: no @hearth/source condition, so dist/*.js is bundled.
  conditions: [],
  logLevel: 'warning',
});
const code = result.outputFiles[0]!.contents;
const gzip = gzipSync(code, { level: 9 }).length;
const brotli = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

/** Minified bytes per package (from esbuild's metafile). */
function byPackage(meta: Metafile): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const output of Object.values(meta.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const m = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(path);
      const name = m?.[1] ?? (path.includes('protocol/') ? '@hearth/protocol' : path.startsWith('bench/') ? 'app' : '@hearth/client');
      sizes[name] = (sizes[name] ?? 0) + input.bytesInOutput;
    }
  }
  return Object.fromEntries(Object.entries(sizes).sort((a, b) => b[1] - a[1]));
}

const report = {
  date: new Date().toISOString(),
  what: 'minimal browser client (connect wss + msgpack+nacl pinned, login, typed push handler, typed request): esbuild --bundle --minify --platform=browser --format=esm from dist',
  node: process.version,
  esbuild: (await import('esbuild')).version,
  minifiedBytes: code.length,
  gzipBytes: gzip,
  brotliBytes: brotli,
  goalGzipBytes: GOAL_GZIP_BYTES,
  withinGoal: gzip <= GOAL_GZIP_BYTES,
  minifiedBytesByPackage: byPackage(result.metafile),
  // A browser bundle must not carry Node-only code: this list must be empty.
  nodeOnlyInputs: Object.keys(result.metafile.inputs).filter((p) => /node_modules\/(ws|sodium-native)\/|\/(src|dist)\/node\/|^node:/.test(p)),
};
const out = resolve(here, '../../../bench/results/client-bundle.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(
  `client bundle: ${(code.length / 1024).toFixed(1)} KB minified, ${(gzip / 1024).toFixed(1)} KB gzip, ${(brotli / 1024).toFixed(1)} KB brotli (goal ≤ ${GOAL_GZIP_BYTES / 1024} KB gzip: ${report.withinGoal ? 'met' : 'NOT met'})`,
);
console.log(report.minifiedBytesByPackage);
console.log(`wrote ${out}`);
