import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { type Lead, SequenceConfig } from '#shared/domain/schemas';
import { launchBatch } from '#shared/outreach/launcher';
import { type Sender, warmupLimitOn } from '#shared/senders/schema';
import { putAccountLimits, putChannelConfig } from '#shared/store/config';
import { createLead, getLead, putCampaign } from '#shared/store/leads';
import { listLeadMessages } from '#shared/store/outreach';
import { getSender, putSender } from '#shared/store/senders';
import { testCampaign, testLead } from '#test/support/fixtures';

/**
 * Sender pools (PRODUCT.md §10) on the embedded stack: leads spread over three senders (daily limits 6 and 9, and a
 * warm-up from 2 + 2 a day), every follow-up from the lead's first sender, and no sender over its day's limit, read
 * from the mails the SES peer accepted.
 */
const LEADS = 60;
const NOW = '2026-11-24T08:00:00.000Z';
let stack: LocalStack;

interface StoredMail {
  from: string;
  destination: { to: string[] };
}

const sender = (senderId: string, fields: Partial<Sender>): Sender => ({
  senderId,
  name: `Sender ${senderId}`,
  email: `${senderId}@cascade-demo.example`,
  dailyLimit: 50,
  state: 'ACTIVE',
  createdAt: NOW,
  updatedAt: NOW,
  ...fields,
});

beforeAll(async () => {
  stack = await startLocalStack();
}, 60_000);
afterAll(() => stack?.close());

describe('a campaign drawing on a pool of three senders', () => {
  it('spreads its leads, keeps each thread with its first sender, and never goes over a sender’s day', async () => {
    // Prepare
    const senders = [
      sender('pool-a', { dailyLimit: 6 }),
      sender('pool-b', { dailyLimit: 9 }),
      sender('pool-c', { dailyLimit: 40, warmup: { startPerDay: 2, increasePerDay: 2 } }),
    ];
    for (const each of senders) await putSender(each);
    await putAccountLimits({ globalPerDay: 100_000, perDomainPerDay: 100_000, leadCooldownHours: 0 });
    const campaign = testCampaign('pool', {
      senderIds: senders.map((each) => each.senderId),
      sequence: SequenceConfig.parse({
        steps: [
          { id: 'intro', channel: 'EMAIL', onSent: 'next' },
          { id: 'follow-up', channel: 'EMAIL', waitHoursBefore: 48, threadWith: 'intro' },
        ],
      }),
    });
    await putCampaign(campaign);
    await putChannelConfig({
      channel: 'EMAIL',
      scope: campaign.campaignId,
      enabled: true,
      rateLimits: { perHour: 10_000, perDay: 10_000 },
      retryPolicy: { maxRetries: 2, retryBackoffHours: [24, 48] },
      settings: {},
    });
    const leads: Lead[] = [];
    for (let index = 0; index < LEADS; index++) {
      const lead = testLead({
        leadId: `pool-lead-${index}`,
        campaignId: campaign.campaignId,
        email: `p${index}@pool-${index}.example`,
      });
      await createLead(lead);
      leads.push(lead);
    }

    // Act
    await launchBatch({ campaignId: campaign.campaignId, stateMachineArn: stack.stateMachineArn });
    await stack.stepFunctions.drain();

    // Assess
    const messages = (await Promise.all(leads.map((lead) => listLeadMessages(lead.leadId)))).flat();
    const sent = messages.filter((message) => message.sentAt);
    expect(sent).toHaveLength(LEADS * 2);
    for (const lead of leads) {
      const own = sent.filter((message) => message.leadId === lead.leadId);
      const stored = await getLead(lead.leadId);
      expect(new Set(own.map((message) => message.senderId)), lead.leadId).toEqual(new Set([stored?.senderId]));
    }
    const perSenderDay = new Map<string, number>();
    for (const message of sent) {
      const key = `${message.senderId}|${message.createdAt.slice(0, 10)}`;
      perSenderDay.set(key, (perSenderDay.get(key) ?? 0) + 1);
    }
    for (const [key, count] of perSenderDay) {
      const [senderId = '', day = ''] = key.split('|');
      const stored = await getSender(senderId);
      if (!stored) throw new Error(`no sender ${senderId}`);
      expect(count, key).toBeLessThanOrEqual(warmupLimitOn(stored, day));
    }
    expect(new Set(sent.map((message) => message.senderId))).toEqual(new Set(['pool-a', 'pool-b', 'pool-c']));
    // What the SES peer accepted: every mail From the sender its message names.
    const store = (await (await fetch(`${stack.endpoints.ses}/store`)).json()) as { emails: StoredMail[] };
    const fromByRecipient = new Map(store.emails.map((mail) => [mail.destination.to[0], mail.from]));
    for (const lead of leads) {
      const stored = await getLead(lead.leadId);
      expect(fromByRecipient.get(lead.email ?? ''), lead.leadId).toContain(`${stored?.senderId}@cascade-demo.example`);
    }
    expect((await getSender('pool-c'))?.firstSendDay).toBeDefined();
  }, 300_000);
});
