import type { InboundMessage } from '@hearth/protocol';
import { ErrorCode, HearthError, Kind } from '@hearth/protocol';
import type { SessionHandle } from '../transport.ts';
import type { PlayerActor } from './PlayerActor.ts';

/**
 * Serves a routed message (`definePlayer(...).route(name, Definition)`): it becomes the statechart
 * event `type` (a `MessageEvent`: payload, `reply`, `fail`). A request the transition did not
 * answer is answered `BAD_REQUEST` (no transition took it), its code (an action threw a
 * `HearthError`) or `INTERNAL` (an action threw anything else; the player was rolled back).
 */
export function routeToStatechart(player: PlayerActor, type: string, ref: SessionHandle, msg: InboundMessage): void {
  const rid = msg.kind === Kind.REQUEST ? msg.rid : -1;
  let answered = rid < 0;
  const event = {
    type,
    payload: msg.payload,
    reply(value: unknown): void {
      if (answered) return;
      answered = true;
      ref.reply(rid, value === undefined ? null : value);
    },
    fail(code: string, text = ''): void {
      if (answered) return;
      answered = true;
      ref.replyError(rid, code, text);
    },
  };
  const outcome = player.transition(event);
  if (answered) return;
  // Taken but not answered yet: an action may answer later (e.g. after a cross-node call), so
  // `reply` / `fail` stay usable.
  if (outcome === 'ok') return;
  answered = true;
  if (outcome === 'unhandled') {
    ref.replyError(rid, ErrorCode.BAD_REQUEST, `"${type}" is not accepted in state ${JSON.stringify(player.state)}`);
    return;
  }
  const failure = player.takeFailure();
  if (failure instanceof HearthError) ref.replyError(rid, failure.code, failure.message);
  else ref.replyError(rid, ErrorCode.INTERNAL, `"${type}" failed on the server`);
}
