/** A snapshot of one live session (from `service.sessions()` or `ref.info()`). */
export interface SessionInfo {
  /** Session id. */
  readonly id: number;
  /** `server` for accepted sessions, `client` for dialled ones. */
  readonly side: 'server' | 'client';
  /** `tcp` or `ws`. */
  readonly transport: 'tcp' | 'ws';
  /** Protocol name, e.g. `msgpack+nacl`. */
  readonly protocol: string;
  /** Peer address as `host:port`. */
  readonly remoteAddress: string;
  /** When the handshake finished (`Date.now()` ms). */
  readonly connectedAt: number;
  /** When the last inbound body arrived, any kind including ping (`Date.now()` ms). */
  readonly lastInboundAt: number;
  /** `Date.now() - lastInboundAt` when the snapshot was taken. */
  readonly idleMs: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly messagesIn: number;
  readonly messagesOut: number;
  /** Bytes waiting to be sent (socket buffer plus unflushed batch). */
  readonly queuedBytes: number;
}
