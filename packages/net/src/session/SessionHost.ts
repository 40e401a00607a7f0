import type { BatchWriter, InboundMessage } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { BufferPool } from '../buffer/BufferPool.ts';
import type { ResolvedLimits } from '../Limits.ts';
import type { ProtocolFactory } from '../protocol/ProtocolFactory.ts';
import type { SessionRef } from '../SessionRef.ts';
import type { StatsCounters } from '../ServiceStats.ts';
import type { CloseEvent } from '../topic/topics.ts';
import type { Session } from './Session.ts';

/** What a session needs from its service (internal). */
export interface SessionHost {
  readonly stats: StatsCounters;
  readonly pool: BufferPool;
  readonly requestTimeoutMs: number;
  /** A cleared batch writer (from the service's free list, or new). */
  takeWriter(): BatchWriter;
  /** Gives back a writer that holds nothing and that no socket write still views. */
  giveWriter(writer: BatchWriter): void;
  /** Queues `session.flush()` for the end of this event-loop turn. */
  scheduleFlush(session: Session): void;
  /** Handshake done: give the session an id and a ref, publish `open`. */
  opened(session: Session): SessionRef;
  /** An open session began closing: forget its id, publish `close`. */
  closed(session: Session, event: CloseEvent): void;
  /** Delivers an inbound push/request; returns how many handlers saw it. */
  dispatch(session: Session, message: InboundMessage): number;
  /** Publishes an error. */
  error(session: Session, error: Error): void;
}

/** What the acceptor or connector that made a session wants to hear (internal). */
export interface SessionOwner {
  /** The handshake finished. */
  onOpen?(session: Session, ref: SessionRef): void;
  /** The session ended (`by` undefined: it never finished its handshake). */
  onEnd?(session: Session, code: string, text: string, by: CloseEvent['by'] | undefined): void;
  /** The connection is fully closed. */
  onGone?(session: Session): void;
}

/** Options of a {@link Session} (internal). One object may be shared by every session of an acceptor. */
export interface SessionConfig {
  readonly side: 'server' | 'client';
  readonly protocol: string;
  readonly factory: ProtocolFactory;
  readonly limits: ResolvedLimits;
  readonly owner: SessionOwner;
  /** The component logger (acceptor or connector); the session binds its id to a child of it. */
  readonly log: Logger;
}
