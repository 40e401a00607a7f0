export { Service, DEFAULT_SHUTDOWN_DEADLINE_MS } from './Service.ts';
export type { ServiceCloseOptions } from './Service.ts';
export { DEFAULT_REQUEST_TIMEOUT_MS } from './ServiceOptions.ts';
export type { AcceptOptions, ConnectOptions, ServiceOptions, TlsCredentials } from './ServiceOptions.ts';
export {
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_HANDSHAKE_RATE_PER_ADDRESS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  DEFAULT_MAX_HELLO_BYTES,
  DEFAULT_MAX_QUEUED_BYTES,
  DEFAULT_RATE_LIMIT,
  RESERVED_FILE_DESCRIPTORS,
  defaultMaxConnections,
  resolveLimits,
} from './Limits.ts';
export type { AddressRate, Limits, RateLimit, ResolvedLimits } from './Limits.ts';
export { AddressTable } from './limit/AddressTable.ts';
export type { Refusal } from './limit/AddressTable.ts';
export { addressKey } from './limit/addressKey.ts';
export { fileDescriptorLimit, parseProcLimits } from './limit/fileDescriptorLimit.ts';
export type { SessionRef, RequestOptions } from './SessionRef.ts';
export type { SessionInfo } from './SessionInfo.ts';
export type { ServiceStats } from './ServiceStats.ts';
export type { Acceptor } from './acceptor/Acceptor.ts';
export type {
  CloseEvent,
  CloseHandler,
  ErrorEvent,
  ErrorHandler,
  MessageHandler,
  OpenHandler,
  Topic,
} from './topic/topics.ts';
export { ProtocolRegistry } from './protocol/ProtocolRegistry.ts';
export { builtinProtocols } from './protocol/builtinProtocols.ts';
export type {
  ClientHandshaker,
  ClientProtocolOptions,
  ProtocolFactory,
  ServerHandshaker,
  ServerProtocolOptions,
  SessionChannel,
} from './protocol/ProtocolFactory.ts';
export { BufferPool, nextPowerOfTwo } from './buffer/BufferPool.ts';
export type { BufferPoolOptions, BufferPoolStats } from './buffer/BufferPool.ts';
export { SessionIdAllocator, DEFAULT_SESSION_ID_STRIDE } from './session/SessionIdAllocator.ts';
export type { SessionIdAllocatorOptions } from './session/SessionIdAllocator.ts';
export { TokenBucket } from './limit/TokenBucket.ts';
export { backoffDelay, resolveReconnect } from './connector/backoff.ts';
export type { ReconnectOptions } from './connector/backoff.ts';
export { parseAddress, formatAddress } from './address.ts';
export type { ParsedAddress } from './address.ts';
export { NET_LOG_ENV, NET_LOG_LEVEL_ENV, createNetLogger, netLogDisabledByEnv } from './log/netLogger.ts';
