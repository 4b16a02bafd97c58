import { describe, expect, it } from 'vitest';
import { SequenceConfig } from '#shared/domain/schemas';
import type { DomainFact } from '#shared/events/domain-events';
import { eventIdFor } from '#shared/events/domain-events';
import type { ChannelAdapter } from '#shared/outreach/channel-adapter';
import { runChannelStep } from '#shared/outreach/step-runner';
import { testCampaign, testLead } from '#test/support/fixtures';
import { firstStepInput, MemoryStepStore } from '#test/unit/shared/outreach/memory-step-store';
import { withUnsubscribeSettings } from '#test/unit/shared/outreach/unsubscribe-settings';

/** The in-memory step store, recording the facts it is given; `crashOnEvent` makes the first recording die. */
class RecordingStore extends MemoryStepStore {
  readonly facts: DomainFact[] = [];
  crashOnEvent = false;

  async recordEvent(fact: DomainFact): Promise<void> {
    if (this.crashOnEvent) {
      this.crashOnEvent = false;
      throw new Error('Lambda runtime exited');
    }
    this.facts.push(fact);
  }
}

const CAMPAIGN = testCampaign('events-retry', {
  sequence: SequenceConfig.parse({ steps: [{ channel: 'EMAIL', confirmDeliveryMinutes: 0 }] }),
});

withUnsubscribeSettings();

describe('a try that died after its send was recorded and before its events', () => {
  it('records them when retried, under the same ids, without sending again', async () => {
    // Prepare
    const store = new RecordingStore();
    const lead = testLead({
      leadId: 'lead-1',
      campaignId: CAMPAIGN.campaignId,
      email: 'ada@acme.example',
      status: 'IN_SEQUENCE',
    });
    store.leads.set(lead.leadId, lead);
    store.campaigns.set(CAMPAIGN.campaignId, CAMPAIGN);
    let calls = 0;
    const adapter: ChannelAdapter = {
      channel: 'EMAIL',
      prepare: async (context) => ({ plan: { recipient: context.lead.email ?? '' } }),
      send: async () => {
        calls++;
        return { verdict: { outcome: 'SENT', providerMessageId: 'ses-1', delivered: true } };
      },
    };
    const input = firstStepInput(CAMPAIGN, lead.leadId, 'exec-events');
    store.crashOnEvent = true;

    // Act
    await expect(runChannelStep(input, adapter, store)).rejects.toThrow('Lambda runtime exited');
    const retried = await runChannelStep(input, adapter, store);

    // Assess
    expect(calls).toBe(1);
    expect(retried).toMatchObject({ outcome: 'SENT' });
    const messageId = String(retried.messageId);
    expect(store.facts.map((fact) => [fact.type, eventIdFor(fact.type, fact.factKey)])).toEqual([
      ['message.sent', eventIdFor('message.sent', messageId)],
      ['sequence.completed', eventIdFor('sequence.completed', 'exec-events')],
    ]);
  });
});
