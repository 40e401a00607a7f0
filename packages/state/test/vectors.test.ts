import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Mirror, StateError } from '../src/index.ts';
import { World, badCases, describe as describeType, scenario, toJson, type BadCase, type Step } from './vectors/scenario.ts';

interface Vectors {
  declaration: unknown;
  steps: Step[];
  errors: BadCase[];
}
const v = JSON.parse(readFileSync(new URL('./vectors/state-v1.json', import.meta.url), 'utf8')) as Vectors;
const unhex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));

describe('known-answer vectors (test/vectors/state-v1.json)', () => {
  it('the encoder still produces exactly these bytes for this declaration', () => {
    expect(describeType(World)).toEqual(v.declaration);
    const steps = scenario();
    expect(steps.map((s) => s.bytes)).toEqual(v.steps.map((s) => s.bytes));
    expect(badCases(steps)).toEqual(v.errors);
  });

  it('mirrors fed these bytes hold these states', () => {
    const mirrors = { all: new Mirror(World), view: new Mirror(World) };
    for (const step of v.steps) {
      mirrors[step.client].apply(unhex(step.bytes));
      expect(toJson(World, mirrors[step.client].state), step.description).toEqual(step.state);
    }
  });

  it('each bad case is rejected with its code and leaves the mirror unchanged', () => {
    for (const bad of v.errors) {
      const m = new Mirror(World);
      for (const step of v.steps.slice(0, bad.after + 1)) if (step.client === 'all') m.apply(unhex(step.bytes));
      const before = m.state === undefined ? undefined : JSON.stringify(toJson(World, m.state));
      let err: unknown;
      try {
        m.apply(unhex(bad.bytes));
      } catch (e) {
        err = e;
      }
      expect(err, bad.description).toBeInstanceOf(StateError);
      expect((err as StateError).code, bad.description).toBe(bad.code);
      expect(m.state === undefined ? undefined : JSON.stringify(toJson(World, m.state)), bad.description).toBe(before);
    }
  });
});
