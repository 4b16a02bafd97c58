import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE } from '#infra/state-names';
import { type LocalStack, startLocalStack } from '#local/stack';
import { SequenceConfig } from '#shared/domain/schemas';
import { launchBatch } from '#shared/outreach/launcher';
import { RATE_LIMIT_JITTER_SECONDS } from '#shared/outreach/step-outcome';
import { putAccountLimits, putChannelConfig } from '#shared/store/config';
import { createLead, putCampaign } from '#shared/store/leads';
import { testCampaign, testLead } from '#test/support/fixtures';

/** The synthesized definition on the embedded stack: how long a rate-limited lead really waits. */
let stack: LocalStack;

const campaign = testCampaign('herd', {
  sequence: SequenceConfig.parse({ steps: [{ channel: 'EMAIL' }] }),
  minGrade: 'D',
});

beforeAll(async () => {
  stack = await startLocalStack({ pauseMs: 1 });
  await putAccountLimits({ globalPerDay: 1_000, perDomainPerDay: 100, leadCooldownHours: 24 });
  await putCampaign(campaign);
  await putChannelConfig({
    channel: 'EMAIL',
    scope: 'herd',
    enabled: true,
    rateLimits: { perHour: 1, perDay: 100 },
    retryPolicy: { maxRetries: 2, retryBackoffHours: [24, 48] },
    settings: {},
  });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe('Wait Before Retry after a rate limit', () => {
  it('lasts until the window resets plus a random share of the jitter, so refused leads do not return together', async () => {
    // Prepare: one email an hour, six leads: five are refused by the hourly window.
    for (let index = 0; index < 6; index++) {
      await createLead(
        testLead({
          leadId: `herd-${index}`,
          campaignId: 'herd',
          email: `p${index}@herd-${index}.example`,
          status: 'NEW',
        }),
      );
    }

    // Act
    await launchBatch({ campaignId: 'herd' });
    await stack.stepFunctions.drain();

    // Assess: each wait, read from the execution history in virtual time, against what the Task asked for.
    const waits = stack.stepFunctions.list().flatMap((execution) =>
      execution.events.flatMap((event, index) => {
        if (event.stateEnteredEventDetails?.name !== STATE.waitBeforeRetry) return [];
        const { result } = (
          JSON.parse(event.stateEnteredEventDetails.input) as {
            cursor: { result: { reason: string; retryAfterSeconds: number; jitterSeconds?: number } };
          }
        ).cursor;
        const exited = execution.events
          .slice(index)
          .find((later) => later.stateExitedEventDetails?.name === STATE.waitBeforeRetry);
        return [
          {
            reason: result.reason,
            // What the window asked for, before the service added its jitter.
            asked: result.retryAfterSeconds - (result.jitterSeconds ?? 0),
            waited: ((exited?.timestamp ?? Number.NaN) - event.timestamp) / 1000,
          },
        ];
      }),
    );
    const rateLimited = waits.filter((wait) => wait.reason === 'rate_limited');
    expect(rateLimited.length).toBeGreaterThanOrEqual(5);
    for (const wait of rateLimited) {
      expect(wait.waited).toBeGreaterThanOrEqual(wait.asked);
      // (+1 s: the history's timestamps also carry the few real milliseconds the local Wait pause takes.)
      expect(wait.waited).toBeLessThanOrEqual(wait.asked + RATE_LIMIT_JITTER_SECONDS + 1);
    }
    const extras = new Set(rateLimited.map((wait) => Math.round(wait.waited - wait.asked)));
    expect(extras.size).toBeGreaterThan(1);
    const statuses = stack.stepFunctions.list().map((execution) => execution.status);
    expect(statuses.filter((status) => status === 'SUCCEEDED')).toHaveLength(6);
  });
});
