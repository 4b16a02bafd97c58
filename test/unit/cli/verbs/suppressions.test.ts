import { describe, expect, it } from 'vitest';
import { suppressionKey } from '#cli/verbs/suppressions';

describe('suppressionKey', () => {
  it('maps an address, a domain or a key to the entry key', () => {
    // Assess
    expect(suppressionKey('Ada@X.example')).toBe('EMAIL#ada@x.example');
    expect(suppressionKey('@x.example')).toBe('DOMAIN#x.example');
    expect(suppressionKey('HASH#abc')).toBe('HASH#abc');
  });
});
