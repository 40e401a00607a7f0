import type { SwarmSummary } from './summarize.ts';

const n = (v: number) => v.toLocaleString('en-US');
const ms = (v: number) => `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;

/** The end-of-run summary as an aligned text table. */
export function formatSummary(s: SwarmSummary): string {
  const rows: [string, string][] = [
    ['result', s.ok ? 'OK' : `FAILED (${s.unexpectedCount} unexpected errors, ${s.bots.failed} bots failed)`],
    ['scenario', `${s.scenario} · ${s.protocol}${s.serverKeyPinned ? ' (server key pinned)' : ''} · ${s.urls.join(', ')}`],
    ['time', `${s.elapsedS} s · bot process CPU ${s.cpuCores} cores${s.until === null ? '' : ` · until ${s.until.goal}: ${s.until.met ? 'met' : 'NOT met'}`}`],
    ['bots', `${n(s.bots.total)} total · ${n(s.bots.connected)} connected · ${n(s.bots.loggedIn)} logged in · ${n(s.bots.joined)} in ${n(s.rooms)} rooms`],
    ['', `${n(s.bots.dropped)} dropped · ${n(s.bots.failed)} failed · ${n(s.bots.resumed)} resumed · ${n(s.bots.relogins)} logged in again`],
    ['saw others move', `${n(s.bots.sawOthersMove)} bots (${n(s.game.othersMoves)} moves in ${n(s.game.patches)} state patches, ${n(s.game.patchBytes)} B)`],
    ['chat', `${n(s.game.chatsSent)} sent · ${n(s.game.chatsReceived)} received · ${n(s.bots.receivedChat)} bots heard others`],
    ['tags · leaderboard', `${n(s.game.tagsScored)} scored · ${n(s.game.leaderboards)} answers to ${n(s.bots.gotLeaderboard)} bots`],
    ['messages in', `${n(s.messages.in)} (${n(s.messages.inPerSec)}/s, peak ${n(s.messages.peakInPerSec)}/s)`],
    ['messages out', `${n(s.messages.out)} (${n(s.messages.outPerSec)}/s, peak ${n(s.messages.peakOutPerSec)}/s)`],
    ['bytes in · out', `${n(s.bytes.in)} · ${n(s.bytes.out)}`],
    ['rtt (all requests)', `p50 ${ms(s.rtt.p50)} · p90 ${ms(s.rtt.p90)} · p99 ${ms(s.rtt.p99)} · max ${ms(s.rtt.max)} (${n(s.rtt.count)})`],
  ];
  for (const [name, r] of Object.entries(s.rtt.byType)) {
    rows.push([`  rtt ${name}`, `p50 ${ms(r.p50)} · p99 ${ms(r.p99)} (${n(r.count)})`]);
  }
  const errs = Object.entries(s.errors);
  rows.push(['errors', errs.length === 0 ? 'none' : errs.map(([c, v]) => `${c} ${n(v)}${s.unexpectedErrors[c] ? ' (unexpected)' : ''}`).join(' · ')]);
  for (const f of s.failures.slice(0, 5)) rows.push(['  failure', `${f.bot}: ${f.code} ${f.text}`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
