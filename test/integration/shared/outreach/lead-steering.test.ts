import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { type Lead, SequenceConfig } from '#shared/domain/schemas';
import { launchBatch, resumeParkedLeads } from '#shared/outreach/launcher';
import { pauseLead, resumeLeadById } from '#shared/outreach/lead-steering';
import { createLead, getLead, putCampaign, replaceCampaignSequence, transitionCampaign } from '#shared/store/leads';
import { getSequenceVersion } from '#shared/store/sequence-versions';
import { testCampaign, testLead } from '#test/support/fixtures';

/** An operator pauses and resumes one lead; an edited sequence never strands a parked lead (issue 13, items 6–7). */
let stack: LocalStack;
let machineArn: string;

const sequence = SequenceConfig.parse({
  steps: [{ channel: 'EMAIL' }, { channel: 'LINKEDIN', waitHoursBefore: 24 }],
});

/** A lead email cannot reach: step 1 falls back, then the run waits 24 h (1.5 s real) before LinkedIn. */
function linkedinOnlyLead(campaignId: string, name: string, fields: Partial<Lead> = {}): Lead {
  stack.linkedin.seedProfile({ publicIdentifier: `${name}-member`, status: 'CONNECTED' });
  return testLead({
    leadId: `${name}-lead`,
    campaignId,
    firstName: name,
    linkedinUrl: `https://www.linkedin.com/in/${name}-member`,
    linkedinConnectionStatus: 'CONNECTED',
    status: 'NEW',
    sequenceVersion: sequence.version,
    ...fields,
  });
}

const linkedinActions = (name: string) =>
  [...stack.linkedin.invitations, ...stack.linkedin.messages].filter(
    (action) => action.publicIdentifier === `${name}-member`,
  );

/** Until the run enters one of `stateNames` (the wait before a later step has had either name). */
async function waitUntilEntered(executionName: string, ...stateNames: string[]): Promise<void> {
  const execution = stack.stepFunctions.get(executionName);
  if (!execution) throw new Error(`no execution ${executionName}`);
  while (!execution.events.some((event) => stateNames.includes(event.stateEnteredEventDetails?.name ?? ''))) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  stack = await startLocalStack({ pauseMs: 1500 });
  machineArn = process.env.CASCADE_STATE_MACHINE_ARN ?? '';
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe('pauseLead / resumeLeadById', () => {
  it('stops a running lead in its wait and restarts it at the step it had not sent, once', async () => {
    // Prepare: the lead waits before its LinkedIn step.
    await putCampaign(testCampaign('steer', { sequence, minGrade: 'D' }));
    const lead = linkedinOnlyLead('steer', 'mia');
    await createLead(lead);
    const launch = await launchBatch({ campaignId: 'steer' });
    const first = launch.executions[0] ?? '';
    await waitUntilEntered(first, 'Wait Before Step', 'Wait Before Next Touch');

    // Act
    const paused = await pauseLead(lead.leadId, machineArn);
    await stack.stepFunctions.drain();
    const parked = await getLead(lead.leadId);
    // A try the stopped run had already claimed may still be running (StopExecution does not stop its Lambda):
    // the resume answers send_in_flight until it finished, as an operator would retry it.
    const resumed = await vi.waitFor(() => resumeLeadById(lead.leadId, { stateMachineArn: machineArn }), {
      timeout: 30_000,
      interval: 500,
    });
    const again = await resumeLeadById(lead.leadId, { stateMachineArn: machineArn }).catch((error: Error) => error);
    await stack.stepFunctions.drain();

    // Assess
    expect(paused).toMatchObject({ status: 'PAUSED', stopReason: 'lead_paused', resumeFrom: { stepIndex: 1 } });
    expect(stack.stepFunctions.get(first)?.status).toBe('ABORTED');
    expect(parked).toMatchObject({ status: 'PAUSED', stopReason: 'lead_paused', resumeFrom: { stepIndex: 1 } });
    expect(resumed).toMatchObject({ status: 'IN_SEQUENCE', executionName: 'steer--mia-lead--r1' });
    expect(again).toMatchObject({ code: 'lead_not_resumable' });
    const run = stack.stepFunctions.get('steer--mia-lead--r1');
    expect(run?.status).toBe('SUCCEEDED');
    const entered = run?.events.flatMap((event) => event.stateEnteredEventDetails?.name ?? []);
    expect(entered).not.toContain('Send Email');
    expect(linkedinActions('mia')).toHaveLength(1);
    expect(await getLead(lead.leadId)).toMatchObject({ status: 'CONTACTED', resumeCount: 1 });
  });

  it('pauses a NEW lead out of batches and gives it back to them on resume; refuses what it cannot pause', async () => {
    // Prepare
    await putCampaign(testCampaign('steer-new', { sequence, minGrade: 'D' }));
    const lead = linkedinOnlyLead('steer-new', 'noa');
    await createLead(lead);
    await createLead(linkedinOnlyLead('steer-new', 'amb', { status: 'PAUSED', stopReason: 'ambiguous_send' }));

    // Act
    const paused = await pauseLead(lead.leadId, machineArn);
    const batch = await launchBatch({ campaignId: 'steer-new' });
    // A try the stopped run had already claimed may still be running (StopExecution does not stop its Lambda):
    // the resume answers send_in_flight until it finished, as an operator would retry it.
    const resumed = await vi.waitFor(() => resumeLeadById(lead.leadId, { stateMachineArn: machineArn }), {
      timeout: 30_000,
      interval: 500,
    });
    const pauseParked = await pauseLead('amb-lead', machineArn).catch((error: Error) => error);
    const resumeAmbiguous = await resumeLeadById('amb-lead', { stateMachineArn: machineArn }).catch(
      (error: Error) => error,
    );

    // Assess
    expect(paused).toEqual({ leadId: lead.leadId, status: 'PAUSED', stopReason: 'lead_paused' });
    expect(batch.started).toBe(0);
    expect(resumed).toEqual({ leadId: lead.leadId, status: 'NEW' });
    expect((await getLead(lead.leadId))?.stopReason).toBeUndefined();
    expect(pauseParked).toMatchObject({ code: 'lead_not_pausable', message: expect.stringContaining('PAUSED') });
    expect(resumeAmbiguous).toMatchObject({
      code: 'lead_awaits_release',
      message: expect.stringContaining('/release'),
    });
  });
});

describe('resuming after the sequence was edited', () => {
  it('restarts a parked lead in its own version, not the edited one', async () => {
    // Prepare: parked at step 2 (LinkedIn) of version 1; version 2 puts an email there.
    await putCampaign(testCampaign('edited', { sequence, minGrade: 'D', state: 'PAUSED' }));
    await createLead(
      linkedinOnlyLead('edited', 'ivy', {
        status: 'PAUSED',
        stopReason: 'campaign_inactive',
        resumeFrom: { stepIndex: 1, tryCount: 2 },
        executionName: 'edited--ivy-lead',
      }),
    );
    const edited = SequenceConfig.parse({
      version: 2,
      steps: [{ channel: 'LINKEDIN' }, { channel: 'EMAIL', waitHoursBefore: 24 }],
    });
    await replaceCampaignSequence('edited', sequence, edited);
    await transitionCampaign('edited', ['PAUSED'], 'ACTIVE');

    // Act
    const report = await resumeParkedLeads('edited', machineArn);
    await stack.stepFunctions.drain();

    // Assess
    expect(await getSequenceVersion('edited', 1)).toMatchObject({ version: 1, steps: [{ channel: 'EMAIL' }, {}] });
    expect(report).toMatchObject({ resumed: 1, keptParked: 0, executions: ['edited--ivy-lead--r1'] });
    const run = stack.stepFunctions.get('edited--ivy-lead--r1');
    expect(JSON.parse(run?.input ?? '{}').sequence.version).toBe(1);
    expect(run?.status).toBe('SUCCEEDED');
    expect(linkedinActions('ivy')).toHaveLength(1);
    expect(await getLead('ivy-lead')).toMatchObject({ status: 'CONTACTED', sequenceVersion: 1 });
  });

  it('places a lead whose version was never kept at the step with the same id, else keeps it parked and says why', async () => {
    // Prepare: version 3 is current; the leads started on version 1, replaced before versions were kept.
    const current = SequenceConfig.parse({
      version: 3,
      steps: [{ channel: 'EMAIL' }, { id: 'step-2', channel: 'LINKEDIN' }],
    });
    await putCampaign(testCampaign('old-leads', { sequence: current, minGrade: 'D' }));
    const parked = { status: 'PAUSED' as const, stopReason: 'campaign_inactive' as const, sequenceVersion: 1 };
    await createLead(linkedinOnlyLead('old-leads', 'kim', { ...parked, resumeFrom: { stepIndex: 1, tryCount: 2 } }));
    await createLead(
      linkedinOnlyLead('old-leads', 'lou', {
        ...parked,
        resumeFrom: { stepIndex: 4, tryCount: 1 },
        executionName: 'old-leads--lou-lead',
      }),
    );

    // Act
    const report = await resumeParkedLeads('old-leads', machineArn);
    await stack.stepFunctions.drain();
    const byHand = await resumeLeadById('lou-lead', { stateMachineArn: machineArn, fromStep: 'step-2' });
    await stack.stepFunctions.drain();

    // Assess
    expect(report).toMatchObject({ resumed: 1, keptParked: 1, executions: ['old-leads--kim-lead--r1'] });
    expect(report.kept).toEqual([{ leadId: 'lou-lead', detail: expect.stringContaining('"step-5"') }]);
    expect(await getLead('kim-lead')).toMatchObject({ status: 'CONTACTED', sequenceVersion: 3 });
    expect(byHand).toMatchObject({ status: 'IN_SEQUENCE', resumeFrom: { stepIndex: 1 } });
    expect(await getLead('lou-lead')).toMatchObject({ status: 'CONTACTED', sequenceVersion: 3 });
    expect((await getLead('lou-lead'))?.parkedDetail).toBeUndefined();
  });
});
