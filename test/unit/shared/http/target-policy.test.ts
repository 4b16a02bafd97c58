import { describe, expect, it } from 'vitest';
import { OutboundBlockedError } from '#shared/http/errors';
import { checkUrlTarget, parseTrustedOrigins } from '#shared/http/target-policy';
import { isolateEnv } from '#test/support/env';

isolateEnv([
  'CASCADE_CONNECT_TO',
  'CASCADE_TRUSTED_ORIGINS',
  'CASCADE_ALLOW_PRIVATE_NETWORK',
  'AWS_LAMBDA_RUNTIME_API',
]);

const HINT = '(use --allow-private-network for local testing)';

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
    expect(refusal?.message).toBe(`refused to fetch http://127.0.0.1/: 127.0.0.1 is a loopback address ${HINT}`);
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
    expect(refusal?.reason).toBe(`${reason} ${HINT}`);
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

  it.each([
    {
      setting: 'CASCADE_TRUSTED_ORIGINS',
      value: 'http://127.0.0.1:8791, http://[::1]:9000/',
      trusted: ['http://127.0.0.1:8791/api/v1/users/x', 'http://[::1]:9000/'],
      refused: ['http://127.0.0.1:8792/', 'https://127.0.0.1:8791/'],
    },
    {
      setting: 'CASCADE_CONNECT_TO',
      value: '*.example=http://127.0.0.1:8790',
      trusted: ['https://acme.example/contact', 'http://127.0.0.1:8790/contact'],
      refused: ['http://127.0.0.1:8791/'],
    },
  ])('trusts exactly what $setting names (other ports and schemes stay refused)', (row) => {
    // Prepare
    process.env[row.setting] = row.value;

    // Act
    const trusted = row.trusted.map((url) => checkUrlTarget(url));
    const refused = row.refused.map((url) => checkUrlTarget(url));

    // Assess
    expect(trusted).toEqual(row.trusted.map(() => undefined));
    for (const refusal of refused) expect(refusal).toBeInstanceOf(OutboundBlockedError);
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
