import type { Server } from 'node:net';

/**
 * Starts `server` listening on host:port and resolves the bound port (the real one for port 0).
 * Rejects with the listen error (EADDRINUSE, EACCES, ...). Shared by the TCP and WS acceptors.
 */
export async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  return typeof bound === 'object' && bound !== null ? bound.port : port;
}
