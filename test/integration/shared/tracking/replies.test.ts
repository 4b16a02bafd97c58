import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { type Lead, SequenceConfig } from '#shared/domain/schemas';
import { launchBatch } from '#shared/outreach/launcher';
import { createLead, getLead, putCampaign } from '#shared/store/leads';
import { indexLinkedInProfile } from '#shared/store/linkedin-index';
import { getMessage, putMessage } from '#shared/store/outreach';
import { handleInboundEmail } from '#shared/tracking/inbound-email';
import { handleLinkedInWebhook, verifyWebhookSecret } from '#shared/tracking/linkedin-events';
import { testCampaign, testLead } from '#test/support/fixtures';

let stack: LocalStack;
let counter = 0;

const campaign = (campaignId: string, sequence: SequenceConfig) => testCampaign(campaignId, { sequence });

async function leadWithMessage(fields: Partial<Lead> = {}) {
  counter++;
  const lead: Lead = testLead({
    leadId: `reply-lead-${counter}`,
    campaignId: 'replies',
    firstName: 'Rita',
    email: `rita${counter}@acme.example`,
    leadScore: 0.9,
    status: 'CONTACTED',
    linkedinConnectionStatus: 'NOT_CONNECTED',
    ...fields,
  });
  await createLead(lead);
  const messageId = `msg_reply_${counter}`;
  await putMessage({
    messageId,
    leadId: lead.leadId,
    campaignId: 'replies',
    channel: 'EMAIL',
    status: 'DELIVERED',
    body: 'Hello',
    providerMessageId: `0100-reply-${counter}`,
    executionName: `exec-reply-${counter}`,
    attemptKey: `exec-reply-${counter}#0#1`,
    createdAt: '2026-11-24T08:00:00.000Z',
  });
  return { lead, messageId, sesId: `0100-reply-${counter}` };
}

const mail = (headers: Record<string, string>, body = 'Sounds good, let us talk.') =>
  `${Object.entries({
    From: 'Rita <rita@acme.example>',
    Subject: 'Re: Quick question',
    Date: 'Tue, 24 Nov 2026 09:00:00 +0000',
    ...headers,
  })
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n')}\r\n\r\n${body}\r\n`;

beforeAll(async () => {
  // Waits take 1.5 s of real time here, long enough to reply while a sequence waits between steps.
  stack = await startLocalStack({ pauseMs: 1500 });
  await stack.setSecret('CASCADE_LINKEDIN_WEBHOOK_SECRET', 'webhook-secret');
  await putCampaign(campaign('replies', SequenceConfig.parse({ steps: [{ channel: 'EMAIL' }] })));
}, 60_000);

afterAll(async () => {
  await stack.close();
});

describe('email replies', () => {
  it('matches a reply by the per-message reply address and marks message and lead REPLIED', async () => {
    // Prepare
    const { lead, messageId } = await leadWithMessage();

    // Act
    const result = await handleInboundEmail(mail({ To: `reply+${lead.leadId}.${messageId}@replies.cascade.example` }));

    // Assess
    expect(result).toMatchObject({ matched: true, leadId: lead.leadId, messageId });
    expect((await getMessage(lead.leadId, messageId))?.status).toBe('REPLIED');
    expect((await getLead(lead.leadId))?.status).toBe('REPLIED');
  });

  it("matches a reply by SES's message id in In-Reply-To", async () => {
    // Prepare
    const { lead, messageId, sesId } = await leadWithMessage();

    // Act
    await handleInboundEmail(mail({ To: 'ada@cascade-demo.example', 'In-Reply-To': `<${sesId}@email.amazonses.com>` }));

    // Assess
    expect((await getMessage(lead.leadId, messageId))?.status).toBe('REPLIED');
  });

  it('notes an out-of-office answer without counting it as a reply', async () => {
    // Prepare
    const { lead, messageId, sesId } = await leadWithMessage();

    // Act
    const result = await handleInboundEmail(
      mail({
        To: 'ada@cascade-demo.example',
        'In-Reply-To': `<${sesId}@email.amazonses.com>`,
        'Auto-Submitted': 'auto-replied',
        Subject: 'Out of Office',
      }),
    );

    // Assess
    expect(result.autoReply).toBe(true);
    expect(await getMessage(lead.leadId, messageId)).toMatchObject({
      status: 'DELIVERED',
      autoRepliedAt: expect.any(String),
    });
    expect((await getLead(lead.leadId))?.status).toBe('CONTACTED');
  });

  it('ignores mail that answers nothing of ours', async () => {
    // Act
    const result = await handleInboundEmail(
      mail({ To: 'ada@cascade-demo.example', 'In-Reply-To': '<unknown@example.com>' }),
    );

    // Assess
    expect(result).toEqual({ matched: false });
  });
});

describe('LinkedIn webhook', () => {
  it('refuses a call without the shared secret', () => {
    // Act / Assess
    expect(() => verifyWebhookSecret('nope')).toThrow('webhook secret does not match');
    expect(() => verifyWebhookSecret(undefined)).toThrow();
    expect(() => verifyWebhookSecret('webhook-secret')).not.toThrow();
  });

  it('a member message is a reply; an accepted invitation makes the lead CONNECTED', async () => {
    // Prepare
    const { lead: replier } = await leadWithMessage();
    const { lead: accepter } = await leadWithMessage();
    await indexLinkedInProfile('ACoAA-replier', replier.leadId, 'replies');
    await indexLinkedInProfile('ACoAA-accepter', accepter.leadId, 'replies');

    // Act
    await handleLinkedInWebhook({
      event: 'message_received',
      account_id: 'acct',
      sender: { attendee_provider_id: 'ACoAA-replier' },
    });
    await handleLinkedInWebhook({ event: 'new_relation', account_id: 'acct', user_provider_id: 'ACoAA-accepter' });

    // Assess
    expect((await getLead(replier.leadId))?.status).toBe('REPLIED');
    expect(await getLead(accepter.leadId)).toMatchObject({
      status: 'CONTACTED',
      linkedinConnectionStatus: 'CONNECTED',
    });
  });
});

describe('a reply during a wait between steps', () => {
  it('stops the running execution: the next step never sends', async () => {
    // Prepare: EMAIL has no address (falls back), then LinkedIn waits 24 h before inviting.
    const sequence = SequenceConfig.parse({
      steps: [{ channel: 'EMAIL' }, { channel: 'LINKEDIN', waitHoursBefore: 24 }],
    });
    await putCampaign(campaign('waiting', sequence));
    stack.linkedin.seedProfile({ publicIdentifier: 'waiting-member', status: 'NOT_CONNECTED' });
    const lead: Lead = testLead({
      leadId: 'waiting-lead',
      campaignId: 'waiting',
      firstName: 'Walt',
      linkedinUrl: 'https://www.linkedin.com/in/waiting-member',
      leadScore: 0.9,
      status: 'NEW',
      linkedinConnectionStatus: 'NOT_CONNECTED',
    });
    await createLead(lead);
    const report = await launchBatch({ campaignId: 'waiting' });
    const execution = stack.stepFunctions.get(report.executions[0] ?? '');
    if (!execution) throw new Error('the lead should have an execution');
    // The wait before a later step: Wait Before Next Touch (after a fallback), or Wait Before Step.
    const waits = ['Wait Before Step', 'Wait Before Next Touch'];
    while (!execution.events.some((event) => waits.includes(event.stateEnteredEventDetails?.name ?? ''))) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    // Act: the lead answers an earlier email by a per-message address while the sequence waits.
    const { recordReply } = await import('#shared/tracking/replies');
    const reply = await recordReply(lead.leadId, { channel: 'EMAIL' });
    await execution.done;

    // Assess
    expect(reply.stoppedExecution).toBe(execution.name);
    expect(execution.status).toBe('ABORTED');
    expect(stack.linkedin.invitations.filter((i) => i.publicIdentifier === 'waiting-member')).toHaveLength(0);
    expect((await getLead(lead.leadId))?.status).toBe('REPLIED');
  });
});
