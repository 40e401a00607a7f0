import { ErrorCode, decodeBatch, HearthError, Kind, type Message } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { ResolvedLimits } from '../Limits.ts';
import { TokenBucket } from '../limit/TokenBucket.ts';
import type { ClientHandshaker, ServerHandshaker, SessionChannel } from '../protocol/ProtocolFactory.ts';
import { HandshakePhase } from './HandshakePhase.ts';
import { Outbox } from './Outbox.ts';
import { PendingRequests } from './PendingRequests.ts';
import type { SessionInfo } from '../SessionInfo.ts';
import type { SessionRef } from '../SessionRef.ts';
import type { CloseEvent } from '../topic/topics.ts';
import type { Link, LinkSink } from '../transport/Link.ts';
import type { SessionConfig, SessionHost } from './SessionHost.ts';

export type { SessionConfig, SessionHost, SessionOwner } from './SessionHost.ts';
export { EAGER_FLUSH_BYTES } from './Outbox.ts';

const HANDSHAKE = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

// The session whose body is being decoded: decodeBatch's callback is one shared function, not a
// closure per session (bench/memory.ts, heap per idle session). Saved and restored around each body.
let decoding: Session | undefined;
function onDecoded(message: Message): void {
  const session = decoding!;
  // A message that closed the session (rate limit, a close) ends the body: the rest is not decoded.
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- a sentinel, not an error: no stack to capture per stopped body
  if (!session.handleMessage(message)) throw STOP_DECODING;
}
/** Thrown through decodeBatch to stop at once (caught in `body`). */
const STOP_DECODING: unique symbol = Symbol('hearth.stopDecoding');

/**
 * One live connection: its link, protocol state, write batch and pending requests. Internal to
 * `net`; everything else holds a {@link SessionRef}.
 *
 * Inbound: link → `body()` → channel.open → decodeBatch → pings answered, replies matched,
 * pushes/requests dispatched to the topics. Outbound: messages go into the {@link Outbox};
 * the service calls `flush()` once per turn, which writes the batch with one socket write (one
 * seal in secure mode).
 */
export class Session implements LinkSink {
  id = 0;
  ref: SessionRef | undefined;
  readonly side: 'server' | 'client';
  readonly protocol: string;
  readonly link: Link;
  readonly limits: ResolvedLimits;
  connectedAt = 0;
  lastInboundAt = Date.now();
  bytesIn = 0;
  bytesOut = 0;
  messagesIn = 0;
  messagesOut = 0;
  /** Set while queued for the end-of-turn flush. */
  dirty = false;
  readonly #host: SessionHost;
  readonly #config: SessionConfig;
  /** The per-session child logger, made on first use (bench/memory.ts: not held by idle sessions). */
  #log: Logger | undefined;
  #state = HANDSHAKE;
  /** The handshake until it ends (then undefined), and the channel after. */
  #handshake: HandshakePhase | undefined;
  #channel: SessionChannel | undefined;
  /** Set when the application closed it (through its ref or the service): a connector does not redial. */
  #closedByUser = false;
  /** The outgoing batch (see {@link Outbox}). */
  readonly #outbox: Outbox;
  readonly #bucket: TokenBucket | undefined;
  /** Requests awaiting a reply; made on the first request (bench/memory.ts: idle server sessions hold none). */
  #requests: PendingRequests | undefined;
  #closeTimer: NodeJS.Timeout | undefined;

  /** @param handshakeMs time left for the handshake. @defaultValue limits.handshakeTimeoutMs */
  constructor(host: SessionHost, link: Link, config: SessionConfig, handshake: ServerHandshaker | ClientHandshaker, handshakeMs = config.limits.handshakeTimeoutMs) {
    this.#host = host;
    this.#config = config;
    this.link = link;
    this.side = config.side;
    this.protocol = config.protocol;
    this.limits = config.limits;
    this.#outbox = new Outbox(this, host);
    const rate = config.limits.rateLimit;
    if (rate !== false) this.#bucket = new TokenBucket(rate.messagesPerSecond, rate.burst);
    host.stats.handshaking++;
    const phase = (this.#handshake = new HandshakePhase(config.side, handshake, handshakeMs, () => this.#handshakeTimeout()));
    link.start(this);
    // TCP buffers writes until connected; a WebSocket link is only made once open.
    if (config.side === 'client') link.writeBody(phase.hello());
  }

  /** True once the application closed it (through its ref or the service): a connector does not redial. */
  get closedByUser(): boolean {
    return this.#closedByUser;
  }

  /** True once the handshake is done and no close has begun. */
  get isOpen(): boolean {
    return this.#state === OPEN;
  }

  /** Bytes waiting: the socket's buffer plus the unflushed batch. */
  get queuedBytes(): number {
    return this.link.queuedBytes + this.#outbox.pendingBytes;
  }

  /** This session's logger (a child binding its id once open). */
  get #logger(): Logger {
    if (this.#log !== undefined) return this.#log;
    if (this.#state === HANDSHAKE || this.id === 0) return this.#config.log;
    return (this.#log = this.#config.log.child({ sid: this.id }));
  }

  // ---- LinkSink ------------------------------------------------------------

  received(n: number): void {
    this.bytesIn += n;
    this.#host.stats.bytesIn += n;
  }

  body(body: Uint8Array, reused: boolean): void {
    this.lastInboundAt = Date.now();
    const state = this.#state;
    if (state === OPEN) {
      let plain: Uint8Array;
      try {
        plain = this.#channel!.open(body);
      } catch (error) {
        this.#failWith(error, ErrorCode.BAD_MAC);
        return;
      }
      try {
        // Bins are views of `plain`: a pooled buffer that lent some is not reused.
        const outer = decoding;
        // eslint-disable-next-line @typescript-eslint/no-this-alias -- the shared decode callback's target (see onDecoded)
        decoding = this;
        try {
          if (decodeBatch(plain, onDecoded) && reused && plain === body) this.#host.pool.retain(body);
        } finally {
          decoding = outer;
        }
      } catch (error) {
        // Stopped (or failed) after the session closed: bins already handed out may be views of
        // a pooled body, so it is not reused.
        if (this.#state !== OPEN) {
          if (reused && plain === body) this.#host.pool.retain(body);
          if (error === STOP_DECODING) return;
        }
        this.#failWith(error, ErrorCode.PROTOCOL_ERROR);
      }
    } else if (state === HANDSHAKE) {
      this.#handshakeBody(body);
    }
  }

  control(): void {
    if (this.#state === OPEN && this.#bucket !== undefined && !this.#bucket.take()) this.#rateLimited();
  }

  fail(code: string, text: string): void {
    this.close(code, text);
  }

  closed(code: string | undefined, text: string): void {
    if (this.#state < CLOSING) this.#end(code ?? ErrorCode.CLOSED, text, code === undefined ? 'lost' : 'remote', false);
    this.#state = CLOSED;
    clearTimeout(this.#closeTimer);
    this.#handshake?.end();
    this.#outbox.drop();
    this.#config.owner.onGone?.(this);
  }

  // ---- outbound --------------------------------------------------------------

  send(type: number, payload: unknown): boolean {
    return this.#state === OPEN && this.#outbox.send(type, payload);
  }

  sendEncoded(bytes: Uint8Array, count: number): boolean {
    return this.#state === OPEN && this.#outbox.sendEncoded(bytes, count);
  }

  reply(rid: number, payload: unknown): boolean {
    return this.#state === OPEN && this.#outbox.reply(rid, payload);
  }

  replyError(rid: number, code: string, text: string): boolean {
    return this.#state === OPEN && this.#outbox.replyError(rid, code, text);
  }

  ping(t: number): boolean {
    return this.#state === OPEN && this.#outbox.ping(t);
  }

  request(type: number, payload: unknown, timeout: number | undefined): Promise<unknown> {
    if (this.#state !== OPEN) return Promise.reject(closedError(this.id));
    const requests = (this.#requests ??= new PendingRequests());
    const rid = requests.nextRid();
    try {
      this.#outbox.writer.request(type, payload, rid);
    } catch (error) {
      this.#outbox.unencodable(type, error);
      return Promise.reject(new HearthError(ErrorCode.BAD_REQUEST, `request payload of type ${type} cannot be encoded: ${(error as Error).message}`, { cause: error }));
    }
    const reply = requests.await(rid, type, timeout ?? this.#host.requestTimeoutMs);
    this.#outbox.queued();
    return reply;
  }

  /** Writes the batch: one socket write (one seal in secure mode). Called by the service once per turn. */
  flush(): void {
    this.dirty = false;
    const queued = this.#outbox.flush(this.#channel, this.#state === CLOSED);
    if (queued > this.limits.maxQueuedBytes && this.#state === OPEN) {
      this.close(ErrorCode.SLOW_CONSUMER, `${queued} B queued > maxQueuedBytes ${this.limits.maxQueuedBytes}: the peer reads too slowly`);
    }
  }

  /** {@link Session.close} on the application's behalf (its ref, or the service): a connector does not redial. */
  closeByUser(code: string, text = ''): void {
    this.#closedByUser = true;
    this.close(code, text);
  }

  /** Sends `[6, code, text]` after what is queued, flushes, and ends the connection. Idempotent. */
  close(code: string, text = ''): void {
    if (this.#state >= CLOSING) return;
    if (this.#state === HANDSHAKE) {
      this.#refuse(code, text);
      return;
    }
    this.#end(code, text, 'local', true);
  }

  /** Ends the connection at once (used by shutdown past its deadline). */
  destroy(): void {
    this.link.destroy();
  }

  info(): SessionInfo {
    const now = Date.now();
    return {
      id: this.id,
      side: this.side,
      transport: this.link.transport,
      protocol: this.protocol,
      remoteAddress: this.link.remoteAddress,
      connectedAt: this.connectedAt,
      lastInboundAt: this.lastInboundAt,
      idleMs: now - this.lastInboundAt,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      messagesIn: this.messagesIn,
      messagesOut: this.messagesOut,
      queuedBytes: this.queuedBytes,
    };
  }

  // ---- internals -------------------------------------------------------------

  #rateLimited(): void {
    const rate = this.limits.rateLimit as { messagesPerSecond: number; burst: number };
    this.close(ErrorCode.RATE_LIMITED, `more than ${rate.messagesPerSecond} messages/s (burst ${rate.burst})`);
  }

  /**
   * @internal one decoded inbound message (called through the shared decode callback).
   * @returns whether the session is still open (false: decode no further).
   */
  handleMessage(message: Message): boolean {
    if (this.#state !== OPEN) return false; // closed earlier in this batch
    this.messagesIn++;
    this.#host.stats.messagesIn++;
    if (this.#bucket !== undefined && !this.#bucket.take()) {
      this.#rateLimited();
      return false;
    }
    switch (message.kind) {
      case Kind.PUSH:
        this.#host.dispatch(this, message);
        break;
      case Kind.REQUEST:
        if (this.#host.dispatch(this, message) === 0) {
          this.replyError(message.rid, ErrorCode.UNKNOWN_TYPE, `no handler for request type ${message.type}`);
        }
        break;
      case Kind.REPLY:
        this.#requests?.settle(message.rid, message.payload);
        break;
      case Kind.ERROR:
        this.#requests?.settle(message.rid, undefined, message);
        break;
      case Kind.PING:
        this.#outbox.pong(message.t);
        break;
      case Kind.PONG:
        break; // counted as traffic (lastInboundAt) already
      case Kind.CLOSE:
        this.#end(message.code, message.text, 'remote', false);
        break;
    }
    return this.#state === OPEN;
  }

  #handshakeBody(body: Uint8Array): void {
    const step = this.#handshake!.step(body);
    if (step.channel === undefined) {
      if (this.side === 'server') this.#refuse(step.code, step.text);
      else this.#abandon(step.code, step.text);
      return;
    }
    if (step.reply !== undefined) this.link.writeBody(step.reply);
    this.#becomeOpen(step.channel);
  }

  #becomeOpen(channel: SessionChannel): void {
    this.#handshake!.end();
    this.#handshake = undefined;
    this.#channel = channel;
    this.#state = OPEN;
    this.#host.stats.handshaking--;
    this.#host.stats.opened++;
    this.connectedAt = Date.now();
    const ref = this.#host.opened(this);
    this.ref = ref;
    if (this.#config.log.isLevelEnabled('debug')) this.#logger.debug({ remote: this.link.remoteAddress, protocol: this.protocol, transport: this.link.transport }, 'session open');
    this.#config.owner.onOpen?.(this, ref);
  }

  #handshakeTimeout(): void {
    if (this.#state !== HANDSHAKE) return;
    const text = `handshake not finished within ${this.limits.handshakeTimeoutMs} ms`;
    if (this.side === 'server') this.#refuse(ErrorCode.HANDSHAKE_TIMEOUT, text);
    else this.#abandon(ErrorCode.HANDSHAKE_TIMEOUT, text);
  }

  /** Server side, before a session exists: sends the protocol's refusal body and ends. */
  #refuse(code: string, text: string): void {
    if (this.side === 'server') this.link.writeBody(this.#config.factory.refusal(code, text));
    this.#abandon(code, text);
  }

  /** Ends a connection that never became a session. */
  #abandon(code: string, text: string): void {
    if (this.#state !== HANDSHAKE) return;
    this.#state = CLOSING;
    this.#handshake?.end();
    this.#host.stats.handshaking--;
    this.#host.stats.countClose(code);
    this.#logger.debug({ remote: this.link.remoteAddress, code, text }, 'handshake ended');
    this.#config.owner.onEnd?.(this, code, text, undefined);
    this.link.end(code);
    this.#closeTimer = setTimeout(() => this.link.destroy(), this.limits.closeTimeoutMs);
  }

  #failWith(error: unknown, fallback: string): void {
    const code = error instanceof HearthError ? error.code : fallback;
    this.close(code, (error as Error).message);
  }

  /** Closes an open session: `[6, code, text]` when local, then end (or destroy when lost). */
  #end(code: string, text: string, by: CloseEvent['by'], sendClose: boolean): void {
    if (this.#state >= CLOSING) return;
    if (this.#state !== OPEN) {
      this.#abandon(code, text);
      return;
    }
    this.#state = CLOSING;
    if (sendClose) {
      // A slow consumer would wait behind its backlog: drop it and send only the close.
      this.#outbox.queueClose(code, text, code === ErrorCode.SLOW_CONSUMER);
      this.flush(); // state is CLOSING: writes, and skips the slow-consumer check
    } else {
      this.#outbox.drop();
    }
    this.#host.stats.countClose(code);
    const level = code === ErrorCode.NORMAL || code === ErrorCode.SHUTDOWN || code === ErrorCode.CLOSED ? 'debug' : 'info';
    this.#logger[level]({ code, text, by }, 'session closed');
    this.#requests?.rejectAll(this.id, code);
    this.#host.closed(this, { id: this.id, code, text, by });
    this.#config.owner.onEnd?.(this, code, text, by);
    if (by === 'lost') {
      this.link.destroy();
    } else {
      this.link.end(code);
      this.#closeTimer = setTimeout(() => this.link.destroy(), this.limits.closeTimeoutMs);
    }
  }
}

/** The error of a call on a gone session. */
export function closedError(id: number): HearthError {
  return new HearthError(ErrorCode.CLOSED, `session ${id} is closed; acquire a live ref (refs do not outlive their session)`);
}
