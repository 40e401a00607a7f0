import { createNode, devAuthenticator, type Backplane, type HearthNode } from '@hearth/actor';
import * as actorModule from '@hearth/actor';
import { Service } from '@hearth/net';
import type { Logger } from 'pino';
import { AdminServer } from './admin/AdminServer.ts';
import type { AdminSource } from './admin/AdminSource.ts';
import { createMetrics } from './admin/createMetrics.ts';
import { ArenaWorld } from './arena/ArenaWorld.ts';
import { defineArenaPlayer, type ArenaPlayerData, type ArenaPlayerEvents } from './arena/arenaPlayer.ts';
import type { ServerConfig } from './config/ServerConfig.ts';
import { loadOrCreateSigningKey, type SigningKey } from './keys/loadOrCreateSigningKey.ts';

/** A running Arena server. */
export interface RunningServer extends AsyncDisposable {
  /** Bound game addresses (real ports, also when 0 was asked). */
  readonly tcp: string;
  readonly ws: string;
  /** Admin URL, when the endpoint is on. */
  readonly admin: string | undefined;
  readonly key: SigningKey;
  readonly world: ArenaWorld;
  readonly node: HearthNode<ArenaPlayerData, ArenaPlayerEvents>;
  readonly service: Service;
  /** Graceful stop: `SHUTDOWN` to every player, leave hooks, flush, close listeners. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts Arena on a Hearth node: the signing key, the transport service, the node (holder, binder,
 * listeners), the game world and the admin endpoint.
 *
 * @throws {KeyFileError} when the key file is unusable (before anything listens).
 * @example
 * await using server = await startServer({ ...config, tcpPort: 0, wsPort: 0 }, logger);
 * console.log(server.tcp); // tcp://127.0.0.1:54321
 */
export async function startServer(config: ServerConfig, logger: Logger): Promise<RunningServer> {
  const key = loadOrCreateSigningKey(config.keyFile);
  const service = new Service({ logger });
  const backplane = config.redis !== undefined ? await startRedisBackplane(config.redis, logger) : undefined;

  // The world broadcasts through the holder's groups; the holder exists once the node does.
  let node: HearthNode<ArenaPlayerData, ArenaPlayerEvents> | undefined;
  const world = new ArenaWorld({
    outbox: { broadcast: (group, definition, payload) => node?.holder.broadcast(group, definition, payload) ?? 0 },
    tickHz: config.tickHz,
  });
  // Read at scrape time only, once the node exists.
  const holder = () => node!.holder;
  const source: AdminSource = {
    stats: () => service.stats(),
    sessions: () => {
      const idle = new Map(service.sessions().map((s) => [s.id, s.idleMs]));
      return holder().snapshots().map((p) => ({
        id: p.sessionId,
        user: p.userId ?? null,
        remoteAddress: p.remoteAddress ?? null,
        state: p.state,
        idleMs: idle.get(p.sessionId) ?? null,
        groups: [...p.groups],
      }));
    },
    actorsByState: () => {
      const counts: Record<string, number> = {};
      for (const p of holder().snapshots()) {
        const top = typeof p.state === 'string' ? p.state : (Object.keys(p.state)[0] ?? 'unknown');
        counts[top] = (counts[top] ?? 0) + 1;
      }
      return counts;
    },
    gameGauges: () => ({ arena_rooms: world.roomCount, arena_players: holder().size, arena_ranked_users: world.leaderboard.size }),
  };
  const metrics = createMetrics(source);
  const player = defineArenaPlayer(world, { observe: (type, seconds) => metrics.requestDuration.observe({ type }, seconds) });
  const secure = config.protocol === 'msgpack+nacl';
  const acceptOptions = secure ? { signingSecretKey: key.secretKey } : {};
  try {
    node = await createNode({
      service,
      player,
      authenticate: devAuthenticator,
      logger: logger.child({ component: 'actor' }),
      ...(backplane !== undefined ? { backplane } : {}),
      listen: [
        { address: `tcp://${hostPart(config.host)}:${config.tcpPort}`, protocol: config.protocol, options: acceptOptions },
        { address: `ws://${hostPart(config.host)}:${config.wsPort}`, protocol: config.protocol, options: acceptOptions },
      ],
    });
  } catch (err) {
    world[Symbol.dispose]();
    await service.close();
    await backplane?.close();
    throw err;
  }
  const liveNode = node;

  let admin: AdminServer | undefined;
  if (config.adminPort >= 0) {
    try {
      admin = await AdminServer.listen({ source, registry: metrics.registry, host: config.adminHost, port: config.adminPort });
    } catch (err) {
      await liveNode.close();
      world[Symbol.dispose]();
      await service.close();
      await backplane?.close();
      throw err;
    }
  }

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await admin?.close();
      await liveNode.close('SHUTDOWN');
      world[Symbol.dispose]();
      await service.close();
      await backplane?.close();
    })());
  return {
    tcp: liveNode.endpoints[0]!.address,
    ws: liveNode.endpoints[1]!.address,
    admin: admin?.url,
    key,
    world,
    node: liveNode,
    service,
    close,
    [Symbol.asyncDispose]: close,
  };
}

function hostPart(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Cluster mode: the actor layer's Redis backplane (looked up by name until it is exported). */
async function startRedisBackplane(url: string, logger: Logger): Promise<Backplane & { close(): Promise<void> }> {
  const RedisBackplane = (actorModule as Record<string, unknown>)['RedisBackplane'] as
    | (new (options: { url: string; logger?: Logger }) => Backplane & { start(): Promise<void>; close(): Promise<void> })
    | undefined;
  if (RedisBackplane === undefined) throw new Error('cluster mode (--redis) needs RedisBackplane from @hearth/actor, which this build lacks');
  const backplane = new RedisBackplane({ url, logger: logger.child({ component: 'cluster' }) });
  await backplane.start();
  return backplane;
}
