// Regenerates state-v1.json from the reference encoder:
//   node --import tsx --conditions=@hearth/source test/vectors/generate.ts
// The file is committed; regenerating must not change it (vectors.test.ts checks that). Each byte of
// the first patches is explained in docs/protocol.md §13, which is the independent reference.
import { writeFileSync } from 'node:fs';
import { World, badCases, describe, scenario } from './scenario.ts';

const steps = scenario();
const out = {
  version: 1,
  description: 'Hearth state patches (docs/protocol.md §13): apply the steps in order to two mirrors, "all" and "view"; each must then hold "state" (maps as [key, value] lists sorted by key). "errors": bytes that a mirror holding the "all" state after step `after` (-1: no state) must reject with `code`, unchanged.',
  declaration: describe(World),
  steps,
  errors: badCases(steps),
};
writeFileSync(new URL('./state-v1.json', import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
