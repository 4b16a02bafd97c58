import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { ChannelConfig, SequenceConfig } from '#shared/domain/schemas';
import { launchBatch, resumeParkedLeads } from '#shared/outreach/launcher';
import { putAccountLimits, putChannelConfig } from '#shared/store/config';
import { createLead, getLead, putCampaign, transitionCampaign, updateLeadFields } from '#shared/store/leads';
import { getMessage, leadHistory } from '#shared/store/outreach';
import { testCampaign, testLead } from '#test/support/fixtures';

/**
 * docs/product.md §2: a hard bounce that arrives after the execution ended still closes EMAIL; if that mail was
 * the touch that ended the sequence, the lead continues at its next non-EMAIL step in a new execution. The bounce
 * goes the way SES publishes it: onto the default bus, through the template's rule, to the ses-events function
 * running with its template environment and IAM policy.
 */
let stack: LocalStack;

const EMAIL_THEN_LINKEDIN = SequenceConfig.parse({ steps: [{ channel: 'EMAIL' }, { channel: 'LINKEDIN' }] });
const EMAIL_ONLY = SequenceConfig.parse({ steps: [{ channel: 'EMAIL' }] });

beforeAll(async () => {
  stack = await startLocalStack({ pauseMs: 300 });
  await putAccountLimits({ globalPerDay: 1_000, perDomainPerDay: 100, leadCooldownHours: 24 });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

/** A lead with an address and a CONNECTED LinkedIn profile, launched on `sequence`; resolves once it runs. */
async function launchLead(campaignId: string, sequence: SequenceConfig) {
  await putCampaign(testCampaign(campaignId, { sequence, minGrade: 'D' }));
  const settings = { minSpacingSeconds: 0, maxSpacingSeconds: 0 };
  const rateLimits = { perHour: 100, perDay: 100 };
  await putChannelConfig(ChannelConfig.parse({ channel: 'LINKEDIN', scope: campaignId, rateLimits, settings }));
  const member = `${campaignId}-member`;
  stack.linkedin.seedProfile({ publicIdentifier: member, status: 'CONNECTED' });
  const leadId = `${campaignId}-lead`;
  const email = `pat@${campaignId}.example`;
  await createLead(
    testLead({
      leadId,
      campaignId,
      email,
      linkedinUrl: `https://www.linkedin.com/in/${member}`,
      linkedinConnectionStatus: 'CONNECTED',
    }),
  );
  const { executions } = await launchBatch({ campaignId });
  return { leadId, email, member, executionName: String(executions[0]) };
}

/** The lead's email message (the one SES accepted). */
async function emailOf(leadId: string) {
  const message = (await leadHistory(leadId)).find((entry) => entry.kind === 'message' && entry.channel === 'EMAIL');
  if (message?.kind !== 'message') throw new Error(`lead ${leadId} has no email`);
  return message;
}

/** A permanent bounce of the lead's email, as SES publishes it for this stack's configuration set. */
async function bounceOf(leadId: string, recipient: string) {
  const message = await emailOf(leadId);
  const configurationSet = stack.lambda.function('SendEmailFunction').environment.CASCADE_SES_CONFIGURATION_SET;
  const time = new Date().toISOString();
  return {
    version: '0',
    id: `bounce-${leadId}`,
    'detail-type': 'Email Bounced',
    source: 'aws.ses',
    account: '000000000000',
    time,
    region: 'us-east-1',
    resources: [],
    detail: {
      eventType: 'Bounce',
      mail: {
        timestamp: message.createdAt,
        messageId: message.providerMessageId,
        destination: [recipient],
        tags: { 'ses:configuration-set': [configurationSet], lead: [leadId], message: [message.messageId] },
      },
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', timestamp: time },
    },
  };
}

/** What the ses-events function answered for one event put on the default bus. */
async function publish(event: unknown): Promise<Record<string, unknown> | undefined> {
  const { answers } = await stack.eventBridge.deliverAndSettle(event as never);
  return answers[0] as Record<string, unknown> | undefined;
}

const runsOf = (leadId: string) =>
  stack.stepFunctions
    .list()
    .filter((execution) => (JSON.parse(execution.input) as { leadId?: string }).leadId === leadId);
const linkedinActionsTo = (member: string) =>
  [...stack.linkedin.invitations, ...stack.linkedin.messages].filter((action) => action.publicIdentifier === member);
const entered = (executionName: string) =>
  stack.stepFunctions.get(executionName)?.events.flatMap((event) => event.stateEnteredEventDetails?.name ?? []) ?? [];

describe('a permanent bounce after the sequence ended SENT on that email', () => {
  it('continues the lead at its LinkedIn step in a new execution, once', async () => {
    // Prepare: the sequence [EMAIL, LINKEDIN] ended SENT on the email.
    const { leadId, email, member, executionName } = await launchLead('late-bounce', EMAIL_THEN_LINKEDIN);
    await stack.stepFunctions.drain();
    const ended = stack.stepFunctions.get(executionName);
    expect(ended?.status).toBe('SUCCEEDED');
    expect(JSON.parse(ended?.output ?? '{}')).toMatchObject({ channelUsed: 'EMAIL' });
    expect((await getLead(leadId))?.status).toBe('CONTACTED');
    const bounce = await bounceOf(leadId, email);

    // Act
    const answer = await publish(bounce);
    await stack.stepFunctions.drain();
    const replayed = await publish(bounce);
    await stack.stepFunctions.drain();

    // Assess
    const resumed = 'late-bounce--late-bounce-lead--r1';
    expect(answer).toMatchObject({ effect: 'status', status: 'BOUNCED', sequence: { action: 'started' } });
    expect(answer?.sequence).toEqual({ action: 'started', executionName: resumed });
    expect(replayed).toMatchObject({ effect: 'ignored' });
    expect(replayed?.sequence).toBeUndefined();
    expect(runsOf(leadId).map((run) => run.name)).toEqual([executionName, resumed]);
    expect(stack.stepFunctions.get(resumed)?.status).toBe('SUCCEEDED');
    expect(entered(resumed)).toContain('Send LinkedIn Message');
    expect(entered(resumed)).not.toContain('Send Email');
    expect(linkedinActionsTo(member)).toHaveLength(1);
    expect((await getMessage(leadId, (await emailOf(leadId)).messageId))?.status).toBe('BOUNCED');
    expect(await getLead(leadId)).toMatchObject({ status: 'CONTACTED', executionName: resumed, resumeCount: 1 });
  });

  it('ends a lead with no later non-EMAIL step BOUNCED, starting nothing', async () => {
    // Prepare
    const { leadId, email, executionName } = await launchLead('late-bounce-only', EMAIL_ONLY);
    await stack.stepFunctions.drain();
    expect((await getLead(leadId))?.status).toBe('CONTACTED');

    // Act
    const answer = await publish(await bounceOf(leadId, email));
    await stack.stepFunctions.drain();

    // Assess
    expect(answer).toMatchObject({ status: 'BOUNCED', sequence: { action: 'bounced' } });
    expect(runsOf(leadId).map((run) => run.name)).toEqual([executionName]);
    expect(await getLead(leadId)).toMatchObject({ status: 'BOUNCED', stopReason: 'bounce' });
  });

  it('starts nothing for a lead whose company replied (stopOnCompanyReply): the lead stays as it was', async () => {
    // Prepare: the run ended SENT on the email; then a colleague at the lead's company replied.
    const { leadId, email, member, executionName } = await launchLead('late-bounce-company', EMAIL_THEN_LINKEDIN);
    await stack.stepFunctions.drain();
    const companyRepliedAt = new Date().toISOString();
    await updateLeadFields(leadId, { companyRepliedAt });

    // Act
    const answer = await publish(await bounceOf(leadId, email));
    await stack.stepFunctions.drain();

    // Assess: the mail is bounced, and no run goes on to LinkedIn.
    expect(answer).toMatchObject({ status: 'BOUNCED' });
    expect(answer?.sequence).toBeUndefined();
    expect(runsOf(leadId).map((run) => run.name)).toEqual([executionName]);
    expect(linkedinActionsTo(member)).toEqual([]);
    expect((await getMessage(leadId, (await emailOf(leadId)).messageId))?.status).toBe('BOUNCED');
    expect(await getLead(leadId)).toMatchObject({ status: 'CONTACTED', executionName, companyRepliedAt });
  });

  it('parks the lead at its LinkedIn step while the campaign is paused; resuming the campaign continues it', async () => {
    // Prepare
    const { leadId, email, member, executionName } = await launchLead('late-bounce-paused', EMAIL_THEN_LINKEDIN);
    await stack.stepFunctions.drain();
    await transitionCampaign('late-bounce-paused', ['ACTIVE'], 'PAUSED');

    // Act
    const answer = await publish(await bounceOf(leadId, email));
    const parked = await getLead(leadId);
    await transitionCampaign('late-bounce-paused', ['PAUSED'], 'ACTIVE');
    const resumed = await resumeParkedLeads('late-bounce-paused');
    await stack.stepFunctions.drain();

    // Assess
    expect(answer).toMatchObject({ sequence: { action: 'parked' } });
    expect(parked).toMatchObject({
      status: 'PAUSED',
      stopReason: 'campaign_inactive',
      resumeFrom: { stepIndex: 1, tryCount: 1 },
    });
    expect(resumed.executions).toEqual(['late-bounce-paused--late-bounce-paused-lead--r1']);
    expect(runsOf(leadId).map((run) => run.name)).toEqual([executionName, ...resumed.executions]);
    expect(linkedinActionsTo(member)).toHaveLength(1);
  });

  it('starts nothing while the sequence still waits for the delivery check: that check falls back itself', async () => {
    // Prepare: the email is accepted and the run waits before checking its delivery.
    const { leadId, email, member, executionName } = await launchLead('late-bounce-running', EMAIL_THEN_LINKEDIN);
    const run = stack.stepFunctions.get(executionName);
    while (!entered(executionName).includes('Wait For Delivery'))
      await new Promise((resolve) => setTimeout(resolve, 10));

    // Act
    const answer = await publish(await bounceOf(leadId, email));
    await run?.done;
    await stack.stepFunctions.drain();

    // Assess
    expect(run?.status).toBe('SUCCEEDED');
    expect(answer).toMatchObject({ status: 'BOUNCED' });
    expect(answer?.sequence).toBeUndefined();
    expect(runsOf(leadId).map((each) => each.name)).toEqual([executionName]);
    expect(entered(executionName)).toContain('Send LinkedIn Message');
    expect(linkedinActionsTo(member)).toHaveLength(1);
  });
});
