#!/usr/bin/env node
/**
 * `hearth-bots`: a swarm of Arena players against a Hearth server, and the load test.
 * Exit codes: 0 all went as the scenario expects, 1 a bot failed unexpectedly, 2 bad flags.
 */
import { writeFileSync } from 'node:fs';
import { FlagError, formatHelp } from '@hearth/server/cli';
import { BOT_FLAGS, parseBotConfig } from './config/BotConfig.ts';
import { formatUntil } from './config/UntilGoal.ts';
import { formatProgress } from './report/formatProgress.ts';
import { formatSummary } from './report/formatSummary.ts';
import { createScenario } from './scenarios/createScenario.ts';
import { Swarm } from './Swarm.ts';

async function main(): Promise<number> {
  let config;
  try {
    // isTTY is undefined (despite its type) when stderr is not a terminal: parseBotConfig's default applies.
    config = parseBotConfig(process.argv.slice(2), process.env, process.stderr.isTTY);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    process.stderr.write(`hearth-bots: ${err.message}\n`);
    return 2;
  }
  if (config === 'help') {
    process.stdout.write(`${formatHelp('Usage: hearth-bots [flags]', BOT_FLAGS)}\n`);
    return 0;
  }
  const swarm = new Swarm({
    urls: config.urls,
    bots: config.bots,
    durationMs: config.durationS === 0 ? Infinity : config.durationS * 1000,
    rampMs: config.rampS * 1000,
    scenario: createScenario(config.scenario),
    ...(config.until !== undefined && { until: config.until }),
    protocol: config.protocol,
    maxConnecting: config.maxConnecting,
    ...(config.serverKey !== undefined ? { serverKey: config.serverKey } : {}),
    ...(config.tlsCa !== undefined ? { tlsCa: config.tlsCa } : {}),
  });
  // Ctrl-C: stop the bots cleanly and still print the summary; a second Ctrl-C exits at once.
  process.once('SIGINT', () => {
    swarm.stop();
    process.once('SIGINT', () => process.exit(130));
  });
  process.once('SIGTERM', () => swarm.stop());
  const out = process.stderr;
  if (config.serverKey === undefined && config.protocol === 'msgpack+nacl') {
    out.write('hearth-bots: the server key is not pinned (--server-key-file .hearth/server.key.pub pins it)\n');
  }
  const until = config.until === undefined ? '' : `until ${formatUntil(config.until)}${config.durationS === 0 ? '' : ` (at most ${config.durationS} s)`}`;
  const time = until !== '' ? until : config.durationS === 0 ? 'until Ctrl-C' : `${config.durationS} s`;
  out.write(`hearth-bots: ${config.bots} bots, scenario ${config.scenario}, ${time} against ${config.urls.join(', ')}\n`);
  let lastLog = 0;
  let allPlaying = false;
  const summary = await swarm.run((p) => {
    if (!allPlaying && p.playing === p.bots) {
      // Said once, on its own line: tests (and people) wait for it before disturbing the run.
      allPlaying = true;
      out.write(`${config.progress === 'line' ? '\r\x1b[2K' : ''}hearth-bots: all ${p.bots} bots playing after ${(p.elapsedMs / 1000).toFixed(1)} s\n`);
    }
    if (config.progress === 'line') out.write(`\r\x1b[2K${formatProgress(p)}`);
    else if (config.progress === 'log' && p.elapsedMs - lastLog >= 5000) {
      lastLog = p.elapsedMs;
      out.write(`${formatProgress(p)}\n`);
    }
  });
  if (config.progress === 'line') out.write('\r\x1b[2K');
  process.stdout.write(`${formatSummary(summary)}\n`);
  if (config.json !== undefined) writeFileSync(config.json, `${JSON.stringify(summary, null, 2)}\n`);
  return summary.ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`hearth-bots: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
