import { beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { createLead } from '#shared/store/leads';
import { indexLinkedInProfile } from '#shared/store/linkedin-index';
import { getMessage, putMessage } from '#shared/store/outreach';
import { handleLinkedInWebhook } from '#shared/tracking/linkedin-events';
import { bumpCounters, finalStateCounters, metricsReport } from '#shared/tracking/metrics-aggregates';
import { testLead } from '#test/support/fixtures';

const TODAY = Date.parse('2026-11-24T12:00:00Z');
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack();
  return () => stack.close();
}, 60_000);

describe('true channel metrics', () => {
  it('counts a LinkedIn reply on the LinkedIn message it answers', async () => {
    // Prepare: an email and, later, a LinkedIn message; the member answers on LinkedIn.
    const lead = testLead({ leadId: 'truth-li', campaignId: 'truth-li', status: 'CONTACTED' });
    await createLead(lead);
    for (const [messageId, channel, createdAt] of [
      ['msg-truth-email', 'EMAIL', '2026-11-23T08:00:00.000Z'],
      ['msg-truth-li', 'LINKEDIN', '2026-11-24T08:00:00.000Z'],
    ] as const) {
      await putMessage({
        messageId,
        leadId: lead.leadId,
        campaignId: 'truth-li',
        channel,
        status: 'SENT',
        body: 'Hi',
        executionName: 'exec-truth',
        attemptKey: `exec-truth#${channel}#1`,
        createdAt,
        sentAt: createdAt,
      });
      await bumpCounters('truth-li', channel, createdAt.slice(0, 10), { sent: 1 });
    }
    await indexLinkedInProfile('ACoAA-truth', lead.leadId, 'truth-li');

    // Act
    await handleLinkedInWebhook({
      event: 'message_received',
      account_id: 'a',
      sender: { attendee_provider_id: 'ACoAA-truth' },
    });
    const report = await metricsReport('truth-li', 7, TODAY);

    // Assess
    expect((await getMessage(lead.leadId, 'msg-truth-li'))?.status).toBe('REPLIED');
    expect((await getMessage(lead.leadId, 'msg-truth-email'))?.status).toBe('SENT');
    expect(report.channels.LINKEDIN).toMatchObject({ sent: 1, delivered: 1, replied: 1, replyRate: 1 });
    expect(report.channels.EMAIL).toMatchObject({ sent: 1, replied: 0 });
  });

  it('counts a delivered-then-bounced message as bounced only', async () => {
    // Prepare / Act: what the SES event handler adds for Send, Delivery, then a late Bounce.
    await bumpCounters('truth-bounce', 'EMAIL', '2026-11-24', { sent: 1 });
    await bumpCounters('truth-bounce', 'EMAIL', '2026-11-24', finalStateCounters('SENT', 'delivered'));
    await bumpCounters('truth-bounce', 'EMAIL', '2026-11-24', finalStateCounters('DELIVERED', 'bounced'));
    const report = await metricsReport('truth-bounce', 7, TODAY);

    // Assess
    expect(report.channels.EMAIL).toMatchObject({ sent: 1, delivered: 0, bounced: 1 });
  });

  it('keeps sends a compressed clock dated on later days inside the window', async () => {
    // Prepare: a run whose form sends land on the next days of its virtual clock.
    await bumpCounters('truth-window', 'CONTACT_FORM', '2026-11-24', { sent: 7 });
    await bumpCounters('truth-window', 'CONTACT_FORM', '2026-11-27', { sent: 2 });

    // Act
    const report = await metricsReport('truth-window', 7, TODAY);

    // Assess
    expect(report.channels.CONTACT_FORM?.sent).toBe(9);
    expect(report.to).toBe('2026-11-27');
  });
});
