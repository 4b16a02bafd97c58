import { describe, expect, it } from 'vitest';
import { unsubscribeToken, unsubscribeUrl, verifyUnsubscribeToken } from '#shared/outreach/unsubscribe';
import { primeSecrets } from '#shared/secrets';
import { TEST_UNSUBSCRIBE_SECRET, withUnsubscribeSettings } from '#test/unit/shared/outreach/unsubscribe-settings';

withUnsubscribeSettings();

describe('unsubscribe tokens', () => {
  it('verifies a token for exactly the lead and campaign it was made for', () => {
    // Act
    const verified = verifyUnsubscribeToken(unsubscribeToken('lead_a', 'spring'));

    // Assess
    expect(verified).toEqual({ leadId: 'lead_a', campaignId: 'spring' });
  });

  it('carries no personal data in clear', () => {
    // Act
    const url = unsubscribeUrl('lead_a', 'spring');

    // Assess
    expect(url.startsWith('https://outreach.example.com/v1/unsubscribe?token=')).toBe(true);
    expect(url).not.toMatch(/@|%40/);
    expect(Buffer.from(unsubscribeToken('lead_a', 'spring').split('.')[0] ?? '', 'base64url').toString()).toBe(
      '{"l":"lead_a","c":"spring"}',
    );
  });

  it('makes no link without the public API URL the stack gives (no loopback default)', () => {
    // Prepare
    delete process.env.CASCADE_PUBLIC_API_URL;

    // Act / Assess
    expect(() => unsubscribeUrl('lead_a', 'spring')).toThrow(/CASCADE_PUBLIC_API_URL is not set/);
  });

  it('cannot be replayed for another lead: swapping the payload breaks the signature', () => {
    // Prepare
    const [, signature] = unsubscribeToken('lead_a', 'spring').split('.');
    const otherPayload = Buffer.from(JSON.stringify({ l: 'lead_b', c: 'spring' })).toString('base64url');

    // Act
    const forged = verifyUnsubscribeToken(`${otherPayload}.${signature}`);

    // Assess
    expect(forged).toBeUndefined();
  });

  it('rejects tokens signed with another key, truncated or garbled', () => {
    // Prepare
    const genuine = unsubscribeToken('lead_a', 'spring');
    primeSecrets({ CASCADE_UNSUBSCRIBE_SECRET: 'attacker-key' });
    const foreign = unsubscribeToken('lead_a', 'spring');
    primeSecrets({ CASCADE_UNSUBSCRIBE_SECRET: TEST_UNSUBSCRIBE_SECRET });

    // Act / Assess
    expect(verifyUnsubscribeToken(foreign)).toBeUndefined();
    expect(verifyUnsubscribeToken(genuine.slice(0, -2))).toBeUndefined();
    expect(verifyUnsubscribeToken('not-a-token')).toBeUndefined();
    expect(verifyUnsubscribeToken('')).toBeUndefined();
    expect(verifyUnsubscribeToken(`${genuine}x`)).toBeUndefined();
  });
});
