import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { linkedInAdapter } from '#shared/channels/linkedin/linkedin-adapter';
import { type Lead, SequenceConfig } from '#shared/domain/schemas';
import type { ChannelAdapter, StepContext } from '#shared/outreach/channel-adapter';
import { runChannelStep } from '#shared/outreach/step-runner';
import { buildExecutionInput, type StepTaskInput } from '#shared/outreach/task-input';
import { putChannelConfig } from '#shared/store/config';
import { createLead, getLead, putCampaign } from '#shared/store/leads';
import { testChannelConfig } from '#test/support/channel-config';
import { testCampaign, testLead } from '#test/support/fixtures';

/** A LINKEDIN step's `linkedinAction` against the provider sandbox: what is sent for each relation. */

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
    { id: 'invite', channel: 'LINKEDIN', linkedinAction: 'invite', onSent: 'next' },
    { id: 'message', channel: 'LINKEDIN', linkedinAction: 'message' },
  ],
});

/** The adapter with the runtime step on the context, as the step runner is to hand it over. */
function withStep(adapter: ChannelAdapter, input: StepTaskInput): ChannelAdapter {
  const step = input.cursor.step;
  return {
    ...adapter,
    prepare: (context) => adapter.prepare({ ...context, step } as StepContext),
    send: (plan, context) => adapter.send(plan, { ...context, step } as StepContext),
  };
}

/** A fresh campaign (own account, no spacing in the way) with one lead on a seeded profile; the step's input. */
async function prepare(status: Lead['linkedinConnectionStatus'], stepIndex: number) {
  counter++;
  const campaign = testCampaign(`li-action-${counter}`, { sequence: SEQUENCE });
  await putCampaign(campaign);
  await putChannelConfig(
    testChannelConfig('LINKEDIN', campaign.campaignId, {
      rateLimits: { perHour: 5, perDay: 20 },
      settings: { accountId: `action-acct-${counter}`, minSpacingSeconds: 0, maxSpacingSeconds: 0 },
    }),
  );
  const publicIdentifier = `action-member-${counter}`;
  stack.linkedin.seedProfile({ publicIdentifier, status });
  const lead = testLead({
    leadId: `li-action-lead-${counter}`,
    campaignId: campaign.campaignId,
    linkedinUrl: `https://www.linkedin.com/in/${publicIdentifier}`,
    status: 'IN_SEQUENCE',
    linkedinConnectionStatus: status,
  });
  await createLead(lead);
  const execution = buildExecutionInput(campaign.campaignId, lead.leadId, SEQUENCE);
  const step = execution.sequence.steps[stepIndex];
  if (!step) throw new Error(`no step ${stepIndex}`);
  const input: StepTaskInput = {
    campaignId: campaign.campaignId,
    leadId: lead.leadId,
    executionName: `exec-${lead.leadId}`,
    maxTotalAttemptsPerLead: 10,
    cursor: { ...execution.cursor, stepIndex, step, stepWaitDone: true },
  };
  return { lead, input, publicIdentifier };
}

const invitationsTo = (publicIdentifier: string) =>
  stack.linkedin.invitations.filter((invitation) => invitation.publicIdentifier === publicIdentifier).length;
const messagesTo = (publicIdentifier: string) =>
  stack.linkedin.messages.filter((message) => message.publicIdentifier === publicIdentifier).length;

describe('linkedinAction: invite', () => {
  it('invites a member who is not connected', async () => {
    // Prepare
    const { lead, input, publicIdentifier } = await prepare('NOT_CONNECTED', 0);

    // Act
    const result = await runChannelStep(input, withStep(linkedInAdapter, input));

    // Assess
    expect(result).toMatchObject({ outcome: 'SENT', channelUsed: 'LINKEDIN' });
    expect(invitationsTo(publicIdentifier)).toBe(1);
    expect(messagesTo(publicIdentifier)).toBe(0);
    expect((await getLead(lead.leadId))?.linkedinConnectionStatus).toBe('CONNECTION_REQUESTED');
  });

  it('sends nothing to a member already connected and moves on (FALLBACK, already connected)', async () => {
    // Prepare
    const { input, publicIdentifier } = await prepare('CONNECTED', 0);

    // Act
    const result = await runChannelStep(input, withStep(linkedInAdapter, input));

    // Assess
    expect(result).toMatchObject({
      outcome: 'FALLBACK',
      reason: 'already_connected',
      detail: 'already connected: no invitation needed',
    });
    expect(invitationsTo(publicIdentifier) + messagesTo(publicIdentifier)).toBe(0);
  });
});

describe('linkedinAction: message', () => {
  it('messages a connected member', async () => {
    // Prepare
    const { input, publicIdentifier } = await prepare('CONNECTED', 1);

    // Act
    const result = await runChannelStep(input, withStep(linkedInAdapter, input));

    // Assess
    expect(result).toMatchObject({ outcome: 'SENT' });
    expect(messagesTo(publicIdentifier)).toBe(1);
    expect(invitationsTo(publicIdentifier)).toBe(0);
  });

  it('falls back with not_connected for a member who is not connected, and invites no one', async () => {
    // Prepare
    const { input, publicIdentifier } = await prepare('NOT_CONNECTED', 1);

    // Act
    const result = await runChannelStep(input, withStep(linkedInAdapter, input));

    // Assess
    expect(result).toMatchObject({ outcome: 'FALLBACK', reason: 'not_connected' });
    expect(invitationsTo(publicIdentifier) + messagesTo(publicIdentifier)).toBe(0);
  });
});
