import { describe, expect, it } from 'vitest';
import { classifyAddress, normalizeAddress } from '#shared/http/address-class';

/** `[address, class]` rows from addresses grouped by the class the guard gives them. */
const rowsByClass = (table: Record<string, string[]>): [string, string][] =>
  Object.entries(table).flatMap(([label, addresses]) => addresses.map((ip): [string, string] => [ip, label]));

const IPV4_BY_CLASS = {
  loopback: ['127.0.0.1', '127.255.255.254'],
  private: ['10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1'],
  'carrier-grade NAT': ['100.64.0.1', '100.127.255.255'],
  'cloud metadata': ['169.254.169.254', '169.254.170.2'],
  'link-local': ['169.254.1.1'],
  unspecified: ['0.0.0.0'],
  'this-network': ['0.1.2.3'],
  multicast: ['224.0.0.1'],
  broadcast: ['255.255.255.255'],
  reserved: ['240.0.0.1'],
  documentation: ['192.0.2.10'],
  benchmarking: ['198.18.0.1'],
};

const IPV6_BY_CLASS = {
  unspecified: ['::'],
  loopback: ['::1', '0:0:0:0:0:0:0:1', '[::1]'],
  'unique-local': ['fc00::1', 'fdff:ffff::1'],
  'cloud metadata': ['fd00:ec2::254'],
  'link-local': ['fe80::1', 'fe80::1%eth0', 'febf::1'],
  'site-local': ['fec0::1'],
  multicast: ['ff02::1'],
  'IPv4-mapped loopback': ['::ffff:127.0.0.1', '::ffff:7f00:1', '::FFFF:7F00:0001'],
  'IPv4-mapped cloud metadata': ['::ffff:169.254.169.254'],
  'IPv4-mapped private': ['::ffff:a00:1'],
  'IPv4-translated loopback': ['::ffff:0:7f00:1'],
  'IPv4-compatible loopback': ['::127.0.0.1'],
  'NAT64 loopback': ['64:ff9b::127.0.0.1'],
  'NAT64 cloud metadata': ['64:ff9b::a9fe:a9fe'],
  'local-use NAT64': ['64:ff9b:1::1'],
  '6to4 loopback': ['2002:7f00:1::1'],
  '6to4 private': ['2002:c0a8:101::1'],
  'Teredo loopback': ['2001:0:4136:e378:8000:63bf:80ff:fffe'],
  documentation: ['2001:db8::1'],
  'discard-only': ['100::1'],
  reserved: ['::2:0:0:1', '::8.8.8.8', '4000::1'],
};

describe('classifyAddress', () => {
  it.each(rowsByClass(IPV4_BY_CLASS))('IPv4 %s is %s', (ip, expected) => {
    // Prepare / Act
    const found = classifyAddress(ip);

    // Assess
    expect(found).toBe(expected);
  });

  it.each(rowsByClass(IPV6_BY_CLASS))('IPv6 %s is %s', (ip, expected) => {
    // Prepare / Act
    const found = classifyAddress(ip);

    // Assess
    expect(found).toBe(expected);
  });

  it.each([
    ['2130706433', 'decimal'],
    ['0x7f000001', 'hex'],
    ['0x7f.0x0.0x0.0x1', 'dotted hex'],
    ['0177.0.0.1', 'octal'],
    ['0177.0000.0000.0001', 'padded octal'],
    ['127.1', 'short'],
    ['127.0.1', 'three-part'],
    ['127.0.0.1.', 'trailing dot'],
  ])('reads the odd IPv4 spelling %s (%s) as loopback, the way the URL parser does', (spelling) => {
    // Prepare / Act
    const found = classifyAddress(spelling);
    const canonical = normalizeAddress(spelling);

    // Assess
    expect(found).toBe('loopback');
    expect(canonical).toBe('127.0.0.1');
  });

  it('reads 0 and 0x0 as the unspecified address and 0xa9fea9fe as metadata', () => {
    // Prepare / Act
    const classes = ['0', '0x0', '0xa9fea9fe', '10.1'].map(classifyAddress);

    // Assess
    expect(classes).toEqual(['unspecified', 'unspecified', 'cloud metadata', 'private']);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '192.169.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('leaves the public address %s alone', (ip) => {
    // Prepare / Act
    const found = classifyAddress(ip);

    // Assess
    expect(found).toBeUndefined();
  });

  it('returns undefined for host names, which are checked after DNS instead', () => {
    // Prepare / Act
    const found = ['example.com', 'localhost', 'acme.example', 'deadbeef.example', ''].map(classifyAddress);

    // Assess
    expect(found).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});
