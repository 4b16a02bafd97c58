import { describe, expect, it } from 'vitest';
import type { Lead } from '#shared/domain/schemas';
import { leadFromInput } from '#shared/leads/create';
import { LeadInput } from '#shared/leads/import';
import { createLead, getLead, transitionLead } from '#shared/store/leads';
import { claimAttempt, getAttempt, getMessage, putMessage } from '#shared/store/outreach';
import { handleSesEvent } from '#shared/tracking/ses-events';
import { campaignBody, expectError, expectInvalid, useApiStack } from '#test/integration/functions/api/gateway';

const local = useApiStack();
const { call } = local;
let sequence = 0;

/**
 * A lead parked as a crash leaves it: PAUSED `ambiguous_send`, its try DONE with that reason, its message PENDING.
 */
async function parkedLead(campaignId: string) {
  sequence++;
  const input = LeadInput.parse({ firstName: 'Ann', email: `ann${sequence}@release.example`, leadScore: 0.9 });
  const lead = leadFromInput(input, campaignId);
  const executionName = `exec-release-${sequence}`;
  const attemptKey = `${executionName}#0#1`;
  const messageId = `msg_release_${sequence}`;
  await createLead(lead);
  await transitionLead(lead, ['NEW'], 'PAUSED', {
    executionName,
    stopReason: 'ambiguous_send',
    resumeFrom: { stepIndex: 0, tryCount: 2 },
  });
  const createdAt = new Date().toISOString();
  const ids = { leadId: lead.leadId, campaignId, executionName, channel: 'EMAIL' as const, messageId, createdAt };
  await claimAttempt({
    ...ids,
    attemptKey,
    stepIndex: 0,
    tryNumber: 1,
    state: 'DONE',
    phase: 'DONE',
    owner: 'crashed',
    outcome: 'STOP',
    reason: 'ambiguous_send',
    updatedAt: createdAt,
  });
  await putMessage({ ...ids, attemptKey, status: 'PENDING', subject: 'Hi', body: 'Hello Ann' });
  return { lead, attemptKey, messageId };
}

async function newCampaign(campaignId: string) {
  const reply = await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody(campaignId) });
  expect(reply.status).toBe(201);
}

/** An SES event of `type` for the parked try's message, tagged as the sender tags it. */
function sesEvent(type: 'Send' | 'Delivery', lead: Lead, messageId: string) {
  const time = new Date().toISOString();
  return {
    'detail-type': type === 'Send' ? 'Email Sent' : 'Email Delivered',
    source: 'aws.ses',
    time,
    detail: {
      eventType: type,
      mail: {
        messageId: `ses-${messageId}`,
        timestamp: time,
        destination: [lead.email],
        tags: { lead: [lead.leadId], message: [messageId] },
      },
      ...(type === 'Delivery' && { delivery: { timestamp: time } }),
    },
  };
}

describe('POST /v1/leads/{id}/release', () => {
  it('refuses a bad decision with field details, and a lead that is not parked with 409', async () => {
    // Prepare
    await newCampaign('release-edge');
    const { lead } = await parkedLead('release-edge');
    const free = leadFromInput(
      LeadInput.parse({ firstName: 'Bo', email: 'bo@release.example', leadScore: 0.9 }),
      'release-edge',
    );
    await createLead(free);

    // Act
    const bad = await call({
      method: 'POST',
      path: `/v1/leads/${lead.leadId}/release`,
      json: { decision: 'maybe', x: 1 },
    });
    const notParked = await call({
      method: 'POST',
      path: `/v1/leads/${free.leadId}/release`,
      json: { decision: 'sent' },
    });
    const missing = await call({ method: 'POST', path: '/v1/leads/nobody/release', json: { decision: 'sent' } });
    const otherCampaign = await call({
      method: 'POST',
      path: `/v1/leads/${lead.leadId}/release`,
      json: { decision: 'sent', campaignId: 'elsewhere' },
    });

    // Assess
    expectInvalid(bad, 'decision', 'x');
    expectError(notParked, 409, 'lead_not_parked');
    expect(missing.status).toBe(404);
    expect(otherCampaign.status).toBe(404);
    expect((await getLead(lead.leadId))?.status).toBe('PAUSED');
  });

  it('sent: records the message SENT and the lead CONTACTED; a second release is a 409', async () => {
    // Prepare
    await newCampaign('release-sent');
    const { lead, messageId, attemptKey } = await parkedLead('release-sent');

    // Act
    const released = await call({
      method: 'POST',
      path: `/v1/leads/${lead.leadId}/release`,
      json: { decision: 'sent' },
    });
    const again = await call({ method: 'POST', path: `/v1/leads/${lead.leadId}/release`, json: { decision: 'sent' } });

    // Assess
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ leadId: lead.leadId, decision: 'sent', status: 'CONTACTED', messageId });
    expect((await getLead(lead.leadId))?.status).toBe('CONTACTED');
    expect((await getMessage(lead.leadId, messageId))?.status).toBe('SENT');
    expect(await getAttempt(lead.leadId, attemptKey)).toMatchObject({ settledAs: 'sent', settledBy: 'operator' });
    expectError(again, 409, 'lead_not_parked');
  });

  it('not_sent: marks the message FAILED and tries the step again in a new execution', async () => {
    // Prepare
    await newCampaign('release-retry');
    const { lead, messageId } = await parkedLead('release-retry');

    // Act
    const released = await call({
      method: 'POST',
      path: `/v1/leads/${lead.leadId}/release`,
      json: { decision: 'not_sent', campaignId: 'release-retry' },
    });

    // Assess
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ decision: 'not_sent', status: 'IN_SEQUENCE' });
    expect(released.body.executionName).toMatch(/--r1$/);
    expect((await getMessage(lead.leadId, messageId))?.status).toBe('FAILED');
    const after = await getLead(lead.leadId);
    expect(after).toMatchObject({ executionName: released.body.executionName, resumeCount: 1 });
    expect(after?.stopReason).toBeUndefined();
    const run = await call({ method: 'GET', path: `/v1/executions/${released.body.executionName}` });
    expect(run.status).toBe(200);
  });
});

describe('evidence that arrives after the lead was parked', () => {
  it.each(['Send', 'Delivery'] as const)('an SES %s event settles the try as sent', async (type) => {
    // Prepare
    await newCampaign(`release-evidence-${type.toLowerCase()}`);
    const { lead, messageId, attemptKey } = await parkedLead(`release-evidence-${type.toLowerCase()}`);

    // Act
    await handleSesEvent(sesEvent(type, lead, messageId));
    const replayed = await handleSesEvent(sesEvent(type, lead, messageId));

    // Assess
    expect((await getLead(lead.leadId))?.status).toBe('CONTACTED');
    expect((await getMessage(lead.leadId, messageId))?.status).toBe(type === 'Send' ? 'SENT' : 'DELIVERED');
    expect(await getAttempt(lead.leadId, attemptKey)).toMatchObject({ settledAs: 'sent', settledBy: `ses:${type}` });
    expect(replayed.effect).toBe('ignored');
  });
});
