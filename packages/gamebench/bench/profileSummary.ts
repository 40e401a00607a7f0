/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time by function, self time by
 * package/area, and inclusive time of the heaviest functions (what each code path costs).
 *
 *   node --import tsx bench/profileSummary.ts FILE.cpuprofile [top=25] [fromUs,toUs]
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export function area(url: string, fn: string): string {
  if (url === '') return fn.startsWith('(') ? fn : 'native/builtin';
  const m = /\/(packages|apps)\/([^/]+)\//.exec(url);
  if (m !== null && !url.includes('node_modules')) return `${m[1]}/${m[2]}`;
  const nm = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm !== null) return nm[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] ?? ''}`;
  return url;
}

/** Samples not spent idle. */
export function busySamples(profile: Profile): number {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  return profile.samples.filter((id) => !idle.has(id)).length;
}

/** @param range only samples taken in [from, to] (CLOCK_MONOTONIC µs, as `process.hrtime.bigint() / 1000n`). */
export function summarise(profile: Profile, top = 25, range?: [number, number]): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (range !== undefined && (t < range[0] || t > range[1])) continue;
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const idle = [...selfUs].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, v]) => a + v, 0);
  const busy = total - idle;
  const key = (f: CallFrame): string => `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(packages|apps|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === '(idle)') continue;
    self.set(key(f), (self.get(key(f)) ?? 0) + us);
    const a = area(f.url, f.functionName);
    areas.set(a, (areas.get(a) ?? 0) + us);
    // Inclusive: each distinct function on the stack once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(byId.get(cur)!.callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + us);
    }
  }
  const pct = (us: number): string => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
  const list = (m: Map<string, number>, n: number): string =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${pct(v)}  ${k}`)
      .join('\n');
  return [
    `profile: ${(total / 1e6).toFixed(1)} s sampled, busy ${(busy / 1e6).toFixed(1)} s (percentages of busy time)`,
    'self time by area:',
    list(areas, 15),
    `self time by function (top ${top}):`,
    list(self, top),
    `inclusive time by function (top ${top}, roots excluded):`,
    list(new Map([...incl].filter(([k]) => !k.startsWith('(root)') && !k.startsWith('(program)'))), top),
  ].join('\n');
}

if (process.argv[1]?.endsWith('profileSummary.ts')) {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write('usage: profileSummary.ts FILE.cpuprofile [top]\n');
    process.exit(2);
  }
  const range = process.argv[4]?.split(',').map(Number) as [number, number] | undefined;
  console.log(summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(process.argv[3] ?? 25), range));
}
