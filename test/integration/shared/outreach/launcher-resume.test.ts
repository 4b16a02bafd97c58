import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { type Lead, SequenceConfig } from '#shared/domain/schemas';
import { launchBatch, resumeParkedLeads } from '#shared/outreach/launcher';
import { createLead, getLead, putCampaign, transitionCampaign } from '#shared/store/leads';
import { testCampaign, testLead } from '#test/support/fixtures';

/** Pausing a campaign stops its sequences at their next step; resuming it restarts them there, not from the top. */
let stack: LocalStack;

const sequence = SequenceConfig.parse({
  steps: [{ channel: 'EMAIL' }, { channel: 'LINKEDIN', waitHoursBefore: 24 }],
});

const campaign = (campaignId: string) => testCampaign(campaignId, { sequence, minGrade: 'D' });

/** A lead email cannot reach: the sequence falls back to LinkedIn and waits 24 h (1.5 s real) before it. */
function linkedinOnlyLead(campaignId: string, name: string): Lead {
  stack.linkedin.seedProfile({ publicIdentifier: `${name}-member`, status: 'CONNECTED' });
  return testLead({
    leadId: `${name}-lead`,
    campaignId,
    firstName: name,
    linkedinUrl: `https://www.linkedin.com/in/${name}-member`,
    linkedinConnectionStatus: 'CONNECTED',
    status: 'NEW',
    sequenceVersion: sequence.version,
  });
}

async function waitUntilEntered(executionName: string, stateName: string): Promise<void> {
  const execution = stack.stepFunctions.get(executionName);
  if (!execution) throw new Error(`no execution ${executionName}`);
  while (!execution.events.some((event) => event.stateEnteredEventDetails?.name === stateName)) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  stack = await startLocalStack({ pauseMs: 1500 });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe('resumeParkedLeads', () => {
  it('restarts a sequence the pause stopped at the step it had not sent, once', async () => {
    // Prepare: the lead waits before its LinkedIn step when the campaign is paused.
    await putCampaign(campaign('resume'));
    const lead = linkedinOnlyLead('resume', 'rosa');
    await createLead(lead);
    const launch = await launchBatch({ campaignId: 'resume' });
    await waitUntilEntered(launch.executions[0] ?? '', 'Wait Before Next Touch');
    await transitionCampaign('resume', ['ACTIVE'], 'PAUSED');
    await stack.stepFunctions.drain();
    const parked = await getLead(lead.leadId);

    // Act: resume, and a second resume racing the first.
    await transitionCampaign('resume', ['PAUSED'], 'ACTIVE');
    const [first, second] = await Promise.all([resumeParkedLeads('resume'), resumeParkedLeads('resume')]);
    await stack.stepFunctions.drain();

    // Assess
    expect(stack.stepFunctions.get(launch.executions[0] ?? '')?.output).toContain('campaign_inactive');
    expect(parked).toMatchObject({
      status: 'PAUSED',
      stopReason: 'campaign_inactive',
      resumeFrom: { stepIndex: 1, tryCount: 2 },
    });
    expect((first?.resumed ?? 0) + (second?.resumed ?? 0)).toBe(1);
    const [executionName] = [...(first?.executions ?? []), ...(second?.executions ?? [])];
    expect(executionName).toBe('resume--rosa-lead--r1');
    const resumed = stack.stepFunctions.get(executionName ?? '');
    expect(resumed?.status).toBe('SUCCEEDED');
    const entered = resumed?.events.flatMap((event) => event.stateEnteredEventDetails?.name ?? []);
    expect(entered).not.toContain('Send Email');
    expect(entered).not.toContain('Wait Before Next Touch');
    expect(entered).toContain('Send LinkedIn Message');
    const linkedinActions = [...stack.linkedin.invitations, ...stack.linkedin.messages].filter(
      (action) => action.publicIdentifier === 'rosa-member',
    );
    expect(linkedinActions).toHaveLength(1);
    expect(await getLead(lead.leadId)).toMatchObject({ status: 'CONTACTED', resumeCount: 1 });
    expect((await getLead(lead.leadId))?.resumeFrom).toBeUndefined();
  });

  it('leaves leads parked for other reasons PAUSED; one whose version is gone resumes at the step with the same id', async () => {
    // Prepare: version 2 was never stored (replaced before versions were kept); its step 2 is `step-2` here too.
    await putCampaign(campaign('keep'));
    await createLead({ ...linkedinOnlyLead('keep', 'amb'), status: 'PAUSED', stopReason: 'ambiguous_send' });
    await createLead({
      ...linkedinOnlyLead('keep', 'edited'),
      status: 'PAUSED',
      stopReason: 'campaign_inactive',
      resumeFrom: { stepIndex: 1, tryCount: 2 },
      executionName: 'keep--edited-lead',
      sequenceVersion: sequence.version + 1,
    });

    // Act
    const report = await resumeParkedLeads('keep');
    await stack.stepFunctions.drain();

    // Assess
    expect(report).toEqual({ resumed: 1, keptParked: 0, executions: ['keep--edited-lead--r1'], kept: [] });
    expect((await getLead('amb-lead'))?.status).toBe('PAUSED');
    expect(await getLead('edited-lead')).toMatchObject({ status: 'CONTACTED', sequenceVersion: sequence.version });
  });
});
