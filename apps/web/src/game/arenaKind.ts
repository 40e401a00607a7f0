import { defineRoomKind } from '@hearth/client';
import { ARENA_ROOM, ArenaState } from '@hearth/server/messages';
import { Mirror } from '@hearth/state';

/** Arena's room kind for `client.joinOrCreate`: its state is mirrored from the room's patches. */
export const ArenaKind = defineRoomKind(ARENA_ROOM).synced(() => new Mirror(ArenaState));
