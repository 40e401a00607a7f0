import { describe, expect, it } from 'vitest';
import type { StateError} from '../src/index.ts';
import { Mirror, StateEncoder, snapshot, type View } from '../src/index.ts';
import { Gen, World, mutate } from './model.ts';

const SEEDS = Number(process.env['STATE_SEEDS'] ?? 1400);
const TICKS = 20;
const empty = { ents: new Map(), tick: 0, cfg: { mode: 0, title: '', big: 0 }, board: new Map(), list: [], wide: {} } as never;

/** The state as a client of `visible` should see it (entries of `ents` it may see). */
function expected(state: unknown, visible?: ReadonlySet<string>): unknown {
  const s = snapshot(World, state) as { ents: Map<string, unknown> };
  if (visible) s.ents = new Map([...s.ents].filter(([k]) => visible.has(k)));
  return s;
}

/** Canonical text of a snapshot (maps sorted by key: map order is not synchronised, NaN-safe): fast equality, with toEqual's diff on mismatch. */
const canon = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x instanceof Map ? { map: [...x].sort(([a], [b]) => (String(a) < String(b) ? -1 : 1)) } : x));
function same(actual: unknown, want: unknown, label: string): void {
  if (canon(actual) !== canon(want)) expect(actual, label).toEqual(want);
}

interface Client {
  mirror: Mirror<typeof World>;
  view: number | undefined;
  /** Ticks left offline (its patches are lost); back online it resumes with a full state. */
  offline: number;
}

describe('random mutation sequences: mirror equals state after every patch', { timeout: 300_000 }, () => {
  it(`without views (${SEEDS} seeds × ${TICKS} ticks, joins mid-stream)`, () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const g = new Gen(seed);
      const enc = new StateEncoder(World, empty);
      const clients = [new Mirror(World)];
      clients[0]!.apply(enc.full());
      for (let tick = 0; tick < TICKS; tick++) {
        for (let n = g.int(8); n > 0; n--) mutate(enc.state, g);
        const patch = enc.encodeTick().patch();
        for (const m of clients) m.apply(patch);
        const want = canon(expected(enc.state));
        for (const m of clients) {
          // a mirror's objects are plain (objects, Maps, arrays, fields in declaration order): no snapshot needed
          if (canon(m.state) !== want) expect(snapshot(World, m.state), `seed ${seed} tick ${tick}`).toEqual(expected(enc.state));
        }
        if (g.int(6) === 0) {
          const joiner = new Mirror(World);
          joiner.apply(enc.full());
          clients.push(joiner);
        }
      }
    }
  });

  it(`with views changing while entities move, clients switching views, joining and resuming (${Math.ceil(SEEDS / 2)} seeds)`, () => {
    let resumes = 0;
    for (let seed = 1; seed <= Math.ceil(SEEDS / 2); seed++) {
      const g = new Gen(seed * 7919);
      const enc = new StateEncoder(World, empty, { views: ['ents'] });
      const views: View[] = [enc.createView(), enc.createView(), enc.createView()];
      const model = views.map(() => new Set<string>());
      const clients: Client[] = [];
      const join = (view: number | undefined): void => {
        const mirror = new Mirror(World);
        mirror.apply(enc.full(view === undefined ? undefined : views[view]));
        clients.push({ mirror, view, offline: 0 });
      };
      join(0);
      join(1);
      join(undefined);
      for (let tick = 0; tick < TICKS; tick++) {
        for (let n = g.int(8); n > 0; n--) mutate(enc.state, g);
        for (let n = g.int(4); n > 0; n--) {
          const v = g.int(views.length);
          const k = g.key();
          if (g.rnd() < 0.55) {
            views[v]!.add('ents', k);
            model[v]!.add(k);
          } else {
            views[v]!.delete('ents', k);
            model[v]!.delete(k);
          }
        }
        const t = enc.encodeTick();
        const viewOf = (c: Client) => (c.view === undefined ? undefined : views[c.view]);
        const away = new Set<Client>();
        for (const c of clients) {
          if (c.offline > 0) {
            c.offline--;
            away.add(c);
            continue;
          }
          try {
            c.mirror.apply(t.patch(viewOf(c)));
          } catch (e) {
            // back from offline: the missed patches are detected, the full state brings the mirror back
            expect((e as StateError).code, `seed ${seed} tick ${tick}`).toBe('STATE_SEQ_GAP');
            expect(c.mirror.stale).toBe(true);
            c.mirror.apply(enc.full(viewOf(c)));
            resumes++;
          }
        }
        if (g.int(8) === 0 && clients.length > 0) g.pick(clients).offline = 1 + g.int(3);
        const present = new Set(enc.state.ents.keys());
        const vis = (v: number | undefined) => (v === undefined ? undefined : new Set([...model[v]!].filter((k) => present.has(k))));
        for (const c of clients) if (!away.has(c)) same(snapshot(World, c.mirror.state), expected(enc.state, vis(c.view)), `seed ${seed} tick ${tick} view ${c.view}`);
        // a client moves to another view between ticks
        if (clients.length > 0 && g.int(3) === 0) {
          const c = g.pick(clients);
          if (away.has(c) || c.offline > 0) continue;
          const to = g.int(4) === 0 ? undefined : g.int(views.length);
          const from = c.view;
          c.mirror.apply(enc.switchView(from === undefined ? undefined : views[from], to === undefined ? undefined : views[to]));
          c.view = to;
          same(snapshot(World, c.mirror.state), expected(enc.state, vis(to)), `seed ${seed} switch`);
        }
        if (g.int(5) === 0) join(g.int(4) === 0 ? undefined : g.int(views.length));
      }
    }
    expect(resumes).toBeGreaterThan(100);
  });
});

describe('gaps', () => {
  it('a missed patch is detected; the mirror refuses patches until a full state', () => {
    const enc = new StateEncoder(World, empty);
    const m = new Mirror(World);
    m.apply(enc.full());
    enc.state.tick = 1;
    enc.encodeTick(); // missed
    enc.state.tick = 2;
    const p2 = enc.encodeTick().patch();
    expect(() => m.apply(p2)).toThrow(expect.objectContaining({ code: 'STATE_SEQ_GAP' }));
    expect(m.stale).toBe(true);
    enc.state.tick = 3;
    expect(() => m.apply(enc.encodeTick().patch())).toThrow(expect.objectContaining({ code: 'STATE_NO_STATE' }));
    m.apply(enc.full());
    expect(m.stale).toBe(false);
    expect(m.seq).toBe(3);
    enc.state.tick = 4;
    m.apply(enc.encodeTick().patch());
    expect(m.state!.tick).toBe(4);
  });

  it('a duplicate patch is a gap, not applied twice', () => {
    const enc = new StateEncoder(World, empty);
    const m = new Mirror(World);
    m.apply(enc.full());
    enc.state.board.set(1, 5);
    const p = enc.encodeTick().patch();
    m.apply(p);
    expect(() => m.apply(p)).toThrow(expect.objectContaining({ code: 'STATE_SEQ_GAP' }));
    expect(m.stale).toBe(true);
  });

  it('a joiner ignores the broadcasts its full state overtook, then follows the stream', () => {
    const enc = new StateEncoder(World, empty);
    const late: Uint8Array[] = [];
    for (let i = 1; i <= 3; i++) {
      enc.state.tick = i;
      late.push(enc.encodeTick().patch());
    }
    const m = new Mirror(World);
    m.apply(enc.full()); // seq 3
    for (const p of late) expect(m.apply(p)).toBe('old');
    expect(m.state!.tick).toBe(3);
    enc.state.tick = 4;
    expect(m.apply(enc.encodeTick().patch())).toBe('patch');
    // once a patch applied, an old one is a gap again
    expect(() => m.apply(late[2]!)).toThrow(expect.objectContaining({ code: 'STATE_SEQ_GAP' }));
  });

  it('full() refuses a state with unpatched changes (no stale joiner)', () => {
    const enc = new StateEncoder(World, empty);
    enc.state.tick = 9;
    expect(() => enc.full()).toThrow(expect.objectContaining({ code: 'STATE_PENDING_CHANGES' }));
    enc.encodeTick();
    const m = new Mirror(World);
    m.apply(enc.full());
    expect(m.state!.tick).toBe(9);
  });
});
