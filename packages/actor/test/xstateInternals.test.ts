import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { assign, createActor, createMachine, fromCallback, type AnyMachineSnapshot, type Snapshot } from 'xstate';
import { describe, expect, it } from 'vitest';
import { XSTATE_VERSION, hasScheduledEvents, sleepingSnapshot, stopChild } from '../src/player/xstateInternals.ts';

// The contract of src/player/xstateInternals.ts: what it relies on in xstate. When an upgrade breaks
// one of these, fix that module (and only it), then bump the exact pin in package.json.

function rootActor() {
  return createActor(createMachine({ id: 'root', on: { '*': {} } })).start();
}

describe('xstate internals used by the player actor (contract)', () => {
  it('runs against the pinned xstate version, and package.json pins it exactly', () => {
    const require = createRequire(import.meta.url);
    const installed = (JSON.parse(readFileSync(require.resolve('xstate/package.json'), 'utf8')) as { version: string }).version;
    expect(installed).toBe(XSTATE_VERSION);
    const own = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    expect(own.dependencies['xstate']).toBe(XSTATE_VERSION);
  });

  it('hasScheduledEvents sees a pending `after` delay of a child actor, and not after it fired or was cancelled', () => {
    let due: (() => void) | undefined;
    const clock = {
      setTimeout: (fn: () => void) => ((due = fn), 1),
      clearTimeout: () => (due = undefined),
    };
    const root = createActor(createMachine({ id: 'root', on: { '*': {} } }), { clock }).start();
    const machine = createMachine({
      initial: 'idle',
      states: { idle: { on: { wait: 'waiting' } }, waiting: { after: { 1000: 'done' }, on: { cancel: 'idle' } }, done: {} },
    });
    const child = createActor(machine, { parent: root }).start();
    expect(hasScheduledEvents(child)).toBe(false);
    child.send({ type: 'wait' });
    expect(hasScheduledEvents(child)).toBe(true);
    // Another actor of the same system is not fooled by the child's delay.
    expect(hasScheduledEvents(createActor(machine, { parent: root }).start())).toBe(false);
    due!();
    expect(child.getSnapshot().value).toBe('done');
    expect(hasScheduledEvents(child)).toBe(false);
    child.send({ type: 'cancel' });
    const other = createActor(machine, { parent: root }).start();
    other.send({ type: 'wait' });
    other.send({ type: 'cancel' });
    expect(hasScheduledEvents(other)).toBe(false);
  });

  it('stopChild stops a child (events ignored, subscribers completed, invoked children stopped) and keeps its snapshot', () => {
    const root = rootActor();
    let cleanedUp = false;
    const machine = createMachine({
      initial: 'a',
      states: {
        a: { on: { go: 'b' } },
        b: { invoke: { src: fromCallback(() => () => void (cleanedUp = true)) }, on: { go: 'a' } },
      },
    });
    const child = createActor(machine, { parent: root }).start();
    child.send({ type: 'go' });
    let completed = false;
    child.subscribe({ complete: () => (completed = true) });
    stopChild(child);
    expect(completed).toBe(true);
    expect(cleanedUp).toBe(true);
    child.send({ type: 'go' });
    expect(child.getSnapshot().value).toBe('b');
    // A parent actor cannot stop a child through the public API: the reason stopChild exists.
    expect(() => createActor(machine, { parent: root }).start().stop()).toThrow(/non-root/);
    // The root carries on, and a fresh actor restored from the snapshot runs.
    const woken = createActor(machine, { parent: root, snapshot: child.getSnapshot() }).start();
    woken.send({ type: 'go' });
    expect(woken.getSnapshot().value).toBe('a');
  });

  it('stopChild unregisters the child from the shared system (its system id is free again)', () => {
    const root = rootActor();
    const machine = createMachine({ initial: 'a', states: { a: {} } });
    const child = createActor(machine, { parent: root, systemId: 'player-1' }).start();
    expect(root.system.get('player-1')).toBe(child);
    stopChild(child);
    expect(root.system.get('player-1')).toBeUndefined();
  });

  it('sleepingSnapshot keeps what a restore reads: state, context (the same object), history, status', () => {
    const root = rootActor();
    const machine = createMachine({
      types: {} as { context: { n: number } },
      context: { n: 0 },
      initial: 'play',
      states: {
        play: {
          initial: 'a',
          states: { a: { on: { next: 'b' } }, b: {}, hist: { type: 'history' } },
          on: { pause: 'paused', count: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
        },
        paused: { on: { resume: 'play.hist' } },
      },
    });
    const child = createActor(machine, { parent: root }).start();
    for (const type of ['next', 'count', 'pause']) child.send({ type });
    const full = child.getSnapshot() as AnyMachineSnapshot;
    stopChild(child);
    const kept = sleepingSnapshot(full);
    expect(Object.keys(kept).sort()).toEqual(['children', 'context', 'error', 'historyValue', 'output', 'status', 'value']);
    const woken = createActor(machine, { parent: root, snapshot: kept as Snapshot<unknown> }).start();
    const restored = woken.getSnapshot();
    expect(restored.value).toEqual('paused');
    expect(restored.context).toBe(full.context);
    expect(restored.hasTag('none')).toBe(false);
    expect(restored.can({ type: 'resume' })).toBe(true);
    // The history (kept as state nodes) brings it back to `play.b`, not the initial `play.a`.
    woken.send({ type: 'resume' });
    expect(woken.getSnapshot().value).toEqual({ play: 'b' });
    expect(woken.getSnapshot().context.n).toBe(1);
  });
});
