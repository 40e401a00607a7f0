/**
 * How a server-side struct records a write, measured (the choice behind server/structClass.ts):
 * accessors defined once per declaration on a prototype, against a Proxy whose `set` trap does the
 * same bookkeeping (normalize, compare, store, mark the field, queue the node).
 */
import { struct, varint, string } from '../src/index.ts';
import { convert } from '../src/server/convert.ts';
import { Tracker, attach, type Node } from '../src/server/Tracker.ts';

const P = struct({ name: string, x: varint, y: varint });
export const N = 100;

export function accessorObjects(): { x: number; y: number }[] {
  const t = new Tracker();
  return Array.from({ length: N }, (_, i) => {
    const node = convert(P, { name: `p${i}`, x: 0, y: 0 }) as Node;
    attach(node, null, t);
    return node as unknown as { x: number; y: number };
  });
}

export function proxyObjects(): { x: number; y: number }[] {
  const queue: object[] = [];
  const index: Record<string, number> = { name: 0, x: 1, y: 2 };
  return Array.from({ length: N }, (_, i) => {
    const target = { name: `p${i}`, x: 0, y: 0, $mask: 0, $queued: false };
    return new Proxy(target, {
      set(o, key, value: unknown) {
        const f = index[key as string];
        if (f === undefined) return Reflect.set(o, key, value);
        const v = P.types[f]!.kind === 'primitive' ? (P.types[f] as typeof varint).normalize(value) : value;
        if ((o as Record<string, unknown>)[key as string] === v) return true;
        (o as Record<string, unknown>)[key as string] = v;
        o.$mask |= 1 << f;
        if (!o.$queued) {
          o.$queued = true;
          queue.push(o);
        }
        return true;
      },
    });
  });
}
