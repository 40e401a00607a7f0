export { HearthClient } from './HearthClient.ts';
export type { ClientEvents, ClientState, CloseInfo, RequestOptions } from './HearthClient.ts';
export type { ClientOptions, TrafficStats } from './ClientOptions.ts';
export { backoffDelay, resolveReconnect } from './backoff.ts';
export type { ReconnectOptions, ResolvedReconnect } from './backoff.ts';
export { systemClock } from './clock.ts';
export type { Clock } from './clock.ts';
export { ClientErrorCode, FINAL_CODES, isRetryable } from './errors.ts';
export { webSocketTransport, WS_CLOSE_HEARTH } from './transport/webSocketTransport.ts';
export type { WebSocketConstructor, WebSocketLike } from './transport/webSocketTransport.ts';
export type { TlsOptions, Transport, TransportLink, TransportOptions, TransportSink } from './transport/Transport.ts';
// Re-exported so a game client needs one import for the basics.
export { ErrorCode, HearthError, Login, Resume, defineMessage } from '@hearth/protocol';
export type { AnyDefinition, LoginCredentials, LoginReply, MessageDefinition, Payload, Reply } from '@hearth/protocol';
export { OrderedFeed } from './OrderedFeed.ts';
export type { OrderedFeedOptions } from './OrderedFeed.ts';
