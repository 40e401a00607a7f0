/** Message kinds: the first element of every message array on the wire. */
export const Kind = { PUSH: 0, REQUEST: 1, REPLY: 2, ERROR: 3, PING: 4, PONG: 5, CLOSE: 6 } as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** `[0, type, payload]`: a one-way message. */
export interface PushMessage { readonly kind: 0; readonly type: number; readonly payload: unknown }
/** `[1, type, payload, rid]`: a request; `rid` is unique among the sender's outstanding requests. */
export interface RequestMessage { readonly kind: 1; readonly type: number; readonly payload: unknown; readonly rid: number }
/** `[2, rid, payload]`: the success reply to request `rid`. */
export interface ReplyMessage { readonly kind: 2; readonly rid: number; readonly payload: unknown }
/** `[3, rid, code, text]`: the error reply to request `rid`. */
export interface ErrorMessage { readonly kind: 3; readonly rid: number; readonly code: string; readonly text: string }
/** `[4, t]`: ping with the sender's clock in ms. */
export interface PingMessage { readonly kind: 4; readonly t: number }
/** `[5, t]`: pong echoing a ping's `t`. */
export interface PongMessage { readonly kind: 5; readonly t: number }
/** `[6, code, text]`: the sender is closing. */
export interface CloseMessage { readonly kind: 6; readonly code: string; readonly text: string }

/** Any message of the wire protocol v1. */
export type Message =
  | PushMessage
  | RequestMessage
  | ReplyMessage
  | ErrorMessage
  | PingMessage
  | PongMessage
  | CloseMessage;

/** The messages an application handles (the transport answers the rest). */
export type InboundMessage = PushMessage | RequestMessage;
