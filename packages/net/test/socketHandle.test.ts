import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { handleWriter, readThroughHandle, type HandleReadOwner, type HandleWriteOwner } from '../src/transport/socketHandle.ts';

/** A connected pair on 127.0.0.1: `writer` (server side) and `reader` (client side, paused). */
async function pair(): Promise<{ server: Server; writer: Socket; reader: Socket }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const reader = connect((server.address() as { port: number }).port, '127.0.0.1');
  reader.pause();
  await once(reader, 'connect');
  const [writer] = await accepted;
  return { server, writer, reader };
}

/** Reads everything until the peer's FIN. */
async function readAll(reader: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  reader.on('data', (c: Buffer) => chunks.push(c));
  reader.resume();
  await once(reader, 'end');
  return Buffer.concat(chunks);
}

/** A chunk of `n` bytes whose content says where it is in the stream (`seq`, position). */
function chunk(seq: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (seq * 31 + i) & 0xff;
  return out;
}

class Owner implements HandleWriteOwner {
  queued = 0;
  done: { bytes: number; status: number }[] = [];
  handleWriteDone(bytes: number, status: number): void {
    this.queued -= bytes;
    this.done.push({ bytes, status });
  }
}

const open: { server: Server; writer: Socket; reader: Socket }[] = [];
afterEach(() => {
  for (const p of open.splice(0)) {
    p.writer.destroy();
    p.reader.destroy();
    p.server.close();
  }
});

// Contract test of the one file that reads Node internals: on a pinned major the path must be on
// (a Node upgrade that changes stream_base_commons shows here, not as a silent slowdown).
describe('handleWriter (writes through the socket handle)', () => {
  const pinned = [20].includes(Number(process.versions.node.split('.')[0]));

  it.runIf(pinned)('is available on this Node major', () => {
    expect(handleWriter).toBeDefined();
  });

  it.runIf(pinned)('a peer that does not read: writes are queued in libuv, reported done, and arrive whole and in order', async () => {
    const p = await pair();
    open.push(p);
    const write = handleWriter!;
    const owner = new Owner();
    const sent: Uint8Array[] = [];
    // Write until the kernel buffers are full and libuv queues (deterministic: the reader is paused).
    let seq = 0;
    while (owner.queued === 0) {
      const c = chunk(seq++, 256 * 1024);
      sent.push(c);
      const q = write(p.writer, c, owner);
      expect(q).toBeGreaterThanOrEqual(0);
      owner.queued += q;
      expect(seq).toBeLessThan(1000);
    }
    // A later direct write queues behind it, and a socket.write behind both.
    const more = chunk(seq++, 1000);
    sent.push(more);
    owner.queued += write(p.writer, more, owner);
    const viaWritable = chunk(seq++, 500);
    sent.push(viaWritable);
    p.writer.write(viaWritable);
    // Now the Writable holds bytes: the handle path steps aside.
    expect(write(p.writer, chunk(0, 10), owner)).toBe(-1);
    p.writer.end(); // the FIN goes after every queued byte
    const got = await readAll(p.reader);
    expect(got.equals(Buffer.concat(sent))).toBe(true);
    expect(owner.queued).toBe(0);
    expect(owner.done.length).toBeGreaterThan(0);
    expect(owner.done.every((d) => d.status === 0)).toBe(true);
  });

  it.runIf(pinned)('steps aside (-1) for a socket still connecting, corked, ended or destroyed', async () => {
    const p = await pair();
    open.push(p);
    const write = handleWriter!;
    const owner = new Owner();
    const dialing = connect((p.server.address() as { port: number }).port, '127.0.0.1');
    expect(write(dialing, chunk(0, 4), owner)).toBe(-1);
    await once(dialing, 'connect');
    dialing.destroy();
    expect(write(dialing, chunk(0, 4), owner)).toBe(-1);
    p.writer.cork();
    expect(write(p.writer, chunk(9, 4), owner)).toBe(-1); // corked, even with nothing held yet
    p.writer.write(chunk(1, 4));
    expect(write(p.writer, chunk(2, 4), owner)).toBe(-1);
    p.writer.uncork();
    p.writer.end();
    expect(write(p.writer, chunk(3, 4), owner)).toBe(-1);
    expect((await readAll(p.reader)).equals(Buffer.from(chunk(1, 4)))).toBe(true);
  });

  it.runIf(pinned)('a write to a reset connection ends the socket with the write error', async () => {
    const p = await pair();
    open.push(p);
    const write = handleWriter!;
    const owner = new Owner();
    p.reader.resetAndDestroy();
    // The RST has arrived once the writer's read side reports it.
    const closed = new Promise((resolve) => p.writer.once('close', resolve)); // (events.once would reject on 'error')
    const errored = new Promise<Error>((resolve) => p.writer.once('error', resolve));
    p.writer.resume();
    // Write until a write fails (the first may still be accepted before the RST is processed).
    for (let i = 0; i < 100 && !p.writer.destroyed; i++) {
      write(p.writer, chunk(i, 64), owner);
      await new Promise((r) => setImmediate(r));
    }
    const error = (await errored) as NodeJS.ErrnoException;
    expect(['EPIPE', 'ECONNRESET']).toContain(error.code);
    await closed;
    expect(p.writer.destroyed).toBe(true);
  });
});

/** Collects what arrives through the handle and through 'data', in one arrival order. */
class Reader implements HandleReadOwner {
  readonly got: { via: 'handle' | 'data'; bytes: Buffer }[] = [];
  #waiters: { n: number; resolve: () => void }[] = [];
  handleRead(chunk: Uint8Array): void {
    this.#add('handle', Buffer.from(chunk));
  }
  data = (chunk: Buffer): void => {
    this.#add('data', chunk);
  };
  get bytes(): Buffer {
    return Buffer.concat(this.got.map((g) => g.bytes));
  }
  /** Resolves once `n` bytes in all have arrived. */
  until(n: number): Promise<void> {
    return new Promise((resolve) => {
      this.#waiters.push({ n, resolve });
      this.#check();
    });
  }
  #add(via: 'handle' | 'data', bytes: Buffer): void {
    this.got.push({ via, bytes });
    this.#check();
  }
  #check(): void {
    const have = this.bytes.length;
    this.#waiters = this.#waiters.filter((w) => (have >= w.n ? (w.resolve(), false) : true));
  }
}

describe('readThroughHandle (reads from the socket handle)', () => {
  const pinned = [20].includes(Number(process.versions.node.split('.')[0]));

  it.runIf(pinned)('a flowing socket: reads go to the owner, not through the stream; EOF still ends it', async () => {
    const p = await pair();
    open.push(p);
    const reader = new Reader();
    p.writer.on('data', reader.data);
    expect(readThroughHandle(p.writer, reader)).toBe(true);
    const ended = new Promise((resolve) => p.writer.once('end', resolve));
    p.reader.write(chunk(1, 100));
    await reader.until(100);
    p.reader.write(chunk(2, 70_000));
    await reader.until(70_100);
    expect(reader.bytes.equals(Buffer.concat([chunk(1, 100), chunk(2, 70_000)]))).toBe(true);
    expect(reader.got.every((g) => g.via === 'handle')).toBe(true);
    p.reader.end();
    await ended;
  });

  it.runIf(pinned)('a paused socket: its bytes wait in the stream and come out first, in order, on resume', async () => {
    const p = await pair();
    open.push(p);
    const reader = new Reader();
    p.writer.on('data', reader.data);
    readThroughHandle(p.writer, reader);
    p.reader.write(chunk(1, 10));
    await reader.until(10);
    p.writer.pause();
    p.reader.write(chunk(2, 20));
    // The paused socket's bytes are in its Readable (nothing reached the owner).
    while (p.writer.readableLength < 20) await new Promise((r) => setImmediate(r));
    expect(reader.bytes.length).toBe(10);
    p.writer.resume();
    await reader.until(30);
    p.reader.write(chunk(3, 30));
    await reader.until(60);
    expect(reader.bytes.equals(Buffer.concat([chunk(1, 10), chunk(2, 20), chunk(3, 30)]))).toBe(true);
    expect(reader.got.map((g) => g.via)).toEqual(['handle', 'data', 'handle']);
  });

  it.runIf(pinned)('a socket with an idle timeout reads through its stream (Node touches the timer per read)', async () => {
    const p = await pair();
    open.push(p);
    const reader = new Reader();
    p.writer.on('data', reader.data);
    readThroughHandle(p.writer, reader);
    p.writer.setTimeout(60_000);
    p.reader.write(chunk(1, 10));
    await reader.until(10);
    expect(reader.got.map((g) => g.via)).toEqual(['data']);
    p.writer.setTimeout(0);
  });
});
