import { describe, expect, it } from 'vitest';
import {
  baseUrlProblem,
  LinkedInProviderClient,
  LinkedInProviderError,
  parseRetryAfter,
  publicIdentifierFrom,
} from '#shared/channels/linkedin/provider-client';
import { isolateEnv } from '#test/support/env';

isolateEnv([
  'CASCADE_CONNECT_TO',
  'CASCADE_TRUSTED_ORIGINS',
  'CASCADE_ALLOW_PRIVATE_NETWORK',
  'AWS_LAMBDA_RUNTIME_API',
]);

/** One member's profile as lead lists write it: URLs in their common spellings, and the bare id. */
const HIRO_SPELLINGS = [
  'https://www.linkedin.com/in/hiro-moreau-1',
  'https://www.linkedin.com/in/hiro-moreau-1/',
  'http://linkedin.com/in/hiro-moreau-1?trk=public',
  'hiro-moreau-1',
];

describe('publicIdentifierFrom', () => {
  it('reads the member id from every spelling of one profile', () => {
    // Prepare / Act
    const ids = Object.fromEntries(HIRO_SPELLINGS.map((spelling) => [spelling, publicIdentifierFrom(spelling)]));
    // Assess
    expect(ids).toEqual(Object.fromEntries(HIRO_SPELLINGS.map((spelling) => [spelling, 'hiro-moreau-1'])));
  });

  it('decodes a percent-encoded profile URL and keeps a member id as it is', () => {
    // Prepare / Act
    const decoded = publicIdentifierFrom('www.linkedin.com/in/j%C3%A9r%C3%B4me-l/fr');
    const memberId = publicIdentifierFrom('ACoAABcD123Efg');
    // Assess
    expect(decoded).toBe('jérôme-l');
    expect(memberId).toBe('ACoAABcD123Efg');
  });

  it('rejects a LinkedIn URL that is not a member profile', () => {
    // Prepare / Act / Assess
    expect(() => publicIdentifierFrom('https://www.linkedin.com/company/acme')).toThrow(/profile URL/);
  });
});

describe('parseRetryAfter', () => {
  it('parses Retry-After as seconds or as an HTTP date', () => {
    // Prepare
    const now = Date.parse('2025-01-10T12:00:00Z');
    // Act
    const seconds = parseRetryAfter('45', now);
    const date = parseRetryAfter('Fri, 10 Jan 2025 12:01:30 GMT', now);
    const garbage = parseRetryAfter('soon', now);
    // Assess
    expect(seconds).toBe(45);
    expect(date).toBe(90);
    expect(garbage).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('the provider base URL', () => {
  it.each([
    ['', /none is configured/],
    ['api8.unipile.example:13851', /only http and https/],
    ['//user:pw@api.example', /not a URL/],
    ['ftp://api.example/', /only http and https URLs are allowed, not ftp:/],
    ['https://user:pw@api.example/', /must not hold credentials/],
    ['http://127.0.0.1:8791', /127\.0\.0\.1 is a loopback address/],
    ['http://169.254.169.254/', /169\.254\.169\.254 is/],
  ])('refuses %j', (baseUrl, problem) => {
    // Prepare / Act
    const refusal = baseUrlProblem(baseUrl);

    // Assess
    expect(refusal).toMatch(problem);
  });

  it('accepts a public https URL', () => {
    // Prepare / Act / Assess
    expect(baseUrlProblem('https://api8.unipile.com:13851')).toBeUndefined();
  });

  it('refuses an unusable base URL as `misconfigured` before any request, never showing its credentials', async () => {
    // Prepare
    const client = new LinkedInProviderClient({ baseUrl: 'https://user:pw@127.0.0.1:1/', apiKey: 'k', accountId: 'a' });

    // Act
    const error = await client.sendInvitation('ACo123', 'Hello').catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(LinkedInProviderError);
    expect(error).toMatchObject({ failure: 'misconfigured', endpoint: 'invite', maybeDelivered: false });
    expect((error as Error).message).toBe(
      'the LinkedIn provider base URL https://***@127.0.0.1:1/ cannot be used: the URL must not hold credentials (user:password@); give apiKey instead',
    );
  });
});
