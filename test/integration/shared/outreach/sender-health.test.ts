import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { SequenceConfig } from '#shared/domain/schemas';
import { launchBatch } from '#shared/outreach/launcher';
import { resumeSender } from '#shared/senders/sender-health';
import { putAccountLimits, putChannelConfig } from '#shared/store/config';
import { createLead, putCampaign } from '#shared/store/leads';
import { getSender, putSender } from '#shared/store/senders';
import { testCampaign, testLead } from '#test/support/fixtures';
import { waitFor } from '#test/support/wait';

/**
 * Sender health (PRODUCT.md §10): a sender whose mails bounce past the threshold is paused within the batch, sends
 * nothing more, and its held leads continue once an operator resumes it.
 */
const LEADS = 16;
const NOW = '2026-11-24T08:00:00.000Z';
let stack: LocalStack;

interface StoredMail {
  from: string;
}

async function mailsFrom(address: string): Promise<number> {
  const store = (await (await fetch(`${stack.endpoints.ses}/store`)).json()) as { emails: StoredMail[] };
  return store.emails.filter((mail) => mail.from.includes(address)).length;
}

beforeAll(async () => {
  // Waits last 600 ms: the sends of one round (3 an hour) are judged before the next round goes (on a busy machine
  // a shorter wait let every round's sends overlap the bounces that pause the sender), and the held leads are
  // still waiting for their sender when the test resumes it.
  stack = await startLocalStack({ pauseMs: 600 });
}, 60_000);
afterAll(() => stack?.close());

describe('a sender whose mails bounce', () => {
  it('is paused within one batch, sends nothing more, and its leads continue once it is resumed', async () => {
    // Prepare: every lead's address bounces (the SES mailbox simulator); judged from 5 sends.
    await putSender({
      senderId: 'bouncy',
      name: 'Bouncy',
      email: 'bouncy@cascade-demo.example',
      dailyLimit: 1_000,
      state: 'ACTIVE',
      createdAt: NOW,
      updatedAt: NOW,
    });
    await putAccountLimits({
      globalPerDay: 100_000,
      perDomainPerDay: 100_000,
      leadCooldownHours: 0,
      senderHealthMinSends: 5,
    });
    const campaign = testCampaign('bouncy', {
      senderIds: ['bouncy'],
      sequence: SequenceConfig.parse({ steps: [{ channel: 'EMAIL', confirmDeliveryMinutes: 0 }] }),
    });
    await putCampaign(campaign);
    await putChannelConfig({
      channel: 'EMAIL',
      scope: campaign.campaignId,
      enabled: true,
      rateLimits: { perHour: 3, perDay: 10_000 },
      retryPolicy: { maxRetries: 2, retryBackoffHours: [24, 48] },
      settings: {},
    });
    for (let index = 0; index < LEADS; index++)
      await createLead(
        testLead({
          leadId: `bouncy-${index}`,
          campaignId: campaign.campaignId,
          email: `bounce+${index}@simulator.amazonses.com`,
        }),
      );

    // Act: the batch runs until the sender is paused; then an operator resumes it.
    await launchBatch({ campaignId: campaign.campaignId, stateMachineArn: stack.stateMachineArn });
    const paused = await waitFor(
      async () => ((await getSender('bouncy'))?.state === 'PAUSED' ? true : undefined),
      120_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const sentWhilePaused = await mailsFrom('bouncy@cascade-demo.example');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const stillPaused = await mailsFrom('bouncy@cascade-demo.example');
    // Every address here bounces: the bar goes up with the resume, or the rest would pause it again at once.
    await putAccountLimits({
      globalPerDay: 100_000,
      perDomainPerDay: 100_000,
      leadCooldownHours: 0,
      senderHealthMinSends: 1_000,
    });
    await resumeSender('bouncy');
    await stack.stepFunctions.drain();

    // Assess
    expect(paused).toBe(true);
    expect((await getSender('bouncy'))?.state).toBe('ACTIVE');
    expect(sentWhilePaused).toBeLessThan(LEADS);
    expect(stillPaused).toBe(sentWhilePaused);
    expect(await mailsFrom('bouncy@cascade-demo.example')).toBe(LEADS);
  }, 300_000);
});
