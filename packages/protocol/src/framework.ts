import { defineMessage } from './defineMessage.ts';

/** Credentials of a login request: a map the application's authenticator interprets. */
export type LoginCredentials = Record<string, unknown>;

/** Reply to `login` and `resume`: at least the user id and the token that resumes the session. */
export interface LoginReply {
  userId: string;
  resumeToken: string;
  [key: string]: unknown;
}

/** Payload of a `resume` request. */
export interface ResumeRequest {
  token: string;
}

/** Framework message type 1: log in with application-defined credentials. */
export const Login = defineMessage<LoginCredentials, LoginReply>(1, 'login');
/** Framework message type 2: reattach to an actor in its grace period. */
export const Resume = defineMessage<ResumeRequest, LoginReply>(2, 'resume');
