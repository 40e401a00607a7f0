/** Room codes that end a membership on purpose: the page does not join again after them. */
const FINAL: ReadonlySet<string> = new Set(['KICKED', 'LEFT', 'BANNED']);

/** Codes of a room request whose room's node stopped answering (it died; the room lives on elsewhere or not at all). */
const SILENT: ReadonlySet<string> = new Set(['ROOM_UNREACHABLE', 'TIMEOUT']);

/**
 * Whether the page joins a room again (`joinOrCreate`) after its room handle ended with `code`:
 * yes for a room that went away (`ROOM_DISPOSED`, `ROOM_NOT_FOUND`, `NOT_IN_ROOM`, a resync
 * refusal, …), no after a kick or a leave (the server meant it). A client that closed for good is
 * not asked: the page logs in again instead.
 */
export function rejoinsAfter(code: string): boolean {
  return !FINAL.has(code);
}

/** Whether a failed room request means the room's node is gone (the handle is then given up and a room joined again). */
export function roomSilent(code: string | undefined): boolean {
  return code !== undefined && SILENT.has(code);
}
