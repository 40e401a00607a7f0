import { ErrorCode } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { ResolvedLimits } from '../Limits.ts';
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
 * The part shared by the TCP and WebSocket acceptors: counts connections, refuses with
 * `SERVER_FULL` past `maxConnections`, and starts a server-side session for the others.
 */
export class ConnectionGate {
  connections = 0;
  readonly #host: AcceptorHost;
  readonly #factory: ProtocolFactory;
  readonly #limits: ResolvedLimits;
  readonly #serverOptions: ServerProtocolOptions;
  readonly #log: Logger;
  readonly #config: SessionConfig;

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
    // One config and one owner for every session of this acceptor, not an object and a closure
    // per session (bench/memory.ts, heap per idle session).
    this.#config = {
      side: 'server',
      protocol,
      factory,
      limits,
      log,
      owner: {
        onGone: (s) => {
          this.connections--;
          host.untrack(s);
        },
      },
    };
  }

  get limits(): ResolvedLimits {
    return this.#limits;
  }

  /** Takes a new connection. */
  admit(link: Link): void {
    const host = this.#host;
    host.sessionHost.stats.accepted++;
    const full = this.connections >= this.#limits.maxConnections;
    this.connections++;
    let handshake;
    try {
      handshake = this.#factory.server(this.#serverOptions);
    } catch (error) {
      this.#log.error({ err: error }, 'protocol factory failed');
      link.destroy();
      this.connections--;
      return;
    }
    const session = new Session(host.sessionHost, link, this.#config, handshake);
    host.track(session);
    if (full) {
      this.#log.warn({ max: this.#limits.maxConnections, remote: link.remoteAddress }, 'refused: server full');
      session.close(ErrorCode.SERVER_FULL, `server is at its limit of ${this.#limits.maxConnections} connections; retry later`);
    }
  }
}
