import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { SequenceConfig } from '#shared/domain/schemas';
import { launchBatch } from '#shared/outreach/launcher';
import { putAccountLimits } from '#shared/store/config';
import { createLead, getLead, putCampaign, transitionLead } from '#shared/store/leads';
import { testCampaign, testLead } from '#test/support/fixtures';

/** maxActiveSequencesPerPerson (docs/product.md §2): a person is in at most that many running sequences. */
let stack: LocalStack;

/** One email after a 24 h wait (1.5 s real): a launched lead stays IN_SEQUENCE while the other batch runs. */
const sequence = SequenceConfig.parse({ steps: [{ channel: 'EMAIL', waitHoursBefore: 24 }] });

async function campaignWithPerson(campaignId: string, email: string) {
  await putCampaign(testCampaign(campaignId, { sequence, minGrade: 'D' }));
  await createLead(testLead({ leadId: `${campaignId}-lead`, campaignId, email }));
}

beforeAll(async () => {
  stack = await startLocalStack({ pauseMs: 1500 });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe('a person in several campaigns', () => {
  it('is skipped by the second batch while the first sequence runs, and enrolled once it ended', async () => {
    // Prepare: the same person (any case) in two campaigns.
    await campaignWithPerson('p-one', 'Pat@Person.example');
    await campaignWithPerson('p-two', 'pat@person.example');
    const first = await launchBatch({ campaignId: 'p-one' });

    // Act
    const second = await launchBatch({ campaignId: 'p-two' });
    await transitionLead({ leadId: 'p-one-lead', campaignId: 'p-one' }, ['IN_SEQUENCE'], 'CONTACTED');
    const third = await launchBatch({ campaignId: 'p-two' });
    await stack.stepFunctions.drain();

    // Assess
    expect(first.started).toBe(1);
    expect(second).toMatchObject({
      started: 0,
      skipped: { inOtherCampaign: 1 },
      skippedLeads: [{ leadId: 'p-two-lead', reason: 'in_other_campaign' }],
    });
    expect(third).toMatchObject({ started: 1, skipped: { inOtherCampaign: 0 } });
    expect((await getLead('p-two-lead'))?.status).toBe('CONTACTED');
  });

  it('lets two batches racing for the person start one sequence; the limit is account-wide and settable', async () => {
    // Prepare
    await campaignWithPerson('race-a', 'rae@race.example');
    await campaignWithPerson('race-b', 'rae@race.example');
    await campaignWithPerson('two-a', 'tia@two.example');
    await campaignWithPerson('two-b', 'tia@two.example');

    // Act
    const raced = await Promise.all([launchBatch({ campaignId: 'race-a' }), launchBatch({ campaignId: 'race-b' })]);
    await putAccountLimits({
      globalPerDay: 500,
      perDomainPerDay: 20,
      leadCooldownHours: 24,
      maxActiveSequencesPerPerson: 2,
    });
    const two = [await launchBatch({ campaignId: 'two-a' }), await launchBatch({ campaignId: 'two-b' })];
    await stack.stepFunctions.drain();

    // Assess
    expect(raced.map((report) => report.started).sort()).toEqual([0, 1]);
    expect(raced.map((report) => report.skipped.inOtherCampaign).sort()).toEqual([0, 1]);
    expect(two.map((report) => report.started)).toEqual([1, 1]);
  });
});
