import { ErrorCode } from '@hearth/protocol';
import { describe, expect, it, vi } from 'vitest';
import { ResumeErrorCode } from '../../src/index.ts';
import { ManualClock } from '../../src/testing/index.ts';
import { cleanup, clientService, connect, Echo, Tell, until } from '../helpers.ts';
import { MALFORMED } from '../malformed.ts';
import { startGameNode } from './gameNode.ts';
import { rawClient, useClusterFixture } from './helpers.ts';

/** Resume-token and user-id checks across nodes: two game nodes, real sockets, one real Redis. */
describe('resume tokens and wire ids in a cluster (real Redis, real sockets)', () => {
  const fx = useClusterFixture(cleanup);

  it('malformed tokens and user ids never reach Redis (MONITOR sees none; no key holds them)', async () => {
    const a = await startGameNode(fx.redis, 'a', fx.closers);
    const b = await startGameNode(fx.redis, 'b', fx.closers);
    await using raw = rawClient(fx.redis);
    await using watcher = rawClient(fx.redis);
    const monitor = await watcher.monitor();
    const commands: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(args));
    const clients = clientService();
    const ann = await connect(clients, a.port);
    await ann.login('ann');
    const thief = await connect(clients, b.port);
    for (const bad of MALFORMED) {
      await expect(thief.resume(bad)).rejects.toMatchObject({ code: ErrorCode.BAD_REQUEST });
      await expect(ann.request(Tell, { to: bad, seq: 1 })).rejects.toMatchObject({ code: ErrorCode.BAD_REQUEST });
    }
    // Controls, sent last: a well-formed unknown token and user id do reach Redis (so MONITOR works,
    // and once they show up every command sent before them has been seen).
    const control = 'C0ntrolTokenC0ntrolToken';
    await expect(thief.resume(control)).rejects.toMatchObject({ code: ErrorCode.UNAUTHENTICATED });
    await expect(ann.request(Tell, { to: 'nobody-here', seq: 1 })).resolves.toBe(false);
    const seen = (s: string): boolean => commands.some((args) => argsOf(args).some((x) => x.includes(s)));
    await vi.waitFor(() => expect(seen(control) && seen('nobody-here')).toBe(true));
    for (const bad of MALFORMED.filter((s) => s.length > 0)) expect(seen(bad), JSON.stringify(bad.slice(0, 30))).toBe(false);
    const keys = await raw.keys(`${fx.redis.prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).toMatch(/^[\w.:@{}-]+$/);
    expect(a.node.holder.stats.malformedIds + b.node.holder.stats.malformedIds).toBe(2 * MALFORMED.length);
    monitor.disconnect();
  });

  it('a stolen token against an active session is refused on every node; the live session is unharmed', async () => {
    const a = await startGameNode(fx.redis, 'a', fx.closers);
    const b = await startGameNode(fx.redis, 'b', fx.closers);
    const clients = clientService();
    const owner = await connect(clients, a.port);
    const { resumeToken } = await owner.login('ann');
    const player = a.node.holder.get('ann')!;
    const onB = await connect(clients, b.port);
    await expect(onB.resume(resumeToken)).rejects.toMatchObject({ code: ErrorCode.UNAUTHENTICATED });
    const onA = await connect(clients, a.port);
    await expect(onA.resume(resumeToken)).rejects.toMatchObject({ code: ResumeErrorCode.SESSION_ACTIVE });
    expect(owner.alive).toBe(true);
    expect(player.connected).toBe(true);
    expect(a.node.holder.get('ann')).toBe(player);
    expect(b.node.holder.get('ann')).toBeUndefined();
    await expect(owner.request(Echo, { n: 1 })).resolves.toEqual({ n: 1 });
    expect(await a.backplane.directory.read('ann')).toMatchObject({ nodeId: 'a', sessionId: player.sessionId });
    expect(a.hooks.filter((h) => h.startsWith('leave'))).toEqual([]);
  });

  it('a parked token past its lifetime is refused on another node; the player ends once there (leave hook), quietly on the parking node', async () => {
    const clock = new ManualClock(); // both nodes' holders run on it
    const timeouts = { tokenLifetime: 60_000, grace: 600_000, heartbeatTimeout: 600_000, loginTimeout: 600_000 };
    const a = await startGameNode(fx.redis, 'a', fx.closers, { clock, timeouts });
    const b = await startGameNode(fx.redis, 'b', fx.closers, { clock, timeouts });
    await using raw = rawClient(fx.redis);
    const clients = clientService();
    const first = await connect(clients, a.port);
    const { resumeToken } = await first.login('gus');
    const id = a.node.holder.get('gus')!.sessionId;
    first.close(ErrorCode.CLOSED);
    await vi.waitFor(async () => expect(await raw.exists(a.backplane.keys.resume(resumeToken))).toBe(1));
    clock.advance(60_001);
    const late = await connect(clients, b.port);
    await expect(late.resume(resumeToken)).rejects.toMatchObject({ code: ErrorCode.UNAUTHENTICATED, message: expect.stringMatching(/lifetime/) });
    await until(() => a.node.holder.get('gus') === undefined);
    expect(b.node.holder.get('gus')).toBeUndefined();
    expect(b.hooks).toEqual([`leave gus ${id} TOKEN_EXPIRED`]);
    expect(a.hooks).toEqual([`join gus ${id}`]);
  });
});

/** The key and value arguments of a MONITOR line (an EVAL's script body is skipped: Lua holds `{}` and `*`). */
function argsOf(args: string[]): string[] {
  const cmd = args[0]?.toLowerCase();
  return cmd === 'eval' ? args.slice(2) : args.slice(1);
}
