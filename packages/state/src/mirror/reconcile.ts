import type { ContainerType, StateType } from '../types.ts';
import type { MirrorNode } from './Decoder.ts';
import type { MirrorEvent } from './listeners.ts';

/**
 * Merges a freshly decoded full state (`next`, registered in `nodes`) into the objects the mirror
 * already holds (`prev`), so that objects a game holds and callbacks registered on them survive a
 * resynchronisation: structs keep their identity (fields updated), maps keep theirs (entries
 * removed, added, merged), arrays keep theirs (items merged by position). `nodes` is repointed to
 * the kept objects; `emit` gets the same events a patch would give.
 */
export function reconcile(
  type: ContainerType,
  prev: object,
  next: object,
  nodes: Map<number, MirrorNode>,
  refOf: WeakMap<object, number>,
  emit: (target: object, e: MirrorEvent) => void,
): object {
  const ref = refOf.get(next)!;
  const node = nodes.get(ref)!;
  nodes.set(ref, { type, value: prev, parent: node.parent });
  refOf.set(prev, ref);
  switch (type.kind) {
    case 'struct': {
      const o = prev as Record<string, unknown>;
      const n = next as Record<string, unknown>;
      for (let i = 0; i < type.names.length; i++) {
        const name = type.names[i]!;
        const t = type.types[i]!;
        const before = o[name];
        const after = t.kind === 'primitive' ? n[name] : reconcile(t, before as object, n[name] as object, nodes, refOf, emit);
        if (t.kind === 'primitive' && !Object.is(before, after)) {
          o[name] = after;
          emit(o, { kind: 'field', target: o, field: name, value: after, previous: before });
        }
      }
      return prev;
    }
    case 'map': {
      const m = prev as Map<unknown, unknown>;
      const n = next as Map<unknown, unknown>;
      for (const [k, v] of [...m]) {
        if (n.has(k)) continue;
        m.delete(k);
        emit(m, { kind: 'remove', target: m, key: k, value: v });
      }
      for (const [k, v] of n) {
        if (!m.has(k)) {
          m.set(k, v);
          emit(m, { kind: 'add', target: m, key: k, value: v });
        } else if (type.value.kind === 'primitive') {
          const before = m.get(k);
          if (!Object.is(before, v)) {
            m.set(k, v);
            emit(m, { kind: 'mapChange', target: m, key: k, value: v, previous: before });
          }
        } else reconcile(type.value, m.get(k) as object, v as object, nodes, refOf, emit);
      }
      return prev;
    }
    case 'array': {
      const a = prev as unknown[];
      const n = next as unknown[];
      const item: StateType = type.item;
      let changed = a.length !== n.length;
      const merged = n.map((v, i) => {
        if (i >= a.length || item.kind === 'primitive') {
          if (!Object.is(a[i], v)) changed = true;
          return v;
        }
        return reconcile(item, a[i] as object, v as object, nodes, refOf, emit);
      });
      a.length = 0;
      a.push(...merged);
      if (changed) emit(a, { kind: 'array', target: a });
      return prev;
    }
  }
}
