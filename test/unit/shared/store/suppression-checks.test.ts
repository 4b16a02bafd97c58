import { describe, expect, it } from 'vitest';
import type { Suppression } from '#shared/domain/schemas';
import { channelClosedBy, personStop, suppressionKeysToRead } from '#shared/store/suppression-checks';
import { testLead } from '#test/support/fixtures';

const lead = testLead({
  leadId: 'lead-1',
  campaignId: 'b',
  email: 'Ada@Acme.example',
  linkedinUrl: 'https://www.linkedin.com/in/ada-l%',
});
const entry = (key: string, reason: string): Suppression => ({
  key,
  reason,
  source: 'unit',
  createdAt: '2026-11-24T08:00:00.000Z',
});

describe('suppression entries judged for a lead', () => {
  it.each([
    ['an unsubscribe on the address', entry('EMAIL#ada@acme.example', 'unsubscribed'), 'unsubscribed'],
    ['a complaint on the address', entry('EMAIL#ada@acme.example', 'complaint'), 'complaint'],
    ['an unsubscribe on the profile', entry('LINKEDIN#ada-l%', 'unsubscribed'), 'unsubscribed'],
    ['the lead itself', entry('LEAD#lead-1', 'do_not_contact'), 'suppressed'],
  ])('%s stops the person on every channel', (_case, found, reason) => {
    // Act
    const stop = personStop(lead, [found]);

    // Assess
    expect(stop?.reason).toBe(reason);
  });

  it('a bounce on the address closes EMAIL only', () => {
    // Prepare
    const bounce = entry('EMAIL#ada@acme.example', 'bounce');

    // Act / Assess
    expect(personStop(lead, [bounce])).toBeUndefined();
    expect(channelClosedBy(lead, 'EMAIL', [bounce])).toEqual(bounce);
    expect(channelClosedBy(lead, 'LINKEDIN', [bounce])).toBeUndefined();
  });

  it('reads the person keys with the channel keys, and a malformed escape never throws', () => {
    // Act
    const keys = suppressionKeysToRead(lead, ['LINKEDIN']);

    // Assess
    expect(keys).toEqual(expect.arrayContaining(['LEAD#lead-1', 'EMAIL#ada@acme.example', 'LINKEDIN#ada-l%']));
    expect(keys.filter((key) => key.startsWith('DOMAIN#'))).toEqual([]);
  });
});
