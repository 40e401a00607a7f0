/**
 * The key per-address limits count under: an IPv4 address as is (also when IPv4-mapped,
 * `::ffff:1.2.3.4`), an IPv6 address by its /64 prefix (one subscriber's allocation: an attacker
 * with one /64 has 2^64 addresses). `undefined` (a socket already gone) maps to `'?'`.
 *
 * @example addressKey('2001:db8:0:1::7') // '2001:db8:0:1::/64'
 */
export function addressKey(address: string | undefined): string {
  if (address === undefined || address === '') return '?';
  if (!address.includes(':')) return address;
  const lower = address.toLowerCase();
  if (lower.startsWith('::ffff:') && lower.includes('.')) return lower.slice(7);
  const zone = lower.indexOf('%');
  const bare = zone < 0 ? lower : lower.slice(0, zone);
  const gap = bare.indexOf('::');
  let groups: string[];
  if (gap < 0) {
    groups = bare.split(':');
  } else {
    const head = gap === 0 ? [] : bare.slice(0, gap).split(':');
    const tail = gap + 2 >= bare.length ? [] : bare.slice(gap + 2).split(':');
    groups = [...head, ...Array<string>(Math.max(0, 8 - head.length - tail.length)).fill('0'), ...tail];
  }
  const prefix = groups.slice(0, 4).map((g) => (g === '' ? '0' : g.replace(/^0+(?=.)/, '')));
  while (prefix.length < 4) prefix.push('0');
  return `${prefix.join(':')}::/64`;
}
