#!/usr/bin/env node
/**
 * `hearth-server`: the Arena sample game on a Hearth node.
 * Exit codes: 0 after a graceful SIGINT/SIGTERM shutdown, 2 bad flags or key file, 1 anything else.
 *
 * On start-up it logs `listening` with the bound addresses (`{"event":"listening","tcp":"tcp://…",
 * "ws":"ws://…","admin":"http://…","publicKey":"…"}` as a JSON line with `--log-format json`), so
 * scripts and tests can start it on port 0 and read the real ports.
 */
import { Buffer } from 'node:buffer';
import { FlagError, formatHelp } from './cli/parseFlags.ts';
import { SERVER_FLAGS, parseServerConfig } from './config/ServerConfig.ts';
import { createLogger } from './createLogger.ts';
import { KeyFileError } from './keys/loadOrCreateSigningKey.ts';
import { startServer, type RunningServer } from './startServer.ts';

async function main(): Promise<number> {
  let config;
  try {
    config = parseServerConfig(process.argv.slice(2), process.env, process.stdout.isTTY === true);
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
  let server: RunningServer;
  try {
    server = await startServer(config, logger);
  } catch (err) {
    if (err instanceof KeyFileError) {
      process.stderr.write(`hearth-server: --key-file: ${err.message}\n`);
      return 2;
    }
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      process.stderr.write(`hearth-server: cannot listen (${code}): ${(err as Error).message}; choose other --host/--tcp-port/--ws-port/--admin-port\n`);
      return 1;
    }
    throw err;
  }
  const publicKey = Buffer.from(server.key.publicKey).toString('hex');
  if (server.key.created) logger.info({ keyFile: config.keyFile }, `created signing key ${config.keyFile} (mode 0600)`);
  logger.info({ publicKey, publicKeyFile: server.key.publicKeyFile }, `server signing key ${publicKey} (bots pin it with --server-key-file ${server.key.publicKeyFile})`);
  logger.info(
    { event: 'listening', tcp: server.tcp, ws: server.ws, admin: server.admin ?? null, protocol: config.protocol, publicKey },
    `listening on ${server.tcp} and ${server.ws} (${config.protocol})${server.admin ? `, admin ${server.admin}/metrics` : ''}`,
  );

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      // A second signal while draining: give up waiting.
      process.once(signal, () => process.exit(1));
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await server.close();
  logger.info('stopped');
  return 0;
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
