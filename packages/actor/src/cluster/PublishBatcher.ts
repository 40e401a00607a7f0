import { BatchWriter } from '@hearth/protocol';

/** Where a {@link PublishBatcher} hands its batches: one call per channel per turn. */
export type PublishSink = (batches: ReadonlyArray<readonly [channel: string, body: Buffer, count: number]>) => void;

/** Writers kept for reuse between turns (the rest are dropped, so many one-off group channels do not pin memory). */
const WRITER_POOL = 64;

/**
 * Collects backplane messages per channel during one event-loop turn and hands the sink one body per
 * channel: the messages encoded back to back as msgpack `[0, op, payload]` arrays (the wire batch
 * format of `@hearth/protocol`, decoded with `decodeBatch`). N sends to a node in one turn cost one
 * PUBLISH: this is what lets `bench/cluster.ts` approach the raw PUBLISH rate.
 */
export class PublishBatcher {
  readonly #sink: PublishSink;
  readonly #pending = new Map<string, BatchWriter>();
  readonly #pool: BatchWriter[] = [];
  #scheduled: NodeJS.Immediate | undefined;

  constructor(sink: PublishSink) {
    this.#sink = sink;
  }

  /** Messages queued for the next flush. */
  get size(): number {
    let n = 0;
    for (const w of this.#pending.values()) n += w.count;
    return n;
  }

  /** Queues `[0, op, payload]` for `channel`; flushed in a `setImmediate` after this turn's I/O callbacks. */
  add(channel: string, op: number, payload: unknown): void {
    let w = this.#pending.get(channel);
    if (!w) {
      w = this.#pool.pop() ?? new BatchWriter({ initialBytes: 1024 });
      this.#pending.set(channel, w);
    }
    w.push(op, payload);
    // setImmediate rather than a microtask: it runs after every socket read of this poll phase, so
    // sends caused by many inbound messages share one PUBLISH (bench/cluster.ts).
    this.#scheduled ??= setImmediate(this.flush);
  }

  /** Hands everything queued to the sink now. */
  readonly flush = (): void => {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    if (this.#pending.size === 0) return;
    const out: Array<readonly [string, Buffer, number]> = [];
    for (const [channel, w] of this.#pending) {
      const count = w.count;
      out.push([channel, Buffer.from(w.take()), count]); // copy: the writer's buffer is reused next turn
      if (this.#pool.length < WRITER_POOL) this.#pool.push(w);
    }
    this.#pending.clear();
    this.#sink(out);
  };

  /** Drops what is queued and cancels the pending flush. */
  clear(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    for (const w of this.#pending.values()) w.clear();
    this.#pending.clear();
  }
}
