import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { emailAdapter } from '#shared/channels/email/ses-adapter';
import { type Campaign, type Lead, SequenceConfig } from '#shared/domain/schemas';
import type { ChannelAdapter, StepContext } from '#shared/outreach/channel-adapter';
import { runChannelStep } from '#shared/outreach/step-runner';
import { buildExecutionInput, type StepTaskInput } from '#shared/outreach/task-input';
import { createLead, putCampaign } from '#shared/store/leads';
import { OffsetClock, runWithClock } from '#shared/time/clock';
import { testCampaign, testLead } from '#test/support/fixtures';

/**
 * `threadWith` on the embedded stack: a follow-up EMAIL step answers the mail its thread step sent, as the
 * lead's mail client will see it (headers read back from the SES peer, aws-ses-v2-local's store).
 */

/** What aws-ses-v2-local keeps of a mail: its SES id, From, subject and the custom headers of the request. */
interface StoredMail {
  messageId: string;
  from: string;
  subject: string;
  destination: { to: string[] };
  headers?: { name: string; value: string }[];
}

/** The embedded stack runs SES in us-east-1, where SES stamps `Message-ID: <id@email.amazonses.com>`. */
const messageIdOf = (mail: StoredMail) => `<${mail.messageId}@email.amazonses.com>`;
const header = (mail: StoredMail | undefined, name: string) =>
  mail?.headers?.find((entry) => entry.name.toLowerCase() === name.toLowerCase())?.value;

const HOUR_MS = 3_600_000;
let stack: LocalStack;
let counter = 0;

beforeAll(async () => {
  stack = await startLocalStack();
}, 60_000);

afterAll(async () => {
  await stack.close();
});

const SEQUENCE = SequenceConfig.parse({
  steps: [
    { id: 'intro', channel: 'EMAIL', onSent: 'next' },
    { id: 'bump', channel: 'EMAIL', waitHoursBefore: 72, threadWith: 'intro', onSent: 'next' },
    { id: 'last-bump', channel: 'EMAIL', waitHoursBefore: 72, threadWith: 'bump' },
  ],
});

async function mailsTo(address: string): Promise<StoredMail[]> {
  const store = (await (await fetch(`${stack.endpoints.ses}/store`)).json()) as { emails: StoredMail[] };
  return store.emails.filter((mail) => mail.destination.to.includes(address));
}

/**
 * The step runner's adapter with the runtime step on the context, as the step runner is to hand it over (the
 * adapter reads `context.step.id` and `threadWith`).
 */
function withStep(adapter: ChannelAdapter, input: StepTaskInput): ChannelAdapter {
  const step = input.cursor.step;
  return {
    ...adapter,
    prepare: (context) => adapter.prepare({ ...context, step } as StepContext),
    send: (plan, context) => adapter.send(plan, { ...context, step } as StepContext),
  };
}

/** A fresh campaign on the threaded sequence, and one lead in it. */
async function prepare(overrides: Partial<Campaign> = {}): Promise<{ campaign: Campaign; lead: Lead }> {
  counter++;
  const campaign = testCampaign(`thread-${counter}`, {
    sequence: SEQUENCE,
    templates: { EMAIL: { subject: 'A question for {{ lead.firstName }}', body: 'Hi {{ lead.firstName }}' } },
    ...overrides,
  });
  await putCampaign(campaign);
  const lead = testLead({
    leadId: `thread-lead-${counter}`,
    campaignId: campaign.campaignId,
    firstName: 'Grace',
    email: `grace${counter}@acme-threads.example`,
    status: 'IN_SEQUENCE',
  });
  await createLead(lead);
  return { campaign, lead };
}

/** Runs step `stepIndex` of the lead's execution `hoursLater` hours from now (past its wait and cooldown). */
async function runStep(campaign: Campaign, lead: Lead, stepIndex: number, hoursLater = 0) {
  const execution = buildExecutionInput(campaign.campaignId, lead.leadId, campaign.sequence);
  const step = execution.sequence.steps[stepIndex];
  if (!step) throw new Error(`no step ${stepIndex}`);
  const input: StepTaskInput = {
    campaignId: campaign.campaignId,
    leadId: lead.leadId,
    executionName: `exec-${lead.leadId}`,
    maxTotalAttemptsPerLead: 10,
    cursor: { ...execution.cursor, stepIndex, step, stepWaitDone: true },
  };
  return runWithClock(new OffsetClock(hoursLater * HOUR_MS), () =>
    runChannelStep(input, withStep(emailAdapter, input)),
  );
}

describe('threadWith: a follow-up in the thread of an earlier step', () => {
  it('sends Re: <subject> with In-Reply-To and References set to the first mail’s Message-ID, same sender', async () => {
    // Prepare: the first step's mail, then the campaign's sender changes before the follow-up.
    const { campaign, lead } = await prepare();
    const address = lead.email ?? '';
    expect(await runStep(campaign, lead, 0)).toMatchObject({ outcome: 'SENT' });
    await putCampaign({ ...campaign, sender: { name: 'Someone Else', email: 'else@cascade-demo.example' } });

    // Act
    const followUp = await runStep(campaign, lead, 1, 73);

    // Assess
    expect(followUp).toMatchObject({ outcome: 'SENT', channelUsed: 'EMAIL' });
    const [first, second] = await mailsTo(address);
    expect(first?.subject).toBe('A question for Grace');
    expect(second?.subject).toBe('Re: A question for Grace');
    expect(header(second, 'In-Reply-To')).toBe(first && messageIdOf(first));
    expect(header(second, 'References')).toBe(first && messageIdOf(first));
    expect(second?.from).toBe(first?.from);
    expect(header(second, 'List-Unsubscribe')).toMatch(/^<https?:\/\/.+>$/);
  });

  it('answers a follow-up with its References and the follow-up’s Message-ID, never Re: Re:', async () => {
    // Prepare
    const { campaign, lead } = await prepare();
    await runStep(campaign, lead, 0);
    await runStep(campaign, lead, 1, 73);

    // Act
    const last = await runStep(campaign, lead, 2, 146);

    // Assess
    expect(last).toMatchObject({ outcome: 'SENT' });
    const [first, second, third] = await mailsTo(lead.email ?? '');
    expect(third?.subject).toBe('Re: A question for Grace');
    expect(header(third, 'In-Reply-To')).toBe(second && messageIdOf(second));
    expect(header(third, 'References')).toBe(first && second && `${messageIdOf(first)} ${messageIdOf(second)}`);
  });

  it('sends a fresh mail with the step’s own subject when the thread step never sent', async () => {
    // Prepare: the first step is never run for this lead.
    const { campaign, lead } = await prepare();

    // Act
    const followUp = await runStep(campaign, lead, 1);

    // Assess
    expect(followUp).toMatchObject({ outcome: 'SENT' });
    const mails = await mailsTo(lead.email ?? '');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe('A question for Grace');
    expect(header(mails[0], 'In-Reply-To')).toBeUndefined();
    expect(header(mails[0], 'References')).toBeUndefined();
    expect(mails[0]?.from).toBe('Ada <ada@cascade-demo.example>');
  });
});
