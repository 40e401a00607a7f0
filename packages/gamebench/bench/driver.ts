/**
 * A load driver process: `job.clients` players of one stack, each moving 10 times a second on a
 * shared 5 ms tick (moves spread over the 100 ms period by a per-client offset). Counts updates,
 * move→update delays and CPU between the orchestrator's `mark` and `report`.
 * Started by run.ts with `fork(driver.ts, [JSON job])`.
 */
import type { TrafficStats } from '@hearth/client';
import { ColyseusGameClient } from './colyseusClient.ts';
import { countError, type DriverCounters, type GameClient } from './GameClient.ts';
import { HearthGameClient } from './hearthClient.ts';
import { Histogram } from './Histogram.ts';
import type { DriverJob, FromDriver, ToDriver } from './ipc.ts';
import type { Player } from './Player.ts';
import { RawGameClient } from './rawClient.ts';

const MOVE_PERIOD_MS = 100;
const TICK_MS = 5;

const job = JSON.parse(process.argv[2]!) as DriverJob;
const counters: DriverCounters = { updates: 0, movesSent: 0, bodyBytesIn: 0, delays: new Histogram(), errors: new Map() };
const traffic: TrafficStats = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
const playing: { client: GameClient; player: Player }[] = [];

function send(msg: FromDriver): void {
  process.send?.(msg);
}

function newClient(index: number): GameClient {
  if (job.stack === 'hearth') return new HearthGameClient(job, index, counters, traffic);
  return job.stack === 'raw' ? new RawGameClient(job, index, counters) : new ColyseusGameClient(job, index, counters);
}

async function joinAll(): Promise<number> {
  let next = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < job.clients) {
      const index = job.first + next++;
      const client = newClient(index);
      try {
        const player = await client.join();
        player.nextMoveAt = performance.now() + ((index * 37) % MOVE_PERIOD_MS);
        playing.push({ client, player });
      } catch (err) {
        failed += 1;
        countError(counters, `join:${(err as Error).message.slice(0, 60)}`);
        client.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(job.concurrency, job.clients) }, worker));
  return failed;
}

const ticker = setInterval(() => {
  const now = performance.now();
  for (const { client, player } of playing) {
    if (now < player.nextMoveAt || !client.playing) continue;
    // Never more than one move per period, even after a stall (a stalled client does not burst).
    player.nextMoveAt = Math.max(player.nextMoveAt + MOVE_PERIOD_MS, now);
    const { x, y } = player.step(now);
    client.move(x, y);
  }
}, TICK_MS);

let markAt = performance.now();
let cpuAt = process.cpuUsage();
let bytesAt = 0;

process.on('message', (msg: ToDriver) => {
  if (msg.type === 'mark') {
    markAt = performance.now();
    cpuAt = process.cpuUsage();
    bytesAt = traffic.bytesIn;
    counters.updates = 0;
    counters.movesSent = 0;
    counters.delays.reset();
    counters.errors.clear();
  } else if (msg.type === 'report') {
    const cpu = process.cpuUsage(cpuAt);
    send({
      type: 'report',
      playing: playing.filter((p) => p.client.playing).length,
      seconds: (performance.now() - markAt) / 1000,
      updates: counters.updates,
      movesSent: counters.movesSent,
      bodyBytesIn: traffic.bytesIn - bytesAt,
      cpuUs: cpu.user + cpu.system,
      delays: counters.delays.bins,
      errors: Object.fromEntries(counters.errors),
    });
  } else if (msg.type === 'stop') {
    clearInterval(ticker);
    for (const { client } of playing) client.close();
    setTimeout(() => process.exit(0), 200).unref();
  }
});
process.on('disconnect', () => process.exit(0));

const debug = process.env['GAMEBENCH_DEBUG'] === '1';
const progress = debug
  ? setInterval(() => process.stderr.write(`driver ${job.first}: ${playing.length}/${job.clients} joined, ${counters.errors.size} error kinds\n`), 5000)
  : undefined;
const failed = await joinAll();
clearInterval(progress);
send({ type: 'ready', joined: playing.length, failed, errors: Object.fromEntries(counters.errors) });
