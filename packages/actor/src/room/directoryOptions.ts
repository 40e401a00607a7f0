import { randomBytes } from 'node:crypto';
import type { RoomOptions } from '@hearth/protocol';
import { ErrorCode, HearthError } from '@hearth/protocol';
import type { RoomDefinition } from './RoomDefinition.ts';

/** Most characters of a room's options (JSON) kept in the directory; more is refused `BAD_REQUEST`. */
const MAX_OPTIONS_JSON = 4_096;

/** A room id: 12 characters of [A-Za-z0-9_-]. */
export function newRoomId(): string {
  return randomBytes(9).toString('base64url');
}

/** The filter key of `options` for a kind: its `filterBy` values as JSON. */
export function filterKey(definition: RoomDefinition<unknown, unknown>, options: RoomOptions): string {
  const key = JSON.stringify((definition.spec.filterBy ?? []).map((k) => options[k] ?? null));
  if (key.length > 512) throw new HearthError(ErrorCode.BAD_REQUEST, 'filter options too long (512 characters of JSON at most)');
  return key;
}

export function optionsJson(options: RoomOptions): string {
  const json = JSON.stringify(options);
  if (json.length > MAX_OPTIONS_JSON) throw new HearthError(ErrorCode.BAD_REQUEST, `room options too long (${MAX_OPTIONS_JSON} characters of JSON at most)`);
  return json;
}

export function parseOptions(json: string): RoomOptions {
  try {
    const v = JSON.parse(json) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as RoomOptions) : {};
  } catch {
    return {};
  }
}
