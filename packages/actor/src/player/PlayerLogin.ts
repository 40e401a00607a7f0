import type { LoginCredentials, LoginReply } from '@hearth/protocol';
import { ErrorCode, HearthError } from '@hearth/protocol';
import { EXPIRED_TOKEN, SESSION_ACTIVE, UNKNOWN_TOKEN } from '../resume/refusals.ts';
import type { SessionHandle } from '../transport.ts';
import { describeRejected, isUserId } from '../wireIds.ts';
import { runHook } from './runHook.ts';
import type { Phase } from './Phase.ts';
import type { Player } from './Player.ts';
import type { PlayerActor } from './PlayerActor.ts';
import type { PlayerConnection } from './PlayerConnection.ts';
import type { PlayerHost, ResumeOutcome } from './PlayerHost.ts';

/** The authenticator's extra fields for the login reply (and the `login` argument of `onJoin`). */
type LoginFields = Readonly<Record<string, unknown>>;

/** The game's `onJoin` hook (`definePlayer`), given the authenticator's extra reply fields. */
type OnJoin = ((player: Player, login: LoginFields) => void | Promise<void>) | undefined;

/**
 * A player's login: who it is (the user id its authenticator returned), its resume token, when
 * the session's login happened (a resume keeps it: the token lifetime counts from it), and the
 * login or resume request being answered.
 *
 * It runs the flows behind the statechart's `authenticate` and `resume` effects: the authenticator
 * (or the holder's resume) runs asynchronously, and the outcome goes back into the statechart as
 * `hearth.authOk` / `hearth.authRefused`. The statechart decides what happens next; its `admit`
 * and `attach` effects come back here to issue the token and answer the request.
 */
export class PlayerLogin {
  readonly #player: PlayerActor;
  readonly #host: PlayerHost;
  #userId: string;
  #token: string | undefined;
  /** `clock.now()` at the login that started this session (kept across resumes and nodes). */
  #loginAt: number;
  /** The request id of the login or resume being answered, or -1. */
  #rid = -1;
  /** The authenticator's extra reply fields, between `hearth.authOk` and the `admit` effect. */
  #fields: LoginFields | undefined;

  /** @param restored the identity of a player restored from another node (logged in there). */
  constructor(player: PlayerActor, host: PlayerHost, restored?: { readonly userId: string; readonly loginAt?: number }) {
    this.#player = player;
    this.#host = host;
    this.#userId = restored?.userId ?? '';
    this.#loginAt = restored === undefined ? 0 : (restored.loginAt ?? host.clock.now());
  }

  /** The logged-in user id; empty before login. */
  get userId(): string {
    return this.#userId;
  }
  /** The resume token (rotated at every login and resume). */
  get token(): string | undefined {
    return this.#token;
  }
  /** When the session's login happened (`clock.now()` ms); a resume keeps it. */
  get loginAt(): number {
    return this.#loginAt;
  }

  /**
   * Whether a resume may take this player (in `phase`, over `link`) over: true unless it closed,
   * its token lifetime is over, or it is connected and its connection had inbound traffic within
   * the heartbeat suspicion time (a live session is never kicked by a resume; a half-open one is replaced).
   */
  resumable(phase: Phase, link: PlayerConnection): ResumeOutcome {
    if (phase === 'closed') return UNKNOWN_TOKEN;
    if (this.#host.clock.now() - this.#loginAt > this.#host.timeouts.tokenLifetime) return EXPIRED_TOKEN;
    if (phase !== 'active') return true;
    const idleMs = link.idleMs(this.#host.clock);
    return idleMs === undefined || idleMs >= this.#host.timeouts.suspectAfter ? true : SESSION_ACTIVE;
  }

  /**
   * The `authenticate` effect: runs the authenticator, checks the user id it returns, claims the
   * user (ending an older actor of it), then sends `hearth.authOk`, or `hearth.authRefused` to answer `rid`.
   */
  async authenticate(credentials: LoginCredentials, rid: number): Promise<void> {
    const player = this.#player;
    let userId: string;
    let fields: LoginFields | undefined;
    try {
      const result = await this.#host.authenticator(credentials, { sessionId: player.sessionId, remoteAddress: player.ref?.info()?.remoteAddress ?? '' });
      if (typeof result === 'string') userId = result;
      else if ('refused' in result) {
        this.#refuse(rid, result.refused, result.text);
        return;
      } else {
        userId = result.userId;
        fields = result.reply;
      }
    } catch (err) {
      const coded = err instanceof HearthError;
      if (!coded) player.log.error({ err }, 'the authenticator threw');
      this.#refuse(rid, coded ? err.code : ErrorCode.INTERNAL, coded ? err.message : 'login failed on the server');
      return;
    }
    if (!this.#awaiting()) return;
    // The id becomes a map key, a Redis key name and a log field: checked even though the authenticator is the app's.
    if (!isUserId(userId)) {
      player.log.warn({ userId: describeRejected(userId) }, 'the authenticator returned a malformed user id; login refused');
      this.#refuse(rid, ErrorCode.BAD_REQUEST, 'the user id is malformed (1-64 of A-Z a-z 0-9 _ . : @ -)');
      return;
    }
    await this.#host.claim(userId, player);
    if (!this.#awaiting()) return;
    this.#rid = rid;
    this.#fields = fields;
    player.transition({ type: 'hearth.authOk', userId });
  }

  /**
   * The `resume` effect: asks the holder to resume the player holding `token` with this player's
   * connection (`attachResuming` on that player follows); a refusal answers `rid`.
   */
  resume(token: string, rid: number): void {
    const ref = this.#player.ref;
    const settle = (outcome: ResumeOutcome): void => {
      if (outcome !== true && this.#awaiting()) this.#refuse(rid, outcome.code, outcome.text);
    };
    const outcome = ref === undefined ? UNKNOWN_TOKEN : this.#host.resume(token, ref, rid, this.#player);
    if (!(outcome instanceof Promise)) {
      settle(outcome);
      return;
    }
    outcome.then(settle, (err: unknown) => {
      this.#player.log.error({ err }, 'resume failed on the server');
      settle({ code: ErrorCode.INTERNAL, text: 'resume failed on the server' });
    });
  }

  /** A resuming connection was attached to this (logged-in) player: the `attach` effect answers its request `rid`. */
  resuming(rid: number): void {
    this.#rid = rid;
  }

  /**
   * The `admit` effect: `userId` is logged in from now on, with a new token. Returns the rest of
   * the login, for the player to run once the login transition is complete: `onJoin`, then the reply.
   */
  admit(userId: string, onJoin: OnJoin): () => void {
    this.#userId = userId;
    this.#loginAt = this.#host.clock.now();
    this.#token = this.#host.issueToken(this.#player, this.#token);
    const rid = this.#rid;
    const fields = this.#fields;
    this.#rid = -1;
    this.#fields = undefined;
    // Connection and token read when sent: an async `onJoin` may outlast either.
    const reply = (): void => void this.#player.ref?.reply(rid, { ...fields, userId, resumeToken: this.#token ?? '' } satisfies LoginReply);
    return () => {
      const player = this.#player;
      const joined = runHook(player, 'onJoin', () => onJoin?.(player, fields ?? {}));
      if (joined === undefined) reply();
      else void joined.then(reply);
    };
  }

  /** The `attach` effect (a resume): a new token, and the resume request answered on `ref`, if still attached. */
  attach(ref: SessionHandle | undefined): void {
    this.#token = this.#host.issueToken(this.#player, this.#token);
    if (ref === undefined) return;
    ref.reply(this.#rid, { userId: this.#userId, resumeToken: this.#token } satisfies LoginReply);
    this.#rid = -1;
  }

  /** Still awaiting login (the session did not close or time out while the flow awaited). */
  #awaiting(): boolean {
    return this.#player.phase === 'awaitingLogin';
  }

  /** `hearth.authRefused`: the statechart answers the request `rid` with the refusal. */
  #refuse(rid: number, code: string, text: string): void {
    this.#player.transition({ type: 'hearth.authRefused', rid, code, text });
  }
}
