import type { LoginCredentials } from '@hearth/protocol';
import { ErrorCode } from '@hearth/protocol';
import { MALFORMED_TOKEN, type ResumeRefusal } from '../resume/refusals.ts';
import type { SessionHandle } from '../transport.ts';
import { isResumeToken } from '../wireIds.ts';
import type { PlayerActor } from './PlayerActor.ts';

/*
 * The checks of a login (type 1) or resume (type 2) request arriving before login, done before the
 * statechart sees it (the flows that follow are PlayerLogin's).
 */

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
