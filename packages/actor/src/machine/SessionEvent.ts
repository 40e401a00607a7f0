import { ErrorCode, type LoginCredentials } from '@hearth/protocol';

/**
 * Lifecycle events of the session machine. Their `type`s start with `hearth.`, a prefix reserved
 * for the framework: application events (routed messages and custom events) use other names.
 */
export type SessionEvent =
  /** The transport finished its handshake and attached the session. */
  | { type: 'hearth.opened' }
  /** A `login` request (type 1) arrived. */
  | { type: 'hearth.login'; credentials: LoginCredentials; rid: number }
  /** A `resume` request (type 2) arrived. */
  | { type: 'hearth.resume'; token: string; rid: number }
  /** The authenticator accepted the login and the holder claimed the user for this actor. */
  | { type: 'hearth.authOk'; userId: string }
  /** The authenticator refused, or a resume token was unknown: the session may try again. */
  | { type: 'hearth.authRefused'; rid: number; code: string; text: string }
  /** A resume succeeded: this connection now belongs to the resumed actor; this one ends quietly. */
  | { type: 'hearth.handedOff' }
  /** The login timer fired. */
  | { type: 'hearth.loginTimeout' }
  /** The heartbeat check found the connection idle for `idleMs` (sent only past `suspectAfter`, or while suspect). */
  | { type: 'hearth.heartbeat'; idleMs: number }
  /** The connection closed (by either side) with this code. */
  | { type: 'hearth.disconnected'; code: string }
  /** A new connection resumed this actor (the transport handle is already attached). */
  | { type: 'hearth.resumed' }
  /** The grace timer fired. */
  | { type: 'hearth.graceExpired' }
  /** More pushes than `queueLimit` were queued during grace. */
  | { type: 'hearth.queueOverflow' }
  /** The application or the holder ends the actor (e.g. `KICKED`, `SHUTDOWN`, `NORMAL`). */
  | { type: 'hearth.close'; code: string; text: string }
  /** The player (in grace) resumed on node `nodeId`: this actor ends quietly (no leave hook; the player lives on there). */
  | { type: 'hearth.resumedElsewhere'; nodeId: string };

/** Close codes after which the actor does not wait for a resume. */
export const TERMINAL_CLOSE_CODES: ReadonlySet<string> = new Set(['KICKED', 'SHUTDOWN', 'NORMAL']);

/**
 * Close reason of an actor whose player resumed on another node. The leave hook does not run for it:
 * the player did not leave, it moved (the actor on the other node runs the leave hook when it ends).
 */
export const RESUMED_ELSEWHERE = ErrorCode.RESUMED_ELSEWHERE;
