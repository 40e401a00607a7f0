import type { SwarmProgress } from '../Swarm.ts';

const k = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)}k` : `${Math.round(v)}`);

/** The live progress line: connected, logged in, msgs/s in and out, p50/p99 RTT, errors by code. */
export function formatProgress(p: SwarmProgress): string {
  const errors = [...p.errors].map(([code, n]) => `${code}:${n}`).join(' ');
  return (
    `[${(p.elapsedMs / 1000).toFixed(0).padStart(3)}s] ` +
    `connected ${p.connected}/${p.bots} · logged in ${p.loggedIn} · ` +
    `in ${k(p.msgsInPerSec)}/s out ${k(p.msgsOutPerSec)}/s · ` +
    `rtt p50 ${p.rttP50.toFixed(2)} ms p99 ${p.rttP99.toFixed(2)} ms` +
    (errors === '' ? '' : ` · errors ${errors}`) +
    (p.unexpected > 0 ? ` · ${p.unexpected} unexpected` : '')
  );
}
