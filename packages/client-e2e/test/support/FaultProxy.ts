import { createServer, connect, type Server, type Socket } from 'node:net';

/** A seeded pseudo-random source (mulberry32): faults are reproducible run to run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Mode = 'normal' | 'stalled' | 'halfOpen';

/** One direction of one proxied connection: an ordered queue of chunks with their due times. */
class Pipe {
  readonly #to: Socket;
  readonly #proxy: FaultProxy;
  readonly #queue: { due: number; chunk: Buffer }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #lastDue = 0;

  constructor(to: Socket, proxy: FaultProxy) {
    this.#to = to;
    this.#proxy = proxy;
  }

  push(chunk: Buffer, mode: Mode): void {
    if (mode === 'halfOpen') return; // swallowed: the peer never hears of it
    // In order: a chunk is never due before the one ahead of it.
    this.#lastDue = Math.max(this.#lastDue, Date.now() + this.#proxy.delay());
    this.#queue.push({ due: this.#lastDue, chunk });
    this.pump(mode);
  }

  pump(mode: Mode): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (mode !== 'normal') return;
    const now = Date.now();
    while (this.#queue.length > 0 && this.#queue[0]!.due <= now) {
      const { chunk } = this.#queue.shift()!;
      if (!this.#to.destroyed) this.#to.write(chunk);
    }
    if (this.#queue.length > 0) this.#timer = setTimeout(() => this.pump(this.#proxy.modeOf(this)), this.#queue[0]!.due - now);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#queue.length = 0;
  }
}

/** One client connection through the proxy. */
interface Pair {
  client: Socket;
  upstream: Socket | undefined;
  mode: Mode;
  pipes: Pipe[];
}

/**
 * A TCP proxy in front of a server that injects network faults, for TCP and WebSocket alike
 * (it moves bytes, it does not parse them):
 * - `latency(ms, jitterMs)`: every chunk is delayed, in order per direction;
 * - `stall()` / `restore()`: current connections stop moving bytes, then deliver all they held;
 * - `blackout()`: like a stall, and new connections hang unanswered until `restore()`;
 * - `cut()`: every current connection is dropped (bytes in the proxy are lost);
 * - `halfOpen()`: current connections swallow everything silently, forever, and never close.
 */
export class FaultProxy {
  readonly #server: Server;
  readonly #target: { host: string; port: number };
  readonly #pairs = new Set<Pair>();
  readonly #random: () => number;
  #latencyMs = 0;
  #jitterMs = 0;
  #blackout = false;
  #refusing = false;
  #held: Socket[] = [];
  /** Connections accepted so far. */
  accepted = 0;

  private constructor(server: Server, target: { host: string; port: number }, random: () => number) {
    this.#server = server;
    this.#target = target;
    this.#random = random;
    server.on('connection', (socket) => this.#accept(socket));
  }

  static async start(targetPort: number, seed = 1): Promise<FaultProxy> {
    const server = createServer();
    const proxy = new FaultProxy(server, { host: '127.0.0.1', port: targetPort }, seededRandom(seed));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as { port: number }).port;
  }

  /** Live proxied connections. */
  get connections(): number {
    return this.#pairs.size;
  }

  /** @internal the delay of the next chunk, in ms */
  delay(): number {
    return this.#latencyMs + Math.floor(this.#jitterMs * this.#random());
  }

  /** @internal */
  modeOf(pipe: Pipe): Mode {
    for (const pair of this.#pairs) if (pair.pipes.includes(pipe)) return pair.mode;
    return 'normal';
  }

  latency(ms: number, jitterMs = 0): void {
    this.#latencyMs = ms;
    this.#jitterMs = jitterMs;
  }

  stall(): void {
    for (const pair of this.#pairs) if (pair.mode === 'normal') pair.mode = 'stalled';
  }

  blackout(): void {
    this.#blackout = true;
    this.stall();
  }

  /** Ends a stall or blackout: held bytes flow, held connections are connected upstream. */
  restore(): void {
    this.#blackout = false;
    for (const pair of this.#pairs) {
      if (pair.mode !== 'stalled') continue;
      pair.mode = 'normal';
      for (const pipe of pair.pipes) pipe.pump('normal');
    }
    for (const socket of this.#held.splice(0)) if (!socket.destroyed) this.#connect(socket);
  }

  /**
   * The server is unreachable: current connections are cut and new ones are reset at once (a
   * dial fails fast, as when the host is down), until {@link up}.
   */
  down(): void {
    this.#refusing = true;
    this.cut();
  }

  /** Ends {@link down}. */
  up(): void {
    this.#refusing = false;
  }

  cut(): void {
    for (const pair of [...this.#pairs]) this.#drop(pair);
  }

  halfOpen(): void {
    for (const pair of this.#pairs) pair.mode = 'halfOpen';
  }

  async close(): Promise<void> {
    this.cut();
    for (const socket of this.#held.splice(0)) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    this.accepted++;
    socket.on('error', () => {});
    if (this.#refusing) {
      socket.resetAndDestroy();
      return;
    }
    if (this.#blackout) {
      // The network is down: the SYN was "answered" but nothing gets through until restore().
      socket.pause();
      this.#held.push(socket);
      return;
    }
    this.#connect(socket);
  }

  #connect(client: Socket): void {
    const upstream = connect(this.#target);
    upstream.setNoDelay(true);
    client.setNoDelay(true);
    const pair: Pair = { client, upstream, mode: 'normal', pipes: [] };
    const toServer = new Pipe(upstream, this);
    const toClient = new Pipe(client, this);
    pair.pipes.push(toServer, toClient);
    this.#pairs.add(pair);
    upstream.on('error', () => {});
    client.on('data', (chunk: Buffer) => toServer.push(chunk, pair.mode));
    upstream.on('data', (chunk: Buffer) => toClient.push(chunk, pair.mode));
    client.resume();
    // A close on either side ends the pair, unless it is half-open (the other side never hears).
    const ended = (): void => {
      if (pair.mode === 'halfOpen') return;
      this.#drop(pair);
    };
    client.on('close', ended);
    upstream.on('close', ended);
  }

  #drop(pair: Pair): void {
    if (!this.#pairs.delete(pair)) return;
    for (const pipe of pair.pipes) pipe.stop();
    pair.client.destroy();
    pair.upstream?.destroy();
  }
}
