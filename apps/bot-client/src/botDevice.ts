import { createHash } from 'node:crypto';

/**
 * The device credentials of bot `name`, sent beside `{ name }` in its login: a server with
 * `--auth dev` reads the name, one with `--auth accounts` or `device` logs the bot in as the guest
 * account of device `hearth-bot-<name>` (created at its first login, the same on every run).
 * The secret is derived from the name, so anyone who knows a bot's name can log in as that bot:
 * bot accounts are for load tests, never for players.
 */
export function botDevice(name: string): { device: string; secret: string } {
  return { device: `hearth-bot-${name}`, secret: createHash('sha256').update(`hearth-bot:${name}`).digest('base64url') };
}
