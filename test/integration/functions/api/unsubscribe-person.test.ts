import { beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { type Lead, SequenceConfig } from '#shared/domain/schemas';
import { launchBatch } from '#shared/outreach/launcher';
import { unsubscribeToken } from '#shared/outreach/unsubscribe';
import { createLead, getLead, putCampaign } from '#shared/store/leads';
import { type HistoryEntry, leadHistory } from '#shared/store/outreach';
import { getSuppression } from '#shared/store/suppressions';
import { type ApiReply, callApi, type Handler, loadHandler } from '#test/integration/functions/api/gateway';
import { testCampaign, testLead } from '#test/support/fixtures';

/**
 * The public one-click unsubscribe acts on the person (docs/product.md §1): the opt-out made through one
 * campaign's link reaches the same person's leads in other campaigns, whichever contact point they share.
 */

let stack: LocalStack;
let handler: Handler;

beforeAll(async () => {
  // Waits take 1.5 s of real time, long enough to unsubscribe while a sequence waits between steps.
  stack = await startLocalStack({ pauseMs: 1500 });
  handler = await loadHandler();
  return async () => {
    await stack.stepFunctions.drain();
    await stack.close();
  };
}, 60_000);

/** What the LinkedIn sandbox received for one member: invitations and direct messages. */
const linkedinTouches = (member: string) =>
  [...stack.linkedin.invitations, ...stack.linkedin.messages].filter((touch) => touch.publicIdentifier === member);

const attempts = (history: HistoryEntry[]) =>
  history
    .filter((entry) => entry.kind === 'attempt')
    .reverse()
    .map((entry) => [entry.channel, entry.outcome, entry.reason]);

/** The person presses the one-click link of the mail `lead` received in `campaignId`. */
function unsubscribe(lead: Lead): Promise<ApiReply> {
  return callApi(handler, {
    method: 'POST',
    path: `/v1/unsubscribe?token=${unsubscribeToken(lead.leadId, lead.campaignId)}`,
    raw: { body: 'List-Unsubscribe=One-Click', contentType: 'application/x-www-form-urlencoded' },
    token: null,
  });
}

/** Campaign A's lead: the person with an address and a LinkedIn profile. */
async function leadInCampaignA(campaignId: string, member: string): Promise<Lead> {
  await putCampaign(testCampaign(campaignId));
  const lead = testLead({
    leadId: `${campaignId}-lead`,
    campaignId,
    email: `${member}@person.example`,
    linkedinUrl: `https://www.linkedin.com/in/${member}`,
  });
  await createLead(lead);
  return lead;
}

async function waitForState(executionName: string, state: string) {
  const execution = stack.stepFunctions.get(executionName);
  if (!execution) throw new Error(`no execution ${executionName}`);
  while (!execution.events.some((event) => event.stateEnteredEventDetails?.name === state)) {
    if (execution.status !== 'RUNNING') throw new Error(`${executionName} ended before ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return execution;
}

describe('POST /v1/unsubscribe opts the person out of every channel of every campaign', () => {
  it('a later batch of another campaign skips the lead known only by the same LinkedIn profile', async () => {
    // Prepare: campaign B knows the person by profile only (another spelling of the same URL, no address).
    const member = 'uma-by-profile';
    stack.linkedin.seedProfile({ publicIdentifier: member, status: 'CONNECTED' });
    const inA = await leadInCampaignA('unsub-person-a', member);
    await putCampaign(testCampaign('unsub-person-b'));
    const inB = testLead({
      leadId: 'unsub-person-b-lead',
      campaignId: 'unsub-person-b',
      linkedinUrl: `https://linkedin.com/in/${member.toUpperCase()}/`,
      linkedinConnectionStatus: 'CONNECTED',
    });
    await createLead(inB);

    // Act
    const reply = await unsubscribe(inA);
    const again = await unsubscribe(inA);
    const report = await launchBatch({ campaignId: 'unsub-person-b' });
    await stack.stepFunctions.drain();

    // Assess
    expect([reply.status, again.status]).toEqual([200, 200]);
    expect((await getLead(inA.leadId))?.status).toBe('UNSUBSCRIBED');
    expect(await getSuppression(`EMAIL#${member}@person.example`)).toMatchObject({ reason: 'unsubscribed' });
    expect(await getSuppression(`LINKEDIN#${member}`)).toMatchObject({ reason: 'unsubscribed' });
    expect(report).toMatchObject({ started: 0, skipped: { suppressed: 1 } });
    expect(linkedinTouches(member)).toHaveLength(0);
    expect((await getLead(inB.leadId))?.status).toBe('NEW');
  });

  it('stops the LinkedIn step of another campaign that was waiting when the person unsubscribed', async () => {
    // Prepare: campaign B reaches the person on LinkedIn only, after a wait (the form step has no page to reach).
    const member = 'uma-waiting';
    stack.linkedin.seedProfile({ publicIdentifier: member, status: 'CONNECTED' });
    const inA = await leadInCampaignA('unsub-wait-a', member);
    const sequence = SequenceConfig.parse({
      steps: [{ channel: 'CONTACT_FORM' }, { channel: 'LINKEDIN', waitHoursBefore: 24 }],
    });
    await putCampaign(testCampaign('unsub-wait-b', { sequence }));
    const inB = testLead({
      leadId: 'unsub-wait-b-lead',
      campaignId: 'unsub-wait-b',
      linkedinUrl: `https://www.linkedin.com/in/${member}`,
      linkedinConnectionStatus: 'CONNECTED',
    });
    await createLead(inB);
    const report = await launchBatch({ campaignId: 'unsub-wait-b' });
    const execution = await waitForState(report.executions[0] ?? '', 'Wait Before Next Touch');

    // Act
    const reply = await unsubscribe(inA);
    await execution.done;

    // Assess
    expect(reply.status).toBe(200);
    expect(linkedinTouches(member)).toHaveLength(0);
    expect(attempts(await leadHistory(inB.leadId, 200))).toEqual([
      ['CONTACT_FORM', 'FALLBACK', 'form_unreachable'],
      ['LINKEDIN', 'STOP', 'unsubscribed'],
    ]);
  });

  it('records the opt-out on the lead itself when it has neither an address nor a profile', async () => {
    // Prepare
    await putCampaign(testCampaign('unsub-no-contact'));
    const lead = testLead({ leadId: 'unsub-no-contact-lead', campaignId: 'unsub-no-contact', phone: '+33 1 23' });
    await createLead(lead);

    // Act
    const reply = await unsubscribe(lead);

    // Assess
    expect(reply.body).toEqual({ unsubscribed: true });
    expect((await getLead(lead.leadId))?.status).toBe('UNSUBSCRIBED');
    expect(await getSuppression(`LEAD#${lead.leadId}`)).toMatchObject({
      reason: 'unsubscribed',
      source: 'unsubscribe',
    });
  });
});
