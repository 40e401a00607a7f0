import type { StateType } from './types.ts';

/**
 * A plain copy of a server value or a mirror value of `type`: structs as objects, maps as `Map`s,
 * arrays as arrays. Server state and mirror compare equal with it (tests, debugging).
 */
export function snapshot(type: StateType, v: unknown): unknown {
  switch (type.kind) {
    case 'primitive':
      return v;
    case 'struct': {
      const o: Record<string, unknown> = {};
      const src = v as Record<string, unknown>;
      for (let i = 0; i < type.names.length; i++) o[type.names[i]!] = snapshot(type.types[i]!, src[type.names[i]!]);
      return o;
    }
    case 'map': {
      const m = new Map<unknown, unknown>();
      for (const [k, x] of v as Iterable<[unknown, unknown]>) m.set(k, snapshot(type.value, x));
      return m;
    }
    case 'array':
      return [...(v as Iterable<unknown>)].map((x) => snapshot(type.item, x));
  }
}
