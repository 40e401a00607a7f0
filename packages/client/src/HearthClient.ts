import {
  ErrorCode,
  HearthError,
  Kind,
  Login,
  Resume,
  RoomCreate,
  RoomJoin,
  RoomJoinOrCreate,
  type AnyDefinition,
  type LoginCredentials,
  type LoginReply,
  type Message,
  type Payload,
  type Reply,
  type RoomListing,
  type RoomOptions,
} from '@hearth/protocol';
import { backoffDelay } from './backoff.ts';
import { resolveClientOptions, type ClientOptions, type ResolvedClientOptions, type TrafficStats } from './ClientOptions.ts';
import { Connection } from './connection/Connection.ts';
import { Emitter } from './Emitter.ts';
import { Handlers } from './Handlers.ts';
import { ClientErrorCode, FINAL_CODES, infoOf } from './errors.ts';
import { sleep } from './clock.ts';
import { RequestTable, type PendingRequest } from './RequestTable.ts';
import type { ClientRoom, RoomOf } from './rooms/ClientRoom.ts';
import { ClientRooms } from './rooms/ClientRooms.ts';
import { kindName, type AnyRoomKind, type OptionsOf, type RoomKind } from './rooms/RoomKind.ts';
import { defaultProvider, defaultTransport } from './runtime.ts';
import type { ClientEvents, ClientState, CloseInfo, RequestOptions } from './ClientEvents.ts';

export type { ClientEvents, ClientState, CloseInfo, RequestOptions } from './ClientEvents.ts';

/**
 * A Hearth client: one logical session over a WebSocket (browsers, Node) or TCP (Node)
 * connection, with typed requests, pushes and handlers, and reconnect with resume built in.
 *
 * @example
 * const client = new HearthClient({ url: 'wss://game.example.com', serverKey: '03a107bf…' });
 * client.on(ChatLine, (line) => show(line.text));
 * client.on('disconnected', ({ code }) => showBanner(code));
 * await client.connect();
 * await client.login({ name: 'ada' });
 * const { room } = await client.request(Join, {});
 */
export class HearthClient {
  readonly #options: ResolvedClientOptions;
  readonly #events = new Emitter<ClientEvents>();
  readonly #requests: RequestTable;
  readonly #handlers = new Handlers();
  #state: ClientState = 'idle';
  #connection: Connection | undefined;
  #userId: string | undefined;
  #token: string | undefined;
  #closeInfo: CloseInfo | undefined;
  /** Index in `urls` of the address dialled next. */
  #urlIndex = 0;
  /** Aborts the dial under way when the client closes. */
  readonly #abort = new AbortController();
  /** The rooms joined (made at the first join: a client without rooms listens to no room message). */
  #rooms: ClientRooms | undefined;

  /** @throws {HearthError} `USAGE` on bad options (see {@link ClientOptions}). */
  constructor(options: ClientOptions) {
    this.#options = resolveClientOptions(options);
    this.#requests = new RequestTable(this.#options.clock);
    this.#token = this.#options.resumeToken;
  }

  get state(): ClientState {
    return this.#state;
  }

  /** The logged-in user id, once logged in. */
  get userId(): string | undefined {
    return this.#userId;
  }

  /** The latest resume token (it changes at every login and resume). */
  get resumeToken(): string | undefined {
    return this.#token;
  }

  /** Traffic counters (the object given as `stats`, shared, or the client's own). */
  get stats(): TrafficStats {
    return this.#options.stats;
  }

  /** The address of the current (or next) connection. */
  get url(): string {
    return this.#options.urls[this.#urlIndex]!.href;
  }

  /** Round-trip time of the last ping of the current connection, in ms. */
  get rttMs(): number | undefined {
    return this.#connection?.rttMs;
  }

  /** Read through a getter: TypeScript would keep a narrowed `#state` across awaits. */
  get #closed(): boolean {
    return this.#state === 'closed';
  }

  /** Why the client closed, once `closed`. */
  get closeInfo(): CloseInfo | undefined {
    return this.#closeInfo;
  }

  /**
   * Connects and runs the handshake (and resumes, given a `resumeToken`). With
   * `reconnect.retryFirst` a failed first attempt is retried like a redial; otherwise the first
   * failure rejects and the client is closed.
   * @throws {HearthError} the code of the failure (`CLOSED` unreachable, `HANDSHAKE_FAILED`, ...).
   */
  async connect(): Promise<void> {
    if (this.#state !== 'idle') throw new HearthError(ClientErrorCode.USAGE, `connect() was already called (state ${this.#state})`);
    this.#state = 'connecting';
    const failure = await this.#dialLoop(true, { code: ErrorCode.CLOSED, text: 'not connected' });
    if (failure !== undefined) throw new HearthError(failure.code, failure.text);
  }

  /**
   * Logs in (framework message `login`); keeps the user id and resume token.
   * @throws {HearthError} `UNAUTHENTICATED`, `BAD_REQUEST`, or the application's refusal code.
   */
  async login(credentials: LoginCredentials): Promise<LoginReply> {
    const reply = await this.request(Login, credentials);
    this.#userId = reply.userId;
    this.#token = reply.resumeToken;
    return reply;
  }

  /**
   * Sends a request and resolves with its typed reply. Made while the client is reconnecting, it
   * is sent once the session is back (its timeout runs meanwhile).
   * @throws {HearthError} the server's error code, `TIMEOUT`, `DISCONNECTED` (retryable: the
   * connection dropped while it was in flight), or the final code once the client is closed.
   */
  request<D extends AnyDefinition>(definition: D, payload: Payload<D>, options: RequestOptions = {}): Promise<Reply<D>> {
    if (this.#state === 'idle') return Promise.reject(new HearthError(ClientErrorCode.USAGE, `${definition.name}: call connect() first`));
    if (this.#state === 'closed') return Promise.reject(this.#closedError(definition.name));
    const idempotent = options.idempotent ?? (definition as { idempotent?: boolean }).idempotent ?? false;
    return new Promise<Reply<D>>((resolve, reject) => {
      const entry = this.#requests.add(
        definition,
        payload,
        idempotent,
        options.timeoutMs ?? this.#options.requestTimeoutMs,
        resolve as (reply: unknown) => void,
        reject,
      );
      if (this.#state === 'open') this.#write(entry);
    });
  }

  /** Sends a one-way message; false (not sent) while disconnected or closed. */
  send<D extends AnyDefinition>(definition: D, payload: Payload<D>): boolean {
    const connection = this.#connection;
    if (this.#state !== 'open' || connection === undefined) return false;
    return connection.write((w) => w.push(definition.type, payload));
  }

  /** Listens to a lifecycle event. Returns the function that stops listening. */
  on<K extends keyof ClientEvents>(event: K, listener: ClientEvents[K]): () => void;
  /** Handles pushes of a definition (typed payload). Returns the function that stops handling. */
  on<D extends AnyDefinition>(definition: D, handler: (payload: Payload<D>) => void): () => void;
  on(target: keyof ClientEvents | AnyDefinition, handler: (...args: never[]) => void): () => void {
    if (typeof target === 'string') return this.#events.on(target, handler);
    return this.#handlers.onPush(target, handler as (payload: unknown) => void);
  }

  /** Answers requests the server sends of a definition (typed); others get `UNKNOWN_TYPE`. */
  handle<D extends AnyDefinition>(definition: D, handler: (payload: Payload<D>) => Reply<D> | Promise<Reply<D>>): () => void {
    return this.#handlers.onRequest(definition, handler as (payload: unknown) => unknown);
  }

  /**
   * Joins an open public room of the kind whose filter matches `options`, or creates one. Give a
   * kind from `defineRoomKind` for typed options and state (and a mirror for a synchronised room).
   * @throws {HearthError} `ROOM_UNKNOWN_KIND`, `TOO_MANY_ROOMS`, the room's `onCreate`/`onJoin`
   * refusal, or a request failure (`DISCONNECTED`, `TIMEOUT`, ...).
   */
  joinOrCreate<K extends AnyRoomKind>(kind: K, options?: OptionsOf<K>): Promise<RoomOf<K>> {
    return this.#enter(RoomJoinOrCreate, { kind: kindName(kind), ...(options && { options }) }, kind);
  }

  /** Joins a room by id (private rooms too). @throws {HearthError} `ROOM_NOT_FOUND`, `ROOM_FULL`, `ROOM_LOCKED`, the `onJoin` refusal... */
  join<K extends AnyRoomKind = string>(roomId: string, options?: OptionsOf<K>, how: { kind?: K } = {}): Promise<RoomOf<K>> {
    return this.#enter(RoomJoin, { roomId, ...(options && { options }) }, how.kind);
  }

  /** Creates a room of the kind and joins it (`private`: joinable by id only, never listed). */
  create<K extends AnyRoomKind>(kind: K, options?: OptionsOf<K>, how: { private?: boolean } = {}): Promise<RoomOf<K>> {
    return this.#enter(RoomCreate, { kind: kindName(kind), ...(options && { options }), ...(how.private === true && { private: true }) }, kind);
  }

  /** The public rooms of a kind (with `options`: those whose filter matches): ids, members, capacity, lock, metadata. */
  listRooms<K extends AnyRoomKind>(kind: K, options?: OptionsOf<K>): Promise<RoomListing[]> {
    return (this.#rooms ??= new ClientRooms(this)).list(kindName(kind), options as RoomOptions | undefined);
  }

  /** The rooms the client is in, by id. */
  get rooms(): ReadonlyMap<string, ClientRoom> {
    return this.#rooms?.rooms ?? new Map();
  }

  #enter<K>(definition: typeof RoomJoin | typeof RoomCreate | typeof RoomJoinOrCreate, payload: object, kind: K | undefined): Promise<RoomOf<K>> {
    const rooms = (this.#rooms ??= new ClientRooms(this));
    return rooms.enter(definition, payload, typeof kind === 'object' ? (kind as RoomKind) : undefined) as Promise<RoomOf<K>>;
  }

  /** Closes for good: sends `[6, code, text]`, fails pending requests with `CLOSED`. Idempotent. */
  close(code: string = ErrorCode.NORMAL, text = 'closed by the client'): void {
    if (this.#state === 'closed') return;
    this.#connection?.close(code, text);
    this.#finish({ code, text });
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  /**
   * Dials until a connection is attached (resumed when logged in), the policy gives up or the
   * client closes. Returns the failure that closed the client, or undefined.
   */
  async #dialLoop(first: boolean, cause: CloseInfo): Promise<CloseInfo | undefined> {
    const { reconnect: policy, clock } = this.#options;
    const started = clock.now();
    let last = cause;
    for (let attempt = first ? 0 : 1; ; attempt++) {
      if (attempt > 0) {
        const retry =
          policy.enabled &&
          (!first || policy.retryFirst) &&
          !FINAL_CODES.has(last.code) &&
          attempt <= policy.maxAttempts &&
          clock.now() - started < policy.maxElapsedMs;
        if (!retry) {
          const text = attempt > 1 ? `${last.text} (gave up after ${attempt - 1} attempt(s))` : last.text;
          return this.#finish({ code: last.code, text });
        }
        await sleep(clock, backoffDelay(policy, attempt, this.#options.random), this.#abort.signal); // close() wakes it
      }
      if (this.#closed) return this.#closeInfo;
      const outcome = await this.#attempt();
      if (outcome === undefined) return undefined;
      if (this.#closed) return this.#closeInfo;
      last = outcome;
    }
  }

  /** One dial: connect, then resume when logged in. Returns why it failed, or undefined. */
  async #attempt(): Promise<CloseInfo | undefined> {
    const o = this.#options;
    const url = o.urls[this.#urlIndex]!;
    let connection: Connection;
    try {
      connection = await Connection.open(
        {
          url,
          transport: o.transport ?? (await defaultTransport(url, o.tls !== undefined)),
          secure: o.secure,
          provider: o.secure ? (o.provider ?? (await defaultProvider())) : undefined,
          serverKey: o.serverKey,
          maxFrameBytes: o.maxFrameBytes,
          handshakeTimeoutMs: o.handshakeTimeoutMs,
          pingIntervalMs: o.pingIntervalMs,
          heartbeatTimeoutMs: o.heartbeatTimeoutMs,
          clock: o.clock,
          stats: o.stats,
          tls: o.tls,
        },
        {
          message: (msg) => this.#message(connection, msg),
          lost: (code, text) => this.#lost(connection, code, text),
        },
        this.#abort.signal,
      );
    } catch (error) {
      if (this.#closed) return this.#closeInfo;
      // Unreachable or refused: the next attempt tries the next address (another node).
      this.#urlIndex = (this.#urlIndex + 1) % o.urls.length;
      return infoOf(error);
    }
    if (this.#closed) {
      connection.destroy();
      return this.#closeInfo;
    }
    this.#connection = connection;
    const token = this.#token;
    if (token === undefined) {
      this.#opened();
      this.#events.emit('connected');
      return undefined;
    }
    return this.#resume(connection, token);
  }

  /** Sends `resume` first on a new connection; the reply is handled in order, before the pushes behind it. */
  #resume(connection: Connection, token: string): Promise<CloseInfo | undefined> {
    return new Promise((settle) => {
      const entry = this.#requests.add(
        Resume,
        { token },
        false,
        this.#options.requestTimeoutMs,
        (reply) => {
          const r = reply as LoginReply;
          this.#token = r.resumeToken;
          this.#userId = r.userId;
          this.#opened();
          this.#events.emit('resumed', r);
          settle(undefined);
        },
        (error) => {
          if (error.code === ErrorCode.UNAUTHENTICATED || error.code === ErrorCode.BAD_REQUEST) {
            connection.close(ErrorCode.NORMAL, 'resume refused');
            settle({ code: ClientErrorCode.RESUME_REFUSED, text: `the server refused to resume (${error.code}): ${error.message}; log in again` });
            return;
          }
          if (this.#connection === connection) this.#connection = undefined;
          connection.destroy();
          settle(infoOf(error));
        },
      );
      entry.sent = connection.write((w) => w.request(Resume.type, { token }, entry.rid));
    });
  }

  /** The session is usable: send what waited. */
  #opened(): void {
    this.#state = 'open';
    for (const entry of this.#requests.unsent()) this.#write(entry);
  }

  #write(entry: PendingRequest): void {
    const connection = this.#connection;
    if (connection === undefined) return;
    try {
      entry.sent = connection.write((w) => w.request(entry.definition.type, entry.payload, entry.rid));
    } catch (error) {
      const e = infoOf(error);
      this.#requests.error(entry.rid, e.code, e.text);
    }
  }

  #lost(connection: Connection, code: string, text: string): void {
    if (connection !== this.#connection) return;
    this.#connection = undefined;
    const wasOpen = this.#state === 'open';
    this.#requests.dropped(code);
    if (!wasOpen) return; // a resume in progress fails through its request
    this.#state = 'reconnecting';
    this.#events.emit('disconnected', { code, text });
    void this.#dialLoop(false, { code, text });
  }

  #message(connection: Connection, msg: Message): void {
    if (connection !== this.#connection) return;
    switch (msg.kind) {
      case Kind.REPLY:
        this.#requests.reply(msg.rid, msg.payload);
        return;
      case Kind.ERROR:
        this.#requests.error(msg.rid, msg.code, msg.text);
        return;
      case Kind.PUSH:
        this.#handlers.push(msg.type, msg.payload);
        return;
      case Kind.REQUEST:
        this.#handlers.serve(connection, msg.type, msg.payload, msg.rid);
        return;
    }
  }

  #finish(info: CloseInfo): CloseInfo {
    if (this.#state === 'closed') return this.#closeInfo!;
    this.#state = 'closed';
    this.#closeInfo = info;
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.destroy();
    this.#abort.abort();
    this.#requests.failAll(info.code === ErrorCode.NORMAL ? ErrorCode.CLOSED : info.code, `the client is closed (${info.code}): ${info.text}`);
    this.#events.emit('closed', info);
    return info;
  }

  #closedError(name: string): HearthError {
    const info = this.#closeInfo!;
    return new HearthError(info.code === ErrorCode.NORMAL ? ErrorCode.CLOSED : info.code, `${name}: the client is closed (${info.code}): ${info.text}`);
  }
}
