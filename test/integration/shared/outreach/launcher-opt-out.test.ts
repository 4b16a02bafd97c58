import { beforeAll, describe, expect, it } from 'vitest';
import { STATE } from '#infra/state-names';
import { type LocalStack, startLocalStack } from '#local/stack';
import { type Lead, SequenceConfig } from '#shared/domain/schemas';
import { launchBatch } from '#shared/outreach/launcher';
import { createLead, getLead, putCampaign } from '#shared/store/leads';
import { type HistoryEntry, leadHistory } from '#shared/store/outreach';
import { suppressPerson } from '#shared/store/suppression-checks';
import { addSuppression, addSuppressionIfAbsent, getSuppression } from '#shared/store/suppressions';
import { testCampaign, testLead } from '#test/support/fixtures';

let stack: LocalStack;

beforeAll(async () => {
  // Waits take 1.5 s of real time, long enough for an opt-out to land while a sequence waits between steps.
  stack = await startLocalStack({ pauseMs: 1500 });
  return () => stack.close();
}, 60_000);

/** What the LinkedIn sandbox received for one member: invitations and direct messages. */
const linkedinTouches = (member: string) =>
  [...stack.linkedin.invitations, ...stack.linkedin.messages].filter((touch) => touch.publicIdentifier === member);

const attempts = (history: HistoryEntry[]) =>
  history
    .filter((entry) => entry.kind === 'attempt')
    .reverse()
    .map((entry) => [entry.channel, entry.outcome, entry.reason]);

async function waitForState(executionName: string, state: string) {
  const execution = stack.stepFunctions.get(executionName);
  if (!execution) throw new Error(`no execution ${executionName}`);
  while (!execution.events.some((event) => event.stateEnteredEventDetails?.name === state)) {
    if (execution.status !== 'RUNNING') throw new Error(`${executionName} ended before ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return execution;
}

describe('an opt-out acts on the person: every channel, every campaign', () => {
  it.each([
    ['unsubscribed', 'unsubscribed'],
    ['complaint', 'complaint'],
  ] as const)('an %s address in another campaign stops the LinkedIn step that waits', async (reason, stop) => {
    // Prepare: campaign B reaches the person on LinkedIn only, after a 24 h wait (the form step has no page to reach).
    const campaignId = `optout-${reason}`;
    const member = `member-${reason}`;
    const sequence = SequenceConfig.parse({
      steps: [{ channel: 'CONTACT_FORM' }, { channel: 'LINKEDIN', waitHoursBefore: 24 }],
    });
    await putCampaign(testCampaign(campaignId, { sequence }));
    stack.linkedin.seedProfile({ publicIdentifier: member, status: 'CONNECTED' });
    const lead: Lead = testLead({
      leadId: `${campaignId}-lead`,
      campaignId,
      email: `Person.${reason}@Optout.example`,
      linkedinUrl: `https://www.linkedin.com/in/${member}`,
      linkedinConnectionStatus: 'CONNECTED',
    });
    await createLead(lead);
    const report = await launchBatch({ campaignId });
    const execution = await waitForState(report.executions[0] ?? '', STATE.waitBeforeNextTouch);

    // Act: the same person opts out by email in campaign A, as the unsubscribe route and SES events record it.
    await addSuppressionIfAbsent(`EMAIL#person.${reason}@optout.example`, reason, 'campaign-a');
    await execution.done;

    // Assess
    expect(linkedinTouches(member)).toHaveLength(0);
    expect(attempts(await leadHistory(lead.leadId, 200))).toEqual([
      ['CONTACT_FORM', 'FALLBACK', 'form_unreachable'],
      ['LINKEDIN', 'STOP', stop],
    ]);
  });

  it('a batch does not enrol a LinkedIn-only lead whose profile opted out with another campaign’s lead', async () => {
    // Prepare: in campaign A the person had an address and a profile; in B only the profile.
    const member = 'member-known-by-profile';
    const inA = testLead({
      leadId: 'optout-a-lead',
      campaignId: 'optout-a',
      email: 'profile.person@optout.example',
      linkedinUrl: `https://www.linkedin.com/in/${member}`,
    });
    await putCampaign(testCampaign('optout-profile'));
    const inB = testLead({
      leadId: 'optout-profile-lead',
      campaignId: 'optout-profile',
      linkedinUrl: `https://linkedin.com/in/${member.toUpperCase()}/`,
    });
    await createLead(inB);
    // A bounce already on the address must not hide the opt-out that follows it.
    await addSuppression('EMAIL#profile.person@optout.example', 'bounce', 'ses');

    // Act
    await suppressPerson(inA, 'unsubscribed', 'unsubscribe');
    const report = await launchBatch({ campaignId: 'optout-profile' });

    // Assess
    expect(report).toMatchObject({ started: 0, skipped: { suppressed: 1 } });
    expect((await getLead(inB.leadId))?.status).toBe('NEW');
    expect(await getSuppression(`LINKEDIN#${member}`)).toMatchObject({ reason: 'unsubscribed' });
    expect(await getSuppression('EMAIL#profile.person@optout.example')).toMatchObject({ reason: 'unsubscribed' });
  });
});

describe('an address suppression closes email only', () => {
  it('enrols a bounced address that LinkedIn can reach: the email step falls back, LinkedIn sends', async () => {
    // Prepare
    const campaignId = 'bounced-address';
    const member = 'member-bounced-address';
    await putCampaign(testCampaign(campaignId));
    stack.linkedin.seedProfile({ publicIdentifier: member, status: 'CONNECTED' });
    const lead = testLead({
      leadId: `${campaignId}-lead`,
      campaignId,
      email: 'gone@bounced-address.example',
      linkedinUrl: `https://www.linkedin.com/in/${member}`,
      linkedinConnectionStatus: 'CONNECTED',
    });
    await createLead(lead);
    await addSuppression('EMAIL#gone@bounced-address.example', 'bounce', 'ses');

    // Act
    const preview = await launchBatch({ campaignId, dryRun: true });
    const report = await launchBatch({ campaignId });
    await stack.stepFunctions.drain();

    // Assess
    expect(preview.dryRun?.map((entry) => entry.firstChannel)).toEqual(['LINKEDIN']);
    expect(report).toMatchObject({ started: 1, skipped: { suppressed: 0 } });
    expect(attempts(await leadHistory(lead.leadId, 200))).toEqual([
      ['EMAIL', 'FALLBACK', 'suppressed'],
      ['LINKEDIN', 'SENT', undefined],
    ]);
    expect(linkedinTouches(member)).toHaveLength(1);
    expect((await getLead(lead.leadId))?.status).toBe('CONTACTED');
  });

  it('still skips a lead no open channel can reach', async () => {
    // Prepare: an address only, suppressed.
    const campaignId = 'bounced-only';
    await putCampaign(testCampaign(campaignId));
    await createLead(testLead({ leadId: `${campaignId}-lead`, campaignId, email: 'gone@bounced-only.example' }));
    await addSuppression('EMAIL#gone@bounced-only.example', 'bounce', 'ses');

    // Act
    const report = await launchBatch({ campaignId });

    // Assess
    expect(report).toMatchObject({ started: 0, skipped: { suppressed: 1 } });
  });
});
