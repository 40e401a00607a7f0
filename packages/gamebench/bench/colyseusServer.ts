/**
 * The same game on Colyseus 0.16, on its defaults (but a 120 s seat reservation: see onCreate; WebSocket transport, `patchRate` 50 ms = 20
 * state patches a second, msgpack messages): rooms of 16 (`maxClients`), a `MapSchema` of players
 * with `x`, `y` (uint16, Arena's world units), a `move` message that checks the position like Arena
 * (integers on the 1000×1000 plane) and sets it. Forked by run.ts: `colyseusServer.ts PORT`; tells its
 * parent `{ type: 'ready' }` once it listens on 127.0.0.1.
 */
import { Room, Server, type Client } from '@colyseus/core';
import { schema, type MapSchema } from '@colyseus/schema';
import { WebSocketTransport } from '@colyseus/ws-transport';

const PlayerState = schema({ x: 'uint16', y: 'uint16' }, 'PlayerState');
type PlayerState = InstanceType<typeof PlayerState>;
const GameState = schema({ players: { map: PlayerState } }, 'GameState');
type GameState = InstanceType<typeof GameState> & { players: MapSchema<PlayerState> };

const WORLD = 1000;
const isCoord = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= WORLD;

class GameRoom extends Room<GameState> {
  override maxClients = 16;

  override onCreate(): void {
    this.state = new GameState();
    // The one knob off its default (15 s): joins on a loaded machine take longer; steady state is unaffected.
    this.setSeatReservationTime(120);
    this.onMessage('move', (client: Client, m: { x?: unknown; y?: unknown } | undefined) => {
      const p = this.state.players.get(client.sessionId);
      if (p === undefined || m === undefined || m === null || !isCoord(m.x) || !isCoord(m.y)) return;
      p.x = m.x;
      p.y = m.y;
    });
  }

  override onJoin(client: Client): void {
    this.state.players.set(client.sessionId, new PlayerState({ x: 100 + Math.floor(Math.random() * 800), y: 100 + Math.floor(Math.random() * 800) }));
  }

  override onLeave(client: Client): void {
    this.state.players.delete(client.sessionId);
  }
}

const port = Number(process.argv[2]);
const server = new Server({ transport: new WebSocketTransport(), greet: false });
server.define('game', GameRoom);
await server.listen(port, '127.0.0.1');
process.send?.({ type: 'ready' });
// Colyseus shuts down on SIGTERM/SIGINT by itself (its graceful shutdown, then exit).
