import { canStopRedis, startRedis } from '@hearth/actor/testing';
import { describe, expect, it } from 'vitest';
import { Move, Tag } from '../src/arena/messages.ts';
import { startArena } from './fixtures/arenaProcess.ts';
import { TestClients } from './fixtures/testClients.ts';
import { findPromtool, lintMetrics, promtoolCheck } from './fixtures/lintMetrics.ts';

const promtool = findPromtool();

async function scrape(admin: string): Promise<string> {
  const res = await fetch(`${admin}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

function expectClean(text: string): void {
  expect(lintMetrics(text)).toEqual([]);
  if (promtool !== undefined) expect(promtoolCheck(promtool, text)).toEqual({ status: 0, output: '' });
}

describe('/metrics of a server process', { timeout: 60_000 }, () => {
  it('lints clean; the lint catches what promtool refuses', () => {
    expect(lintMetrics('# HELP a_total x\n# TYPE a_total gauge\na_total 1\n')).toEqual(['a_total: non-counter metrics should not have "_total" suffix']);
    expect(lintMetrics('# HELP b x\n# TYPE b counter\nb 1\n')).toEqual(['b: counter metrics should have "_total" suffix']);
    expect(lintMetrics('# TYPE c gauge\nc 1\n# TYPE c gauge\n')).toContain('c: TYPE declared twice');
    expect(lintMetrics('d 1\n')).toEqual(['d: sample without TYPE']);
  });

  it('in memory: no hearth_cluster_* series (a lone server has no cluster to be down), promtool-clean', async () => {
    await using server = startArena(['--protocol', 'msgpack']);
    const { admin } = await server.listening;
    const text = await scrape(admin);
    expect(text).toContain('hearth_sessions_active 0');
    expect(text).not.toMatch(/^hearth_cluster_/m);
    expect(text).toMatch(/^nodejs_active_handles\{/m);
    expectClean(text);
  });

  it('times room requests by message name (arena.whereAmI, arena.tag, moves sent to the room)', async () => {
    await using server = startArena(['--protocol', 'msgpack', '--spawn', '500,500']);
    const { admin, tcp } = await server.listening;
    await using clients = new TestClients();
    const ann = await clients.login(tcp, 'ann');
    await ann.join(); // arena.whereAmI
    ann.send(Move, { x: 510, y: 500 });
    await expect(ann.ask(Tag, { target: 99 })).rejects.toMatchObject({ code: expect.any(String) });
    const count = (text: string, type: string) => Number(new RegExp(`^hearth_request_duration_seconds_count\\{type="${type}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    await expect.poll(async () => count(await scrape(admin), 'arena.move')).toBe(1);
    const text = await scrape(admin);
    expect(count(text, 'arena.whereAmI')).toBe(1);
    expect(count(text, 'arena.tag')).toBe(1); // a refused request is timed too
    expectClean(text);
  });

  it.runIf(canStopRedis)('cluster mode: hearth_cluster_up 1 and hearth_cluster_nodes 1, promtool-clean', async () => {
    await using redis = await startRedis();
    await using server = startArena(['--protocol', 'msgpack', '--redis', redis.url, '--redis-prefix', redis.prefix]);
    const { admin } = await server.listening;
    const text = await scrape(admin);
    expect(text).toMatch(/^hearth_cluster_up 1$/m);
    expect(text).toMatch(/^hearth_cluster_nodes 1$/m);
    expectClean(text);
  });
});
