/** Where the game is and the key to pin, as the server's `/config.json` says. */
export interface GameConfig {
  /** WebSocket address of the game. */
  ws: string;
  protocol: 'msgpack+nacl' | 'msgpack';
  /** The server's Ed25519 public key, 64 hex digits (pinned: a server without it is refused). */
  serverKey: string;
  /** Room snapshot rate. */
  tickHz: number;
  /** The server's `--auth`: `dev` logs in by name, `device` / `accounts` as a guest device. */
  auth: string;
}

/**
 * Reads `/config.json` from the page's origin (the server's admin port, or Vite's dev server which
 * forwards it). `?ws=` overrides the game address (a proxy, another node). A wildcard host in the
 * address (`0.0.0.0`, `[::]`) means the page's own host.
 * @throws {Error} when the config is missing or malformed.
 */
export async function loadConfig(location: Location = window.location): Promise<GameConfig> {
  const res = await fetch('/config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`/config.json: HTTP ${res.status}; is the Hearth server running with its admin port?`);
  const raw = (await res.json()) as Partial<GameConfig>;
  if (typeof raw.ws !== 'string' || typeof raw.serverKey !== 'string' || !/^[0-9a-f]{64}$/i.test(raw.serverKey)) {
    throw new Error('/config.json: expected { ws, serverKey (64 hex digits), protocol, tickHz }');
  }
  const override = new URLSearchParams(location.search).get('ws');
  const ws = new URL(override ?? raw.ws);
  if (ws.hostname === '0.0.0.0' || ws.hostname === '[::]') ws.hostname = location.hostname;
  return {
    ws: ws.href,
    protocol: raw.protocol === 'msgpack' ? 'msgpack' : 'msgpack+nacl',
    serverKey: raw.serverKey,
    tickHz: typeof raw.tickHz === 'number' && raw.tickHz > 0 ? raw.tickHz : 20,
    auth: typeof raw.auth === 'string' ? raw.auth : 'dev',
  };
}
