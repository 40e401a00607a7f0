import { ErrorCode } from '@hearth/protocol';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ResolvedLimits } from '../Limits.ts';
import { AddressTable, type Refusal } from '../limit/AddressTable.ts';
import type { ProtocolFactory, ServerProtocolOptions } from '../protocol/ProtocolFactory.ts';
import { Session, type SessionConfig, type SessionHost } from '../session/Session.ts';
import type { Link } from '../transport/Link.ts';

/** What an acceptor needs from its service (internal). */
export interface AcceptorHost {
  readonly sessionHost: SessionHost;
  /** Every connection of the service (for shutdown). */
  track(session: Session): void;
  untrack(session: Session): void;
}

/**
 * The part shared by the TCP and WebSocket acceptors: counts connections (from the moment the
 * socket is accepted, a WebSocket's HTTP upgrade included), refuses past `maxConnections`
 * (`SERVER_FULL`) and the per-address limits (`TOO_MANY_CONNECTIONS`, `RATE_LIMITED`), and starts
 * a server-side session for the others.
 */
export class ConnectionGate {
  connections = 0;
  readonly #host: AcceptorHost;
  readonly #factory: ProtocolFactory;
  readonly #limits: ResolvedLimits;
  readonly #serverOptions: ServerProtocolOptions;
  readonly #log: Logger;
  readonly #config: SessionConfig;
  readonly #addresses: AddressTable;
  #lastServerError = -Infinity;
  /** Sessions made only to be refused (not counted per address). */
  readonly #refused = new WeakSet<Session>();

  constructor(
    host: AcceptorHost,
    protocol: string,
    factory: ProtocolFactory,
    limits: ResolvedLimits,
    serverOptions: ServerProtocolOptions,
    log: Logger,
  ) {
    this.#host = host;
    this.#factory = factory;
    this.#limits = limits;
    this.#serverOptions = serverOptions;
    this.#log = log;
    this.#addresses = new AddressTable(limits.maxConnectionsPerAddress, limits.handshakeRatePerAddress);
    // One config and one owner for every session of this acceptor, not an object and a closure
    // per session (bench/memory.ts, heap per idle session).
    this.#config = {
      side: 'server',
      protocol,
      factory,
      limits,
      log,
      owner: { onGone: (s) => this.#gone(s) },
    };
  }

  get limits(): ResolvedLimits {
    return this.#limits;
  }

  get stats(): SessionHost['stats'] {
    return this.#host.sessionHost.stats;
  }

  /**
   * A socket was accepted from `remoteHost`: counts it (call {@link leave} with the same refusal
   * if it goes away before {@link admit}) and says whether it must be refused.
   */
  enter(remoteHost: string | undefined): Refusal | undefined {
    this.#host.sessionHost.stats.accepted++;
    this.connections++;
    if (this.connections > this.#limits.maxConnections) {
      return { code: ErrorCode.SERVER_FULL, text: `server is at its limit of ${this.#limits.maxConnections} connections; retry later` };
    }
    return this.#addresses.enter(remoteHost);
  }

  /** A socket counted by {@link enter} is gone; `refusal` is what enter said of it. */
  leave(remoteHost: string | undefined, refusal: Refusal | undefined): void {
    this.connections--;
    // Only admitted connections are counted per address.
    if (refusal === undefined) this.#addresses.leave(remoteHost);
  }

  /**
   * Destroys a socket {@link enter} refused before anything is read from it (a TLS listener's:
   * no TLS work is spent on it, so it is not told why) and releases its count; counted in
   * `closedByCode` under the refusal's code.
   */
  refuseSocket(socket: Socket, refusal: Refusal): void {
    const remoteHost = socket.remoteAddress;
    socket.destroy();
    this.leave(remoteHost, refusal);
    this.#host.sessionHost.stats.countClose(refusal.code);
    this.#logRefusal(refusal, `${remoteHost ?? '?'}:${socket.remotePort ?? 0}`);
  }

  /**
   * Starts the server side of a link whose socket {@link enter} counted; a refused one is sent
   * the refusal and ended.
   * @param handshakeMs time left for the handshake (a WebSocket spent some on its upgrade).
   */
  admit(link: Link, refusal: Refusal | undefined, handshakeMs = this.#limits.handshakeTimeoutMs): void {
    const host = this.#host;
    let handshake;
    try {
      handshake = this.#factory.server(this.#serverOptions);
    } catch (error) {
      this.#log.error({ err: error }, 'protocol factory failed');
      link.destroy();
      this.leave(link.remoteHost, refusal);
      return;
    }
    const session = new Session(host.sessionHost, link, this.#config, handshake, handshakeMs);
    host.track(session);
    if (refusal !== undefined) {
      this.#refused.add(session);
      this.#logRefusal(refusal, link.remoteAddress);
      session.close(refusal.code, refusal.text);
    }
  }

  /**
   * An error of the listening server after it listens (`accept` failing with EMFILE when the
   * process is out of descriptors, ...): logged, at most once a second, instead of crashing the
   * process as an unhandled 'error' event would.
   */
  serverError(error: Error): void {
    const now = performance.now();
    if (now - this.#lastServerError < 1000) return;
    this.#lastServerError = now;
    this.#log.error({ err: error }, 'listener error (out of file descriptors? see maxConnections and ulimit -n)');
  }

  #logRefusal(refusal: Refusal, remote: string): void {
    // Per-address refusals come in floods: one line each at warn would be an amplifier.
    const level = refusal.code === ErrorCode.SERVER_FULL ? 'warn' : 'debug';
    this.#log[level]({ code: refusal.code, remote }, 'refused');
  }

  #gone(session: Session): void {
    this.connections--;
    if (!this.#refused.delete(session)) this.#addresses.leave(session.link.remoteHost);
    this.#host.untrack(session);
  }
}
