/** The next state of a xorshift32 generator (never 0 from a non-zero state). */
export function xorshift32(state: number): number {
  let s = state;
  s ^= s << 13;
  s ^= s >>> 17;
  s ^= s << 5;
  return s >>> 0;
}
