import type { LoginCredentials } from '@hearth/protocol';

/**
 * The effects the session machine names; the player actor performs them (see `PlayerActor`).
 * The machine itself never touches a socket or a timer, so its transitions are testable purely
 * with xstate's `initialTransition` / `transition`, which return these actions unexecuted.
 */
export interface SessionEffects {
  startLoginTimer(): void;
  startHeartbeat(): void;
  startGrace(): void;
  authenticate(credentials: LoginCredentials, rid: number): void;
  resume(token: string, rid: number): void;
  refuseLogin(rid: number, code: string, text: string): void;
  admit(userId: string): void;
  sendPing(): void;
  closeConnection(code: string, text: string): void;
  detach(): void;
  attach(): void;
  /** Entry of `closed`: clear timers, leave groups and the holder, run the leave hook if logged in. */
  finish(reason: { code: string; text: string }): void;
}
