import { createNode, type HearthNode, type HolderStats, type LoginThrottleOptions } from '@hearth/actor';
import { Accounts, DEFAULT_PGLITE_DIR, accountOf, openStorage, redact, type Storage } from '@hearth/storage';
import type { RedisBackplane } from '@hearth/actor/cluster';
import { Service, type Limits } from '@hearth/net';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { AdminServer } from './admin/AdminServer.ts';
import type { AdminSession, AdminSource, ClusterView } from './admin/AdminSource.ts';
import { createMetrics } from './admin/createMetrics.ts';
import { defineArenaPlayer } from './arena/arenaPlayer.ts';
import { defineArenaRoom } from './arena/arenaRoom.ts';
import { Chat, Echo, Leaderboard as LeaderboardRequest, Move, Tag, WhereAmI, Whisper } from './arena/messages.ts';
import { RedisLeaderboard } from './arena/RedisLeaderboard.ts';
import { Leaderboard, type ScoreBoard } from './arena/rules/Leaderboard.ts';
import { StorageLeaderboard } from './arena/StorageLeaderboard.ts';
import { AUTHENTICATORS, createAuthenticator } from './auth/authenticators.ts';
import type { ServerConfig } from './config/ServerConfig.ts';
import { loadOrCreateSigningKey, type SigningKey } from './keys/loadOrCreateSigningKey.ts';
import { lockPgliteDir, pgliteDirOf } from './pgliteLock.ts';
import { resolveWebDir } from './web/defaultWebDir.ts';
import { WebRoutes } from './web/WebRoutes.ts';

/** A running Arena server. */
export interface RunningServer extends AsyncDisposable {
  /** Bound game addresses (real ports, also when 0 was asked). */
  readonly tcp: string;
  readonly ws: string;
  /** Admin URL, when the endpoint is on. */
  readonly admin: string | undefined;
  readonly key: SigningKey;
  /** Arena's best scores: storage (`--database`), Redis (`--redis`) or in memory. */
  readonly leaderboard: ScoreBoard;
  /** This node's cluster id (`--redis`), else undefined. */
  readonly nodeId: string | undefined;
  readonly node: HearthNode<Record<string, never>, never>;
  readonly service: Service;
  /** Accounts and leaderboard storage (`--database`), when the server uses it. */
  readonly storage: Storage | undefined;
  /** Graceful stop: `SHUTDOWN` to every player, leave hooks, flush, close listeners. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts Arena on a Hearth node: the signing key, the transport service, the node (holder, binder,
 * listeners) serving Arena's room kind and player, and the admin endpoint.
 *
 * @throws {KeyFileError} when the key file is unusable (before anything listens).
 * @example
 * await using server = await startServer({ ...config, tcpPort: 0, wsPort: 0 }, logger);
 * console.log(server.tcp); // tcp://127.0.0.1:54321
 */
export async function startServer(config: ServerConfig, logger: Logger): Promise<RunningServer> {
  const key = loadOrCreateSigningKey(config.keyFile);
  const tls = config.tls === undefined ? undefined : readTls(config.tls);
  // Storage (accounts, Arena's leaderboard): opened and migrated before anything listens.
  // The first start on PGlite creates its database (initdb: seconds; docs/storage.md): said first.
  if (config.storage) logger.info({ event: 'storage-opening', database: describeDatabase(config.database) }, `opening storage ${describeDatabase(config.database)}`);
  // One process per PGlite folder: a second server on it (a second `pnpm dev`) stops here, saying what to do.
  const pgliteDir = config.storage ? pgliteDirOf(config.database, DEFAULT_PGLITE_DIR) : undefined;
  const unlockPglite = pgliteDir === undefined ? () => {} : lockPgliteDir(pgliteDir);
  const storage = config.storage
    ? await openStorage(config.database).catch((err: unknown) => {
        unlockPglite();
        throw err;
      })
    : undefined;
  const closeStorage = async () => {
    await storage?.close();
    unlockPglite();
  };
  let authenticate;
  let leaderboard: StorageLeaderboard | undefined;
  try {
    authenticate = await createAuthenticator(config, logger, { accounts: storage && new Accounts(storage) });
    leaderboard =
      storage &&
      (await StorageLeaderboard.open(storage, {
        // Dev logins have no account row: the board makes one per scoring user.
        ensureUsers: !AUTHENTICATORS[config.auth].storage,
        onWriteFailed: (err) => logger.warn({ err, component: 'arena' }, 'leaderboard write failed; kept for a retry'),
      }));
  } catch (err) {
    await closeStorage();
    throw err;
  }
  // Cluster mode: the backplane is started (connected, node registered) before the node exists.
  const backplane = config.redis !== undefined ? await startRedisBackplane(config, logger) : undefined;
  const service = new Service({ logger, limits: transportLimits(config) });

  let node: HearthNode<Record<string, never>, never> | undefined;
  // The board tags are recorded on: shared by every node in a cluster (storage, else Redis).
  const scores: ScoreBoard = leaderboard ?? (backplane !== undefined ? new RedisLeaderboard(backplane.redis, config.redisPrefix) : new Leaderboard());
  // Read at scrape time only, once the node exists.
  const holder = () => node!.holder;
  const source: AdminSource = {
    stats: () => service.stats(),
    // One page only: a snapshot per listed player, not per player on the node.
    sessions: (offset, limit) => {
      const page: AdminSession[] = holder()
        .snapshots(offset, limit)
        .map((p) => ({
          id: p.sessionId,
          user: p.userId ?? null,
          remoteAddress: p.remoteAddress ?? null,
          state: p.state,
          idleMs: service.acquire(p.sessionId).info()?.idleMs ?? null,
          groups: [...p.groups],
        }));
      return { total: holder().size, sessions: page };
    },
    actorsByState: () => {
      const counts: Record<string, number> = {};
      for (const p of holder().snapshots()) {
        const top = typeof p.state === 'string' ? p.state : (Object.keys(p.state)[0] ?? 'unknown');
        counts[top] = (counts[top] ?? 0) + 1;
      }
      return counts;
    },
    gameGauges: () => {
      let seated = 0;
      let rooms = 0;
      for (const room of node!.rooms.rooms()) {
        rooms += 1;
        seated += room.members.size;
      }
      return { arena_rooms: rooms, arena_seated: seated, arena_ranked_users: scores.size, arena_players: holder().size };
    },
    cluster: () => clusterView(backplane, holder().stats),
  };
  // Request times by message name, the player's and the room's (`/metrics`, the dashboard): these names only.
  const requestTypes = [Move, Chat, Tag, WhereAmI, LeaderboardRequest, Whisper, Echo].map((m) => m.name);
  const metrics = createMetrics(source, { cluster: backplane !== undefined, requestTypes });
  const { observe } = metrics;
  const player = defineArenaPlayer({ leaderboard: scores, observe });
  const arena = defineArenaRoom({
    leaderboard: scores,
    observe,
    tickHz: config.tickHz,
    ...(storage !== undefined && AUTHENTICATORS[config.auth].storage
      ? { displayName: async (userId: string) => (await storage.getProfile(userId))?.displayName }
      : {}),
    ...(config.spawn !== undefined ? { spawn: () => ({ ...config.spawn! }) } : {}),
  });
  const secure = config.protocol === 'msgpack+nacl';
  const acceptOptions = { ...(secure ? { signingSecretKey: key.secretKey } : {}), ...(tls !== undefined && { tls }) };
  try {
    node = await createNode({
      service,
      player,
      rooms: [arena],
      authenticate,
      loginThrottle: loginThrottleOf(config),
      logger: logger.child({ component: 'actor' }),
      ...(backplane !== undefined ? { backplane } : {}),
      // --workers: a room's players stay on the worker they joined from (its updates never cross Redis).
      roomPlacement: config.workers > 1 ? 'local' : 'fill',
      listen: [
        { address: `tcp://${hostPart(config.host)}:${config.tcpPort}`, protocol: config.protocol, options: acceptOptions },
        { address: `ws://${hostPart(config.host)}:${config.wsPort}`, protocol: config.protocol, options: acceptOptions },
      ],
    });
  } catch (err) {
    await service.close();
    await backplane?.close();
    await closeStorage();
    throw err;
  }
  const liveNode = node;

  let admin: AdminServer | undefined;
  if (config.adminPort >= 0) {
    try {
      // The page and the dashboard (src/web): the holder is read per request, the game's address once.
      const routes = new WebRoutes({
        source,
        registry: metrics.registry,
        webDir: resolveWebDir(config.webDir),
        page: { ws: liveNode.endpoints[1]!.address, protocol: config.protocol, serverKey: Buffer.from(key.publicKey).toString('hex'), tickHz: config.tickHz, auth: config.auth },
        dashboard: {
          rooms: () => [...liveNode.rooms.rooms()].map((room) => ({ name: room.id, players: room.members.size })),
          player: (id) => {
            const p = holder().atSession(id);
            return p === undefined ? undefined : { ...p.snapshot(), data: p.data };
          },
        },
      });
      admin = await AdminServer.listen({ source, registry: metrics.registry, host: config.adminHost, port: config.adminPort, token: config.adminToken, routes });
    } catch (err) {
      await liveNode.close();
      await service.close();
      await backplane?.close();
      await closeStorage();
      throw err;
    }
  }

  let closing: Promise<void> | undefined;
  // Shutdown order (docs/cluster.md): players told SHUTDOWN and their leave hooks run (directory
  // entries and parked records released), rooms disposed, sockets flushed, then the backplane
  // drains (node registration removed) and disconnects.
  // Bounded by --shutdown-deadline-ms whatever players, hooks or sockets do (docs/security.md,
  // "Shutdown"): the backplane is closed (the node deregistered) even when the rest overruns.
  const close = () =>
    (closing ??= (async () => {
      const endBy = performance.now() + config.shutdownDeadlineMs;
      const stopped = (async () => {
        await admin?.close();
        await liveNode.close('SHUTDOWN');
        await service.close({ deadlineMs: Math.max(0, endBy - performance.now()) });
        await leaderboard?.flush();
        if (scores instanceof RedisLeaderboard) await scores.flush(); // the last turn's scores, before the backplane closes
        await closeStorage();
      })();
      if ((await within(stopped, config.shutdownDeadlineMs + SHUTDOWN_GRACE_MS, logger)) === 'late') {
        logger.warn({ deadlineMs: config.shutdownDeadlineMs }, 'shutdown deadline passed; closing the backplane anyway');
      }
      if (backplane !== undefined && (await within(backplane.close(), SHUTDOWN_GRACE_MS * 4, logger)) === 'late') {
        logger.warn('the backplane did not close in time; exiting without it');
      }
    })());
  return {
    tcp: liveNode.endpoints[0]!.address,
    ws: liveNode.endpoints[1]!.address,
    admin: admin?.url,
    key,
    leaderboard: scores,
    node: liveNode,
    nodeId: backplane?.nodeId,
    service,
    storage,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** What shutdown allows past its deadline for destroyed sockets to report (net allows 100 ms). */
const SHUTDOWN_GRACE_MS = 500;

/** Waits for `work` at most `ms`; a failure is logged, not thrown (shutdown carries on). */
async function within(work: Promise<unknown>, ms: number, logger: Logger): Promise<'done' | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, ms, 'late')));
  const done = work.then(
    () => 'done' as const,
    (err: unknown) => {
      logger.error({ err }, 'shutdown step failed');
      return 'done' as const;
    },
  );
  try {
    return await Promise.race([done, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The flags' transport limits (0 turns a per-address limit off). */
function transportLimits(config: ServerConfig): Limits {
  return {
    ...(config.maxConnections !== undefined ? { maxConnections: config.maxConnections } : {}),
    maxConnectionsPerAddress: config.maxConnectionsPerAddress > 0 ? config.maxConnectionsPerAddress : false,
    handshakeRatePerAddress:
      config.handshakesPerSecondPerAddress > 0
        ? { perSecond: config.handshakesPerSecondPerAddress, burst: 4 * config.handshakesPerSecondPerAddress }
        : false,
  };
}

/** `--login-failures-per-*` as `createNode`'s `loginThrottle` (0: no limit; both 0: no throttle). */
function loginThrottleOf(config: ServerConfig): LoginThrottleOptions | false {
  if (config.loginFailuresPerAddress === 0 && config.loginFailuresPerUser === 0) return false;
  const limit = (n: number) => (n === 0 ? Infinity : n);
  return {
    maxFailuresPerAddress: limit(config.loginFailuresPerAddress),
    maxFailuresPerUser: limit(config.loginFailuresPerUser),
    // Accounts logins: a device id counts as an account too (username, email as by default).
    ...(AUTHENTICATORS[config.auth].storage ? { userOf: accountOf } : {}),
  };
}

/** `--database` for a log line: the engine and where, never a password. */
function describeDatabase(database: string | undefined): string {
  return database === undefined ? `pglite:${DEFAULT_PGLITE_DIR}` : redact(database);
}

function hostPart(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * Cluster mode: the node's `RedisBackplane`, connected and registered. Loaded with a dynamic import
 * so that a one-process server never loads ioredis (~300 ms, ~21 MB RSS).
 */
async function startRedisBackplane(config: ServerConfig, logger: Logger): Promise<RedisBackplane> {
  const { RedisBackplane } = await import('@hearth/actor/cluster');
  const backplane = new RedisBackplane({
    url: config.redis!,
    keyPrefix: config.redisPrefix,
    heartbeatMs: config.clusterHeartbeatMs,
    ...(config.clusterSecret !== undefined && { clusterSecret: config.clusterSecret }),
    logger,
  });
  try {
    await backplane.start();
  } catch (err) {
    await backplane.close({ drain: false });
    throw err;
  }
  backplane.on('down', () => logger.warn({ event: 'redis-down' }, 'redis lost: local play continues, cross-node calls fail with BACKPLANE_UNAVAILABLE'));
  backplane.on('up', ({ recovered }) => {
    if (recovered) logger.info({ event: 'redis-up' }, 'redis back: node, users and rooms re-registered');
  });
  return backplane;
}

/** The admin endpoint's cluster view: live nodes (from Redis) and this node's cross-node counters. */
function clusterView(backplane: RedisBackplane | undefined, holder: HolderStats): ClusterView {
  if (backplane === undefined) {
    return { mode: 'memory', nodeId: undefined, available: true, nodes: () => Promise.resolve([]), counters: {} };
  }
  return {
    mode: 'redis',
    nodeId: backplane.nodeId,
    available: backplane.available,
    nodes: () => backplane.nodes(),
    counters: {
      ...Object.fromEntries(Object.entries(backplane.stats()).map(([k, n]) => [`backplane_${k}`, n])),
      holder_remote_dropped: holder.remoteDropped,
      holder_resumed_from_other_nodes: holder.resumedFromOtherNodes,
      holder_resumed_elsewhere: holder.resumedElsewhere,
    },
  };
}

/** The PEM files of `--tls-cert`/`--tls-key`, read before anything listens. */
function readTls(files: { certFile: string; keyFile: string }): { cert: string; key: string } {
  const read = (flag: string, file: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (cause) {
      throw new Error(`${flag}: cannot read ${file}: ${(cause as Error).message}`, { cause });
    }
  };
  return { cert: read('--tls-cert', files.certFile), key: read('--tls-key', files.keyFile) };
}
