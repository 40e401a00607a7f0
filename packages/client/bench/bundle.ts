/**
 * Bundle size of a minimal browser client (bench/app/main.ts) with the secure protocol, and of the same
 * client with a room (app/rooms.ts) and a synchronised room (app/synced.ts, + @hearth/state): esbuild,
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

/** The apps measured: a minimal client, the same with a room, and with a synchronised room (+ @hearth/state). */
const APPS = {
  minimal: 'minimal browser client (connect wss + msgpack+nacl pinned, login, typed push handler, typed request)',
  rooms: 'the minimal client plus a room: joinOrCreate with a typed kind, a room push handler, a room request, leave',
  synced: 'the room client with a synchronised state: a @hearth/state Mirror (the game imports it; the client does not depend on it)',
} as const;
const FILES: Record<keyof typeof APPS, string> = { minimal: 'app/main.ts', rooms: 'app/rooms.ts', synced: 'app/synced.ts' };

/** Minified bytes per package (from esbuild's metafile). */
function byPackage(meta: Metafile): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const output of Object.values(meta.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const m = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(path);
      const name =
        m?.[1] ??
        (path.includes('protocol/') ? '@hearth/protocol' : path.includes('state/') ? '@hearth/state' : path.startsWith('bench/') ? 'app' : '@hearth/client');
      sizes[name] = (sizes[name] ?? 0) + input.bytesInOutput;
    }
  }
  return Object.fromEntries(Object.entries(sizes).sort((a, b) => b[1] - a[1]));
}

async function measure(app: keyof typeof APPS) {
  const result = await build({
    entryPoints: [resolve(here, FILES[app])],
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
  return {
    what: APPS[app],
    minifiedBytes: code.length,
    gzipBytes: gzip,
    brotliBytes: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    withinGoal: gzip <= GOAL_GZIP_BYTES,
    minifiedBytesByPackage: byPackage(result.metafile),
    // A browser bundle must not carry Node-only code: this list must be empty.
    nodeOnlyInputs: Object.keys(result.metafile.inputs).filter((p) => /node_modules\/(ws|sodium-native)\/|\/(src|dist)\/node\/|^node:/.test(p)),
  };
}

const apps = { minimal: await measure('minimal'), rooms: await measure('rooms'), synced: await measure('synced') };
const main = apps.minimal;
const report = {
  date: new Date().toISOString(),
  what: `${APPS.minimal}: esbuild --bundle --minify --platform=browser --format=esm from dist (@hearth/state from its sources); "apps" has the room variants`,
  node: process.version,
  esbuild: (await import('esbuild')).version,
  minifiedBytes: main.minifiedBytes,
  gzipBytes: main.gzipBytes,
  brotliBytes: main.brotliBytes,
  goalGzipBytes: GOAL_GZIP_BYTES,
  withinGoal: main.withinGoal,
  minifiedBytesByPackage: main.minifiedBytesByPackage,
  nodeOnlyInputs: main.nodeOnlyInputs,
  apps,
};
const out = resolve(here, '../../../bench/results/client-bundle.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
for (const [name, r] of Object.entries(apps)) {
  console.log(
    `client bundle (${name}): ${(r.minifiedBytes / 1024).toFixed(1)} KB minified, ${(r.gzipBytes / 1024).toFixed(1)} KB gzip, ${(r.brotliBytes / 1024).toFixed(1)} KB brotli (goal ≤ ${GOAL_GZIP_BYTES / 1024} KB gzip: ${r.withinGoal ? 'met' : 'NOT met'})`,
  );
  console.log(r.minifiedBytesByPackage);
}
console.log(`wrote ${out}`);
