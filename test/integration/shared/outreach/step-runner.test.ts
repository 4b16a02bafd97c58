import { beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { emailAdapter } from '#shared/channels/email/ses-adapter';
import { linkedInAdapter } from '#shared/channels/linkedin/linkedin-adapter';
import type { Lead } from '#shared/domain/schemas';
import { attemptKeyFor } from '#shared/ids';
import type { ChannelAdapter } from '#shared/outreach/channel-adapter';
import { runChannelStep } from '#shared/outreach/step-runner';
import { buildExecutionInput, type StepTaskInput } from '#shared/outreach/task-input';
import { counterValue, dayWindow, hourWindow } from '#shared/rate-limit/limiter';
import { putChannelConfig } from '#shared/store/config';
import { createLead, getLead, putCampaign } from '#shared/store/leads';
import { getAttempt, leadHistory } from '#shared/store/outreach';
import { testCampaign, testLead } from '#test/support/fixtures';

let stack: LocalStack;
const campaign = testCampaign('retry-safety', { name: 'Retry safety' });

beforeAll(async () => {
  stack = await startLocalStack();
  await putCampaign(campaign);
  return () => stack.close();
}, 60_000);

let counter = 0;
async function newLead(fields: Partial<Lead>): Promise<Lead> {
  counter++;
  const lead = testLead({
    leadId: `lead-${counter}`,
    campaignId: campaign.campaignId,
    firstName: 'Grace',
    lastName: `Hopper${counter}`,
    status: 'IN_SEQUENCE',
    // The run stepInput builds: a lead in a sequence always names its execution.
    executionName: `exec-lead-${counter}`,
    ...fields,
  });
  await createLead(lead);
  return lead;
}

function stepInput(lead: Lead, stepIndex: number): StepTaskInput {
  const execution = buildExecutionInput(campaign.campaignId, lead.leadId, campaign.sequence);
  const step = execution.sequence.steps[stepIndex];
  if (!step) throw new Error('no such step');
  return {
    campaignId: campaign.campaignId,
    leadId: lead.leadId,
    executionName: `exec-${lead.leadId}`,
    maxTotalAttemptsPerLead: 10,
    cursor: { stepIndex, retriesUsed: 0, tryCount: 1, stepWaitDone: true, step, closedChannels: [], touched: false },
  };
}

/** This campaign's email channel, enabled, with these windows. */
async function limitCampaignEmail(rateLimits: { perHour: number; perDay: number }): Promise<void> {
  await putChannelConfig({
    channel: 'EMAIL',
    scope: campaign.campaignId,
    enabled: true,
    rateLimits,
    retryPolicy: { maxRetries: 2, retryBackoffHours: [24, 48] },
    settings: {},
  });
}

/** SES accepts the mail, then the Lambda dies before it records anything. */
const crashingAfterEmailSend: ChannelAdapter = {
  ...emailAdapter,
  send: async (plan, context) => {
    await emailAdapter.send(plan, context);
    throw new Error('Lambda runtime exited');
  },
};

/** LinkedIn takes the message, then the Lambda dies before it records anything. */
const crashingAfterLinkedInSend: ChannelAdapter = {
  ...linkedInAdapter,
  send: async (plan, context) => {
    await linkedInAdapter.send(plan, context);
    throw new Error('Lambda runtime exited');
  },
};

async function mailsTo(address: string): Promise<number> {
  const store = (await (await fetch(`${stack.endpoints.ses}/store`)).json()) as {
    emails: { destination: { to: string[] } }[];
  };
  return store.emails.filter((mail) => mail.destination.to.includes(address)).length;
}

describe('a retried channel Lambda never sends twice', () => {
  it('replays the recorded result when Step Functions retries a try that already sent', async () => {
    // Prepare
    const lead = await newLead({ email: 'replay@acme.example' });
    const { handler } = await import('#functions/send-email/index');
    const input = stepInput(lead, 0);

    // Act
    const first = await handler(input, {} as never);
    const retried = await handler(input, {} as never);

    // Assess: the handler answers the next cursor, the result in it; the replay routes the same way.
    expect(first).toMatchObject({ result: { outcome: 'SENT', channelUsed: 'EMAIL' } });
    expect(retried).toEqual(first);
    expect(await mailsTo('replay@acme.example')).toBe(1);
  });

  it('settles from the SES events, without sending again, when the first invocation died after the provider accepted', async () => {
    // Prepare: the Lambda crashes right after SES accepted the mail (SES's Send event still reaches the message).
    const lead = await newLead({ email: 'crash-after-send@acme.example' });
    const input = stepInput(lead, 0);
    await expect(runChannelStep(input, crashingAfterEmailSend)).rejects.toThrow('Lambda runtime exited');

    // Act: Step Functions retries the Task with the same input.
    const { handler } = await import('#functions/send-email/index');
    const retried = await handler(input, {} as never);

    // Assess: the evidence settles the try as sent (no ambiguous_send, no parked lead), and nothing went out twice.
    expect(retried).toMatchObject({ result: { outcome: 'SENT', channelUsed: 'EMAIL' } });
    expect(await mailsTo('crash-after-send@acme.example')).toBe(1);
    expect((await getLead(lead.leadId))?.status).toBe('CONTACTED');
    const attempt = await getAttempt(lead.leadId, attemptKeyFor(input.executionName, 0, 1));
    expect(attempt).toMatchObject({ state: 'DONE', outcome: 'SENT' });
  });

  it('sends exactly once when the first invocation died before calling the provider', async () => {
    // Prepare: the Lambda crashes while preparing, before any provider call.
    const lead = await newLead({ email: 'crash-before-send@acme.example' });
    const crashingBeforeSend: ChannelAdapter = {
      ...emailAdapter,
      prepare: async () => {
        throw new Error('Lambda runtime exited');
      },
    };
    const input = stepInput(lead, 0);
    await expect(runChannelStep(input, crashingBeforeSend)).rejects.toThrow('Lambda runtime exited');

    // Act
    const retried = await runChannelStep(input, emailAdapter);

    // Assess
    expect(retried).toMatchObject({ outcome: 'SENT' });
    expect(await mailsTo('crash-before-send@acme.example')).toBe(1);
    const history = await leadHistory(lead.leadId);
    expect(history.filter((entry) => entry.kind === 'message')).toHaveLength(1);
  });

  it('never resends a LinkedIn message whose answer was lost on the wire', async () => {
    // Prepare: the provider processes the chat message, then the connection drops.
    const lead = await newLead({ linkedinUrl: 'https://www.linkedin.com/in/lost-answer' });
    stack.linkedin.seedProfile({ publicIdentifier: 'lost-answer', status: 'CONNECTED' });
    stack.linkedin.failNext('chat', 0);
    const input = stepInput(lead, 1);

    // Act
    const first = await runChannelStep(input, linkedInAdapter);
    const retried = await runChannelStep(input, linkedInAdapter);

    // Assess
    expect(first).toMatchObject({ outcome: 'STOP', reason: 'ambiguous_send' });
    expect(retried).toEqual(first);
    expect(stack.linkedin.messages.filter((message) => message.publicIdentifier === 'lost-answer')).toHaveLength(1);
  });

  it('stops without sending when the lead replied before the retry', async () => {
    // Prepare
    const lead = await newLead({ email: 'replied@acme.example', status: 'REPLIED' });

    // Act
    const result = await runChannelStep(stepInput(lead, 0), emailAdapter);

    // Assess
    expect(result).toMatchObject({ outcome: 'STOP', reason: 'replied' });
    expect(await mailsTo('replied@acme.example')).toBe(0);
  });
});

describe('rate limits in a step', () => {
  it('a full hourly window answers RETRY rate_limited until the hour resets, without using up a retry', async () => {
    // Prepare: this campaign may send one email an hour.
    await limitCampaignEmail({ perHour: 1, perDay: 200 });
    const first = await newLead({ email: 'first@limits.example' });
    const second = await newLead({ email: 'second@limits.example' });
    await runChannelStep(stepInput(first, 0), emailAdapter);

    // Act
    const limited = await runChannelStep(stepInput(second, 0), emailAdapter);

    // Assess
    const secondsToHourEnd = Math.ceil((hourWindow(Date.now()).endMs - Date.now()) / 1000);
    expect(limited).toMatchObject({ outcome: 'RETRY', reason: 'rate_limited', usesRetry: false });
    // Until the hour resets, plus the jitter that keeps refused leads from returning together.
    const windowWait = (limited.retryAfterSeconds ?? 0) - (limited.jitterSeconds ?? 0);
    expect(windowWait).toBeGreaterThanOrEqual(secondsToHourEnd - 5);
    expect(windowWait).toBeLessThanOrEqual(secondsToHourEnd + 1);
    expect(await mailsTo('second@limits.example')).toBe(0);
    // The refused send gave back the slots it had taken (lead cooldown, domain, day, global).
    expect(await counterValue(`LEAD#${second.leadId}#TOUCHES`)).toBe(0);
    expect(await counterValue(`EMAIL#D#${dayWindow(Date.now()).label}`)).toBeGreaterThanOrEqual(1);
  });

  it('falls back instead of waiting when the step says onRateLimit: fallback', async () => {
    // Prepare
    const lead = await newLead({ email: 'third@limits.example' });
    const input = stepInput(lead, 0);
    input.cursor.step.onRateLimit = 'fallback';

    // Act
    const result = await runChannelStep(input, emailAdapter);

    // Assess
    expect(result).toMatchObject({ outcome: 'FALLBACK', reason: 'rate_limited' });
    expect(await mailsTo('third@limits.example')).toBe(0);
  });
});

describe('a sequence that fails with a try left open', () => {
  it('settles that try as ambiguous_send and parks the lead when the provider left no evidence', async () => {
    // Prepare: LinkedIn took the message, then the function died and Step Functions ran out of retries.
    await putChannelConfig({
      channel: 'LINKEDIN',
      scope: campaign.campaignId,
      enabled: true,
      rateLimits: { perHour: 1_000, perDay: 1_000 },
      retryPolicy: { maxRetries: 2, retryBackoffHours: [24, 48] },
      settings: { minSpacingSeconds: 0, maxSpacingSeconds: 0, accountId: 'left-open-account' },
    });
    const lead = await newLead({ linkedinUrl: 'https://www.linkedin.com/in/left-open' });
    stack.linkedin.seedProfile({ publicIdentifier: 'left-open', status: 'CONNECTED' });
    const input = stepInput(lead, 1);
    await expect(runChannelStep(input, crashingAfterLinkedInSend)).rejects.toThrow('Lambda runtime exited');
    const { settleOpenAttempts } = await import('#shared/outreach/settle-open-attempts');

    // Act
    const settled = await settleOpenAttempts(lead.leadId, campaign.campaignId, input.executionName);

    // Assess
    expect(settled).toBe(1);
    const attempt = await getAttempt(lead.leadId, attemptKeyFor(input.executionName, 1, 1));
    expect(attempt).toMatchObject({ state: 'DONE', outcome: 'STOP', reason: 'ambiguous_send' });
    expect(attempt?.settledAs).toBeUndefined();
    expect((await getLead(lead.leadId))?.status).toBe('PAUSED');
    expect(stack.linkedin.messages.filter((message) => message.publicIdentifier === 'left-open')).toHaveLength(1);
  });

  it("settles an email try sent when SES's Send event came before the parking", async () => {
    // Prepare: SES accepted (its Send event is handled before it answers), then the function died for good.
    await limitCampaignEmail({ perHour: 1_000, perDay: 1_000 });
    const lead = await newLead({ email: 'left-open@acme.example' });
    const input = stepInput(lead, 0);
    await expect(runChannelStep(input, crashingAfterEmailSend)).rejects.toThrow('Lambda runtime exited');
    await stack.eventBridge.drain();
    const { settleOpenAttempts } = await import('#shared/outreach/settle-open-attempts');

    // Act
    const settled = await settleOpenAttempts(lead.leadId, campaign.campaignId, input.executionName);

    // Assess: never "not sent", never parked forever on a send SES proved.
    expect(settled).toBe(1);
    const attempt = await getAttempt(lead.leadId, attemptKeyFor(input.executionName, 0, 1));
    expect(attempt).toMatchObject({ state: 'DONE', outcome: 'STOP', reason: 'ambiguous_send', settledAs: 'sent' });
    expect((await getLead(lead.leadId))?.status).toBe('CONTACTED');
    expect(await mailsTo('left-open@acme.example')).toBe(1);
  });
});
