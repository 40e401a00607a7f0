import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import type { AnyEventObject, AnyMachineSnapshot } from 'xstate';
import { closeReason, createSessionMachine, sessionMachine } from '../src/machine/sessionMachine.ts';
import { RESUMED_ELSEWHERE } from '../src/machine/SessionEvent.ts';
import type { SessionEffects } from '../src/machine/SessionEffects.ts';
import { resolveTimeouts } from '../src/PlayerTimeouts.ts';

const timeouts = resolveTimeouts({ heartbeatTimeout: 1000, grace: 500 });
// Pure transitions never execute actions, so the effects object is never called.
const input = { sessionId: 7, timeouts, effects: {} as SessionEffects };

function start(machine = sessionMachine, opts = input): [AnyMachineSnapshot, string[]] {
  const [s, actions] = initialTransition(machine, opts);
  return [s, actions.map((a) => a.type)];
}
function step(s: AnyMachineSnapshot, event: AnyEventObject, machine = sessionMachine): [AnyMachineSnapshot, string[]] {
  const [next, actions] = transition(machine, s, event);
  return [next, actions.map((a) => a.type)];
}
function loggedIn(machine = sessionMachine): AnyMachineSnapshot {
  let [s] = start(machine);
  [s] = step(s, { type: 'hearth.opened' }, machine);
  [s] = step(s, { type: 'hearth.login', credentials: { name: 'ann' }, rid: 1 }, machine);
  [s] = step(s, { type: 'hearth.authOk', userId: 'ann' }, machine);
  return s;
}

describe('session machine (pure transitions)', () => {
  it('starts in handshake and waits for login with its timer once opened', () => {
    const [s0, a0] = start();
    expect(s0.value).toBe('handshake');
    expect(a0).toEqual([]);
    const [s1, a1] = step(s0, { type: 'hearth.opened' });
    expect(s1.value).toEqual({ awaitingLogin: 'idle' });
    expect(a1).toEqual(['startLoginTimer']);
  });

  it('authenticates a login, retries after a refusal, and admits into active', () => {
    let [s] = step(start()[0], { type: 'hearth.opened' });
    let actions: string[];
    [s, actions] = step(s, { type: 'hearth.login', credentials: { name: 'ann' }, rid: 1 });
    expect(s.value).toEqual({ awaitingLogin: 'authenticating' });
    expect(actions).toEqual(['authenticate']);
    [s, actions] = step(s, { type: 'hearth.authRefused', rid: 1, code: 'UNAUTHENTICATED', text: 'no' });
    expect(s.value).toEqual({ awaitingLogin: 'idle' });
    expect(actions).toEqual(['refuseLogin']);
    [s] = step(s, { type: 'hearth.login', credentials: { name: 'ann' }, rid: 2 });
    [s, actions] = step(s, { type: 'hearth.authOk', userId: 'ann' });
    expect(s.value).toEqual({ active: { heartbeat: 'alive', game: 'playing' } });
    expect(actions).toEqual(['admit', 'startHeartbeat']);
  });

  it('closes on the login timeout and on a disconnect before login', () => {
    const [s] = step(start()[0], { type: 'hearth.opened' });
    const [t, actions] = step(s, { type: 'hearth.loginTimeout' });
    expect(t.value).toBe('closed');
    expect(t.status).toBe('done');
    expect(actions).toEqual(['closeConnection', 'finish']);
    const [, closeActions] = transition(sessionMachine, s, { type: 'hearth.loginTimeout' });
    expect(closeActions[0]?.params).toMatchObject({ code: 'LOGIN_TIMEOUT' });
    expect(step(s, { type: 'hearth.disconnected', code: 'CLOSED' })[0].value).toBe('closed');
  });

  it('goes suspect past half the heartbeat timeout, back to alive on traffic, and drops past the timeout', () => {
    let s = loggedIn();
    let actions: string[];
    [s, actions] = step(s, { type: 'hearth.heartbeat', idleMs: 600 });
    expect(s.value).toEqual({ active: { heartbeat: 'suspect', game: 'playing' } });
    expect(actions).toEqual(['sendPing']);
    [s] = step(s, { type: 'hearth.heartbeat', idleMs: 10 });
    expect(s.value).toEqual({ active: { heartbeat: 'alive', game: 'playing' } });
    [s, actions] = step(s, { type: 'hearth.heartbeat', idleMs: 1000 });
    expect(s.value).toBe('disconnected');
    expect(actions).toEqual(['closeConnection', 'detach', 'startGrace']);
  });

  it('waits in grace after a drop, resumes into the game state it left, or closes on expiry/overflow', () => {
    const [d] = step(loggedIn(), { type: 'hearth.disconnected', code: 'CLOSED' });
    expect(d.value).toBe('disconnected');
    const [r, actions] = step(d, { type: 'hearth.resumed' });
    expect(r.value).toEqual({ active: { heartbeat: 'alive', game: 'playing' } });
    expect(actions).toEqual(['attach', 'startHeartbeat']);
    expect(step(d, { type: 'hearth.graceExpired' })[0].value).toBe('closed');
    expect(step(d, { type: 'hearth.queueOverflow' })[0].value).toBe('closed');
  });

  it('closes at once on a kick or shutdown, and when grace is 0', () => {
    expect(step(loggedIn(), { type: 'hearth.disconnected', code: 'KICKED' })[0].value).toBe('closed');
    const [c, actions] = step(loggedIn(), { type: 'hearth.close', code: 'KICKED', text: 'newer login' });
    expect(c.value).toBe('closed');
    expect(actions).toEqual(['closeWithEvent', 'finish']);
    const noGrace = { ...input, timeouts: resolveTimeouts({ grace: 0 }) };
    let [s] = start(sessionMachine, noGrace);
    [s] = step(s, { type: 'hearth.opened' });
    [s] = step(s, { type: 'hearth.login', credentials: {}, rid: 1 });
    [s] = step(s, { type: 'hearth.authOk', userId: 'u' });
    expect(step(s, { type: 'hearth.disconnected', code: 'CLOSED' })[0].value).toBe('closed');
  });

  it('restores a nested game state after a resume (deep history in the game region)', () => {
    const machine = createSessionMachine({
      initial: 'lobby',
      states: {
        lobby: { on: { join: 'room' } },
        room: { initial: 'waiting', states: { waiting: { on: { go: 'playing' } }, playing: {} } },
      },
    });
    let s = loggedIn(machine);
    [s] = step(s, { type: 'join' }, machine);
    [s] = step(s, { type: 'go' }, machine);
    expect(s.value).toEqual({ active: { heartbeat: 'alive', game: { room: 'playing' } } });
    [s] = step(s, { type: 'hearth.disconnected', code: 'CLOSED' }, machine);
    [s] = step(s, { type: 'hearth.resumed' }, machine);
    expect(s.value).toEqual({ active: { heartbeat: 'alive', game: { room: 'playing' } } });
  });

  it('ends a player in grace quietly when it resumed on another node (finish, reason RESUMED_ELSEWHERE)', () => {
    const [grace] = step(loggedIn(), { type: 'hearth.disconnected', code: 'CLOSED' });
    expect(grace.value).toBe('disconnected');
    const [s, actions] = step(grace, { type: 'hearth.resumedElsewhere', nodeId: 'b' });
    expect(s.value).toBe('closed');
    expect(actions).toEqual(['finish']);
    expect(closeReason({ type: 'hearth.resumedElsewhere', nodeId: 'b' })).toEqual({ code: RESUMED_ELSEWHERE, text: 'the player resumed on node b' });
    // only a player in grace can have moved: an active one ignores it
    expect(step(loggedIn(), { type: 'hearth.resumedElsewhere', nodeId: 'b' })[1]).toEqual([]);
  });
});
