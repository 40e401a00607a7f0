import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ErrorCode } from '@hearth/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../src/index.ts';
import { Add, Echo, closeOf, collect, newService } from './helpers.ts';
import { TEST_PROTOCOLS } from './protocols.ts';

// The client is a Service (service.connect): net's client and server in two processes, over every test protocol (trivial included).

let child: ChildProcess;
let addresses: Record<string, string>;
const clients: Service[] = [];

beforeAll(async () => {
  const script = fileURLToPath(new URL('./fixtures/echoServer.ts', import.meta.url));
  child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@hearth/source', script, TEST_PROTOCOLS.join(',')], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, HEARTH_NET_LOG: '0' },
  });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await once(lines, 'line')) as [string];
  addresses = JSON.parse(line) as Record<string, string>;
}, 30_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close({ deadlineMs: 1000 })));
  if (child.exitCode === null) {
    child.stdin!.end();
    await once(child, 'exit');
  }
});

describe('client and server in two processes', () => {
  describe.each(['tcp', 'ws'])('%s', (transport) => {
    it.each(TEST_PROTOCOLS)('echoes and answers over %s', async (protocol) => {
      const client = newService();
      clients.push(client);
      const ref = await client.connect(addresses[`${transport} ${protocol}`]!, protocol, { reconnect: false });
      const got = collect(client, Echo.type);
      for (let i = 0; i < 500; i++) ref.send(Echo, { n: i, data: new Uint8Array(100).fill(i & 0xff) });
      const msgs = await got.until(500);
      expect(msgs.map((m) => (m.payload as { n: number }).n)).toEqual([...Array(500).keys()]);
      expect(Uint8Array.from((msgs[499]!.payload as { data: Uint8Array }).data)).toEqual(new Uint8Array(100).fill(499 & 0xff));
      await expect(ref.request(Add, { a: 40, b: 2 })).resolves.toBe(42);
    });
  });

  it('sees SHUTDOWN when the server process closes gracefully', async () => {
    const client = newService();
    clients.push(client);
    const protocol = TEST_PROTOCOLS[TEST_PROTOCOLS.length - 1]!;
    const ref = await client.connect(addresses[`tcp ${protocol}`]!, protocol, { reconnect: false });
    const closed = closeOf(client, ref.id);
    child.stdin!.write('close\n');
    await expect(closed).resolves.toMatchObject({ code: ErrorCode.SHUTDOWN, by: 'remote' });
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
  });
});
