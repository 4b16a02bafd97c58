import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { type Lead, SequenceConfig } from '#shared/domain/schemas';
import { launchBatch } from '#shared/outreach/launcher';
import { createLead, getLead, putCampaign } from '#shared/store/leads';
import { listLeadMessages } from '#shared/store/outreach';
import { recordReply } from '#shared/tracking/replies';
import { testCampaign, testLead } from '#test/support/fixtures';

/** stopOnCompanyReply (docs/product.md §2): a reply stops the campaign's other leads at the same company. */
let stack: LocalStack;

/** One email after a 24 h wait (1.5 s real): a launched lead is IN_SEQUENCE, waiting, when the reply lands. */
const sequence = SequenceConfig.parse({ steps: [{ channel: 'EMAIL', waitHoursBefore: 24 }] });

function lead(campaignId: string, name: string, email: string, fields: Partial<Lead> = {}): Lead {
  return testLead({ leadId: `${campaignId}-${name}`, campaignId, firstName: name, email, company: 'Acme', ...fields });
}

/** The messages sent to a lead (any channel). */
const sentTo = async (leadId: string) =>
  (await listLeadMessages(leadId)).filter((message) => message.status !== 'FAILED' && message.status !== 'SKIPPED');

beforeAll(async () => {
  stack = await startLocalStack({ pauseMs: 1500 });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe('a reply with stopOnCompanyReply', () => {
  it('stops a colleague in the sequence and a NEW one, not a gmail.com namesake of the same company', async () => {
    // Prepare: Ann and Bob (acme.example) are waiting in their sequences; Dan (acme.example) and Cat (gmail.com,
    // company "Acme") are NEW.
    await putCampaign(testCampaign('co', { sequence, minGrade: 'D' }));
    await createLead(lead('co', 'ann', 'ann@acme.example'));
    await createLead(lead('co', 'bob', 'bob@acme.example'));
    const launch = await launchBatch({ campaignId: 'co' });
    await createLead(lead('co', 'dan', 'dan@ACME.example'));
    await createLead(lead('co', 'cat', 'cat@gmail.com', { website: 'https://www.gmail.com' }));

    // Act
    const reply = await recordReply('co-ann', { channel: 'LINKEDIN' });
    const later = await launchBatch({ campaignId: 'co' });
    await stack.stepFunctions.drain();

    // Assess
    expect(launch.started).toBe(2);
    expect(reply.companyStopped?.sort()).toEqual(['co-bob', 'co-dan']);
    expect(await getLead('co-bob')).toMatchObject({ status: 'EXHAUSTED', stopReason: 'company_replied' });
    expect(await getLead('co-dan')).toMatchObject({ status: 'EXHAUSTED', stopReason: 'company_replied' });
    expect(stack.stepFunctions.get('co--co-bob')?.status).toBe('ABORTED');
    expect(await sentTo('co-bob')).toHaveLength(0);
    expect(await sentTo('co-dan')).toHaveLength(0);
    expect(later.executions).toEqual(['co--co-cat']);
    expect(await sentTo('co-cat')).toHaveLength(1);
    expect(await getLead('co-cat')).toMatchObject({ status: 'CONTACTED' });
  });

  it('never joins two free-mail addresses into a company, and does nothing when the campaign says so', async () => {
    // Prepare
    await putCampaign(testCampaign('free', { sequence, minGrade: 'D' }));
    await createLead(lead('free', 'eve', 'eve@gmail.com'));
    await createLead(lead('free', 'fay', 'fay@gmail.com'));
    await putCampaign(testCampaign('off', { sequence, minGrade: 'D', stopOnCompanyReply: false }));
    await createLead(lead('off', 'gus', 'gus@beta.example'));
    await createLead(lead('off', 'hal', 'hal@beta.example'));
    await createLead(lead('off', 'ian', 'ian@other.example', { website: 'beta.example/about' }));

    // Act
    const free = await recordReply('free-eve', { channel: 'EMAIL' });
    const off = await recordReply('off-gus', { channel: 'EMAIL' });

    // Assess
    expect(free.companyStopped).toBeUndefined();
    expect(off.companyStopped).toBeUndefined();
    expect((await getLead('free-fay'))?.status).toBe('NEW');
    expect((await getLead('off-hal'))?.status).toBe('NEW');
    expect((await getLead('off-ian'))?.status).toBe('NEW');
  });

  it('a website domain joins colleagues too', async () => {
    // Prepare: Jon writes from a personal address but works at delta.example (his website).
    await putCampaign(testCampaign('site', { sequence, minGrade: 'D' }));
    await createLead(lead('site', 'jon', 'jon@gmail.com', { website: 'https://www.delta.example/team' }));
    await createLead(lead('site', 'kay', 'kay@delta.example'));

    // Act
    const reply = await recordReply('site-jon', { channel: 'EMAIL' });

    // Assess
    expect(reply.companyStopped).toEqual(['site-kay']);
    expect(await getLead('site-kay')).toMatchObject({ status: 'EXHAUSTED', stopReason: 'company_replied' });
  });
});
