import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  checkUrlTarget,
  classifyAddress,
  normalizeAddress,
  OutboundBlockedError,
  parseTrustedOrigins,
} from '#shared/http/outbound';

const ENV_NAMES = [
  'CASCADE_CONNECT_TO',
  'CASCADE_TRUSTED_ORIGINS',
  'CASCADE_ALLOW_PRIVATE_NETWORK',
  'AWS_LAMBDA_RUNTIME_API',
] as const;
const savedEnv = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]));

beforeEach(() => {
  for (const name of ENV_NAMES) delete process.env[name];
});
afterAll(() => {
  for (const name of ENV_NAMES) {
    const value = savedEnv[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.170.2', 'cloud metadata'],
    ['169.254.1.1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'this-network'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
  ])('IPv4 %s is %s', (ip, expected) => {
    // Prepare / Act
    const found = classifyAddress(ip);

    // Assess
    expect(found).toBe(expected);
  });

  it.each([
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['[::1]', 'loopback'],
    ['fc00::1', 'unique-local'],
    ['fdff:ffff::1', 'unique-local'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback'],
    ['::FFFF:7F00:0001', 'IPv4-mapped loopback'],
    ['::ffff:169.254.169.254', 'IPv4-mapped cloud metadata'],
    ['::ffff:a00:1', 'IPv4-mapped private'],
    ['::ffff:0:7f00:1', 'IPv4-translated loopback'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['64:ff9b::127.0.0.1', 'NAT64 loopback'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 cloud metadata'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['2002:7f00:1::1', '6to4 loopback'],
    ['2002:c0a8:101::1', '6to4 private'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'Teredo loopback'],
    ['2001:db8::1', 'documentation'],
    ['100::1', 'discard-only'],
    ['::2:0:0:1', 'reserved'],
    ['::8.8.8.8', 'reserved'],
    ['4000::1', 'reserved'],
  ])('IPv6 %s is %s', (ip, expected) => {
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

describe('checkUrlTarget', () => {
  it.each([
    'file:///etc/passwd',
    'ftp://example.com/',
    'gopher://example.com:70/',
    'data:text/html,hi',
    'javascript:alert(1)',
  ])('refuses the non-http(s) URL %s', (url) => {
    // Prepare / Act
    const refusal = checkUrlTarget(url, { allowPrivateNetwork: true });

    // Assess
    expect(refusal).toBeInstanceOf(OutboundBlockedError);
    expect(refusal?.message).toMatch(/only http and https URLs are allowed/);
  });

  it('allows public http and https URLs', () => {
    // Prepare / Act
    const refusals = ['http://example.com/', 'https://acme.example/contact', 'https://8.8.8.8/'].map((url) =>
      checkUrlTarget(url),
    );

    // Assess
    expect(refusals).toEqual([undefined, undefined, undefined]);
  });

  it('refuses a loopback literal with a readable one-line message', () => {
    // Prepare / Act
    const refusal = checkUrlTarget('http://127.0.0.1/');

    // Assess
    expect(refusal).toBeInstanceOf(OutboundBlockedError);
    expect(refusal?.name).toBe('OutboundBlockedError');
    expect(refusal?.url).toBe('http://127.0.0.1/');
    expect(refusal?.maybeDelivered).toBe(false);
    expect(refusal?.message).toBe(
      'refused to fetch http://127.0.0.1/: 127.0.0.1 is a loopback address (use --allow-private-network for local testing)',
    );
  });

  it.each([
    ['http://2130706433/', '127.0.0.1 is a loopback address'],
    ['http://0x7f000001:8080/', '127.0.0.1 is a loopback address'],
    ['http://0177.0.0.1/', '127.0.0.1 is a loopback address'],
    ['http://127.1/', '127.0.0.1 is a loopback address'],
    ['http://[::1]/', '::1 is a loopback address'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1 is an IPv4-mapped loopback address'],
    ['http://[fd00:ec2::254]/latest/meta-data/', 'fd00:ec2::254 is a cloud metadata address'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a cloud metadata address'],
    ['https://10.0.0.5/', '10.0.0.5 is a private address'],
    ['http://0.0.0.0:8080/', '0.0.0.0 is an unspecified address'],
    ['http://[::]/', ':: is an unspecified address'],
    ['http://user:pw@192.168.0.1/', '192.168.0.1 is a private address'],
  ])('refuses %s', (url, reason) => {
    // Prepare / Act
    const refusal = checkUrlTarget(url);

    // Assess
    expect(refusal?.reason).toBe(`${reason} (use --allow-private-network for local testing)`);
  });

  it('lifts the address guard with allowPrivateNetwork or CASCADE_ALLOW_PRIVATE_NETWORK=1, not the scheme check', () => {
    // Prepare
    const url = 'http://127.0.0.1:8791/';

    // Act
    const byOption = checkUrlTarget(url, { allowPrivateNetwork: true });
    process.env.CASCADE_ALLOW_PRIVATE_NETWORK = '1';
    const byEnv = checkUrlTarget(url);
    const optionWinsOverEnv = checkUrlTarget(url, { allowPrivateNetwork: false });
    const scheme = checkUrlTarget('file:///etc/passwd');

    // Assess
    expect(byOption).toBeUndefined();
    expect(byEnv).toBeUndefined();
    expect(optionWinsOverEnv).toBeInstanceOf(OutboundBlockedError);
    expect(scheme).toBeInstanceOf(OutboundBlockedError);
  });

  it('trusts exactly the origins in CASCADE_TRUSTED_ORIGINS', () => {
    // Prepare
    process.env.CASCADE_TRUSTED_ORIGINS = 'http://127.0.0.1:8791, http://[::1]:9000/';

    // Act
    const trusted = checkUrlTarget('http://127.0.0.1:8791/api/v1/users/x');
    const trustedV6 = checkUrlTarget('http://[::1]:9000/');
    const otherPort = checkUrlTarget('http://127.0.0.1:8792/');
    const otherScheme = checkUrlTarget('https://127.0.0.1:8791/');

    // Assess
    expect(trusted).toBeUndefined();
    expect(trustedV6).toBeUndefined();
    expect(otherPort).toBeInstanceOf(OutboundBlockedError);
    expect(otherScheme).toBeInstanceOf(OutboundBlockedError);
  });

  it('trusts the CASCADE_CONNECT_TO mapped hosts and their targets, nothing else', () => {
    // Prepare
    process.env.CASCADE_CONNECT_TO = '*.example=http://127.0.0.1:8790';

    // Act
    const mapped = checkUrlTarget('https://acme.example/contact');
    const target = checkUrlTarget('http://127.0.0.1:8790/contact');
    const neighbour = checkUrlTarget('http://127.0.0.1:8791/');

    // Assess
    expect(mapped).toBeUndefined();
    expect(target).toBeUndefined();
    expect(neighbour).toBeInstanceOf(OutboundBlockedError);
  });

  it('refuses the Lambda runtime API host named by AWS_LAMBDA_RUNTIME_API', () => {
    // Prepare
    process.env.AWS_LAMBDA_RUNTIME_API = 'runtime.lambda.internal:9001';

    // Act
    const refusal = checkUrlTarget('http://runtime.lambda.internal:9001/2018-06-01/runtime/invocation/next');

    // Assess
    expect(refusal?.reason).toMatch(/^runtime\.lambda\.internal is the Lambda runtime API address/);
  });

  it('reports an unparseable URL instead of throwing', () => {
    // Prepare / Act
    const refusal = checkUrlTarget('not a url');

    // Assess
    expect(refusal?.message).toBe('refused to fetch not a url: not a valid URL');
  });
});

describe('parseTrustedOrigins', () => {
  it('normalises each entry to its origin and rejects entries that are not origins', () => {
    // Prepare / Act
    const origins = parseTrustedOrigins(' http://127.0.0.1:8791/ ,HTTPS://Sandbox.Local:443,');

    // Assess
    expect(origins).toEqual(['http://127.0.0.1:8791', 'https://sandbox.local']);
    expect(() => parseTrustedOrigins('127.0.0.1:8791')).toThrow(/CASCADE_TRUSTED_ORIGINS/);
    expect(() => parseTrustedOrigins('file:///tmp')).toThrow(/CASCADE_TRUSTED_ORIGINS/);
  });
});
