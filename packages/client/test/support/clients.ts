import type { CloseInfo, HearthClient } from '../../src/index.ts';

/** Disposable fixtures, closed in reverse order by `cleanup()` (call it in afterEach). */
const fixtures: (() => Promise<void> | void)[] = [];
export async function cleanup(): Promise<void> {
  for (const close of fixtures.splice(0).reverse()) await close();
}
export function track(close: () => Promise<void> | void): void {
  fixtures.push(close);
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
