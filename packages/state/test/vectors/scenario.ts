/**
 * The known-answer scenario of test/vectors/state-v1.json: a declaration using every type, and a
 * sequence of full states, patches and a view switch with the mirror state expected after each.
 * `generate.ts` writes the file from it; `vectors.test.ts` checks that the encoder still produces
 * these bytes and that a mirror fed these bytes holds these states.
 */
import { StateEncoder, array, boolean, delta, f32, f64, i16, i32, i8, map, string, struct, svarint, u16, u32, u8, varint, type StateType } from '../../src/index.ts';

export const Vec = struct({ x: f32, y: f32 });
export const Item = struct({ id: u16, label: string });
export const Player = struct({ name: string, pos: Vec, score: u16, alive: boolean, hp: i8 });
export const World = struct({
  players: map(string, Player),
  tick: u32,
  cells: map(i32, svarint),
  items: array(Item),
  tags: array(string),
  big: f64,
  level: u8,
  dx: i16,
  dy: i32,
  xp: varint,
  z: delta(u16),
});

/** The declaration in a language-neutral form (what a client in another language declares). */
export function describe(t: StateType): unknown {
  switch (t.kind) {
    case 'primitive':
      return t.name;
    case 'struct':
      return { struct: t.names.map((n, i) => [n, describe(t.types[i]!)]) };
    case 'map':
      return { map: [t.key === 'string' ? 'string' : 'i32', describe(t.value)] };
    case 'array':
      return { array: describe(t.item) };
  }
}

/** A mirror-or-server value as JSON: maps as lists of [key, value] pairs sorted by key. */
export function toJson(t: StateType, v: unknown): unknown {
  switch (t.kind) {
    case 'primitive':
      return v;
    case 'struct':
      return Object.fromEntries(t.names.map((n, i) => [n, toJson(t.types[i]!, (v as Record<string, unknown>)[n])]));
    case 'map':
      return [...(v as Iterable<[string | number, unknown]>)]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, x]) => [k, toJson(t.value, x)]);
    case 'array':
      return [...(v as Iterable<unknown>)].map((x) => toJson(t.item, x));
  }
}

export interface Step {
  description: string;
  /** Which mirror applies it: "all" (a client without a view) or "view" (a client of the view). */
  client: 'all' | 'view';
  bytes: string;
  state: unknown;
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export function scenario(): Step[] {
  const steps: Step[] = [];
  const enc = new StateEncoder(
    World,
    {
      players: [['ann', { name: 'Ann', pos: { x: 1, y: -2 }, score: 3, alive: true, hp: -5 }]],
      tick: 0,
      cells: [[-3, 64]],
      items: [{ id: 7, label: 'key' }],
      tags: ['a'],
      big: 0.1,
      level: 1,
      dx: -2,
      dy: 100000,
      xp: 300,
      z: 10,
    },
    { views: ['players'] },
  );
  const view = enc.createView();
  view.add('players', 'ann');
  const s = enc.state;
  const all = () => toJson(World, s);
  const seen = () => {
    const j = toJson(World, s) as { players: [string, unknown][] };
    j.players = j.players.filter(([k]) => view.has('players', k));
    return j;
  };
  steps.push({ description: 'full state at seq 0 (client without a view)', client: 'all', bytes: hex(enc.full()), state: all() });

  s.tick = 1;
  s.players.get('ann')!.pos.x = 1.5;
  s.players.set('bob', { name: 'Bob', pos: { x: 0, y: 0 }, score: 0, alive: false, hp: 0 });
  let t = enc.encodeTick();
  steps.push({ description: 'patch 1: tick = 1, ann.pos.x = 1.5 (a nested struct), bob added', client: 'all', bytes: hex(t.patch()), state: all() });
  steps.push({ description: 'full state at seq 1 for a client of the view, which shows "ann" (not bob)', client: 'view', bytes: hex(enc.full(view)), state: seen() });

  s.players.get('ann')!.score = 7;
  s.players.delete('bob');
  s.cells.set(-3, -100);
  s.cells.set(5, 0);
  s.items.push({ id: 8, label: 'map' }, { id: 9, label: '火' });
  s.tags.push('b');
  s.xp = 20000;
  s.z = 13;
  view.add('players', 'bob'); // absent: nothing to show
  t = enc.encodeTick();
  steps.push({ description: 'patch 2: ann.score = 7, bob deleted, cells changed, items and tags pushed, xp = 20000, z = 13 (a delta: +3)', client: 'all', bytes: hex(t.patch()), state: all() });
  steps.push({ description: 'patch 2 for the view', client: 'view', bytes: hex(t.patch(view)), state: seen() });

  s.items.reverse();
  s.players.get('ann')!.pos = { x: 0.25, y: 0.5 };
  s.players.set('bob', { name: 'Bob2', pos: { x: 1, y: 1 }, score: 1, alive: true, hp: 127 });
  s.cells.delete(5);
  s.big = -1e300;
  s.level = 255;
  s.dx = -32768;
  s.dy = -2147483648;
  s.z = 0;
  t = enc.encodeTick();
  steps.push({ description: 'patch 3: items reversed (kept by ref), ann.pos replaced, bob re-added (and now shown to the view), a cell deleted, extreme values, z = 0 (a delta: -13)', client: 'all', bytes: hex(t.patch()), state: all() });
  steps.push({ description: 'patch 3 for the view: bob enters it', client: 'view', bytes: hex(t.patch(view)), state: seen() });

  const other = enc.createView();
  other.add('players', 'bob');
  s.tick = 4;
  t = enc.encodeTick();
  steps.push({ description: 'patch 4: tick = 4', client: 'all', bytes: hex(t.patch()), state: all() });
  steps.push({ description: 'patch 4 for the view', client: 'view', bytes: hex(t.patch(view)), state: seen() });
  const sw = enc.switchView(undefined, other);
  steps.push({ description: 'view switch at seq 4: the client without a view moves to a view that shows only bob', client: 'all', bytes: hex(sw), state: (() => {
    const j = toJson(World, s) as { players: [string, unknown][] };
    j.players = j.players.filter(([k]) => k === 'bob');
    return j;
  })() });
  return steps;
}

export interface BadCase {
  description: string;
  /** Applied to a mirror holding the state of step `after` (of the "all" client). */
  after: number;
  bytes: string;
  code: string;
}

export function badCases(steps: readonly Step[]): BadCase[] {
  const p1 = steps[1]!.bytes;
  return [
    { description: 'patch 1 cut one byte short', after: 0, bytes: p1.slice(0, -2), code: 'STATE_TRUNCATED' },
    { description: 'patch 2 applied right after the full state (patch 1 missed)', after: 0, bytes: steps[3]!.bytes, code: 'STATE_SEQ_GAP' },
    { description: 'a change to ref 99, which the mirror does not hold', after: 0, bytes: '016301', code: 'STATE_MALFORMED' },
    { description: 'a patch before any full state', after: -1, bytes: p1, code: 'STATE_NO_STATE' },
    { description: 'an unknown first byte', after: 0, bytes: 'ff', code: 'STATE_MALFORMED' },
    { description: 'a map deleting an absent key', after: 0, bytes: '01010101036a6f65', code: 'STATE_MALFORMED' },
    { description: 'a boolean byte other than 0 or 1 (ann.alive)', after: 0, bytes: '01020802', code: 'STATE_MALFORMED' },
    { description: 'a delta taking z (a delta(u16), 10) to -1', after: 0, bytes: '0100000415', code: 'STATE_MALFORMED' },
  ];
}
