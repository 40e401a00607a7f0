import { randomBytes } from 'node:crypto';
import type { PlayerActor } from '../player/PlayerActor.ts';

/**
 * The live player actors of a node, found by session id (inbound messages, closes), by user id
 * (pushes, kicks) and by resume token. Plain maps: what keeps them consistent is that only the
 * holder's parts write them, at login, resume, token rotation and close.
 */
export class PlayerRegistry {
  readonly #players = new Set<PlayerActor>();
  readonly #bySession = new Map<number, PlayerActor>();
  readonly #byUser = new Map<string, PlayerActor>();
  readonly #byToken = new Map<string, PlayerActor>();

  /** Live actors (any state but closed). */
  get size(): number {
    return this.#players.size;
  }

  [Symbol.iterator](): Iterator<PlayerActor> {
    return this.#players[Symbol.iterator]();
  }

  add(player: PlayerActor): void {
    this.#players.add(player);
  }

  atSession(sessionId: number): PlayerActor | undefined {
    return this.#bySession.get(sessionId);
  }

  bindSession(sessionId: number, player: PlayerActor): void {
    this.#bySession.set(sessionId, player);
  }

  /** Forgets a session id if it still maps to `player` (any player when `player` is undefined). */
  unbindSession(sessionId: number, player?: PlayerActor): void {
    if (player === undefined || this.#bySession.get(sessionId) === player) this.#bySession.delete(sessionId);
  }

  ofUser(userId: string): PlayerActor | undefined {
    return this.#byUser.get(userId);
  }

  /** Makes `player` the holder of `userId`; returns the actor it replaced (still to be ended), if any. */
  setUser(userId: string, player: PlayerActor): PlayerActor | undefined {
    const older = this.#byUser.get(userId);
    this.#byUser.set(userId, player);
    return older === player ? undefined : older;
  }

  ofToken(token: string): PlayerActor | undefined {
    return this.#byToken.get(token);
  }

  /** A new resume token for `player` (the old one, `previous`, stops working). 18 random bytes, base64url. */
  issueToken(player: PlayerActor, previous: string | undefined): string {
    if (previous !== undefined) this.#byToken.delete(previous);
    const token = randomBytes(18).toString('base64url');
    this.#byToken.set(token, player);
    return token;
  }

  /** Forgets a closed actor; true if it was its user's holder here (the directory entry is to be released). */
  remove(player: PlayerActor): boolean {
    this.#players.delete(player);
    const token = player.token;
    if (token !== undefined && this.#byToken.get(token) === player) this.#byToken.delete(token);
    const userId = player.userId;
    if (userId === '' || this.#byUser.get(userId) !== player) return false;
    this.#byUser.delete(userId);
    return true;
  }
}
