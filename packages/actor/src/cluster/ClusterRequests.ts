import type { AnyDefinition, Payload, Reply } from '@hearth/protocol';
import { ErrorCode, HearthError } from '@hearth/protocol';
import type { Logger } from 'pino';
import { backplaneUnavailable } from '../backplane/errors.ts';
import type { Clock } from '../time/Clock.ts';
import type { NodeTransport } from './NodeTransport.ts';

/** Codes of node-to-node requests (besides `TIMEOUT`, `BACKPLANE_UNAVAILABLE`, `UNKNOWN_TYPE` and the handler's own). */
export const ClusterErrorCode = {
  /** The node is not in the registry (stopped, or its lease lapsed), or there is no backplane to reach it. */
  NODE_UNREACHABLE: 'NODE_UNREACHABLE',
  /** `maxPending` requests are waiting for replies already (this node), or `maxInFlight` handlers run (the callee). */
  TOO_MANY_PENDING: 'TOO_MANY_PENDING',
} as const;

/** Answers one request type: the returned value is the reply; a thrown `HearthError` the caller's coded rejection. */
export type NodeRequestHandler<D extends AnyDefinition> = (payload: Payload<D>, fromNodeId: string) => Reply<D> | Promise<Reply<D>>;

/** Options of {@link ClusterRequests}. */
export interface ClusterRequestsOptions {
  readonly nodeId: string;
  /** Absent: a lone node (requests to itself only). */
  readonly transport?: NodeTransport | undefined;
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  /** Requests waiting for a reply at once. @defaultValue 10_000 */
  readonly maxPending?: number;
  /** Handlers of other nodes' requests running at once. @defaultValue 10_000 */
  readonly maxInFlight?: number;
  /** @defaultValue 5_000 */
  readonly defaultTimeoutMs?: number;
}

/** Counters of {@link ClusterRequests}. */
export interface ClusterRequestStats {
  requestsOut: number;
  requestsIn: number;
  timeouts: number;
  /** Replies for no pending request (timed out before it came). */
  lateReplies: number;
  /** Messages dropped on receipt: not a well-formed request or reply. */
  rejected: number;
}

const TOPIC = 'hearth.rpc';
const REQUEST = 0;
const REPLY = 1;
const MAX_CODE = 64;
const MAX_TEXT = 512;
/** How long a "node is live" answer from the registry is trusted (ms). */
const LIVE_CACHE_MS = 1_000;

interface Pending {
  readonly nodeId: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: HearthError) => void;
  readonly timer: unknown;
}

/**
 * Typed request/reply between the nodes of a cluster (`node.cluster`), over the backplane's node
 * channels: `handle(Def, (payload, fromNodeId) => reply)` on the callee, `request(nodeId, Def,
 * payload)` on the caller. The framework uses it (rooms across nodes); applications may too.
 *
 * A request rejects with a coded `HearthError`: the handler's own code, `UNKNOWN_TYPE` (no handler
 * there), `TIMEOUT`, `NODE_UNREACHABLE` (the node is not in the registry), `BACKPLANE_UNAVAILABLE`
 * (Redis down: at once, and every pending request when it goes down), `TOO_MANY_PENDING`. Every
 * message from Redis is checked; a malformed one is dropped and counted (`stats.rejected`).
 * A request to this node runs its handler directly (no Redis), also without a backplane.
 */
export class ClusterRequests {
  readonly nodeId: string;
  readonly stats: ClusterRequestStats = { requestsOut: 0, requestsIn: 0, timeouts: 0, lateReplies: 0, rejected: 0 };
  readonly #transport: NodeTransport | undefined;
  readonly #clock: Clock;
  readonly #log: Logger | undefined;
  readonly #handlers = new Map<number, { readonly definition: AnyDefinition; readonly handler: NodeRequestHandler<AnyDefinition> }>();
  readonly #pending = new Map<number, Pending>();
  readonly #liveUntil = new Map<string, number>();
  readonly #maxPending: number;
  readonly #maxInFlight: number;
  readonly #timeoutMs: number;
  readonly #off: (() => void)[] = [];
  #inFlight = 0;
  #nextId = 1;
  #closed = false;

  constructor(options: ClusterRequestsOptions) {
    this.nodeId = options.nodeId;
    this.#transport = options.transport;
    this.#clock = options.clock;
    this.#log = options.logger;
    this.#maxPending = options.maxPending ?? 10_000;
    this.#maxInFlight = options.maxInFlight ?? 10_000;
    this.#timeoutMs = options.defaultTimeoutMs ?? 5_000;
    const t = this.#transport;
    if (t !== undefined) {
      this.#off.push(t.onNodeMessage(TOPIC, (payload, from) => this.#receive(payload, from)));
      this.#off.push(t.on('down', () => this.#failAll(() => backplaneUnavailable('request to another node'))));
    }
  }

  /** True when other nodes can be reached (a backplane with node messages). */
  get clustered(): boolean {
    return this.#transport !== undefined;
  }

  /** Requests waiting for a reply. */
  get pending(): number {
    return this.#pending.size;
  }

  /**
   * Answers requests of `definition`'s type from any node (this one included). Returns the function
   * that removes the handler.
   * @throws HearthError `DEFINITION` when the type has a handler already.
   */
  handle<D extends AnyDefinition>(definition: D, handler: NodeRequestHandler<D>): () => void {
    if (this.#handlers.has(definition.type)) throw new HearthError(ErrorCode.DEFINITION, `node request type ${definition.type} has a handler already`);
    const entry = { definition, handler: handler as unknown as NodeRequestHandler<AnyDefinition> };
    this.#handlers.set(definition.type, entry);
    return () => {
      if (this.#handlers.get(definition.type) === entry) this.#handlers.delete(definition.type);
    };
  }

  /**
   * Sends a request to node `nodeId` and resolves with its handler's typed reply.
   * @param options.timeoutMs - @defaultValue 5_000 (the constructor's `defaultTimeoutMs`)
   */
  request<D extends AnyDefinition>(nodeId: string, definition: D, payload: Payload<D>, options: { timeoutMs?: number } = {}): Promise<Reply<D>> {
    if (this.#closed) return Promise.reject(new HearthError(ErrorCode.SHUTDOWN, 'the node is closing'));
    if (nodeId === this.nodeId) return this.#runLocal(definition.type, payload) as Promise<Reply<D>>;
    const t = this.#transport;
    if (t === undefined) return Promise.reject(unreachable(nodeId, 'no backplane'));
    if (this.#pending.size >= this.#maxPending) {
      return Promise.reject(new HearthError(ClusterErrorCode.TOO_MANY_PENDING, `${this.#maxPending} node requests wait for replies already`));
    }
    const id = this.#nextId++;
    try {
      t.sendToNode(nodeId, TOPIC, [REQUEST, id, definition.type, payload]);
    } catch (err) {
      return Promise.reject(err instanceof HearthError ? err : backplaneUnavailable(`request to node ${nodeId}`, err));
    }
    this.stats.requestsOut++;
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    return new Promise<Reply<D>>((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => this.#timedOut(id, nodeId, timeoutMs), timeoutMs);
      this.#pending.set(id, { nodeId, resolve: resolve as (v: unknown) => void, reject, timer });
      this.#checkLive(nodeId);
    });
  }

  /** Rejects every pending request (`SHUTDOWN`) and stops answering. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#off.splice(0)) off();
    this.#failAll(() => new HearthError(ErrorCode.SHUTDOWN, 'the node is closing'));
  }

  // ---- internals ----

  /** Runs this node's handler of `type`; a throw (sync or not) becomes the rejection. */
  #runLocal(type: number, payload: unknown, from: string = this.nodeId): Promise<unknown> {
    try {
      const entry = this.#handlers.get(type);
      if (entry === undefined) throw new HearthError(ErrorCode.UNKNOWN_TYPE, `no node request handler for type ${type}`);
      const validate = entry.definition.validate;
      if (validate !== undefined && !validate(payload)) throw new HearthError(ErrorCode.BAD_REQUEST, `payload of "${entry.definition.name}" failed validation`);
      return Promise.resolve(entry.handler(payload as never, from));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  #receive(raw: unknown, from: string): void {
    if (!Array.isArray(raw) || typeof from !== 'string' || from.length === 0 || from.length > 256) return this.#reject('malformed node request');
    const [kind, id] = raw as unknown[];
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) return this.#reject('malformed node request id');
    if (kind === REQUEST && raw.length === 4) return this.#answer(id, raw[2], detach(raw[3]), from);
    if (kind === REPLY && raw.length >= 4) return this.#settle(id, raw[2], raw[3], raw[4], from);
    this.#reject('malformed node request');
  }

  #answer(id: number, type: unknown, payload: unknown, from: string): void {
    if (typeof type !== 'number' || !Number.isInteger(type)) return this.#reject('malformed node request type');
    this.stats.requestsIn++;
    if (this.#inFlight >= this.#maxInFlight) {
      return this.#reply(from, [REPLY, id, 0, ClusterErrorCode.TOO_MANY_PENDING, `node ${this.nodeId} runs ${this.#maxInFlight} requests already`]);
    }
    this.#inFlight++;
    this.#runLocal(type, payload, from).then(
      (value) => {
        this.#inFlight--;
        this.#reply(from, [REPLY, id, 1, value ?? null]);
      },
      (err: unknown) => {
        this.#inFlight--;
        if (!(err instanceof HearthError)) this.#log?.error({ err, type, from }, 'node request handler threw');
        const e = err instanceof HearthError ? err : new HearthError(ErrorCode.INTERNAL, 'the node request handler failed');
        this.#reply(from, [REPLY, id, 0, e.code, e.message]);
      },
    );
  }

  #reply(to: string, message: unknown[]): void {
    if (this.#closed || this.#transport === undefined) return;
    try {
      this.#transport.sendToNode(to, TOPIC, message);
    } catch (err) {
      this.#log?.debug({ err, to }, 'node request reply dropped (backplane down)');
    }
  }

  #settle(id: number, ok: unknown, value: unknown, text: unknown, from: string): void {
    if (ok !== 1 && (ok !== 0 || typeof value !== 'string' || value.length === 0 || value.length > MAX_CODE)) return this.#reject('malformed node request reply');
    const pending = this.#pending.get(id);
    if (pending === undefined) {
      this.stats.lateReplies++;
      return;
    }
    if (pending.nodeId !== from) return this.#reject('node request reply from another node than asked');
    this.#done(id, pending);
    if (ok === 1) {
      pending.resolve(detach(value));
      return;
    }
    pending.reject(new HearthError(value as string, typeof text === 'string' ? text.slice(0, MAX_TEXT) : ''));
  }

  #done(id: number, pending: Pending): void {
    this.#pending.delete(id);
    this.#clock.clearTimeout(pending.timer);
  }

  #timedOut(id: number, nodeId: string, timeoutMs: number): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    this.stats.timeouts++;
    this.#liveUntil.delete(nodeId);
    const timeout = new HearthError(ErrorCode.TIMEOUT, `node ${nodeId} did not answer within ${timeoutMs} ms`);
    const t = this.#transport;
    if (t === undefined || !t.available) return pending.reject(timeout);
    // A node gone from the registry is unreachable, not slow.
    t.isNodeLive(nodeId).then(
      (live) => pending.reject(live ? timeout : unreachable(nodeId, 'not in the node registry')),
      () => pending.reject(timeout),
    );
  }

  /** Fails the pending requests to `nodeId` at once when the registry does not list it (cached per node). */
  #checkLive(nodeId: string): void {
    const t = this.#transport;
    const until = this.#liveUntil.get(nodeId);
    if (t === undefined || (until !== undefined && until > this.#clock.now())) return;
    this.#liveUntil.set(nodeId, this.#clock.now() + LIVE_CACHE_MS);
    t.isNodeLive(nodeId).then(
      (live) => {
        if (live) return;
        this.#liveUntil.delete(nodeId);
        for (const [id, p] of this.#pending) {
          if (p.nodeId !== nodeId) continue;
          this.#done(id, p);
          p.reject(unreachable(nodeId, 'not in the node registry'));
        }
      },
      () => this.#liveUntil.delete(nodeId),
    );
  }

  #failAll(error: () => HearthError): void {
    for (const [id, p] of [...this.#pending]) {
      this.#done(id, p);
      p.reject(error());
    }
  }

  #reject(text: string): void {
    this.stats.rejected++;
    this.#log?.debug(text);
  }
}

function unreachable(nodeId: string, why: string): HearthError {
  return new HearthError(ClusterErrorCode.NODE_UNREACHABLE, `node ${nodeId.slice(0, 64)} is unreachable (${why})`);
}

/** A decoded value whose binary parts are copies (they arrive as views valid only during the callback). */
function detach(value: unknown): unknown {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map(detach);
  if (typeof value === 'object' && value !== null && !(value instanceof Map)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, detach(v)])); // data properties: no __proto__ setter
  }
  return value;
}
