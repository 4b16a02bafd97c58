import { describe, expect, it } from 'vitest';
import type { ProviderVerdict } from '#shared/domain/outcome';
import type { Lead } from '#shared/domain/schemas';
import { attemptKeyFor, messageIdFor } from '#shared/ids';
import type { ChannelAdapter, SendResult } from '#shared/outreach/channel-adapter';
import { runChannelStep } from '#shared/outreach/step-runner';
import { testCampaign, testLead } from '#test/support/fixtures';
import { firstStepInput, MemoryStepStore } from '#test/unit/shared/outreach/memory-step-store';
import { withUnsubscribeSettings } from '#test/unit/shared/outreach/unsubscribe-settings';

const CAMPAIGN = testCampaign('unit-steps');
const ACCEPTED: ProviderVerdict = { outcome: 'SENT', providerMessageId: 'ses-1', delivered: true };
const EXECUTION = 'exec-unit';
const ATTEMPT_KEY = attemptKeyFor(EXECUTION, 0, 1);

/** One lead on the first (email) step, an in-memory store, and an email provider that counts its calls. */
function prepareTry(options: { lead?: Partial<Lead>; provider?: () => Promise<SendResult> } = {}) {
  const store = new MemoryStepStore();
  const lead = testLead({
    leadId: 'lead-1',
    campaignId: CAMPAIGN.campaignId,
    email: 'ada@acme.example',
    status: 'IN_SEQUENCE',
    ...options.lead,
  });
  store.leads.set(lead.leadId, lead);
  store.campaigns.set(CAMPAIGN.campaignId, CAMPAIGN);
  const provider = { calls: 0 };
  const adapter: ChannelAdapter = {
    channel: 'EMAIL',
    prepare: async (context) => ({ plan: { recipient: context.lead.email ?? '' } }),
    send: async () => {
      provider.calls++;
      return options.provider ? options.provider() : { verdict: ACCEPTED };
    },
  };
  const input = firstStepInput(CAMPAIGN, lead.leadId, EXECUTION);
  return { store, adapter, provider, input, run: () => runChannelStep(input, adapter, store) };
}

const crashAfterProviderCall = async (): Promise<SendResult> => {
  throw new Error('Lambda runtime exited');
};

withUnsubscribeSettings();

describe('a run the lead has left', () => {
  it('ends a late invocation of a stopped run without a send, leaving the lead to its new run', async () => {
    // Prepare: paused, then resumed in a new run while the stopped run's invocation was still on its way.
    const { store, provider, run } = prepareTry({ lead: { executionName: 'exec-unit--r1' } });

    // Act
    const result = await run();

    // Assess
    expect(result).toMatchObject({ outcome: 'STOP', reason: 'superseded' });
    expect(provider.calls).toBe(0);
    expect(store.leads.get('lead-1')).toMatchObject({ status: 'IN_SEQUENCE', executionName: 'exec-unit--r1' });
  });
});

describe('a run that outlasted sequenceTimeoutDays', () => {
  it('ends at its next step without a send, and the lead is EXHAUSTED', async () => {
    // Prepare
    const { store, provider, run } = prepareTry({ lead: { sequenceDeadline: new Date(Date.now() - 1).toISOString() } });

    // Act
    const result = await run();

    // Assess
    expect(result).toMatchObject({ outcome: 'STOP', reason: 'sequence_timeout' });
    expect(provider.calls).toBe(0);
    expect(store.leads.get('lead-1')?.status).toBe('EXHAUSTED');
  });

  it('sends while the deadline is ahead', async () => {
    // Prepare
    const { provider, run } = prepareTry({ lead: { sequenceDeadline: new Date(Date.now() + 60_000).toISOString() } });

    // Act
    const result = await run();

    // Assess
    expect(result).toMatchObject({ outcome: 'SENT' });
    expect(provider.calls).toBe(1);
  });
});

describe('one try of a step is sent at most once', () => {
  it('claims the try, calls the provider once and records the send', async () => {
    // Prepare
    const { store, provider, run } = prepareTry();

    // Act
    const result = await run();

    // Assess
    const messageId = messageIdFor(ATTEMPT_KEY);
    expect(result).toEqual({
      outcome: 'SENT',
      channel: 'EMAIL',
      channelUsed: 'EMAIL',
      messageId,
      providerMessageId: 'ses-1',
    });
    expect(provider.calls).toBe(1);
    expect(store.attempts.get(ATTEMPT_KEY)).toMatchObject({ state: 'DONE', phase: 'DONE', outcome: 'SENT' });
    expect(store.messages.get(messageId)).toMatchObject({ status: 'SENT', providerMessageId: 'ses-1' });
    expect(store.leads.get('lead-1')?.status).toBe('CONTACTED');
    expect(store.counters).toEqual([{ attempts: 1, leads: 1, sequences: 1, fallbacks: 0, sent: 1, failed: 0 }]);
  });

  it('replays the recorded result to a second invocation of a finished try, without sending again', async () => {
    // Prepare
    const { store, provider, run } = prepareTry();
    const first = await run();

    // Act
    const retried = await run();

    // Assess
    expect(retried).toEqual(first);
    expect(provider.calls).toBe(1);
    expect(store.counters).toHaveLength(1);
  });

  it('never calls the provider again after an invocation died during the call: the try is ambiguous', async () => {
    // Prepare
    const { store, provider, adapter, input } = prepareTry({ provider: crashAfterProviderCall });
    await expect(runChannelStep(input, adapter, store)).rejects.toThrow('Lambda runtime exited');

    // Act
    const retried = await runChannelStep(input, adapter, store);

    // Assess
    expect(retried).toMatchObject({ outcome: 'STOP', reason: 'ambiguous_send', messageId: messageIdFor(ATTEMPT_KEY) });
    expect(provider.calls).toBe(1);
    expect(store.attempts.get(ATTEMPT_KEY)).toMatchObject({ state: 'DONE', outcome: 'STOP', reason: 'ambiguous_send' });
    expect(store.leads.get('lead-1')?.status).toBe('PAUSED');
  });

  it('takes over a try that died before the provider call, gives its slots back and sends once', async () => {
    // Prepare: the first invocation reserved its slots, then died writing the message.
    const { store, provider, run } = prepareTry();
    store.failNextMessageWrite = new Error('Lambda runtime exited');
    await expect(run()).rejects.toThrow('Lambda runtime exited');
    const abandoned = store.attempts.get(ATTEMPT_KEY)?.reservation;

    // Act
    const retried = await run();

    // Assess
    expect(abandoned).toBeDefined();
    expect(store.released).toEqual([abandoned]);
    expect(retried).toMatchObject({ outcome: 'SENT' });
    expect(provider.calls).toBe(1);
  });

  it('leaves the send to a concurrent invocation that marked the try CALLING first', async () => {
    // Prepare
    const { store, provider, run } = prepareTry();
    store.markAttemptCalling = async () => false;

    // Act
    const racing = run();

    // Assess
    await expect(racing).rejects.toThrow(`attempt ${ATTEMPT_KEY} was taken over by a concurrent invocation`);
    expect(provider.calls).toBe(0);
    expect(store.released).toEqual(store.reservations);
    expect(store.reservations).toHaveLength(1);
  });

  it('gives the reserved slots back when the provider refuses the message', async () => {
    // Prepare
    const refused: ProviderVerdict = { outcome: 'FALLBACK', reason: 'provider_error', delivered: false };
    const { store, run } = prepareTry({ provider: async () => ({ verdict: refused }) });

    // Act
    const result = await run();

    // Assess
    expect(result).toMatchObject({ outcome: 'FALLBACK', reason: 'provider_error' });
    expect(store.released).toEqual(store.reservations);
    expect(store.messages.get(messageIdFor(ATTEMPT_KEY))?.status).toBe('FAILED');
    expect(store.counters).toEqual([{ attempts: 1, leads: 1, sequences: 1, fallbacks: 1, sent: 0, failed: 1 }]);
  });
});

describe('rate limits in a try', () => {
  it('defers the step until the window resets, without using up a retry or writing a message', async () => {
    // Prepare
    const { store, provider, run } = prepareTry();
    store.refuseWith = { ok: false, limitedBy: 'EMAIL#H#2026-11-24T10', whenFull: 'retry', retryAfterSeconds: 1200 };

    // Act
    const result = await run();

    // Assess: until the window resets, plus up to 5 random minutes (the refused leads do not come back together).
    expect(result).toMatchObject({
      outcome: 'RETRY',
      channel: 'EMAIL',
      reason: 'rate_limited',
      detail: 'EMAIL#H#2026-11-24T10',
      usesRetry: false,
    });
    const jitter = result.jitterSeconds ?? Number.NaN;
    expect(jitter).toBeGreaterThanOrEqual(0);
    expect(jitter).toBeLessThanOrEqual(300);
    expect(result.retryAfterSeconds).toBe(1200 + jitter);
    expect(provider.calls).toBe(0);
    expect(store.messages.size).toBe(0);
    expect(store.attempts.get(ATTEMPT_KEY)?.nextRetryAt).toBeDefined();
  });

  it('falls back instead of waiting when the step says onRateLimit: fallback', async () => {
    // Prepare
    const { store, input, adapter } = prepareTry();
    store.refuseWith = { ok: false, limitedBy: 'EMAIL#D#2026-11-24', whenFull: 'retry', retryAfterSeconds: 600 };
    input.cursor.step.onRateLimit = 'fallback';

    // Act
    const result = await runChannelStep(input, adapter, store);

    // Assess
    expect(result).toMatchObject({ outcome: 'FALLBACK', reason: 'rate_limited' });
    expect(store.counters[0]).toMatchObject({ fallbacks: 1 });
  });

  it('stops the lead as exhausted when its own touch counter is full', async () => {
    // Prepare
    const { store, provider, run } = prepareTry();
    store.refuseWith = { ok: false, limitedBy: 'LEAD#lead-1#TOUCHES', whenFull: 'stop', retryAfterSeconds: 1 };

    // Act
    const result = await run();

    // Assess
    expect(result).toMatchObject({ outcome: 'STOP', reason: 'max_attempts_reached' });
    expect(store.leads.get('lead-1')?.status).toBe('EXHAUSTED');
    expect(provider.calls).toBe(0);
  });
});

describe('the checks before a send', () => {
  it('stops without reserving or sending when the lead replied meanwhile', async () => {
    // Prepare
    const { store, provider, run } = prepareTry({ lead: { status: 'REPLIED' } });

    // Act
    const result = await run();

    // Assess
    expect(result).toMatchObject({ outcome: 'STOP', reason: 'replied' });
    expect(store.reservations).toHaveLength(0);
    expect(provider.calls).toBe(0);
  });

  it.each([
    ['the address bounced before: the channel is closed', 'EMAIL#ada@acme.example', 'FALLBACK'],
    ['the lead asked not to be contacted: the sequence ends', 'LEAD#lead-1', 'STOP'],
  ] as const)('honours a suppression entry (%s)', async (_case, key, outcome) => {
    // Prepare
    const { store, provider, run } = prepareTry();
    store.suppressions.push({ key, reason: 'bounce', source: 'unit', createdAt: '2026-11-24T08:00:00.000Z' });

    // Act
    const result = await run();

    // Assess
    expect(result).toMatchObject({ outcome, reason: 'suppressed' });
    expect(provider.calls).toBe(0);
  });

  it('parks the lead for an operator when the template does not render', async () => {
    // Prepare
    const { store, provider, run } = prepareTry();
    store.campaigns.set(CAMPAIGN.campaignId, {
      ...CAMPAIGN,
      templates: { EMAIL: { subject: 'Hello', body: 'Hi {{ lead.nickname }}' } },
    });

    // Act
    const result = await run();

    // Assess
    expect(result).toMatchObject({ outcome: 'STOP', reason: 'template_error' });
    expect(store.leads.get('lead-1')?.status).toBe('PAUSED');
    expect(provider.calls).toBe(0);
  });
});
