import { describe, expect, it } from 'vitest';
import type { OutreachStatus } from '#shared/domain/schemas';
import { attemptKeyFor, messageIdFor } from '#shared/ids';
import { evidenceOf } from '#shared/outreach/ambiguous';
import type { ChannelAdapter, SendResult } from '#shared/outreach/channel-adapter';
import { runChannelStep } from '#shared/outreach/step-runner';
import { testCampaign, testLead } from '#test/support/fixtures';
import { firstStepInput, MemoryStepStore } from '#test/unit/shared/outreach/memory-step-store';
import { withUnsubscribeSettings } from '#test/unit/shared/outreach/unsubscribe-settings';

const CAMPAIGN = testCampaign('unit-ambiguous');
const EXECUTION = 'exec-ambiguous';
const ATTEMPT_KEY = attemptKeyFor(EXECUTION, 0, 1);
const MESSAGE_ID = messageIdFor(ATTEMPT_KEY);

/**
 * A try whose first invocation died during the provider call (the try is CALLING, its message PENDING), and the
 * retried invocation to run once provider evidence has (or has not) moved the message on.
 */
async function interruptedTry() {
  const store = new MemoryStepStore();
  const lead = testLead({ leadId: 'lead-a', campaignId: CAMPAIGN.campaignId, email: 'ada@acme.example' });
  store.leads.set(lead.leadId, { ...lead, status: 'IN_SEQUENCE' });
  store.campaigns.set(CAMPAIGN.campaignId, CAMPAIGN);
  const provider = { calls: 0 };
  const adapter: ChannelAdapter = {
    channel: 'EMAIL',
    prepare: async (context) => ({ plan: { recipient: context.lead.email ?? '' } }),
    send: async (): Promise<SendResult> => {
      provider.calls++;
      throw new Error('process killed');
    },
  };
  const input = firstStepInput(CAMPAIGN, lead.leadId, EXECUTION);
  await expect(runChannelStep(input, adapter, store)).rejects.toThrow('process killed');
  const evidence = (status: OutreachStatus) => {
    const message = store.messages.get(MESSAGE_ID);
    if (message) store.messages.set(MESSAGE_ID, { ...message, status });
  };
  return { store, provider, evidence, retry: () => runChannelStep(input, adapter, store) };
}

withUnsubscribeSettings();

describe('an interrupted try is settled from evidence where there is some', () => {
  it.each(['SENT', 'DELIVERED', 'BOUNCED'] as const)('a %s message settles the try as sent', async (status) => {
    // Prepare
    const { store, provider, evidence, retry } = await interruptedTry();
    evidence(status);

    // Act
    const result = await retry();

    // Assess: the sequence goes on as after a sent touch (an email still meets its delivery check).
    expect(result).toMatchObject({ outcome: 'SENT', channelUsed: 'EMAIL', messageId: MESSAGE_ID });
    expect(provider.calls).toBe(1);
    expect(store.leads.get('lead-a')?.status).toBe('CONTACTED');
    expect(store.messages.get(MESSAGE_ID)?.status).toBe(status);
    expect(store.attempts.get(ATTEMPT_KEY)).toMatchObject({ state: 'DONE', outcome: 'SENT' });
    expect(store.counters.at(-1)).toMatchObject({ sent: 1 });
  });

  it('a message the provider refused (FAILED) lets the step be tried again, under a new try', async () => {
    // Prepare
    const { store, provider, evidence, retry } = await interruptedTry();
    evidence('FAILED');

    // Act
    const result = await retry();

    // Assess
    expect(result).toMatchObject({ outcome: 'RETRY', usesRetry: true });
    expect(provider.calls).toBe(1);
    expect(store.leads.get('lead-a')?.status).toBe('IN_SEQUENCE');
  });

  it('without evidence the lead is parked with what a release needs', async () => {
    // Prepare
    const { store, retry } = await interruptedTry();

    // Act
    const result = await retry();

    // Assess
    expect(result).toMatchObject({ outcome: 'STOP', reason: 'ambiguous_send', messageId: MESSAGE_ID });
    expect(store.leads.get('lead-a')).toMatchObject({
      status: 'PAUSED',
      stopReason: 'ambiguous_send',
      resumeFrom: { stepIndex: 0, tryCount: 2 },
    });
  });

  it('an event that lands while the lead is being parked still settles the try, once', async () => {
    // Prepare: the SES Send event moves the message on right after the retry read it, before the parking.
    const { store, retry } = await interruptedTry();
    const read = store.getMessage.bind(store);
    let reads = 0;
    store.getMessage = async (leadId, messageId) => {
      const message = await read(leadId, messageId);
      if (++reads === 1 && message) store.messages.set(messageId, { ...message, status: 'SENT' });
      return message;
    };

    // Act
    const result = await retry();

    // Assess: parked by the first read, settled by the read after parking; never sent again.
    expect(result).toMatchObject({ outcome: 'STOP', reason: 'ambiguous_send' });
    expect(store.attempts.get(ATTEMPT_KEY)).toMatchObject({ reason: 'ambiguous_send', settledAs: 'sent' });
    expect(store.leads.get('lead-a')?.status).toBe('CONTACTED');
  });

  it('settles the try even when a slow first invocation moved the lead on before the parking', async () => {
    // Prepare: the first invocation, timed out by Step Functions but still running, recorded the lead CONTACTED.
    const { store, retry } = await interruptedTry();
    const read = store.getMessage.bind(store);
    let reads = 0;
    store.getMessage = async (leadId, messageId) => {
      const message = await read(leadId, messageId);
      if (++reads === 1 && message) {
        store.messages.set(messageId, { ...message, status: 'SENT' });
        Object.assign(store.leads.get('lead-a') ?? {}, { status: 'CONTACTED' });
      }
      return message;
    };

    // Act
    await retry();

    // Assess: never left unsettled, and the lead keeps the status the send gave it.
    expect(store.attempts.get(ATTEMPT_KEY)).toMatchObject({ reason: 'ambiguous_send', settledAs: 'sent' });
    expect(store.leads.get('lead-a')?.status).toBe('CONTACTED');
  });
});

describe('evidenceOf', () => {
  it('reads a provider id on a PENDING message as sent, and a bare PENDING message as no evidence', () => {
    // Prepare
    const base = {
      ...{ messageId: 'm', leadId: 'l', campaignId: 'c', channel: 'EMAIL' as const, createdAt: '' },
      ...{ body: 'Hi', executionName: 'e', attemptKey: 'a' },
    };

    // Act
    const withId = evidenceOf({ ...base, status: 'PENDING', providerMessageId: 'ses-9' });
    const bare = evidenceOf({ ...base, status: 'PENDING' });

    // Assess
    expect(withId).toBe('sent');
    expect(bare).toBeUndefined();
    expect(evidenceOf(undefined)).toBeUndefined();
  });
});
