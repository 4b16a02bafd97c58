import { isIP, isIPv4, isIPv6 } from 'node:net';

/**
 * Which addresses the outbound guard refuses (docs/product.md §7 "Outbound fetches"): pure classification
 * of IP literals into loopback, private, link-local, metadata and the other non-public ranges, including the
 * IPv6 forms that embed an IPv4 address. Host names are not classified here; their DNS answers are.
 */

type Range = readonly [base: number, prefix: number, label: string];

function ipv4(text: string): number {
  return text.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

/** Most specific first; anything not listed is public. */
const IPV4_RANGES: readonly Range[] = [
  [ipv4('0.0.0.0'), 32, 'unspecified'],
  [ipv4('0.0.0.0'), 8, 'this-network'],
  [ipv4('10.0.0.0'), 8, 'private'],
  [ipv4('100.64.0.0'), 10, 'carrier-grade NAT'],
  [ipv4('127.0.0.0'), 8, 'loopback'],
  [ipv4('169.254.169.254'), 32, 'cloud metadata'],
  [ipv4('169.254.170.2'), 32, 'cloud metadata'],
  [ipv4('169.254.0.0'), 16, 'link-local'],
  [ipv4('172.16.0.0'), 12, 'private'],
  [ipv4('192.0.0.0'), 24, 'reserved'],
  [ipv4('192.0.2.0'), 24, 'documentation'],
  [ipv4('192.88.99.0'), 24, 'reserved'],
  [ipv4('192.168.0.0'), 16, 'private'],
  [ipv4('198.18.0.0'), 15, 'benchmarking'],
  [ipv4('198.51.100.0'), 24, 'documentation'],
  [ipv4('203.0.113.0'), 24, 'documentation'],
  [ipv4('224.0.0.0'), 4, 'multicast'],
  [ipv4('255.255.255.255'), 32, 'broadcast'],
  [ipv4('240.0.0.0'), 4, 'reserved'],
];

function classifyIPv4(value: number): string | undefined {
  for (const [base, prefix, label] of IPV4_RANGES) {
    const size = 2 ** (32 - prefix);
    if (value >= base && value < base + size) return label;
  }
  return undefined;
}

/** The eight 16-bit groups of a valid IPv6 address (no zone index). */
function ipv6Groups(text: string): number[] {
  let head = text;
  const tail: number[] = [];
  const lastColon = head.lastIndexOf(':');
  const last = head.slice(lastColon + 1);
  if (last.includes('.')) {
    const value = ipv4(last);
    tail.push(Math.floor(value / 65536), value % 65536);
    head = head.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const parse = (part: string) => (part ? part.split(':').map((group) => Number.parseInt(group, 16)) : []);
  const gap = head.indexOf('::');
  if (gap === -1) return [...parse(head), ...tail];
  const before = parse(head.slice(0, gap));
  const after = [...parse(head.slice(gap + 2)), ...tail];
  return [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after];
}

function embeddedIPv4(high: number, low: number): number {
  return high * 65536 + low;
}

function classifyIPv6(groups: number[]): string | undefined {
  const g = (index: number) => groups[index] ?? 0;
  const zeroUpTo = (count: number) => groups.slice(0, count).every((group) => group === 0);
  const inner = (label: string, value: number) => {
    const found = classifyIPv4(value);
    return found ? `${label} ${found}` : undefined;
  };
  if (zeroUpTo(8)) return 'unspecified';
  if (zeroUpTo(7) && g(7) === 1) return 'loopback';
  // ::ffff:a.b.c.d (IPv4-mapped) and ::ffff:0:a.b.c.d (IPv4-translated) reach the embedded IPv4 address.
  if (zeroUpTo(5) && g(5) === 0xffff) return inner('IPv4-mapped', embeddedIPv4(g(6), g(7)));
  if (zeroUpTo(4) && g(4) === 0xffff && g(5) === 0) return inner('IPv4-translated', embeddedIPv4(g(6), g(7)));
  // ::a.b.c.d (deprecated IPv4-compatible) and the rest of ::/8.
  if (zeroUpTo(6)) return inner('IPv4-compatible', embeddedIPv4(g(6), g(7))) ?? 'reserved';
  if (g(0) <= 0x00ff) {
    if (g(0) === 0x64 && g(1) === 0xff9b && g(2) === 0 && g(3) === 0 && g(4) === 0 && g(5) === 0) {
      return inner('NAT64', embeddedIPv4(g(6), g(7)));
    }
    if (g(0) === 0x64 && g(1) === 0xff9b && g(2) === 1) return 'local-use NAT64';
    return 'reserved';
  }
  if (g(0) === 0x0100 && g(1) === 0 && g(2) === 0 && g(3) === 0) return 'discard-only';
  if (g(0) === 0x2001 && g(1) === 0) {
    // Teredo: the client's IPv4 address is stored inverted in the last 32 bits.
    return inner('Teredo', embeddedIPv4(g(6) ^ 0xffff, g(7) ^ 0xffff));
  }
  if (g(0) === 0x2001 && g(1) === 0x0002 && g(2) === 0) return 'benchmarking';
  if (g(0) === 0x2001 && g(1) === 0x0db8) return 'documentation';
  if (g(0) === 0x3fff && g(1) < 0x1000) return 'documentation';
  if (g(0) === 0x2002) return inner('6to4', embeddedIPv4(g(1), g(2)));
  if (g(0) === 0xfd00 && g(1) === 0x0ec2 && groups.slice(2, 7).every((group) => group === 0) && g(7) === 0x254) {
    return 'cloud metadata';
  }
  if ((g(0) & 0xfe00) === 0xfc00) return 'unique-local';
  if ((g(0) & 0xffc0) === 0xfe80) return 'link-local';
  if ((g(0) & 0xffc0) === 0xfec0) return 'site-local';
  if ((g(0) & 0xff00) === 0xff00) return 'multicast';
  // Only 2000::/3 is allocated for global unicast.
  if ((g(0) & 0xe000) !== 0x2000) return 'reserved';
  return undefined;
}

/**
 * The IP address `text` denotes, canonical (dotted IPv4, or IPv6 without brackets or zone), or undefined
 * when it is not an IP literal. Odd IPv4 spellings (`2130706433`, `0x7f000001`, `0177.0.0.1`, `127.1`) are
 * read the way WHATWG URL parsing — and therefore the request — reads them.
 */
export function normalizeAddress(text: string): string | undefined {
  let candidate = text.trim();
  if (candidate.startsWith('[') && candidate.endsWith(']')) candidate = candidate.slice(1, -1);
  const zone = candidate.indexOf('%');
  if (zone !== -1 && candidate.includes(':')) candidate = candidate.slice(0, zone);
  if (isIP(candidate)) return candidate.toLowerCase();
  if (!/^[0-9a-fx.]+$/i.test(candidate)) return undefined;
  try {
    const { hostname } = new URL(`http://${candidate}/`);
    return isIPv4(hostname) ? hostname : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The class of a blocked address (`loopback`, `private`, `link-local`, `IPv4-mapped loopback`, …), or
 * undefined when the address is public — or not an IP literal at all (a host name is checked after DNS).
 */
export function classifyAddress(ip: string): string | undefined {
  const address = normalizeAddress(ip);
  if (!address) return undefined;
  if (isIPv4(address)) return classifyIPv4(ipv4(address));
  if (isIPv6(address)) return classifyIPv6(ipv6Groups(address));
  return undefined;
}
