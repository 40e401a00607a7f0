import { nodeCryptoProvider } from '@hearth/protocol/node';
import { BatchWriter, ErrorCode, HearthError, Kind, encodeMessage, type AnyDefinition, type InboundMessage, type Payload } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { Acceptor } from './acceptor/Acceptor.ts';
import { ConnectionGate, type AcceptorHost } from './acceptor/ConnectionGate.ts';
import { TcpAcceptor } from './acceptor/TcpAcceptor.ts';
import { WsAcceptor } from './acceptor/WsAcceptor.ts';
import { parseAddress } from './address.ts';
import { BufferPool } from './buffer/BufferPool.ts';
import { resolveReconnect } from './connector/backoff.ts';
import { Connector, type ConnectorHost } from './connector/Connector.ts';
import { RESERVED_FILE_DESCRIPTORS, resolveLimits, type Limits } from './Limits.ts';
import { fileDescriptorLimit } from './limit/fileDescriptorLimit.ts';
import { createNetLogger } from './log/netLogger.ts';
import { builtinProtocols } from './protocol/builtinProtocols.ts';
import { ProtocolRegistry } from './protocol/ProtocolRegistry.ts';
import { Ref } from './session/Ref.ts';
import type { Session, SessionHost } from './session/Session.ts';
import { SessionIdAllocator } from './session/SessionIdAllocator.ts';
import type { SessionInfo } from './SessionInfo.ts';
import type { SessionRef } from './SessionRef.ts';
import { DEFAULT_REQUEST_TIMEOUT_MS, type AcceptOptions, type ConnectOptions, type ServiceOptions } from './ServiceOptions.ts';
import { StatsCounters, type ServiceStats } from './ServiceStats.ts';
import { TopicBus, asError } from './topic/TopicBus.ts';
import type { CloseHandler, ErrorHandler, MessageHandler, OpenHandler, Topic } from './topic/topics.ts';

/** Options of {@link Service.close}. */
export interface ServiceCloseOptions {
  /** Ms to let sessions flush and close before their sockets are destroyed. @defaultValue 5_000 */
  deadlineMs?: number;
}

export const DEFAULT_SHUTDOWN_DEADLINE_MS = 5_000;
/** How long shutdown waits, past its deadline, for destroyed sockets to report their close. */
const DESTROY_GRACE_MS = 100;

/**
 * The node's transport hub: acceptors and connectors make sessions; everyone else holds
 * {@link SessionRef}s and subscribes to topics. An instance, not a global.
 *
 * @example
 * await using service = new Service();
 * const acceptor = await service.accept('tcp://127.0.0.1:0', 'msgpack');
 * service.sub({ message: Echo.type }, (ref, msg) => ref.send(Echo, msg.payload as Payload<typeof Echo>));
 * const client = new Service();
 * const ref = await client.connect(acceptor.address, 'msgpack');
 */
export class Service implements AsyncDisposable {
  /** Protocols by name; register more with `service.protocols.register(name, factory)`. */
  readonly protocols: ProtocolRegistry;
  /** The inbound buffer pool (split frames are assembled in it). */
  readonly pool: BufferPool;
  /** The caller's logger (or the default): each part takes one child with its own `component`. */
  readonly #rootLog: Logger;
  readonly #log: Logger;
  readonly #limits: Limits | undefined;
  readonly #ids: SessionIdAllocator;
  readonly #table = new Map<number, Session>();
  /** Every connection, open or handshaking or closing (for shutdown). */
  readonly #all = new Set<Session>();
  readonly #acceptors = new Set<TcpAcceptor | WsAcceptor>();
  readonly #connectors = new Set<Connector>();
  readonly #topics: TopicBus;
  readonly #stats = new StatsCounters();
  #dirty: Session[] = [];
  /** Cleared batch writers lent to sessions that queue output (see SessionHost.takeWriter). */
  readonly #writers: BatchWriter[] = [];
  #spare: Session[] = [];
  #flushScheduled = false;
  #closing: Promise<void> | undefined;
  #gone: (() => void) | undefined;
  readonly #sessionHost: SessionHost;
  readonly #acceptorHost: AcceptorHost;
  readonly #connectorHost: ConnectorHost;

  constructor(options: ServiceOptions = {}) {
    this.#rootLog = createNetLogger(options);
    this.#log = this.#rootLog.child({ component: 'net' });
    this.#limits = options.limits;
    this.protocols =
      options.protocols ??
      new ProtocolRegistry(builtinProtocols({ serverProvider: nodeCryptoProvider, clientProvider: nodeCryptoProvider }));
    this.pool = new BufferPool(options.pool);
    this.#ids = new SessionIdAllocator(options.ids);
    this.#topics = new TopicBus((error) => {
      this.#log.error({ err: error }, 'unhandled error (subscribe to the "error" topic to handle it)');
    });
    const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const flushAll = (): void => this.#flushAll();
    this.#sessionHost = {
      stats: this.#stats,
      pool: this.pool,
      requestTimeoutMs,
      takeWriter: () => this.#writers.pop() ?? new BatchWriter(),
      // Idle writers are only those given back, so the list is bounded by the most sessions that
      // had output queued in one turn (bench/memory.ts: idle sessions hold no writer).
      giveWriter: (writer) => void this.#writers.push(writer),
      scheduleFlush: (session) => {
        session.dirty = true;
        this.#dirty.push(session);
        if (!this.#flushScheduled) {
          this.#flushScheduled = true;
          // One flush per event-loop turn: every send of this turn's I/O callbacks shares one write.
          setImmediate(flushAll);
        }
      },
      opened: (session) => {
        const id = this.#ids.next((candidate) => this.#table.has(candidate));
        session.id = id;
        this.#table.set(id, session);
        const ref = new Ref(id, this.#table, session);
        session.ref = ref;
        this.#topics.publishOpen(ref);
        return ref;
      },
      closed: (session, event) => {
        this.#table.delete(session.id);
        (session.ref as Ref | undefined)?.detach();
        this.#topics.publishClose(event);
      },
      dispatch: (session, message: InboundMessage) => this.#topics.publishMessage(session.ref!, message),
      error: (session, error) => this.#publishError(error, session.id),
    };
    const track = (session: Session): void => {
      this.#all.add(session);
    };
    const untrack = (session: Session): void => {
      this.#all.delete(session);
      if (this.#all.size === 0) this.#gone?.();
    };
    this.#acceptorHost = { sessionHost: this.#sessionHost, track, untrack };
    this.#connectorHost = {
      sessionHost: this.#sessionHost,
      allocator: this.pool,
      track,
      untrack,
      done: (connector) => this.#connectors.delete(connector),
      error: (error) => this.#publishError(error),
    };
  }

  /**
   * Listens on `tcp://host:port` or `ws://host:port` (port 0 = ephemeral) with the named protocol.
   * @throws {HearthError} `DEFINITION` (bad address, unknown protocol, closed service); listen errors as is.
   */
  async accept(address: string, protocolName: string, options: AcceptOptions = {}): Promise<Acceptor> {
    this.#assertOpen();
    const parsed = parseAddress(address);
    const factory = this.protocols.get(protocolName);
    const limits = resolveLimits(this.#limits, options.limits);
    const log = this.#rootLog.child({ component: 'net.acceptor', transport: parsed.transport, protocol: protocolName });
    const serverOptions = options.signingSecretKey === undefined ? {} : { signingSecretKey: options.signingSecretKey };
    const gate = new ConnectionGate(this.#acceptorHost, protocolName, factory, limits, serverOptions, log);
    const acceptor =
      parsed.transport === 'tcp'
        ? await TcpAcceptor.listen(parsed.host, parsed.port, protocolName, gate, this.pool, options.tls)
        : await WsAcceptor.listen(parsed.host, parsed.port, protocolName, gate, options.tls);
    this.#acceptors.add(acceptor);
    log.info({ address: acceptor.address }, 'accepting');
    warnAboveFileLimit(log, limits.maxConnections);
    return acceptor;
  }

  /**
   * Dials `address` with the named protocol; resolves with the first session's ref once its
   * handshake is done. With `reconnect` (the default) a lost session is redialled; each new one is
   * published on `open`. Rejects with HearthError: the server's refusal code (`SERVER_FULL`, ...),
   * `HANDSHAKE_FAILED`, `HANDSHAKE_TIMEOUT`, or `CLOSED` (unreachable).
   */
  async connect(address: string, protocolName: string, options: ConnectOptions = {}): Promise<SessionRef> {
    this.#assertOpen();
    const parsed = parseAddress(address);
    const factory = this.protocols.get(protocolName);
    const limits = resolveLimits(this.#limits, { rateLimit: false, ...options.limits });
    const connector = new Connector(this.#connectorHost, {
      address: parsed,
      addressText: address,
      protocol: protocolName,
      factory,
      clientOptions: options.serverSigningKey === undefined ? {} : { serverSigningKey: options.serverSigningKey },
      limits,
      reconnect: options.reconnect === false ? undefined : resolveReconnect(options.reconnect),
      log: this.#rootLog.child({ component: 'net.connector', address, protocol: protocolName }),
    });
    this.#connectors.add(connector);
    return connector.start();
  }

  /** A ref for `id`. Never throws: a ref to a gone id is simply not alive. */
  acquire(id: number): SessionRef {
    return this.#table.get(id)?.ref ?? new Ref(id, this.#table);
  }

  /** New sessions (after their handshake), with their ref. */
  sub(topic: 'open', handler: OpenHandler): () => void;
  /** Closed sessions: every one (`'close'`), or one id (`{ close: id }`; told at once if it is already gone). */
  sub(topic: 'close' | { readonly close: number }, handler: CloseHandler): () => void;
  /** Inbound pushes and requests: all, or of one type. Requests nobody handles are answered `UNKNOWN_TYPE`. */
  sub(topic: 'message' | { readonly message: number }, handler: MessageHandler): () => void;
  /** Errors: failed handlers, sockets, connectors that gave up. */
  sub(topic: 'error', handler: ErrorHandler): () => void;
  sub(topic: Topic, handler: OpenHandler | CloseHandler | MessageHandler | ErrorHandler): () => void {
    const bus = this.#topics;
    if (topic === 'open') return bus.subOpen(handler as OpenHandler);
    if (topic === 'close') return bus.subClose(handler as CloseHandler);
    if (topic === 'message') return bus.subMessage(handler as MessageHandler);
    if (topic === 'error') return bus.subError(handler as ErrorHandler);
    if ('close' in topic) return this.#subCloseOf(topic.close, handler as CloseHandler);
    if ('message' in topic) return bus.subMessageOf(topic.message, handler as MessageHandler);
    throw new HearthError(ErrorCode.DEFINITION, `unknown topic ${JSON.stringify(topic)}`);
  }

  /** Encodes a push once and appends it to every live session of `ids`; returns how many got it. */
  broadcast<D extends AnyDefinition>(ids: Iterable<number>, definition: D, payload: Payload<D>): number {
    const bytes = encodeMessage({ kind: Kind.PUSH, type: definition.type, payload });
    let n = 0;
    for (const id of ids) if (this.#table.get(id)?.sendEncoded(bytes, 1)) n++;
    return n;
  }

  /** Counters since the service started. */
  stats(): ServiceStats {
    const s = this.#stats;
    return {
      sessionsOpen: this.#table.size,
      handshaking: s.handshaking,
      upgrading: s.upgrading,
      accepted: s.accepted,
      connected: s.connected,
      opened: s.opened,
      closedByCode: Object.fromEntries(s.closedByCode),
      bytesIn: s.bytesIn,
      bytesOut: s.bytesOut,
      messagesIn: s.messagesIn,
      messagesOut: s.messagesOut,
      writes: s.writes,
      queueHighWaterBytes: s.queueHighWaterBytes,
      errors: s.errors,
      pool: this.pool.stats(),
    };
  }

  /** One snapshot per open session. */
  sessions(): SessionInfo[] {
    return Array.from(this.#table.values(), (s) => s.info());
  }

  /**
   * Closes every open session whose info matches, with `[6, code, text]`; returns how many.
   * @example service.disconnectIf((s) => s.idleMs > 30_000, 'HEARTBEAT_TIMEOUT')
   */
  disconnectIf(predicate: (info: SessionInfo) => boolean, code: string, text = ''): number {
    let n = 0;
    for (const session of [...this.#table.values()]) {
      if (predicate(session.info())) {
        session.closeByUser(code, text);
        n++;
      }
    }
    return n;
  }

  /**
   * Graceful shutdown: stops accepting and redialling, sends `SHUTDOWN` after what is queued on
   * every session, waits for the connections to close, and destroys what is left at the deadline.
   * Idempotent: later calls return the same promise.
   */
  close(options: ServiceCloseOptions = {}): Promise<void> {
    this.#closing ??= this.#shutdown(options.deadlineMs ?? DEFAULT_SHUTDOWN_DEADLINE_MS);
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Ends within `deadlineMs` whatever peers do: listeners stop (sockets still in their WebSocket
   * upgrade are destroyed at once), sessions get `SHUTDOWN`; at the deadline every connection left
   * is destroyed and the close resolves after at most {@link DESTROY_GRACE_MS} more.
   */
  async #shutdown(deadlineMs: number): Promise<void> {
    const acceptors = [...this.#acceptors];
    for (const acceptor of acceptors) await acceptor.close();
    for (const connector of [...this.#connectors]) connector.stop();
    const allGone = new Promise<void>((resolve) => {
      this.#gone = resolve;
      if (this.#all.size === 0) resolve();
    });
    for (const session of [...this.#all]) {
      session.closeByUser(ErrorCode.SHUTDOWN, 'service is shutting down');
    }
    const done = allGone.then(() => Promise.all(acceptors.map((a) => a.closed()))).then(() => 'done' as const);
    let timer: NodeJS.Timeout | undefined;
    const after = (ms: number) => new Promise<'late'>((resolve) => (timer = setTimeout(resolve, ms, 'late')));
    if ((await Promise.race([done, after(deadlineMs)])) === 'late') {
      this.#log.warn({ left: this.#all.size }, 'shutdown deadline passed; destroying connections');
      for (const session of [...this.#all]) session.destroy();
      for (const acceptor of acceptors) acceptor.destroyPending();
      // Destroyed sockets report their close on the next turns; do not wait on anything else.
      if ((await Promise.race([done, after(DESTROY_GRACE_MS)])) === 'late') {
        this.#log.warn({ left: this.#all.size }, 'connections still open after being destroyed; not waiting for them');
      }
    }
    clearTimeout(timer);
    this.#acceptors.clear();
    this.pool.trim();
    this.#writers.length = 0;
    this.#log.info('closed');
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) {
      throw new HearthError(ErrorCode.CLOSED, 'service is closed; create a new Service');
    }
  }

  #subCloseOf(id: number, handler: CloseHandler): () => void {
    const unsub = this.#topics.subCloseOf(id, handler);
    if (!this.#table.has(id)) {
      // Already gone (or never existed): tell the handler once, asynchronously, as a close.
      let active = true;
      queueMicrotask(() => {
        if (!active) return;
        unsub();
        try {
          handler({ id, code: ErrorCode.CLOSED, text: 'session was already closed', by: 'lost' });
        } catch (error) {
          this.#publishError(asError(error), id);
        }
      });
      return () => {
        active = false;
        unsub();
      };
    }
    return unsub;
  }

  #publishError(error: Error, id?: number): void {
    this.#stats.errors++;
    this.#topics.publishError(id === undefined ? { error } : { id, error });
  }

  #flushAll(): void {
    this.#flushScheduled = false;
    const list = this.#dirty;
    this.#dirty = this.#spare;
    for (let i = 0; i < list.length; i++) {
      const session = list[i]!;
      if (session.dirty) session.flush();
    }
    list.length = 0;
    this.#spare = list;
  }
}

/** Says at start when `maxConnections` is more than the process may open (it would fail with EMFILE first). */
function warnAboveFileLimit(log: Logger, maxConnections: number): void {
  const fds = fileDescriptorLimit();
  if (fds === undefined || maxConnections <= fds - RESERVED_FILE_DESCRIPTORS) return;
  log.warn(
    { maxConnections, fileDescriptorLimit: fds },
    `maxConnections ${maxConnections} is above the file-descriptor limit ${fds} (ulimit -n) less ${RESERVED_FILE_DESCRIPTORS} reserved: accept would fail with EMFILE before SERVER_FULL; raise ulimit -n or lower maxConnections`,
  );
}
