// The timings and the proxy shared by the tests behind the fault-injecting proxy (faults.test,
// roomsResume.test).
import type { ClientOptions } from '@hearth/client';
import { track } from './clients.ts';
import { FaultProxy, seededRandom } from './FaultProxy.ts';

/** Server timings short enough for a test: a silent connection is closed after 1 s, grace 20 s. */
export const FAULT_TIMEOUTS = { heartbeatTimeout: 1_000, grace: 20_000, queueLimit: 10_000 };

/** Client timings: ping every 100 ms, declare the link dead after 800 ms of silence, redial fast. */
export function faultClientOptions(seed: number): Partial<ClientOptions> {
  return {
    pingIntervalMs: 100,
    heartbeatTimeoutMs: 800,
    handshakeTimeoutMs: 2_000,
    requestTimeoutMs: 10_000,
    reconnect: { initialDelayMs: 50, maxDelayMs: 300 },
    random: seededRandom(seed),
  };
}

/** A fault proxy (seeded) in front of `port`, closed at the test's cleanup. */
export async function startFaultProxy(port: number, seed: number): Promise<FaultProxy> {
  const proxy = await FaultProxy.start(port, seed);
  track(() => proxy.close());
  return proxy;
}
