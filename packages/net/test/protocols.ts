import { newService } from './helpers.ts';

/** The protocols every transport test runs with: the test one plus the built-ins that are registered. */
export const TEST_PROTOCOLS: string[] = (() => {
  const probe = newService();
  const names = ['trivial', 'msgpack', 'msgpack+nacl'].filter((n) => probe.protocols.has(n));
  void probe.close();
  return names;
})();
