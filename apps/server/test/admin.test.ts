import { describe, expect, it } from 'vitest';
import { AdminServer } from '../src/admin/AdminServer.ts';
import type { AdminSource } from '../src/admin/AdminSource.ts';
import { createMetrics } from '../src/admin/createMetrics.ts';

function source(): AdminSource {
  return {
    stats: () => ({ sessionsOpen: 3, handshaking: 1, upgrading: 2, accepted: 7, closedByCode: { HEARTBEAT_TIMEOUT: 2, NORMAL: 2 }, bytesIn: 100, bytesOut: 200, messagesIn: 10, messagesOut: 20 }),
    sessions: () => ({ total: 1, sessions: [{ id: 42, user: 'ann', remoteAddress: '127.0.0.1:5555', state: { active: { heartbeat: 'alive', game: 'inRoom' } }, idleMs: 12, groups: ['room-1'] }] }),
    actorsByState: () => ({ active: 3 }),
    gameGauges: () => ({ arena_rooms: 1 }),
  };
}

describe('admin endpoint', () => {
  it('serves Prometheus metrics, sessions as JSON and health, on loopback', async () => {
    const src = source();
    const metrics = createMetrics(src, { requestTypes: ['arena.tag'] });
    metrics.observe('arena.tag', 0.0002);
    await using admin = await AdminServer.listen({ source: src, registry: metrics.registry, port: 0 });
    expect(admin.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const m = await fetch(`${admin.url}/metrics`);
    expect(m.headers.get('content-type')).toContain('text/plain');
    const text = await m.text();
    expect(text).toContain('hearth_sessions_active 3');
    expect(text).toContain('hearth_sessions_handshaking 1');
    expect(text).toContain('hearth_sessions_upgrading 2');
    expect(text).toContain('hearth_sessions_accepted_total 7');
    expect(text).toContain('hearth_sessions_closed_total{code="HEARTBEAT_TIMEOUT"} 2');
    expect(text).toContain('hearth_messages_out_total 20');
    expect(text).toContain('hearth_actors{state="active"} 3');
    expect(text).toContain('hearth_request_duration_seconds_count{type="arena.tag"} 1');
    expect(text).toMatch(/nodejs_eventloop_lag_seconds/);

    const s = await fetch(`${admin.url}/sessions`);
    expect(await s.json()).toEqual({ offset: 0, limit: 100, ...src.sessions(0, 100) });
    const h = await fetch(`${admin.url}/health`);
    expect(await h.json()).toEqual({ status: 'ok', sessions: 3 });
    expect((await fetch(`${admin.url}/nope`)).status).toBe(404);
  });
});
