/**
 * The scenarios of @colyseus/schema's published figures (its README / benchmark/FossilDeltaComparison.ts):
 * a map of 100 players { name, x, y }, keys of 9 random characters, names "Player i", x and y
 * integers in 0..199; patches move x/y of 1 entity (the 51st), of 50, of all 100.
 */
import { schema, t, Encoder, Decoder } from '@colyseus/schema';
import { encode as msgpack } from '@msgpack/msgpack';
import { create, type Patches } from 'mutative';
import { Mirror, StateEncoder, map, string, struct, varint } from '../src/index.ts';

export const ENTITIES = 100;
const VALUES = 4096;

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = prng(42);
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-';
export const ids = Array.from({ length: ENTITIES }, () => Array.from({ length: 9 }, () => ALPHABET[Math.floor(rnd() * 64)]).join(''));
/** A fixed table of random coordinates, cycled, so both encoders see the same values. */
export const values = Array.from({ length: VALUES }, () => Math.floor(rnd() * 200));
export const moved = (n: number): number[] => (n === 1 ? [50] : Array.from({ length: n }, (_, i) => i));

export interface Side {
  /** Bytes of the full state of 100. */
  fullBytes(): number;
  /** Mutate x/y of `which`, encode the patch; returns its bytes. */
  patch(which: readonly number[]): Uint8Array;
  full(): Uint8Array;
  /** A decoder fed the full state, then `patches` in order. */
  decode(full: Uint8Array, patches: readonly Uint8Array[]): void;
}

let cursor = 0;
/** Restarts the coordinate table (each encoder sees the same values in the same order). */
export const resetValues = (): void => {
  cursor = 0;
};
const next = (): number => values[cursor++ & (VALUES - 1)]!;

// ---- @colyseus/schema ------------------------------------------------------------------------------------
export function colyseus(): Side {
  const Player = schema({ name: t.string(), x: t.number(), y: t.number() }, 'Player');
  const State = schema({ players: t.map(Player) }, 'State');
  type P = InstanceType<typeof Player> & { name: string; x: number; y: number };
  const state = new State() as InstanceType<typeof State> & { players: Map<string, P> };
  const players: P[] = [];
  ids.forEach((id, i) => {
    const p = new Player() as P;
    p.name = `Player ${i}`;
    p.x = next();
    p.y = next();
    state.players.set(id, p);
    players.push(p);
  });
  const enc = new Encoder(state);
  enc.encodeAll();
  enc.encode();
  enc.discardChanges();
  return {
    fullBytes: () => enc.encodeAll().length,
    full: () => enc.encodeAll().slice(),
    patch(which) {
      for (const i of which) {
        const p = players[i]!;
        p.x = next();
        p.y = next();
      }
      const b = enc.encode();
      enc.discardChanges();
      return b;
    },
    decode(full, patches) {
      const d = new Decoder(new State());
      d.decode(full);
      for (const p of patches) d.decode(p);
    },
  };
}

// ---- Hearth ---------------------------------------------------------------------------------------------
export const HPlayer = struct({ name: string, x: varint, y: varint });
export const HState = struct({ players: map(string, HPlayer) });

export function hearth(): Side {
  const enc = new StateEncoder(HState, { players: ids.map((id, i) => [id, { name: `Player ${i}`, x: next(), y: next() }] as const) });
  const players = ids.map((id) => enc.state.players.get(id)!);
  // warm the sequence number past the 1-byte varint range of a real room (it is 1 byte on the wire anyway)
  for (let i = 0; i < 200; i++) enc.encodeTick();
  return {
    fullBytes: () => enc.full().length,
    full: () => enc.full(),
    patch(which) {
      for (const i of which) {
        const p = players[i]!;
        p.x = next();
        p.y = next();
      }
      return enc.encode();
    },
    decode(full, patches) {
      const m = new Mirror(HState);
      m.apply(full);
      for (const p of patches) m.apply(p);
    },
  };
}

// ---- mutative patches + msgpack ------------------------------------------------------------------------------
export function mutativeMsgpack(): Side {
  let state: { players: Record<string, { name: string; x: number; y: number }> } = { players: {} };
  ids.forEach((id, i) => (state.players[id] = { name: `Player ${i}`, x: next(), y: next() }));
  return {
    fullBytes: () => msgpack(state).length,
    full: () => msgpack(state),
    patch(which) {
      let patches: Patches = [];
      [state, patches] = create(
        state,
        (d) => {
          for (const i of which) {
            const p = d.players[ids[i]!]!;
            p.x = next();
            p.y = next();
          }
        },
        { enablePatches: true },
      );
      return msgpack(patches);
    },
    decode() {},
  };
}
