export { ErrorCode, HearthError } from './errors.ts';
export { heapAllocator } from './ByteAllocator.ts';
export type { ByteAllocator } from './ByteAllocator.ts';
export { FrameReader } from './FrameReader.ts';
export type { FrameReaderOptions } from './FrameReader.ts';
export { DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES, encodeFrame, writeFrameHeader } from './frameWriter.ts';
export { FIRST_APPLICATION_TYPE, defineMessage } from './defineMessage.ts';
export type { AnyDefinition, DefineMessageOptions, MessageDefinition, Payload, Reply } from './defineMessage.ts';
export { MessageRegistry } from './MessageRegistry.ts';
export type { MessageRegistryOptions } from './MessageRegistry.ts';
export {
  Login,
  Resume,
  RoomCreate,
  RoomJoin,
  RoomJoinOrCreate,
  RoomLeave,
  RoomLeft,
  RoomList,
  RoomPush,
  RoomSend,
  RoomState,
} from './framework.ts';
export type { LoginCredentials, LoginReply, ResumeRequest, RoomEnvelope, RoomJoined, RoomListing, RoomOptions, RoomStatePatch } from './framework.ts';
export { Kind } from './message.ts';
export type {
  CloseMessage,
  ErrorMessage,
  InboundMessage,
  Message,
  PingMessage,
  PongMessage,
  PushMessage,
  ReplyMessage,
  RequestMessage,
} from './message.ts';
export { BatchWriter } from './BatchWriter.ts';
export type { BatchWriterOptions } from './BatchWriter.ts';
export { encodeMessage } from './encodeMessage.ts';
export { decodeBatch, toMessage } from './decodeBatch.ts';
export type { DecodeBatchOptions } from './decodeBatch.ts';
export { DEFAULT_MAX_DEPTH, MAX_DECODE_LENGTH, newBoundedDecoder } from './decode/DecodeLimits.ts';
export type { DecodeLimits } from './decode/DecodeLimits.ts';
export { decodeValue } from './decode/decodeValue.ts';
export type { DecodeValueOptions } from './decode/decodeValue.ts';
export { ScanError, scanValue } from './decode/scanValue.ts';
export { tweetnaclProvider } from './crypto/tweetnaclProvider.ts';
export type { BoxKeyPair, CryptoProvider, SignKeyPair } from './crypto/CryptoProvider.ts';
export { generateSigningKeyPair } from './crypto/generateSigningKeyPair.ts';
export type { Channel } from './channel/Channel.ts';
export { PlainChannel } from './channel/PlainChannel.ts';
export { CLIENT_DIRECTION, SERVER_DIRECTION, SecureChannel, channelNonce } from './channel/SecureChannel.ts';
export type { ChannelRole } from './channel/SecureChannel.ts';
export { ClientHandshake } from './handshake/ClientHandshake.ts';
export type { ClientHandshakeOptions } from './handshake/ClientHandshake.ts';
export { ServerHandshake } from './handshake/ServerHandshake.ts';
export type { ServerHandshakeOptions, ServerHandshakeResult } from './handshake/ServerHandshake.ts';
export { HandshakeError } from './handshake/HandshakeError.ts';
export { HANDSHAKE_MAGIC, HANDSHAKE_MAX_DEPTH, PROTOCOL_VERSION, SIGNATURE_CONTEXT, handshakeErrorBody, signedTranscript } from './handshake/handshakeWire.ts';
