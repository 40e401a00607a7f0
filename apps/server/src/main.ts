#!/usr/bin/env node
/**
 * `hearth-server`: the Arena sample game on a Hearth node.
 * Exit codes: 0 after a graceful SIGINT/SIGTERM shutdown, 2 bad flags or key file, 1 anything else.
 *
 * On start-up it logs `listening` with the bound addresses (`{"event":"listening","tcp":"tcp://…",
 * "ws":"ws://…","admin":"http://…","publicKey":"…","node":…}` as a JSON line with `--log-format
 * json`), so scripts and tests can start it on port 0 and read the real ports. With `--workers N`
 * every worker logs its own `listening` line (`worker` 0..N-1, its own `node` id and admin port),
 * then the primary logs one `workers-listening` line once all of them listen.
 */
import { Buffer } from 'node:buffer';
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { AUTHENTICATORS } from './auth/authenticators.ts';
import { InsecureAuthWarning } from './auth/InsecureAuthWarning.ts';
import { isLoopbackHost } from './auth/isLoopbackHost.ts';
import { FlagError, formatHelp } from './cli/parseFlags.ts';
import { SERVER_FLAGS, parseServerConfig, type ServerConfig } from './config/ServerConfig.ts';
import { createLogger } from './createLogger.ts';
import { KeyFileError, loadOrCreateSigningKey } from './keys/loadOrCreateSigningKey.ts';
import { PgliteLockedError } from './pgliteLock.ts';
import { startServer, type RunningServer } from './startServer.ts';

/** What a worker tells the primary once it listens. */
interface WorkerListening {
  event: 'listening';
  worker: number;
  node: string | null;
  tcp: string;
  ws: string;
  admin: string | null;
}

async function main(): Promise<number> {
  let config;
  try {
    // isTTY is undefined (despite its type) when stdout is not a terminal.
    config = parseServerConfig(process.argv.slice(2), process.env, process.stdout.isTTY ?? false);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    process.stderr.write(`hearth-server: ${err.message}\n`);
    return 2;
  }
  if (config === 'help') {
    process.stdout.write(`${formatHelp('Usage: hearth-server [flags]', SERVER_FLAGS)}\n`);
    return 0;
  }
  const logger = createLogger(config.logLevel, config.logFormat);
  if (config.workers > 1 && cluster.isPrimary) return runPrimary(config, logger);
  const worker = cluster.isWorker ? Number(process.env['HEARTH_WORKER'] ?? cluster.worker?.id ?? 0) : undefined;
  return runNode(worker === undefined ? config : workerConfig(config, worker), logger.child(worker === undefined ? {} : { worker }), worker);
}

/** Worker `i` of `--workers`: the same flags, its own admin port (`adminPort + i`; 0 stays ephemeral). */
function workerConfig(config: ServerConfig, i: number): ServerConfig {
  return { ...config, adminPort: config.adminPort > 0 ? config.adminPort + i : config.adminPort };
}

/** One node: start, log `listening`, wait for a signal, shut down in order. */
async function runNode(config: ServerConfig, logger: Logger, worker: number | undefined): Promise<number> {
  let server: RunningServer;
  try {
    server = await startServer(config, logger);
  } catch (err) {
    if (err instanceof KeyFileError) {
      process.stderr.write(`hearth-server: --key-file: ${err.message}\n`);
      return 2;
    }
    if (err instanceof PgliteLockedError) {
      process.stderr.write(`hearth-server: ${err.message}\n`);
      return 1;
    }
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      process.stderr.write(`hearth-server: cannot listen (${code}): ${(err as Error).message}; choose other --host/--tcp-port/--ws-port/--admin-port\n`);
      return 1;
    }
    if (code === 'BACKPLANE_UNAVAILABLE') {
      process.stderr.write(`hearth-server: --redis: cannot reach ${config.redis}: is redis-server running there?\n`);
      return 1;
    }
    throw err;
  }
  const publicKey = Buffer.from(server.key.publicKey).toString('hex');
  if (worker === undefined || worker === 0) {
    if (server.key.created) logger.info({ keyFile: config.keyFile }, `created signing key ${config.keyFile} (mode 0600)`);
    logger.info({ publicKey, publicKeyFile: server.key.publicKeyFile }, `server signing key ${publicKey} (bots pin it with --server-key-file ${server.key.publicKeyFile})`);
  }
  // `--insecure-dev-auth`: said at start and every minute while the server runs.
  const exposed = AUTHENTICATORS[config.auth].insecure && !isLoopbackHost(config.host) && (worker === undefined || worker === 0);
  const insecureWarning = exposed ? new InsecureAuthWarning(logger, config.host) : undefined;
  const mode = server.nodeId === undefined ? 'in-memory' : `cluster node ${server.nodeId}`;
  logger.info(
    {
      event: 'listening',
      tcp: server.tcp,
      ws: server.ws,
      admin: server.admin ?? null,
      protocol: config.protocol,
      auth: config.auth,
      publicKey,
      node: server.nodeId ?? null,
    },
    `listening on ${server.tcp} and ${server.ws} (${config.protocol}, ${mode}, --auth ${config.auth})${server.admin ? `, admin ${server.admin}/metrics` : ''}`,
  );
  if (worker !== undefined) {
    process.send?.({ event: 'listening', worker, node: server.nodeId ?? null, tcp: server.tcp, ws: server.ws, admin: server.admin ?? null } satisfies WorkerListening);
  }

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      // A second signal while draining: give up waiting.
      process.once(signal, () => process.exit(1));
      resolve();
    };
    if (worker === undefined) process.once('SIGINT', () => stop('SIGINT'));
    // A worker leaves Ctrl-C (which the terminal sends to the whole process group) to the primary,
    // which forwards SIGTERM: one orderly signal per worker.
    else process.on('SIGINT', () => {});
    process.once('SIGTERM', () => stop('SIGTERM'));
    // The primary went away (killed): stop rather than run on as an orphan.
    if (worker !== undefined) process.once('disconnect', () => stop('disconnect'));
  });
  insecureWarning?.stop();
  // Rooms outlive a restart (docs/rooms.md): in a cluster, hand every room to the other nodes first.
  // (Only the handoff here: the close below stays bounded by --shutdown-deadline-ms.)
  await server.node.roomFailover?.drain().catch((err: unknown) => logger.error({ err }, 'room handoff failed; closing'));
  await server.close();
  logger.info('stopped');
  // A worker's IPC channel would keep it alive: let go of it (the primary sees exit code 0).
  if (worker !== undefined) cluster.worker?.disconnect();
  return 0;
}

/**
 * `--workers N`: the primary forks N workers (each a full node: its own backplane and node id) that
 * share the game ports (node:cluster spreads connections), forwards SIGINT/SIGTERM to them as
 * SIGTERM and exits when they all have: 0 if each exited 0. A worker that dies is not restarted:
 * its players reconnect and resume on the others (resume tokens work on any node). Workers place
 * rooms with `roomPlacement: 'local'` (startServer): a player's joinOrCreate fills its own worker's
 * rooms, so each worker runs its rooms on its core and their updates never cross Redis.
 */
async function runPrimary(config: ServerConfig, logger: Logger): Promise<number> {
  // Created once here, so N workers do not race to create the key file.
  const key = loadOrCreateSigningKey(config.keyFile);
  if (key.created) logger.info({ keyFile: config.keyFile }, `created signing key ${config.keyFile} (mode 0600)`);
  logger.info({ event: 'primary', workers: config.workers, pid: process.pid }, `starting ${config.workers} workers (node:cluster, Redis ${config.redis})`);
  const workers = new Map<number, Worker>();
  const listening = new Map<number, WorkerListening>();
  const exits: Array<Promise<number | null>> = [];
  let stopping = false;
  for (let i = 0; i < config.workers; i++) {
    const w = cluster.fork({ HEARTH_WORKER: String(i) });
    workers.set(i, w);
    w.on('message', (m: WorkerListening) => {
      if (m?.event !== 'listening') return;
      listening.set(m.worker, m);
      if (listening.size !== config.workers) return;
      const all = [...listening.values()].sort((a, b) => a.worker - b.worker);
      logger.info(
        { event: 'workers-listening', workers: all.length, tcp: all[0]!.tcp, ws: all[0]!.ws, admin: all.map((x) => x.admin), nodes: all.map((x) => x.node) },
        `${all.length} workers listening on ${all[0]!.tcp} and ${all[0]!.ws}`,
      );
    });
    exits.push(
      new Promise((resolve) =>
        w.on('exit', (code, signal) => {
          workers.delete(i);
          if (!stopping) logger.error({ worker: i, code, signal }, `worker ${i} exited (${code ?? signal}); its players resume on the others`);
          resolve(code);
        }),
      ),
    );
  }
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping workers');
    for (const w of workers.values()) w.process.kill('SIGTERM');
    process.once(signal, () => {
      for (const w of workers.values()) w.process.kill('SIGKILL');
      process.exit(1);
    });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  const codes = await Promise.all(exits);
  logger.info({ codes }, 'workers stopped');
  return stopping && codes.every((c) => c === 0) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`hearth-server: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
