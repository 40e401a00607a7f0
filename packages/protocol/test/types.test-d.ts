import { expectTypeOf, test } from 'vitest';
import { defineMessage, type Payload, type Reply } from '../src/index.ts';

const Move = defineMessage<{ x: number; y: number }>(100, 'move');
const Top = defineMessage<{ n: number }, { names: string[] }>(101, 'top');

function send<D extends typeof Move | typeof Top>(_def: D, payload: Payload<D>): Payload<D> {
  return payload;
}

test('payload and reply types follow the definition', () => {
  expectTypeOf<Payload<typeof Move>>().toEqualTypeOf<{ x: number; y: number }>();
  expectTypeOf<Reply<typeof Top>>().toEqualTypeOf<{ names: string[] }>();
  send(Move, { x: 1, y: 2 });
  // @ts-expect-error a Move needs numbers
  send(Move, { x: 'left', y: 2 });
  // @ts-expect-error a Top payload is not a Move payload
  send(Top, { x: 1, y: 2 });
});
