/**
 * Echo helpers shared by the net and actor benchmarks: the raw `node:net` baselines (length-prefixed
 * frames with batched writes, raw bytes or @msgpack/msgpack bodies) and the drivers that measure
 * throughput (many in flight on several connections) and light-load latency (one in flight).
 *
 * @example
 * const server = await startRawEchoServer('msgpack');
 * const factory = rawEchoClient(server.port, 'msgpack', 64);
 * const msgsPerSec = await driveThroughput(factory, { connections: 4, inFlight: 64, warmupMs: 200, durationMs: 1000 });
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Decoder, Encoder, decode, encode } from '@msgpack/msgpack';

/** Body codec of a raw baseline: opaque bytes, or a msgpack object decoded and re-encoded on each hop. */
export type RawCodec = 'bytes' | 'msgpack' | 'msgpack-reused';

// 'msgpack' uses the library's top-level encode/decode (a new Encoder per call); 'msgpack-reused'
// keeps one Encoder and Decoder, the way a tuned server would.
const sharedEncoder = new Encoder();
const sharedDecoder = new Decoder();
const codecEncode = (codec: RawCodec, value: unknown): Uint8Array =>
  codec === 'msgpack-reused' ? sharedEncoder.encode(value) : encode(value);
const codecDecode = (codec: RawCodec, body: Uint8Array): unknown =>
  codec === 'msgpack-reused' ? sharedDecoder.decode(body) : decode(body);

/** One client connection of an echo benchmark. */
export interface EchoLink {
  /** Queues one message stamped `t` (performance.now()); the link batches its writes. */
  send(t: number): void;
  close(): void | Promise<void>;
}

/** Opens one client connection; `onEcho(t)` is called with the stamp of each echoed message. */
export type EchoLinkFactory = (onEcho: (t: number) => void) => Promise<EchoLink>;

/** A running echo server. */
export interface EchoServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Calls `onFrame` for each u32-BE length-prefixed body in a stream; a body split across chunks is
 * assembled in a carried buffer (views otherwise).
 */
export function frameParser(onFrame: (body: Buffer) => void): (chunk: Buffer) => void {
  let carry: Buffer | undefined;
  return (chunk) => {
    let buf = chunk;
    if (carry !== undefined) {
      buf = Buffer.concat([carry, chunk]);
      carry = undefined;
    }
    let at = 0;
    while (buf.length - at >= 4) {
      const len = buf.readUInt32BE(at);
      if (buf.length - at - 4 < len) break;
      onFrame(buf.subarray(at + 4, at + 4 + len));
      at += 4 + len;
    }
    if (at < buf.length) carry = Buffer.from(buf.subarray(at));
  };
}

/** Collects frames and writes them with one socket write per batch (the "batched writes" of the baseline). */
export class FrameBatch {
  #parts: Buffer[] = [];
  #bytes = 0;
  readonly #socket: Socket;
  constructor(socket: Socket) {
    this.#socket = socket;
  }
  add(body: Uint8Array): void {
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32BE(body.length, 0);
    this.#parts.push(header, body as Buffer);
    this.#bytes += 4 + body.length;
  }
  flush(): void {
    if (this.#parts.length === 0) return;
    const out = Buffer.concat(this.#parts, this.#bytes);
    this.#parts = [];
    this.#bytes = 0;
    this.#socket.write(out);
  }
}

/** A raw `node:net` echo server: every frame is echoed (msgpack: decoded and re-encoded); one write per read. */
export async function startRawEchoServer(codec: RawCodec): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const batch = new FrameBatch(socket);
    const parse = frameParser(
      // A view is safe to keep until flush: a 'data' chunk is never reused.
      codec === 'bytes' ? (body) => batch.add(body) : (body) => batch.add(codecEncode(codec, codecDecode(codec, body))),
    );
    socket.on('data', (chunk: Buffer) => {
      parse(chunk);
      batch.flush();
    });
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Client links of the raw baseline: `payloadBytes` of payload plus the stamp, batched per turn. */
export function rawEchoClient(port: number, codec: RawCodec, payloadBytes: number): EchoLinkFactory {
  const data = new Uint8Array(payloadBytes).fill(7);
  return async (onEcho) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.on('error', () => {});
    const batch = new FrameBatch(socket);
    let scheduled = false;
    const flush = (): void => {
      scheduled = false;
      batch.flush();
    };
    socket.on(
      'data',
      frameParser(
        codec === 'bytes'
          ? (body) => onEcho(body.readDoubleLE(0))
          : (body) => onEcho((codecDecode(codec, body) as { t: number }).t),
      ),
    );
    return {
      send(t) {
        if (codec === 'bytes') {
          const body = Buffer.allocUnsafe(8 + payloadBytes);
          body.writeDoubleLE(t, 0);
          body.set(data, 8);
          batch.add(body);
        } else {
          batch.add(codecEncode(codec, { t, data }));
        }
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      },
      close: () => {
        socket.destroy();
      },
    };
  };
}

/** Options of {@link driveThroughput}. */
export interface ThroughputOptions {
  connections: number;
  /** Messages kept in flight per connection. */
  inFlight: number;
  warmupMs: number;
  durationMs: number;
  /** If given, receives this process's CPU time (user + system) per echo over the measured window, in µs. */
  cpu?: { usPerMsg: number };
}

/** Echo round trips per second with `inFlight` messages outstanding on each of `connections` links. */
export async function driveThroughput(factory: EchoLinkFactory, options: ThroughputOptions): Promise<number> {
  let count = 0;
  let counting = false;
  let running = true;
  const links: EchoLink[] = [];
  for (let c = 0; c < options.connections; c++) {
    const holder: { link?: EchoLink } = {};
    const link = await factory(() => {
      if (counting) count++;
      if (running) holder.link!.send(performance.now());
    });
    holder.link = link;
    links.push(link);
  }
  for (const link of links) for (let i = 0; i < options.inFlight; i++) link.send(performance.now());
  await sleep(options.warmupMs);
  counting = true;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  await sleep(options.durationMs);
  counting = false;
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  if (options.cpu !== undefined) options.cpu.usPerMsg = count > 0 ? (cpu.user + cpu.system) / count : NaN;
  running = false;
  const total = count;
  await sleep(20);
  for (const link of links) await link.close();
  return (total / elapsed) * 1000;
}

/** Latency at light load: one connection, one message in flight; p50/p99 in µs over `rounds` round trips. */
export async function driveLatency(factory: EchoLinkFactory, rounds: number): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const warm = Math.min(200, rounds >> 2);
  let n = 0;
  const holder: { link?: EchoLink } = {};
  const link = await factory((t) => {
    n++;
    if (n > warm) samples.push(performance.now() - t);
    if (n < rounds + warm) holder.link!.send(performance.now());
    else done();
  });
  holder.link = link;
  link.send(performance.now());
  await finished;
  await link.close();
  samples.sort((a, b) => a - b);
  const at = (q: number): number => Math.round(samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]! * 1000);
  return { p50: at(0.5), p99: at(0.99) };
}

/** The median of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
