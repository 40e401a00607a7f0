import { defineMessage, HearthError } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { definePlayer } from '../../src/index.ts';
import { cleanup, clientService, connect, memoryLogger, startServer } from '../helpers.ts';

const Fail = defineMessage<{ coded: boolean }, boolean>(120, 'test.asyncFail');
const Echo2 = defineMessage<{ n: number }, { n: number }>(121, 'test.echo2');

afterEach(cleanup);

/** An async fast-path handler that rejects, sent as a push (no rid): nothing may reach `unhandledRejection`. */
describe('a rejected async handler', () => {
  it('sent as a push is caught and logged; the process and the session carry on', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { logger, lines } = memoryLogger();
      const player = definePlayer({ data: () => ({}) })
        .handle(Fail, async (_p, { coded }) => {
          await Promise.resolve();
          if (coded) throw new HearthError('NOPE', 'coded refusal');
          throw new Error('async boom');
        })
        .handle(Echo2, (_p, payload) => payload);
      const { port } = await startServer(player, { logger });
      const client = await connect(clientService(), port);
      await client.login('ann');
      client.send(Fail, { coded: false });
      client.send(Fail, { coded: true });
      // The same connection still answers, after both pushes were handled (one batch, in order).
      await expect(client.request(Echo2, { n: 7 })).resolves.toEqual({ n: 7 });
      // Let any stray rejection surface (it would be reported after the microtasks above).
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
      expect(lines.some((l) => l['msg'] === 'message handler threw; answered INTERNAL')).toBe(true);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
