import { ErrorCode, HearthError } from '@hearth/protocol';
import type { RoomInstance } from './RoomInstance.ts';
import type { MemberLink } from './RoomMember.ts';

/**
 * A member's message to its room (`room.send [roomId, type, payload]`, from this node or forwarded
 * from the member's node): the kind's handler for `type`, the payload validated by its definition.
 * Returns the handler's reply (or promise).
 * @throws HearthError `UNKNOWN_TYPE` (no handler), `BAD_REQUEST` (validation failed), or the handler's.
 * @internal
 */
export function dispatchToRoom(room: RoomInstance, member: MemberLink, type: unknown, payload: unknown): unknown {
  const route = typeof type === 'number' ? room.definition.routeOf(type) : undefined;
  if (route === undefined) throw new HearthError(ErrorCode.UNKNOWN_TYPE, `room kind "${room.kind}" handles no message type ${String(type).slice(0, 32)}`);
  const validate = route.definition.validate;
  if (validate !== undefined && !validate(payload)) throw new HearthError(ErrorCode.BAD_REQUEST, `payload of "${route.definition.name}" failed validation`);
  return room.handle(route, member, payload);
}
