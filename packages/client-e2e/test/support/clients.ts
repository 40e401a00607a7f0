import { HearthClient, type ClientEvents, type ClientOptions, type CloseInfo } from '@hearth/client';
import type { TestNode } from './game.ts';

/** Disposable fixtures, closed in reverse order by `cleanup()` (call it in afterEach). */
const fixtures: (() => Promise<void> | void)[] = [];
export async function cleanup(): Promise<void> {
  for (const close of fixtures.splice(0).reverse()) await close();
}
export function track(close: () => Promise<void> | void): void {
  fixtures.push(close);
}

export type TransportName = 'tcp' | 'ws';

/** The URL of a test node (or of a proxy port in front of it) for a transport. */
export function urlOf(transport: TransportName, port: number): string {
  return `${transport}://127.0.0.1:${port}`;
}

/** A client of `node` (closed by cleanup). */
export function clientOf(node: TestNode, transport: TransportName, options: Partial<ClientOptions> = {}): HearthClient {
  const client = new HearthClient({
    url: urlOf(transport, transport === 'tcp' ? node.tcpPort : node.wsPort),
    serverKey: node.publicKeyHex,
    ...options,
  });
  track(() => client.close());
  return client;
}

/** Resolves with the next `event` of `client`. */
export function next<K extends keyof ClientEvents>(client: HearthClient, event: K): Promise<Parameters<ClientEvents[K]>[0]> {
  return new Promise((resolve) => {
    const off = client.on(event, ((arg: unknown) => {
      off();
      resolve(arg as Parameters<ClientEvents[K]>[0]);
    }) as ClientEvents[K]);
  });
}

/** Records every lifecycle event of a client, in order. */
export function recordEvents(client: HearthClient): string[] {
  const log: string[] = [];
  client.on('connected', () => log.push('connected'));
  client.on('resumed', () => log.push('resumed'));
  client.on('disconnected', (i: CloseInfo) => log.push(`disconnected ${i.code}`));
  client.on('closed', (i: CloseInfo) => log.push(`closed ${i.code}`));
  return log;
}
