import { ErrorCode } from '@hearth/protocol';
import type { ResumeOutcome } from '../player/PlayerHost.ts';

/** Codes of resume refusals beyond `@hearth/protocol`'s `ErrorCode`. */
export const ResumeErrorCode = {
  /**
   * The token's session is connected and its connection is live (inbound traffic within the
   * heartbeat suspicion time): a resume does not take it over. The live session is left untouched;
   * a client whose old link is really dead retries after `heartbeatTimeout / 2`, or logs in.
   */
  SESSION_ACTIVE: 'SESSION_ACTIVE',
} as const;
/** One of {@link ResumeErrorCode}. */
export type ResumeErrorCode = (typeof ResumeErrorCode)[keyof typeof ResumeErrorCode];

/** A coded refusal of a resume (what the resume request is answered with). */
export type ResumeRefusal = Exclude<ResumeOutcome, true>;

/** Unknown, used, ended, or parked on a dead node. */
export const UNKNOWN_TOKEN: ResumeRefusal = { code: ErrorCode.UNAUTHENTICATED, text: 'unknown or expired resume token; log in again' };

/** Older than `tokenLifetime` (counted from the login). */
export const EXPIRED_TOKEN: ResumeRefusal = {
  code: ErrorCode.UNAUTHENTICATED,
  text: 'resume token past its lifetime (tokenLifetime, counted from the login); log in again',
};

/** Not in the token format: refused before any lookup. */
export const MALFORMED_TOKEN: ResumeRefusal = {
  code: ErrorCode.BAD_REQUEST,
  text: 'malformed resume token: expected the 16-64 base64url characters of the login reply',
};

/** The session is live on its own connection. */
export const SESSION_ACTIVE: ResumeRefusal = {
  code: ResumeErrorCode.SESSION_ACTIVE,
  text: 'the session is active on another connection; resume works once it has dropped (or log in)',
};
