import { describe, expect, it } from 'vitest';
import { formatApiError, normalizeBaseUrl } from '#cli/api-client';

describe('formatApiError', () => {
  it('puts the code, the message and each field detail on one line', () => {
    // Act
    const line = formatApiError('validation_error', 'The request is invalid', [
      { field: 'sender.email', message: 'Invalid email address' },
      { field: 'name', message: 'is required' },
    ]);

    // Assess
    expect(line).toBe(
      'validation_error: The request is invalid (sender.email: Invalid email address; name: is required)',
    );
  });

  it('leaves out empty details and caps long lists', () => {
    // Prepare
    const many = Array.from({ length: 9 }, (_, i) => ({ field: `f${i}`, message: 'bad' }));

    // Act
    const bare = formatApiError('not_found', 'campaign x does not exist', []);
    const capped = formatApiError('validation_error', 'bad', many);

    // Assess
    expect(bare).toBe('not_found: campaign x does not exist');
    expect(capped).toMatch(/f5: bad; … 3 more\)$/);
    expect(capped).not.toContain('\n');
  });
});

describe('normalizeBaseUrl', () => {
  it('accepts the API with or without /v1 and a trailing slash', () => {
    // Assess
    expect(normalizeBaseUrl('http://127.0.0.1:8787')).toBe('http://127.0.0.1:8787');
    expect(normalizeBaseUrl('http://127.0.0.1:8787/v1/')).toBe('http://127.0.0.1:8787');
    expect(normalizeBaseUrl('https://abc.execute-api.eu-west-1.amazonaws.com/v1')).toBe(
      'https://abc.execute-api.eu-west-1.amazonaws.com',
    );
    expect(() => normalizeBaseUrl('not a url')).toThrow(/is not a URL/);
    expect(() => normalizeBaseUrl('ftp://x.example')).toThrow(/http/);
  });
});
