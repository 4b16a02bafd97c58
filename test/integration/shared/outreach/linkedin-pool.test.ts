import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { type Lead, SequenceConfig } from '#shared/domain/schemas';
import { launchBatch } from '#shared/outreach/launcher';
import { invitesToday } from '#shared/outreach/linkedin-pool';
import { dayWindow, reserve, weekWindow } from '#shared/rate-limit/limiter';
import { putAccountLimits, putChannelConfig } from '#shared/store/config';
import { createLead, getLead, putCampaign } from '#shared/store/leads';
import { getAttempt, listLeadMessages } from '#shared/store/outreach';
import { putLinkedInAccount } from '#shared/store/senders';
import { testCampaign, testLead } from '#test/support/fixtures';

/**
 * LinkedIn account pools (PRODUCT.md §10): invitations spread over two accounts, each held to its weekly cap
 * (counted on the run's own clock), each lead's invitation through the account it was assigned.
 */
const LEADS = 12;
const WEEKLY = 4;
const NOW = '2026-11-24T08:00:00.000Z';
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack();
}, 60_000);
afterAll(() => stack?.close());

describe('a campaign drawing on two LinkedIn accounts with a weekly invitation cap', () => {
  it('spreads the invitations over both and never goes over an account’s week', async () => {
    // Prepare
    for (const accountId of ['li-one', 'li-two'])
      await putLinkedInAccount({
        accountId,
        dailyInvites: 3,
        weeklyInvites: WEEKLY,
        dailyMessages: 50,
        state: 'ACTIVE',
        createdAt: NOW,
        updatedAt: NOW,
      });
    await putAccountLimits({ globalPerDay: 100_000, perDomainPerDay: 100_000, leadCooldownHours: 0 });
    const campaign = testCampaign('li-pool', {
      linkedinAccountIds: ['li-one', 'li-two'],
      sequence: SequenceConfig.parse({ steps: [{ channel: 'LINKEDIN' }], sequenceTimeoutDays: 60 }),
    });
    await putCampaign(campaign);
    await putChannelConfig({
      channel: 'LINKEDIN',
      scope: campaign.campaignId,
      enabled: true,
      rateLimits: { perHour: 1_000, perDay: 1_000 },
      retryPolicy: { maxRetries: 2, retryBackoffHours: [24, 48] },
      settings: { minSpacingSeconds: 0, maxSpacingSeconds: 0 },
    });
    const leads: Lead[] = [];
    for (let index = 0; index < LEADS; index++) {
      const member = `li-pool-member-${index}`;
      stack.linkedin.seedProfile({ publicIdentifier: member, status: 'NOT_CONNECTED' });
      const lead = testLead({
        leadId: `li-pool-${index}`,
        campaignId: campaign.campaignId,
        linkedinUrl: `https://www.linkedin.com/in/${member}`,
      });
      await createLead(lead);
      leads.push(lead);
    }

    // Act
    await launchBatch({ campaignId: campaign.campaignId, stateMachineArn: stack.stateMachineArn });
    await stack.stepFunctions.drain();

    // Assess: every lead invited once, through its own account; no account over its cap in any week.
    const perAccountWeek = new Map<string, number>();
    for (const lead of leads) {
      const stored = await getLead(lead.leadId);
      const sent = (await listLeadMessages(lead.leadId)).filter((message) => message.sentAt);
      expect(sent, lead.leadId).toHaveLength(1);
      const invitation = stack.linkedin.invitations.find(
        (each) => each.publicIdentifier === `li-pool-member-${lead.leadId.split('-').at(-1)}`,
      );
      expect(invitation?.accountId, lead.leadId).toBe(stored?.linkedinAccountId);
      const key = `${stored?.linkedinAccountId}|${weekWindow(Date.parse(sent[0]?.createdAt ?? '')).label}`;
      perAccountWeek.set(key, (perAccountWeek.get(key) ?? 0) + 1);
    }
    expect(
      stack.linkedin.invitations.filter((each) => each.publicIdentifier.startsWith('li-pool-member-')),
    ).toHaveLength(LEADS);
    for (const [key, count] of perAccountWeek) expect(count, key).toBeLessThanOrEqual(WEEKLY);
    const accounts = new Set([...perAccountWeek.keys()].map((key) => key.split('|')[0]));
    expect(accounts).toEqual(new Set(['li-one', 'li-two']));
  }, 300_000);

  it('waits for the account that frees up first when every account is full (a day, not a week)', async () => {
    // Prepare: account "weekly" used its week, account "daily" its day; one lead to invite.
    for (const [accountId, dailyInvites] of [
      ['li-weekly', 10],
      ['li-daily', 1],
    ] as const)
      await putLinkedInAccount({
        accountId,
        dailyInvites,
        weeklyInvites: 1,
        dailyMessages: 50,
        state: 'ACTIVE',
        createdAt: NOW,
        updatedAt: NOW,
      });
    const now = Date.now();
    const day = dayWindow(now);
    const week = weekWindow(now);
    const full = (key: string, windowEndMs: number) =>
      reserve([{ kind: 'counter', key, limit: 1, windowEndMs, whenFull: 'retry' }], now);
    await full(`LIACCOUNT#li-weekly#INV#${week.label}`, week.endMs);
    await full(invitesToday('li-daily', day.label), day.endMs);
    const campaign = testCampaign('li-full', {
      linkedinAccountIds: ['li-weekly', 'li-daily'],
      sequence: SequenceConfig.parse({ steps: [{ channel: 'LINKEDIN' }] }),
    });
    await putCampaign(campaign);
    stack.linkedin.seedProfile({ publicIdentifier: 'li-full-member', status: 'NOT_CONNECTED' });
    const lead = testLead({
      leadId: 'li-full-lead',
      campaignId: campaign.campaignId,
      linkedinUrl: 'https://www.linkedin.com/in/li-full-member',
    });
    await createLead(lead);

    // Act
    await launchBatch({ campaignId: campaign.campaignId, stateMachineArn: stack.stateMachineArn });
    await stack.stepFunctions.drain();

    // Assess: the first try waited until the day's end (plus jitter), and the next day "daily" sent it.
    const first = await getAttempt(lead.leadId, `li-full--li-full-lead#0#1`);
    expect(first).toMatchObject({ outcome: 'RETRY', reason: 'rate_limited' });
    expect(Date.parse(first?.nextRetryAt ?? '')).toBeLessThan(day.endMs + 3_600_000);
    expect((await getLead(lead.leadId))?.linkedinAccountId).toBe('li-daily');
  }, 120_000);
});
