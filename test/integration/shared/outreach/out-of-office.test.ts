import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { SequenceConfig } from '#shared/domain/schemas';
import { launchBatch } from '#shared/outreach/launcher';
import { resumeReturnedLeads } from '#shared/outreach/out-of-office';
import { DEFAULT_SCHEDULE } from '#shared/schedule/schema';
import { createLead, getLead, putCampaign } from '#shared/store/leads';
import { listLeadMessages } from '#shared/store/outreach';
import { OffsetClock, runWithClock } from '#shared/time/clock';
import { testCampaign, testLead } from '#test/support/fixtures';
import { waitFor } from '#test/support/wait';

/**
 * Out of office (PRODUCT.md §2): an auto-reply saying the person is away pauses the lead instead of stopping it,
 * and the sweep resumes it where it left off at the next window one business day after the return date.
 */
const TUESDAY_MORNING = Date.parse('2027-01-12T10:00:00Z');
let stack: LocalStack;

beforeAll(async () => {
  // Waits last 4 s: the auto-reply lands while the run waits before its second touch.
  stack = await startLocalStack({ clockStartMs: TUESDAY_MORNING, pauseMs: 4_000 });
}, 60_000);
afterAll(() => stack?.close());

function autoReply(inReplyTo: string, text: string): Buffer {
  const headers = [
    'From: Greta Berg <greta@ooo.example>',
    'To: ada@cascade-demo.example',
    'Subject: Automatische Antwort: Quick question',
    'Auto-Submitted: auto-replied',
    'X-Autoreply: yes',
    `In-Reply-To: <${inReplyTo}@email.amazonses.com>`,
    'Date: Tue, 12 Jan 2027 10:01:00 +0000',
    'Message-ID: <ooo-1@ooo.example>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
  ];
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${text}\r\n`);
}

describe('an out-of-office auto-reply', () => {
  it('pauses the lead until the first working day after its return, then the sweep resumes the step it had not sent', async () => {
    // Prepare: email first, then LinkedIn three days later; the lead works in Berlin.
    const campaign = testCampaign('ooo', {
      schedule: DEFAULT_SCHEDULE,
      sequence: SequenceConfig.parse({
        steps: [
          { channel: 'EMAIL', onSent: 'next' },
          { channel: 'LINKEDIN', waitHoursBefore: 72 },
        ],
      }),
    });
    const lead = testLead({
      leadId: 'lead-ooo',
      campaignId: campaign.campaignId,
      email: 'greta@ooo.example',
      linkedinUrl: 'https://www.linkedin.com/in/greta-berg',
      linkedinConnectionStatus: 'CONNECTED',
      timezone: 'Europe/Berlin',
      country: 'DE',
    });
    stack.linkedin.seedProfile({ publicIdentifier: 'greta-berg', status: 'CONNECTED' });
    const clock = () => runWithClock.bind(null, stack.clock);
    await clock()(async () => {
      await putCampaign(campaign);
      await createLead(lead);
      await launchBatch({ campaignId: campaign.campaignId, stateMachineArn: stack.stateMachineArn });
    });
    const email = await waitFor(async () => (await listLeadMessages(lead.leadId)).find((m) => m.providerMessageId));

    // Act: "until Friday 15 January" → back Saturday 16 → one business day later: Monday 18, 09:00 Berlin.
    const [answer] = (await stack.receiveMail(
      autoReply(
        email.providerMessageId ?? '',
        'Vielen Dank für Ihre Nachricht. Ich bin bis zum 15.01.2027 nicht im Büro und habe keinen Zugriff auf E-Mails.',
      ),
    )) as { autoReplyKind?: string; resumeAt?: string }[];
    await stack.stepFunctions.drain();
    const paused = await getLead(lead.leadId);
    const early = await runWithClock(new OffsetClock(Date.parse('2027-01-18T07:59:00Z') - Date.now()), () =>
      resumeReturnedLeads(campaign.campaignId, stack.stateMachineArn),
    );
    const due = await runWithClock(new OffsetClock(Date.parse('2027-01-18T08:05:00Z') - Date.now()), () =>
      resumeReturnedLeads(campaign.campaignId, stack.stateMachineArn),
    );
    await stack.stepFunctions.drain();

    // Assess
    expect(answer).toMatchObject({ autoReplyKind: 'out_of_office', resumeAt: '2027-01-18T08:00:00.000Z' });
    expect(paused).toMatchObject({
      status: 'PAUSED',
      stopReason: 'out_of_office',
      resumeAt: '2027-01-18T08:00:00.000Z',
    });
    expect(paused?.resumeFrom).toMatchObject({ stepIndex: 1 });
    expect(early.resumed).toEqual([]);
    expect(due.resumed).toEqual([lead.leadId]);
    const resumed = await getLead(lead.leadId);
    expect(resumed?.executionName).toMatch(/--r1$/);
    expect(resumed?.resumeAt).toBeUndefined();
    // The email went once; the LinkedIn message (the step not yet sent) went after the resume.
    expect(stack.linkedin.messages.filter((message) => message.publicIdentifier === 'greta-berg')).toHaveLength(1);
    const emails = (await listLeadMessages(lead.leadId)).filter((message) => message.channel === 'EMAIL');
    expect(emails).toHaveLength(1);
  });
});
