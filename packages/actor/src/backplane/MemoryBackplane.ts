import type { Backplane, Directory, DirectoryEntry, Envelope } from './Backplane.ts';

/**
 * The shared state of in-memory nodes: the directory and the group watchers. One hub per
 * simulated cluster; several holders in one process (tests) can join the same hub.
 */
export class MemoryHub {
  /** @internal */ readonly nodes = new Map<string, MemoryBackplane>();
  /** @internal */ readonly entries = new Map<string, DirectoryEntry>();
  /** @internal */ readonly watchers = new Map<string, Set<string>>();
}

class MemoryDirectory implements Directory {
  readonly #hub: MemoryHub;
  constructor(hub: MemoryHub) {
    this.#hub = hub;
  }
  claim(entry: DirectoryEntry): Promise<DirectoryEntry | undefined> {
    const previous = this.#hub.entries.get(entry.userId);
    this.#hub.entries.set(entry.userId, entry);
    return Promise.resolve(previous);
  }
  release(entry: DirectoryEntry): Promise<void> {
    const current = this.#hub.entries.get(entry.userId);
    if (current !== undefined && current.nodeId === entry.nodeId && current.sessionId === entry.sessionId) {
      this.#hub.entries.delete(entry.userId);
    }
    return Promise.resolve();
  }
  lookup(userId: string): Promise<DirectoryEntry | undefined> {
    return Promise.resolve(this.#hub.entries.get(userId));
  }
}

let nextNode = 1;

/**
 * The in-memory backplane (the default: one process). Envelopes are delivered on a microtask,
 * like a network hop, so code that works here does not rely on synchronous delivery.
 *
 * @example
 * const hub = new MemoryHub();                       // two nodes in one test process
 * const a = new MemoryBackplane({ hub, nodeId: 'a' }), b = new MemoryBackplane({ hub, nodeId: 'b' });
 */
export class MemoryBackplane implements Backplane {
  readonly nodeId: string;
  readonly directory: Directory;
  readonly #hub: MemoryHub;
  readonly #handlers = new Set<(envelope: Envelope) => void>();

  constructor(options: { hub?: MemoryHub; nodeId?: string } = {}) {
    this.#hub = options.hub ?? new MemoryHub();
    this.nodeId = options.nodeId ?? `node-${nextNode++}`;
    if (this.#hub.nodes.has(this.nodeId)) throw new RangeError(`node id "${this.nodeId}" is already in this hub; give each node its own`);
    this.#hub.nodes.set(this.nodeId, this);
    this.directory = new MemoryDirectory(this.#hub);
  }

  get shared(): boolean {
    return this.#hub.nodes.size > 1;
  }

  publish(nodeId: string, envelope: Envelope): void {
    const target = this.#hub.nodes.get(nodeId);
    if (target !== undefined) queueMicrotask(() => target.#deliver(envelope));
  }

  publishGroup(envelope: Extract<Envelope, { kind: 'group' }>): void {
    const watchers = this.#hub.watchers.get(envelope.group);
    if (watchers === undefined) return;
    for (const nodeId of watchers) if (nodeId !== this.nodeId) this.publish(nodeId, envelope);
  }

  watchGroup(group: string, watching: boolean): void {
    let set = this.#hub.watchers.get(group);
    if (watching) {
      if (set === undefined) this.#hub.watchers.set(group, (set = new Set()));
      set.add(this.nodeId);
    } else if (set !== undefined) {
      set.delete(this.nodeId);
      if (set.size === 0) this.#hub.watchers.delete(group);
    }
  }

  onEnvelope(handler: (envelope: Envelope) => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  close(): Promise<void> {
    this.#hub.nodes.delete(this.nodeId);
    for (const [userId, entry] of this.#hub.entries) if (entry.nodeId === this.nodeId) this.#hub.entries.delete(userId);
    for (const group of [...this.#hub.watchers.keys()]) this.watchGroup(group, false);
    this.#handlers.clear();
    return Promise.resolve();
  }

  #deliver(envelope: Envelope): void {
    for (const handler of this.#handlers) handler(envelope);
  }
}
