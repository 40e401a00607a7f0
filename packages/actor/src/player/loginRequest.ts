import type { LoginCredentials } from '@hearth/protocol';
import { ErrorCode, HearthError } from '@hearth/protocol';
import type { Logger } from 'pino';
import { MALFORMED_TOKEN, UNKNOWN_TOKEN, type ResumeRefusal } from '../resume/refusals.ts';
import type { SessionHandle } from '../transport.ts';
import { describeRejected, isResumeToken, isUserId } from '../wireIds.ts';
import type { PlayerActor } from './PlayerActor.ts';
import type { PlayerHost, ResumeOutcome } from './PlayerHost.ts';

/*
 * The login and resume flows of a player awaiting login: the checks of the request, the
 * authenticator (or the holder's resume) run asynchronously, and the outcome, which goes back into
 * the statechart as `hearth.authOk` / `hearth.authRefused`. The statechart decides what happens next.
 */

/** What a flow needs of the player it logs in (made by the player per login; logins are rare). */
export interface LoginSubject {
  readonly player: PlayerActor;
  readonly sessionId: number;
  readonly ref: SessionHandle | undefined;
  readonly log: Logger;
  /** Still awaiting login (the session did not close or time out meanwhile). */
  awaiting(): boolean;
  /** `hearth.authRefused`: the request `rid` is answered with the refusal. */
  refuse(rid: number, code: string, text: string): void;
  /** `hearth.authOk` for `userId`; `reply` is merged into the login reply. */
  admit(userId: string, rid: number, reply: Readonly<Record<string, unknown>> | undefined): void;
}

/**
 * The token of a resume request, or the refusal to answer it with. Checked before any lookup: the
 * token becomes a map key and a Redis key name (`rejected` counts a malformed one).
 */
export function resumeToken(payload: unknown, rejected: (what: string, value: unknown) => void): string | ResumeRefusal {
  const token = (payload as { token?: unknown } | null)?.token;
  if (typeof token !== 'string') return { code: ErrorCode.BAD_REQUEST, text: 'resume needs { token: string } from the login reply' };
  if (!isResumeToken(token)) {
    rejected('resume token', token);
    return MALFORMED_TOKEN;
  }
  return token;
}

/** Runs the authenticator, checks the user id it returns, claims the user, then admits or refuses. */
export async function authenticate(host: PlayerHost, subject: LoginSubject, credentials: LoginCredentials, rid: number): Promise<void> {
  let userId: string;
  let reply: Readonly<Record<string, unknown>> | undefined;
  try {
    const result = await host.authenticator(credentials, { sessionId: subject.sessionId, remoteAddress: subject.ref?.info()?.remoteAddress ?? '' });
    if (typeof result === 'string') userId = result;
    else if ('refused' in result) {
      subject.refuse(rid, result.refused, result.text);
      return;
    } else {
      userId = result.userId;
      reply = result.reply;
    }
  } catch (err) {
    const coded = err instanceof HearthError;
    if (!coded) subject.log.error({ err }, 'the authenticator threw');
    subject.refuse(rid, coded ? err.code : ErrorCode.INTERNAL, coded ? err.message : 'login failed on the server');
    return;
  }
  if (!subject.awaiting()) return;
  // The id becomes a map key, a Redis key name and a log field: checked even though the authenticator is the app's.
  if (!isUserId(userId)) {
    subject.log.warn({ userId: describeRejected(userId) }, 'the authenticator returned a malformed user id; login refused');
    subject.refuse(rid, ErrorCode.BAD_REQUEST, 'the user id is malformed (1-64 of A-Z a-z 0-9 _ . : @ -)');
    return;
  }
  await host.claim(userId, subject.player);
  if (subject.awaiting()) subject.admit(userId, rid, reply);
}

/** Asks the holder to resume the player holding `token` with this connection; a refusal answers `rid`. */
export function resume(host: PlayerHost, subject: LoginSubject, token: string, rid: number): void {
  const ref = subject.ref;
  const settle = (outcome: ResumeOutcome): void => {
    if (outcome !== true && subject.awaiting()) subject.refuse(rid, outcome.code, outcome.text);
  };
  const outcome = ref === undefined ? UNKNOWN_TOKEN : host.resume(token, ref, rid, subject.player);
  if (!(outcome instanceof Promise)) {
    settle(outcome);
    return;
  }
  outcome.then(settle, (err: unknown) => {
    subject.log.error({ err }, 'resume failed on the server');
    settle({ code: ErrorCode.INTERNAL, text: 'resume failed on the server' });
  });
}

/**
 * A login (type 1) or resume (type 2) request while awaiting login: checked, then sent to the
 * statechart. False when the statechart did not take it (a login is already in progress).
 */
export function requestLogin(
  player: PlayerActor,
  ref: SessionHandle,
  type: 'login' | 'resume',
  payload: unknown,
  rid: number,
  rejected: (what: string, value: unknown) => void,
): boolean {
  if (type === 'login') {
    if (typeof payload !== 'object' || payload === null) {
      ref.replyError(rid, ErrorCode.BAD_REQUEST, 'login credentials must be a map');
      return true;
    }
    return player.transition({ type: 'hearth.login', credentials: payload as LoginCredentials, rid }) !== 'unhandled';
  }
  const token = resumeToken(payload, rejected);
  if (typeof token !== 'string') {
    ref.replyError(rid, token.code, token.text);
    return true;
  }
  return player.transition({ type: 'hearth.resume', token, rid }) !== 'unhandled';
}
