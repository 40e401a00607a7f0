// Rooms across reconnects: a client behind the fault-injecting proxy keeps its room handles
// through cuts, blackouts and half-open links; room lines arrive once and in order (an
// OrderedFeed over the room), the state mirror ends equal to the server's, requests in flight fail
// retryably (or are re-sent when idempotent), and a final close ends every handle with its code.
import { ErrorCode, HearthClient, OrderedFeed, type CloseInfo } from '@hearth/client';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, next, track, urlOf, type TransportName } from './support/clients.ts';
import type { FaultProxy } from './support/FaultProxy.ts';
import { FAULT_TIMEOUTS, faultClientOptions, startFaultProxy } from './support/faultRig.ts';
import {
  BoardKind,
  ChatKind,
  Hold,
  HoldIdempotent,
  Lines,
  Move,
  MoveLost,
  Said,
  Say,
  boardSnapshot,
  held,
  heldSeen,
  holdArrived,
  startRoomNode,
  type RoomNode,
} from './support/rooms.ts';

afterEach(async () => {
  await cleanup();
  held.clear();
  heldSeen.clear();
});

interface Rig {
  node: RoomNode;
  proxy: FaultProxy;
  /** Behind the proxy. */
  ann: HearthClient;
  /** Straight to the node: the other member, who keeps playing while ann's network fails. */
  bob: HearthClient;
}

async function rig(transport: TransportName, seed: number, timeouts = FAULT_TIMEOUTS): Promise<Rig> {
  const node = await startRoomNode({ timeouts });
  track(() => node.close());
  const port = transport === 'tcp' ? node.tcpPort : node.wsPort;
  const proxy = await startFaultProxy(port, seed);
  const ann = new HearthClient({ url: urlOf(transport, proxy.port), serverKey: node.publicKeyHex, ...faultClientOptions(seed) });
  const bob = new HearthClient({ url: urlOf(transport, port), serverKey: node.publicKeyHex });
  track(() => ann.close());
  track(() => bob.close());
  await Promise.all([ann.connect(), bob.connect()]);
  await Promise.all([ann.login({ name: 'ann' }), bob.login({ name: 'bob' })]);
  return { node, proxy, ann, bob };
}

/** Resolves once the mirror of `room` shows `moves` (the state settles through patches or a resync). */
async function movesSeen(room: { readonly state: { readonly moves: number }; onStateChange(l: () => void): () => void }, moves: number): Promise<void> {
  while (room.state.moves < moves) await new Promise<void>((r) => room.onStateChange(() => r()));
}

describe.each<TransportName>(['tcp', 'ws'])('rooms through a faulty network (%s)', (transport) => {
  it('keeps the rooms working: every room line once and in order, the mirror equal to the server', async () => {
    const { node, proxy, ann, bob } = await rig(transport, 7);
    const chat = await ann.joinOrCreate(ChatKind, { topic: 't' });
    const board = await ann.joinOrCreate(BoardKind, {});
    const bobChat = await bob.join(chat.id, {}, { kind: ChatKind });
    const bobBoard = await bob.join(board.id, {}, { kind: BoardKind });
    const seqs: number[] = [];
    const waiters: (() => void)[] = [];
    const feed = new OrderedFeed(chat, Said, {
      seq: (line) => line.seq,
      fetch: (after) => chat.request(Lines, { after }),
      deliver: (line) => {
        seqs.push(line.seq);
        for (const w of waiters) w();
      },
    });
    const lineAt = (n: number) => new Promise<void>((resolve) => (seqs.length >= n ? resolve() : waiters.push(() => seqs.length >= n && resolve())));
    // bob talks and moves all along, one line and one move every 5 ms.
    const total = 300;
    let said = 0;
    let moves = 0;
    const pump = setInterval(() => {
      if (said >= total) return;
      said++;
      void bobChat.request(Say, { text: `line ${said}` });
      moves++;
      void bobBoard.request(Move, { dx: 1, dy: 0 });
    }, 5);
    track(() => clearInterval(pump));

    await lineAt(30);
    proxy.latency(15, 20);
    await lineAt(60);
    let resumed = next(ann, 'resumed');
    proxy.cut();
    await resumed;
    await lineAt(120);
    proxy.blackout();
    await next(ann, 'disconnected');
    // While ann is away bob moves and the room loses that patch: only a resync repairs ann's mirror.
    await bobBoard.request(MoveLost, { dx: 100 });
    moves++;
    resumed = next(ann, 'resumed');
    const boardBack = new Promise<void>((r) => board.on('resumed', r));
    proxy.restore();
    await resumed;
    await boardBack;
    await lineAt(200);
    const disconnected = next(ann, 'disconnected');
    proxy.halfOpen();
    expect(await disconnected).toMatchObject({ code: ErrorCode.HEARTBEAT_TIMEOUT });
    await next(ann, 'resumed');
    await lineAt(total);
    clearInterval(pump);
    // Every move bob made is acknowledged; then ann's mirror must show them all.
    await bobBoard.request(Move, { dx: 0, dy: 1 });
    moves++;
    await movesSeen(board, moves);

    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(feed.stats.pushed + feed.stats.fetched).toBe(total);
    const server = node.node.rooms.get(board.id)!;
    expect(boardSnapshot(board.state)).toEqual(boardSnapshot(server.state));
    expect(board.state.players.get('bob')!.x).toBe(said + 100);
    expect(ann.rooms.size).toBe(2);
    expect(chat.left).toBeUndefined();
    await expect(chat.request(Say, { text: 'still here' })).resolves.toMatchObject({ seq: total + 1 });
    console.log(`[${transport}] room lines pushed ${feed.stats.pushed}, fetched ${feed.stats.fetched}, duplicates ${feed.stats.duplicates}`);
  });

  it('resends the full state after a resume: a patch lost while away is repaired without waiting for the next one', async () => {
    const { node, proxy, ann, bob } = await rig(transport, 9);
    const board = await ann.joinOrCreate(BoardKind, {});
    const bobBoard = await bob.join(board.id, {}, { kind: BoardKind });
    await bobBoard.request(Move, { dx: 1, dy: 0 });
    await movesSeen(board, 1);
    proxy.blackout();
    await next(ann, 'disconnected');
    await bobBoard.request(MoveLost, { dx: 100 }); // no member ever gets this patch
    const back = new Promise<void>((r) => board.on('resumed', r));
    proxy.restore();
    await back;
    // No patch came after the lost one: only the resync on resume can show it.
    expect(board.state.players.get('bob')).toMatchObject({ x: 101 });
    expect(boardSnapshot(board.state)).toEqual(boardSnapshot(node.node.rooms.get(board.id)!.state));
    // and patches apply on top of it again
    await bobBoard.request(Move, { dx: 1, dy: 0 });
    await movesSeen(board, 3);
    expect(board.state.players.get('bob')).toMatchObject({ x: 102 });
  });

  it('fails a room request in flight with DISCONNECTED and re-sends an idempotent one after the resume', async () => {
    const { proxy, ann } = await rig(transport, 11);
    const chat = await ann.joinOrCreate(ChatKind, {});
    const plain = chat.request(Hold, { id: 1 }).then(
      () => 'answered',
      (e: unknown) => (e as { code: string }).code,
    );
    const idem = chat.request(HoldIdempotent, { id: 2 });
    await holdArrived(1);
    await holdArrived(2);
    const resumed = next(ann, 'resumed');
    proxy.cut();
    expect(await plain).toBe('DISCONNECTED');
    await resumed;
    await holdArrived(2, 2); // sent again on the new connection
    held.get(2)!();
    await expect(idem).resolves.toEqual({ id: 2 });
    expect(heldSeen.get(1)).toBe(1);
    await expect(chat.request(Say, { text: 'after' })).resolves.toEqual({ seq: 1 });
  });

  it('ends every room handle with the final code: KICKED by a newer login', async () => {
    const { node, ann } = await rig(transport, 13);
    const chat = await ann.joinOrCreate(ChatKind, {});
    const board = await ann.joinOrCreate(BoardKind, {});
    const ends = [chat, board].map((room) => new Promise<CloseInfo>((r) => room.onLeave(r)));
    const other = new HearthClient({ url: urlOf(transport, transport === 'tcp' ? node.tcpPort : node.wsPort), serverKey: node.publicKeyHex });
    track(() => other.close());
    await other.connect();
    await other.login({ name: 'ann' });
    expect(await Promise.all(ends)).toEqual([expect.objectContaining({ code: ErrorCode.KICKED }), expect.objectContaining({ code: ErrorCode.KICKED })]);
    expect(ann.rooms.size).toBe(0);
    await expect(chat.request(Say, { text: 'x' })).rejects.toMatchObject({ code: 'NOT_IN_ROOM' });
  });
});

it('ends the room handles with RESUME_REFUSED when the grace period ran out, and the server frees the seats', async () => {
  const { node, proxy, ann } = await rig('tcp', 5, { ...FAULT_TIMEOUTS, grace: 50 });
  const chat = await ann.joinOrCreate(ChatKind, {});
  const left = new Promise<CloseInfo>((r) => chat.onLeave(r));
  proxy.blackout();
  await next(ann, 'disconnected');
  while (node.node.holder.get('ann') !== undefined) await new Promise((r) => setTimeout(r, 20));
  proxy.restore();
  expect(await left).toMatchObject({ code: 'RESUME_REFUSED' });
  expect(node.node.rooms.get(chat.id)?.members.size ?? 0).toBe(0);
});
