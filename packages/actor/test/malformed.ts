/** Strings that must never become a map key or a Redis key name. */
export const MALFORMED: readonly string[] = [
  'x'.repeat(65),
  'A'.repeat(10_000),
  'abcdefghijklmnop\u0000\u00ff\u0001qrst',
  'abcdefghijklmnopqrst*',
  '*',
  'abcdefghij{kl}mnopqrst',
  '{}',
  'abcdefghijklmnop\nqrstuvwx',
  'abcdefghijklmnop qrstuvwx',
  'ééééééééééééééééééééé',
  '',
];
