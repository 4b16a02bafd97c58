import type { GetEmailIdentityCommand, GetEmailIdentityCommandOutput } from '@aws-sdk/client-sesv2';
import { beforeAll, describe, expect, it } from 'vitest';
import { unalignedSenders } from '#shared/senders/activation';
import type { DnsResolver } from '#shared/senders/dns';
import type { SesIdentityClient } from '#shared/senders/ses-identity';
import { putSender } from '#shared/store/senders';
import { useLocalDynamo } from '#test/support/local-dynamo';

/**
 * Activation with a sender pool (PRODUCT.md §10): a sender whose domain is known to fail DMARC alignment holds the
 * campaign back (the API then needs `force`); one that aligns, or one whose DNS could not be read, does not.
 */
const NOW = '2026-11-24T08:00:00.000Z';
const AMAZONSES_SPF = 'v=spf1 ip4:54.240.0.0/18 -all';

const ZONE: Record<string, string[][]> = {
  'amazonses.com': [[AMAZONSES_SPF]],
  'acme.test': [['v=spf1 include:amazonses.com ~all']],
  '_dmarc.acme.test': [['v=DMARC1; p=none']],
};

/** TXT from the zone above; a name outside it times out (DNS unreachable). */
const resolver: DnsResolver = async (name) => {
  if (name.toLowerCase().endsWith('.unreachable')) throw Object.assign(new Error('timeout'), { code: 'ETIMEOUT' });
  const records = ZONE[name.toLowerCase()];
  if (!records) throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  return records;
};

/**
 * SES knows only the addresses (not the domains): it signs and sends as amazonses.com, so nothing aligns. For the
 * unreachable domain AWS cannot be reached either: nothing is known.
 */
const ses = {
  send: async (command: GetEmailIdentityCommand): Promise<GetEmailIdentityCommandOutput> => {
    if (command.input.EmailIdentity?.includes('unreachable'))
      throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    if (!command.input.EmailIdentity?.includes('@'))
      throw Object.assign(new Error('gone'), { name: 'NotFoundException' });
    return {
      $metadata: {},
      VerifiedForSendingStatus: true,
      DkimAttributes: { SigningEnabled: false, Status: 'NOT_STARTED' },
    };
  },
} as SesIdentityClient;

beforeAll(async () => {
  const dynamo = await useLocalDynamo();
  return () => dynamo.close();
});

describe('unalignedSenders', () => {
  it('names the pool senders that fail DMARC alignment, not those whose DNS could not be read', async () => {
    // Prepare
    const base = { name: 'Ada', dailyLimit: 50, state: 'ACTIVE' as const, createdAt: NOW, updatedAt: NOW };
    await putSender({ ...base, senderId: 'unaligned', email: 'sales@acme.test' });
    await putSender({ ...base, senderId: 'unread', email: 'sales@dns.unreachable' });

    // Act
    const held = await unalignedSenders({ senderIds: ['unaligned', 'unread', 'gone'] }, { resolver, ses });
    const none = await unalignedSenders({}, { resolver, ses });

    // Assess
    expect(held.map((each) => each.senderId)).toEqual(['unaligned']);
    expect(held[0]?.problems.join(' ')).toContain('DMARC');
    expect(none).toEqual([]);
  });
});
