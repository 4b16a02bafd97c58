import { describe, expect, it } from 'vitest';
import { parseRetryAfter, publicIdentifierFrom } from '#shared/channels/linkedin/provider-client';

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
