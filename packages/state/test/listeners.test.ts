import { describe, expect, it } from 'vitest';
import { Mirror, StateEncoder, array, map, string, struct, u16 } from '../src/index.ts';

const Player = struct({ name: string, score: u16 });
const World = struct({ players: map(string, Player), round: u16, log: array(string) });

describe('mirror callbacks', () => {
  it('add/remove/change per map, change and field per struct, array change, then one onPatch per patch (in mutation order)', () => {
    const enc = new StateEncoder(World, { players: [['ann', { name: 'Ann', score: 1 }]], round: 0, log: [] });
    const m = new Mirror(World);
    const events: string[] = [];
    m.onPatch((seq, kind) => events.push(`patch ${seq} ${kind}`));
    m.apply(enc.full());
    const s = m.state!;
    m.onAdd(s.players, (p, k) => {
      events.push(`add ${String(k)} ${p.name}`);
      m.onField(p, 'score', (v, prev) => events.push(`${p.name}.score ${prev}->${v}`));
    });
    m.onRemove(s.players, (p, k) => events.push(`remove ${String(k)} ${p.name}`));
    m.onChange(s.players, (p, k) => events.push(`replace ${String(k)} ${p.name}`));
    m.onChange(s, (field, value) => events.push(`root.${field}=${JSON.stringify(value)}`));
    m.onChange(s.log, (a) => events.push(`log [${a.join(',')}]`));
    m.onChange(s.players.get('ann')!, (field, v, prev) => events.push(`ann.${field} ${String(prev)}->${String(v)}`));

    enc.state.players.set('bob', { name: 'Bob', score: 0 });
    enc.state.round = 1;
    enc.state.players.get('ann')!.score = 5;
    enc.state.log.push('go');
    m.apply(enc.encodeTick().patch());
    enc.state.players.get('bob')!.score = 2;
    enc.state.players.delete('ann');
    enc.state.players.set('cy', { name: 'Cy', score: 0 });
    m.apply(enc.encodeTick().patch());
    enc.state.players.set('bob', { name: 'Bobby', score: 0 });
    m.apply(enc.encodeTick().patch());
    expect(events).toEqual([
      'patch 0 full',
      'add bob Bob',
      'root.round=1',
      'ann.score 1->5',
      'log [go]',
      'patch 1 patch',
      'Bob.score 0->2',
      'remove ann Ann',
      'add cy Cy',
      'patch 2 patch',
      'replace bob Bobby',
      'patch 3 patch',
    ]);
  });

  it('no callback fires for a patch that fails, and unsubscribing stops them', () => {
    const enc = new StateEncoder(World, { players: [], round: 0, log: [] });
    const m = new Mirror(World);
    m.apply(enc.full());
    const seen: number[] = [];
    const off = m.onField(m.state!, 'round', (v) => seen.push(v));
    enc.state.round = 3;
    enc.state.players.set('z', { name: 'Z', score: 1 });
    const p = enc.encodeTick().patch();
    expect(() => m.apply(p.subarray(0, p.length - 1))).toThrow();
    expect(seen).toEqual([]);
    expect(m.state!.round).toBe(0);
    m.apply(p);
    expect(seen).toEqual([3]);
    off();
    enc.state.round = 4;
    m.apply(enc.encodeTick().patch());
    expect(seen).toEqual([3]);
  });

  it('a full state after a gap keeps the objects and callbacks, reporting the differences', () => {
    const enc = new StateEncoder(World, { players: [['ann', { name: 'Ann', score: 1 }], ['bob', { name: 'Bob', score: 2 }]], round: 0, log: ['a'] });
    const m = new Mirror(World);
    m.apply(enc.full());
    const s = m.state!;
    const ann = s.players.get('ann')!;
    const events: string[] = [];
    m.onField(ann, 'score', (v, prev) => events.push(`ann.score ${prev}->${v}`));
    m.onAdd(s.players, (p, k) => events.push(`add ${String(k)} ${p.name}`));
    m.onRemove(s.players, (_p, k) => events.push(`remove ${String(k)}`));
    m.onChange(s.log, (a) => events.push(`log [${a.join(',')}]`));
    enc.state.players.get('ann')!.score = 9;
    enc.state.players.delete('bob');
    enc.state.players.set('cy', { name: 'Cy', score: 0 });
    enc.state.log.push('b');
    enc.encodeTick(); // missed
    enc.state.round = 2;
    expect(() => m.apply(enc.encodeTick().patch())).toThrow(expect.objectContaining({ code: 'STATE_SEQ_GAP' }));
    m.apply(enc.full());
    expect(m.state).toBe(s);
    expect(s.players.get('ann')).toBe(ann);
    expect(ann.score).toBe(9);
    expect(s.round).toBe(2);
    expect(events).toEqual(['remove bob', 'ann.score 1->9', 'add cy Cy', 'log [a,b]']);
    enc.state.players.get('ann')!.score = 10;
    m.apply(enc.encodeTick().patch());
    expect(events.at(-1)).toBe('ann.score 9->10');
  });
});
