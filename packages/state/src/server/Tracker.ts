import type { ContainerType } from '../types.ts';

/** The change-tracking fields every server-side container carries (`$`-prefixed: never field names). */
export interface Node {
  readonly $type: ContainerType;
  /** Id on the wire while attached; -1 when detached. */
  $ref: number;
  $tracker: Tracker | null;
  $parent: Node | null;
  /** The entry of a viewed map this node belongs to (itself for an entry), or null. */
  $owner: Node | null;
  /** Key of this node in its parent map (set for entries of a map). */
  $key: string | number | undefined;
  /** `tracker.seq` when attached by a mutation: such a node travels whole in its parent's change. -1 when known to every mirror. */
  $born: number;
  /** In the tracker's change list. */
  $queued: boolean;
  /** Set on a viewed map: its entries are filtered per view. */
  $viewed: boolean;
  /** Byte ranges of this entry's changes in the tick's chunk buffer (owners only). */
  $segs: number[] | null;
  $children(): Iterable<Node>;
  /** Forget the recorded changes (after a patch). */
  $clean(): void;
}

/**
 * Allocates wire ids (refs) and lists the containers changed since the last patch.
 * A ref freed during a tick is reused only after that tick's patch, so a patch never names one ref twice.
 */
export class Tracker {
  /** Sequence number of the last patch produced (0 before the first). */
  seq = 0;
  /** True while the initial state is being attached (its nodes are known to every mirror through the full state). */
  initial = true;
  /** Changed nodes are `changed[0, count)`; the array is reused (no `length = 0`, a runtime call: bench "x/y of 1"). */
  readonly changed: (Node | null)[] = [];
  count = 0;
  #next = 1;
  #free: number[] = [];
  #pendingFree: number[] = [];

  alloc(): number {
    return this.#free.pop() ?? this.#next++;
  }

  release(ref: number): void {
    this.#pendingFree.push(ref);
  }

  queue(node: Node): void {
    if (!node.$queued) {
      node.$queued = true;
      this.changed[this.count++] = node;
    }
  }

  /** After a patch: clean every changed node and recycle the refs freed during the tick. */
  commit(): void {
    const changed = this.changed;
    for (let i = 0; i < this.count; i++) {
      const n = changed[i]!;
      changed[i] = null;
      n.$queued = false;
      n.$clean();
    }
    this.count = 0;
    if (this.#pendingFree.length !== 0) {
      for (const r of this.#pendingFree) this.#free.push(r);
      this.#pendingFree.length = 0;
    }
    this.seq++;
  }
}

/** Attaches a detached subtree under `parent` (or as the root): refs, owner, birth stamp. */
export function attach(node: Node, parent: Node | null, tracker: Tracker, key?: string | number): void {
  if (node.$tracker !== null) throw new Error('attach: node already attached');
  node.$tracker = tracker;
  node.$parent = parent;
  node.$ref = parent === null ? 0 : tracker.alloc();
  node.$key = key;
  node.$owner = parent === null ? null : parent.$viewed ? node : parent.$owner;
  node.$born = tracker.initial ? -1 : tracker.seq;
  for (const c of node.$children()) attach(c, node, tracker, c.$key);
}

/** Detaches a subtree: its refs are released after the current tick; later mutations record nothing. */
export function detach(node: Node): void {
  const t = node.$tracker;
  if (t === null) return;
  t.release(node.$ref);
  node.$tracker = null;
  node.$parent = null;
  node.$owner = null;
  node.$ref = -1;
  for (const c of node.$children()) detach(c);
}

export function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && '$tracker' in v;
}
