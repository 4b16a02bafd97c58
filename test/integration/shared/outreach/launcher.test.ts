import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { leadFromInput } from '#shared/leads/create';
import { LeadInput } from '#shared/leads/import';
import { launchBatch } from '#shared/outreach/launcher';
import { putChannelConfig } from '#shared/store/config';
import { createLead, getLead, putCampaign } from '#shared/store/leads';
import { leadHistory } from '#shared/store/outreach';
import { addSuppression } from '#shared/store/suppressions';
import { testCampaign } from '#test/support/fixtures';

let stack: LocalStack;

const campaign = (campaignId: string) => testCampaign(campaignId);

async function seed(campaignId: string) {
  await putCampaign(campaign(campaignId));
  const rows = [
    { firstName: 'Ann', email: `ann@${campaignId}.example`, leadScore: 0.9, budgetRange: '$10k', timelineMonths: 3 },
    { firstName: 'Ben', email: `ben@${campaignId}.example`, leadScore: 0.5 },
    { firstName: 'Dee', email: `dee@${campaignId}.example`, leadScore: 0.1 },
    { firstName: 'Sam', email: `sam@suppressed-${campaignId}.example`, leadScore: 0.8 },
  ];
  const leads = rows.map((row) => leadFromInput(LeadInput.parse(row), campaignId));
  for (const lead of leads) await createLead(lead);
  await addSuppression(`DOMAIN#suppressed-${campaignId}.example`, 'do_not_contact', 'test');
  return leads;
}

beforeAll(async () => {
  stack = await startLocalStack();
  return () => stack.close();
}, 60_000);

describe('batch launcher', () => {
  it('dry run renders the first channel and changes nothing', async () => {
    // Prepare
    const leads = await seed('dry-run');

    // Act
    const report = await launchBatch({ campaignId: 'dry-run', dryRun: true });

    // Assess
    expect(report.started).toBe(0);
    expect(report.skipped).toEqual({ belowGrade: 1, suppressed: 1, inOtherCampaign: 0 });
    expect(report.dryRun?.map((entry) => entry.firstChannel)).toEqual(['EMAIL', 'EMAIL']);
    expect(report.dryRun?.[0]?.subject).toBeTruthy();
    expect(report.dryRun?.every((entry) => entry.text?.includes('/v1/unsubscribe?token='))).toBe(true);
    for (const lead of leads) {
      expect((await getLead(lead.leadId))?.status).toBe('NEW');
      expect(await leadHistory(lead.leadId)).toEqual([]);
    }
    expect(stack.stepFunctions.list().filter((execution) => execution.name.startsWith('dry-run'))).toEqual([]);
  });

  it('enrols grade ≥ C, unsuppressed leads once, even when two launches race', async () => {
    // Prepare
    const [ann, ben, dee, sam] = await seed('race');

    // Act
    const [first, second] = await Promise.all([
      launchBatch({ campaignId: 'race' }),
      launchBatch({ campaignId: 'race' }),
    ]);
    await stack.stepFunctions.drain();

    // Assess
    expect((first?.started ?? 0) + (second?.started ?? 0)).toBe(2);
    expect(first.alreadyRunning + second.alreadyRunning).toBe(2);
    expect(stack.stepFunctions.list().filter((execution) => execution.name.startsWith('race--'))).toHaveLength(2);
    expect((await getLead(ann?.leadId ?? ''))?.status).toBe('CONTACTED');
    expect((await getLead(ben?.leadId ?? ''))?.status).toBe('CONTACTED');
    expect((await getLead(dee?.leadId ?? ''))?.status).toBe('NEW');
    expect((await getLead(sam?.leadId ?? ''))?.status).toBe('NEW');
  });

  it('refuses a second execution under the same name with a different input', async () => {
    // Prepare
    const sfn = new SFNClient({});
    const running = stack.stepFunctions.list()[0];
    if (!running) throw new Error('an execution should exist');

    // Act
    const second = sfn.send(
      new StartExecutionCommand({
        stateMachineArn: stack.stateMachineArn,
        name: running.name,
        input: '{"other":true}',
      }),
    );

    // Assess
    await expect(second).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it("starts each execution with its channel's configured retry policy and a sequence deadline", async () => {
    // Prepare: the campaign's EMAIL config allows no retry; the sequence's steps set none of their own.
    const [ann] = await seed('policy');
    await putChannelConfig({
      channel: 'EMAIL',
      scope: 'policy',
      enabled: true,
      rateLimits: { perHour: 50, perDay: 200 },
      retryPolicy: { maxRetries: 0, retryBackoffHours: [6] },
      settings: {},
    });

    // Act
    const report = await launchBatch({ campaignId: 'policy' });
    await stack.stepFunctions.drain();

    // Assess
    const execution = stack.stepFunctions.list().find((each) => each.name === report.executions[0]);
    const input = JSON.parse(execution?.input ?? '{}');
    expect(input.sequence.steps[0]).toMatchObject({ channel: 'EMAIL', maxRetries: 0, retryBackoffSeconds: [21_600] });
    expect(input.sequence.steps[1]).toMatchObject({ channel: 'LINKEDIN', maxRetries: 2 });
    const deadline = Date.parse((await getLead(ann?.leadId ?? ''))?.sequenceDeadline ?? '');
    expect(deadline - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(deadline - Date.now()).toBeLessThanOrEqual(30 * 86_400_000);
  });
});
