import { ErrorCode, HearthError, type ByteAllocator } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { ParsedAddress } from '../address.ts';
import type { ResolvedLimits } from '../Limits.ts';
import type { ClientProtocolOptions, ProtocolFactory } from '../protocol/ProtocolFactory.ts';
import { Session, type SessionHost } from '../session/Session.ts';
import type { SessionRef } from '../SessionRef.ts';
import type { CloseEvent } from '../topic/topics.ts';
import { backoffDelay, type ResolvedReconnect } from './backoff.ts';
import { dial } from './dial.ts';

/** What a connector needs from its service (internal). */
export interface ConnectorHost {
  readonly sessionHost: SessionHost;
  readonly allocator: ByteAllocator;
  track(session: Session): void;
  untrack(session: Session): void;
  /** The connector stopped for good. */
  done(connector: Connector): void;
  error(error: Error): void;
}

/** Settings of a {@link Connector} (internal). */
export interface ConnectorConfig {
  readonly address: ParsedAddress;
  readonly addressText: string;
  readonly protocol: string;
  readonly factory: ProtocolFactory;
  readonly clientOptions: ClientProtocolOptions;
  readonly limits: ResolvedLimits;
  /** `undefined`: connect once. */
  readonly reconnect: ResolvedReconnect | undefined;
  readonly log: Logger;
}

/**
 * The dialling side: connects, handshakes, and when a session ends for a reason other than the
 * application's own close, dials again with exponential backoff and jitter (capped, up to
 * `maxAttempts` consecutive failures). Each new link is a new session with a new ref, published on
 * the `open` topic.
 */
export class Connector {
  readonly #host: ConnectorHost;
  readonly #config: ConnectorConfig;
  #ref: SessionRef | undefined;
  #failures = 0;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #first: { resolve(ref: SessionRef): void; reject(error: Error): void } | undefined;
  #session: Session | undefined;

  constructor(host: ConnectorHost, config: ConnectorConfig) {
    this.#host = host;
    this.#config = config;
  }

  /** The ref of the current session (undefined before the first handshake). */
  get ref(): SessionRef | undefined {
    return this.#ref;
  }

  /** Dials; resolves with the first session's ref. */
  start(): Promise<SessionRef> {
    return new Promise((resolve, reject) => {
      this.#first = { resolve, reject };
      void this.#attempt();
    });
  }

  /** Stops redialling; the current session stays open. Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#settleFirst(new HearthError(ErrorCode.CLOSED, `connector to ${this.#config.addressText} stopped before connecting`));
    this.#host.done(this);
  }

  async #attempt(): Promise<void> {
    if (this.#stopped) return;
    const config = this.#config;
    let link;
    try {
      link = await dial(config.address, {
        maxFrameBytes: config.limits.maxFrameBytes,
        allocator: this.#host.allocator,
        timeoutMs: config.limits.handshakeTimeoutMs,
      });
    } catch (error) {
      this.#failed(error as HearthError);
      return;
    }
    if (this.#stopped) {
      link.destroy();
      return;
    }
    this.#host.sessionHost.stats.connected++;
    let handshake;
    try {
      handshake = config.factory.client(config.clientOptions);
    } catch (error) {
      link.destroy();
      this.#failed(error as Error, true);
      return;
    }
    const session = new Session(this.#host.sessionHost, link, {
      side: 'client',
      protocol: config.protocol,
      factory: config.factory,
      limits: config.limits,
      log: config.log,
      owner: {
        onOpen: (_s, ref) => this.#opened(ref),
        onEnd: (s, code, text, by) => this.#ended(s, code, text, by),
        onGone: (s) => this.#host.untrack(s),
      },
    }, handshake);
    this.#session = session;
    this.#host.track(session);
  }

  #opened(ref: SessionRef): void {
    this.#failures = 0;
    this.#ref = ref;
    const first = this.#first;
    this.#first = undefined;
    first?.resolve(ref);
  }

  #ended(session: Session, code: string, text: string, by: CloseEvent['by'] | undefined): void {
    if (session !== this.#session) return;
    this.#session = undefined;
    if (by === undefined) {
      // The handshake did not finish (refused, timed out, failed).
      this.#failed(new HearthError(code, text));
      return;
    }
    const policy = this.#config.reconnect;
    if (this.#stopped || session.closedByUser || policy === undefined || !policy.shouldReconnect(code)) {
      this.stop();
      return;
    }
    this.#config.log.info({ code, text }, 'session lost; reconnecting');
    this.#schedule();
  }

  #failed(error: Error, fatal = false): void {
    if (this.#stopped) return;
    this.#failures++;
    const policy = this.#config.reconnect;
    const initial = this.#first !== undefined && this.#ref === undefined;
    const retry = !fatal && policy !== undefined && (!initial || policy.retryFirst) && this.#failures < policy.maxAttempts;
    if (!retry) {
      this.#config.log.warn({ err: error, attempts: this.#failures }, 'giving up connecting');
      if (this.#first === undefined) this.#host.error(error);
      this.#settleFirst(error);
      this.stop();
      return;
    }
    this.#config.log.debug({ err: error, attempt: this.#failures }, 'connect failed; retrying');
    this.#schedule();
  }

  #schedule(): void {
    const policy = this.#config.reconnect!;
    const delay = backoffDelay(policy, Math.max(1, this.#failures));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#attempt();
    }, delay);
  }

  #settleFirst(error: Error): void {
    const first = this.#first;
    this.#first = undefined;
    first?.reject(error);
  }
}
