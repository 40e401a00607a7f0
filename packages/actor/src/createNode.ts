import { pino, type Logger } from 'pino';
import type { EventObject } from 'xstate';
import type { Authenticator } from './authenticate.ts';
import type { Backplane } from './backplane/Backplane.ts';
import { Binder } from './Binder.ts';
import { ClusterRequests } from './cluster/ClusterRequests.ts';
import { nodeTransportOf } from './cluster/NodeTransport.ts';
import type { RoomPlacement } from './cluster/RoomDirectory.ts';
import { Holder } from './Holder.ts';
import { LoginThrottle, type LoginThrottleOptions } from './LoginThrottle.ts';
import type { PlayerDefinition } from './player/definePlayer.ts';
import type { PlayerTimeouts } from './PlayerTimeouts.ts';
import { installRooms } from './room/installRooms.ts';
import type { RoomDefinition } from './room/RoomDefinition.ts';
import { RoomManager, type RoomLimits } from './room/RoomManager.ts';
import { bindRooms } from './room/roomsOfPlayer.ts';
import { startClusterRooms } from './room/startClusterRooms.ts';
import type { RoomFailover, RoomFailoverOptions } from './room/checkpoint/RoomFailover.ts';
import { startFailover } from './room/checkpoint/startFailover.ts';
import { systemClock, type Clock } from './time/Clock.ts';
import type { ServiceHandle } from './transport.ts';

/** A listening endpoint as `service.accept` returns it (`Acceptor` in `@hearth/net`). */
export interface ListeningEndpoint {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/** A service that can listen (`Service` in `@hearth/net`). */
export interface ListeningService extends ServiceHandle {
  accept(address: string, protocolName: string, options?: object): Promise<ListeningEndpoint>;
}

/** One address to listen on. */
export interface ListenSpec {
  /** `tcp://host:port` or `ws://host:port` (port 0 = ephemeral). */
  address: string;
  /** Protocol name, e.g. `msgpack` or `msgpack+nacl`. */
  protocol: string;
  /** Passed to `service.accept` (e.g. `{ signingSecretKey }` for `msgpack+nacl`). */
  options?: object;
}

/** Options of {@link createNode}. */
export interface NodeOptions<G, E extends EventObject> {
  /** The node's transport hub (`new Service(...)` from `@hearth/net`); the node does not close it. */
  service: ListeningService;
  /** The game's player definition. */
  player: PlayerDefinition<G, E>;
  /** The login check; `devAuthenticator` for local play. */
  authenticate: Authenticator;
  /** Failed-login throttle per address and per user (`RATE_LIMITED` refusals); `false`: none. @defaultValue on, with its defaults */
  loginThrottle?: LoginThrottleOptions | false;
  /** Endpoints to open now. @defaultValue none */
  listen?: readonly ListenSpec[];
  timeouts?: PlayerTimeouts;
  /** @defaultValue a lone in-memory backplane */
  backplane?: Backplane;
  logger?: Logger;
  /** Time of the node's timers and lifetimes (tests: a `ManualClock`). @defaultValue systemClock */
  clock?: Clock;
  /**
   * Room kinds this node serves (`defineRoom`, docs/rooms.md): clients join them with the framework
   * requests (`room.join`, `room.joinOrCreate`, ...), server code with `node.rooms`. @defaultValue none
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any room kind: each has its own state and options
  rooms?: readonly RoomDefinition<any, any>[];
  /** Rooms per player and rooms per listing. @defaultValue `{ maxRoomsPerPlayer: 8, listLimit: 100 }` */
  roomLimits?: RoomLimits;
  /**
   * With a Redis backplane: players in rooms placed on this node before a new room goes to the node
   * with the fewest players (docs/rooms.md, "Rooms in a cluster"). @defaultValue Infinity
   */
  roomNodeCapacity?: number;
  /**
   * With a Redis backplane: where `joinOrCreate` seats a player when the open room is on another node:
   * `local`, a new room on its own node (a room's players stay on one node: `--workers`); `fill`,
   * that room (docs/rooms.md, "Placement"). @defaultValue 'fill'
   */
  roomPlacement?: RoomPlacement;
  /**
   * Rooms outlive their node (docs/rooms.md): with room kinds and a Redis backplane, rooms are
   * checkpointed to Redis, a dead node's rooms are restored on survivors, and `node.drain()` hands
   * them over. `false`: off (rooms die with their node). @defaultValue on, `awayGraceMs` = `timeouts.grace`
   */
  roomFailover?: RoomFailoverOptions | false;
}

/** A running node: the holder, the binder, and the endpoints it opened. */
export interface HearthNode<G, E extends EventObject> extends AsyncDisposable {
  readonly holder: Holder<G, E>;
  readonly binder: Binder<G, E>;
  /** The node's rooms (empty without `rooms`): `rooms.of(player).joinOrCreate(...)`, `rooms.get(id)`, `rooms.list(kind)`. */
  readonly rooms: RoomManager;
  /**
   * Typed node-to-node requests (docs/cluster.md): `cluster.handle(Def, (payload, fromNodeId) => reply)`,
   * `cluster.request(nodeId, Def, payload, { timeoutMs })`. Without a Redis backplane, this node only.
   */
  readonly cluster: ClusterRequests;
  /** The endpoints opened from `listen`, in order (read `.port` for an ephemeral one). */
  readonly endpoints: readonly ListeningEndpoint[];
  /** Checkpoints and failover of the node's rooms (`.stats`); undefined without a Redis backplane or rooms. */
  readonly roomFailover: RoomFailover | undefined;
  /**
   * Graceful shutdown (SIGTERM, a rolling restart): hands every room, with its state as of now, to
   * the other live nodes (they restore it), then `close(code)`. Without failover, just `close`.
   */
  drain(code?: string): Promise<void>;
  /**
   * Stops routing, ends every actor with `code` (default `SHUTDOWN`, their leave hooks awaited)
   * and closes the endpoints it opened. Idempotent. The service stays open (close it after).
   */
  close(code?: string): Promise<void>;
}

/**
 * Stands up a game node on a service in one call: a {@link Holder} for the player definition, a
 * {@link Binder} routing the service's sessions to it, and optionally listening endpoints.
 *
 * @example
 * await using service = new Service({ log: false });
 * await using node = await createNode({
 *   service, player, authenticate: devAuthenticator,
 *   listen: [{ address: 'tcp://127.0.0.1:0', protocol: 'msgpack' }],
 * });
 * console.log('listening on', node.endpoints[0].port);
 */
export async function createNode<G, E extends EventObject>(options: NodeOptions<G, E>): Promise<HearthNode<G, E>> {
  // The holder is built after the rooms (they install their requests into the definition) but the
  // rooms broadcast through it: a forward reference, filled in below before any room can exist.
  let hub: Holder<G, E> | undefined;
  const logger = options.logger ?? pino({ name: 'hearth.actor' });
  const rooms = new RoomManager({
    kinds: options.rooms ?? [],
    hub: {
      broadcast: (group, definition, payload, exceptUserId) => hub!.broadcast(group, definition, payload, exceptUserId),
      clock: options.clock ?? systemClock,
      get nodeId() {
        return hub!.nodeId;
      },
    },
    logger,
    ...(options.roomLimits && { limits: options.roomLimits }),
  });
  const player = options.rooms !== undefined && options.rooms.length > 0 ? installRooms(options.player, rooms) : options.player;
  if (player !== options.player) bindRooms(player, rooms);
  // A player that resumes on another node keeps its room seats (the cluster's rooms, set below).
  let clusterRooms: ReturnType<typeof startClusterRooms> = undefined;
  const holder = (hub = new Holder<G, E>({
    player,
    authenticate: options.loginThrottle === false ? options.authenticate : new LoginThrottle(options.loginThrottle).guard(options.authenticate),
    ...(options.timeouts && { timeouts: options.timeouts }),
    ...(options.backplane && { backplane: options.backplane }),
    logger,
    ...(options.clock && { clock: options.clock }),
    moves: {
      movedAway: (p, to) => clusterRooms?.movedAway(p, to),
      arrived: (p, prev) => clusterRooms?.arrived(p, prev) ?? Promise.resolve(),
    },
  }));
  const cluster = new ClusterRequests({ nodeId: holder.nodeId, transport: nodeTransportOf(options.backplane), clock: options.clock ?? systemClock, logger });
  clusterRooms = startClusterRooms({ backplane: options.backplane, rooms, cluster, player: (userId) => holder.get(userId), clock: options.clock ?? systemClock, logger, nodeCapacity: options.roomNodeCapacity, placement: options.roomPlacement });
  const failover = startFailover(rooms, options.backplane, logger, options.roomFailover === false ? false : { ...(options.timeouts?.grace !== undefined && { awayGraceMs: options.timeouts.grace }), ...options.roomFailover });
  await failover?.started; // rooms left behind by nodes that are gone are back before players look for them
  const binder = new Binder<G, E>(options.service, holder);
  const endpoints: ListeningEndpoint[] = [];
  let closing: Promise<void> | undefined;
  const close = (code?: string): Promise<void> =>
    (closing ??= (async () => {
      binder.close();
      await holder.close(code);
      failover?.close();
      clusterRooms?.close();
      await rooms.close();
      cluster.close();
      await Promise.all(endpoints.map((e) => e.close()));
    })());
  try {
    for (const spec of options.listen ?? []) endpoints.push(await options.service.accept(spec.address, spec.protocol, spec.options));
  } catch (err) {
    await close();
    throw err;
  }
  const drain = async (code?: string): Promise<void> => {
    await failover?.drain();
    await close(code);
  };
  return { holder, binder, rooms, cluster, endpoints, roomFailover: failover, drain, close, [Symbol.asyncDispose]: () => close() };
}
