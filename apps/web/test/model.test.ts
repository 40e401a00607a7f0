// The page's pure parts: interpolation, the tick-rate estimate, the model, the event-stream parser.
import { describe, expect, it } from 'vitest';
import { EventStreamParser } from '../src/admin/eventStream.ts';
import { ArenaModel } from '../src/game/ArenaModel.ts';
import { TickRate, positionAt } from '../src/game/interpolate.ts';

describe('positionAt', () => {
  const samples = [
    { t: 100, x: 0, y: 0 },
    { t: 200, x: 10, y: 20 },
    { t: 300, x: 10, y: 40 },
  ];
  it('interpolates linearly between the samples around t and holds at the ends', () => {
    expect(positionAt([], 0)).toBeUndefined();
    expect(positionAt(samples, 50)).toEqual({ x: 0, y: 0 });
    expect(positionAt(samples, 150)).toEqual({ x: 5, y: 10 });
    expect(positionAt(samples, 250)).toEqual({ x: 10, y: 30 });
    expect(positionAt(samples, 999)).toEqual({ x: 10, y: 40 });
  });
  it('holds a position known since joining (t = -Infinity) until the next sample', () => {
    expect(positionAt([{ t: -Infinity, x: 1, y: 2 }, { t: 100, x: 9, y: 9 }], 50)).toEqual({ x: 1, y: 2 });
  });
});

describe('TickRate', () => {
  it('measures the real time between ticks, counting snapshots read together as one gap', () => {
    const rate = new TickRate(20);
    expect(rate.ms).toBe(50);
    let now = 0;
    for (let tick = 1; tick <= 200; tick++) rate.observe(tick, (now += 70));
    expect(rate.ms).toBeCloseTo(70, 0);
    // Tick 201 late, read together with 202: the estimate wobbles a little, then settles again.
    rate.observe(201, (now += 140));
    rate.observe(202, now);
    expect(rate.ms).toBeLessThan(80);
    rate.observe(203, (now += 70));
    expect(rate.ms).toBeGreaterThan(60);
    for (let tick = 204; tick <= 300; tick++) rate.observe(tick, (now += 70));
    expect(rate.ms).toBeCloseTo(70, 0);
  });
  it('takes a pause (no snapshot while nothing moved) for a pause, not a slow tick', () => {
    const rate = new TickRate(20);
    rate.observe(1, 0);
    rate.observe(2, 50);
    rate.observe(3, 5050);
    expect(rate.ms).toBe(50);
  });
  it('never reports faster than the nominal rate', () => {
    const rate = new TickRate(20);
    for (let tick = 1; tick <= 100; tick++) rate.observe(tick, tick * 10);
    expect(rate.ms).toBe(50);
  });
});

describe('ArenaModel', () => {
  const members = [
    { pid: 1, name: 'ann', x: 100, y: 100, score: 0 },
    { pid: 2, name: 'bob', x: 500, y: 500, score: 3 },
  ];
  it('draws the others between their last two snapshots, two ticks behind, and you where you are', () => {
    const m = new ArenaModel();
    m.enterRoom('room-1', 1, members);
    expect(m.self).toEqual({ x: 100, y: 100 });
    expect(m.drawPosition(2, 0)).toEqual({ x: 500, y: 500 });
    m.moved(10, [2, 510, 500], 1000);
    m.moved(11, [2, 520, 500], 1050);
    m.moved(12, [2, 530, 500], 1100);
    // At 1125 the others are drawn at 1025: between the samples of 1000 and 1050.
    expect(m.drawPosition(2, 1125)).toEqual({ x: 515, y: 500 });
    m.self!.x = 150;
    expect(m.drawPosition(1, 1125)).toEqual({ x: 150, y: 100 });
    m.corrected(120, 100);
    expect(m.drawPosition(1, 1125)).toEqual({ x: 120, y: 100 });
  });
  it('a player who stood still starts moving from the tick before, not from its last sample', () => {
    const m = new ArenaModel();
    m.enterRoom('room-1', 1, members);
    m.moved(10, [2, 510, 500], 1000);
    m.moved(30, [2, 520, 500], 2000);
    expect(m.drawPosition(2, 2000 - 50 + 100)).toEqual({ x: 510, y: 500 });
  });
  it('ignores replayed ticks and unknown players; tracks joins, leaves, tags and chat', () => {
    const m = new ArenaModel();
    m.enterRoom('room-1', 1, members);
    m.moved(10, [2, 510, 500, 9, 1, 1], 1000);
    m.moved(10, [2, 999, 999], 1001);
    expect(m.players.get(2)!.samples.at(-1)).toMatchObject({ x: 510, y: 500 });
    m.joined({ pid: 3, name: 'cyd', x: 1, y: 2, score: 0 });
    m.tagged(1, 3, 4, 5000);
    expect(m.players.get(1)!.score).toBe(4);
    expect(m.players.get(3)!.taggedAt).toBe(5000);
    m.left(3);
    m.chatLine(2, 'bob', '<b>hi</b>');
    expect(m.players.has(3)).toBe(false);
    expect(m.chat.map((c) => c.text)).toEqual(['you joined room-1', 'cyd joined', 'ann tagged cyd (4)', 'cyd left', '<b>hi</b>']);
    expect(m.confirmed()).toEqual({ x: 100, y: 100 }); // where you joined: no snapshot moved you yet
  });
});

describe('EventStreamParser', () => {
  it('splits events across chunks, with named events, comments and CRLF', () => {
    const p = new EventStreamParser();
    expect(p.push('retry: 2000\nevent: history\ndata: [1,')).toEqual([]);
    expect(p.push('2]\n\n: comment\n\ndata: {"a":1}\r\n\r\ndata: x')).toEqual([
      { event: 'history', data: '[1,2]' },
      { event: 'message', data: '{"a":1}' },
    ]);
    expect(p.push('\ndata: y\n\n')).toEqual([{ event: 'message', data: 'x\ny' }]);
  });
});
