import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { SequenceConfig } from '#shared/domain/schemas';
import { launchBatch } from '#shared/outreach/launcher';
import { createLead, putCampaign } from '#shared/store/leads';
import { listLeadMessages } from '#shared/store/outreach';
import { nowMs, runWithClock } from '#shared/time/clock';
import { testCampaign, testLead } from '#test/support/fixtures';

/** `--clock-start`: the embedded stack's virtual clock starts at a chosen instant, for every function it runs. */
const CHRISTMAS_EVE = Date.parse('2026-12-24T08:00:00Z');
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ clockStartMs: CHRISTMAS_EVE });
}, 60_000);
afterAll(() => stack?.close());

describe('a stack started with clockStartMs', () => {
  it('reads that instant on its clock, and runs executions and their functions from it', async () => {
    // Prepare
    const campaign = testCampaign('clock-start', { sequence: SequenceConfig.parse({ steps: [{ channel: 'EMAIL' }] }) });
    const lead = testLead({ leadId: 'lead-clock', campaignId: campaign.campaignId, email: 'eve@clock.example' });

    // Act
    const messages = await runWithClock(stack.clock, async () => {
      await putCampaign(campaign);
      await createLead(lead);
      await launchBatch({ campaignId: campaign.campaignId, stateMachineArn: stack.stateMachineArn });
      await stack.stepFunctions.drain();
      return listLeadMessages(lead.leadId);
    });

    // Assess: minutes after the chosen start, not today.
    expect(Math.abs(stack.clock.nowMs() - CHRISTMAS_EVE)).toBeLessThan(5 * 60_000);
    expect(runWithClock(stack.clock, nowMs) - CHRISTMAS_EVE).toBeLessThan(5 * 60_000);
    const sentAt = Date.parse(messages[0]?.sentAt ?? '');
    expect(sentAt - CHRISTMAS_EVE).toBeGreaterThanOrEqual(0);
    expect(sentAt - CHRISTMAS_EVE).toBeLessThan(5 * 60_000);
    const execution = stack.stepFunctions.list()[0];
    expect(Math.abs((execution?.startDate ?? 0) - CHRISTMAS_EVE)).toBeLessThan(5 * 60_000);
  });
});
