import { describe, expect, it } from 'vitest';
import { DEFAULT_SEQUENCE, SequenceConfig } from '#shared/domain/schemas';
import { buildExecutionInput, toRuntimeSteps } from '#shared/outreach/task-input';

describe('execution input', () => {
  it('turns the default sequence into Email → LinkedIn → Contact form with 24 h then 48 h backoff', () => {
    // Act
    const input = buildExecutionInput('campaign-1', 'lead-1', DEFAULT_SEQUENCE);

    // Assess
    expect(input.sequence.steps.map((step) => step.channel)).toEqual(['EMAIL', 'LINKEDIN', 'CONTACT_FORM']);
    expect(input.sequence.steps[0]).toEqual({
      channel: 'EMAIL',
      waitSeconds: 0,
      maxRetries: 2,
      retryBackoffSeconds: [86_400, 172_800],
      onRateLimit: 'wait',
      confirmDeliverySeconds: 1800,
      id: 'step-1',
      onSentIndex: -1,
      linkedinAction: 'auto',
    });
    expect(input.sequence.steps[1]?.confirmDeliverySeconds).toBe(0);
    expect(input.sequence).toMatchObject({ stepCount: 3, lastStepIndex: 2, maxTotalAttemptsPerLead: 10 });
    expect(input.cursor).toMatchObject({ stepIndex: 0, retriesUsed: 0, tryCount: 1, stepWaitDone: false });
  });

  it('repeats the last backoff when a step allows more retries than it lists', () => {
    // Prepare
    const sequence = SequenceConfig.parse({
      steps: [{ channel: 'LINKEDIN', maxRetries: 4, retryBackoffHours: [1, 2.5], waitHoursBefore: 12 }],
    });

    // Act
    const [step] = toRuntimeSteps(sequence);

    // Assess
    expect(step).toMatchObject({ retryBackoffSeconds: [3600, 9000, 9000, 9000], waitSeconds: 43_200 });
  });

  it("takes a step's retry policy from its channel's config unless the step sets its own", () => {
    // Prepare
    const sequence = SequenceConfig.parse({
      steps: [{ channel: 'EMAIL' }, { channel: 'LINKEDIN', maxRetries: 1 }, { channel: 'CONTACT_FORM' }],
    });
    const policies = {
      EMAIL: { maxRetries: 0, retryBackoffHours: [6] },
      LINKEDIN: { maxRetries: 5, retryBackoffHours: [3] },
    };

    // Act
    const [email, linkedin, form] = toRuntimeSteps(sequence, policies);

    // Assess: EMAIL from its config, LINKEDIN's own count with its config's backoff, the form on the default.
    expect(email).toMatchObject({ maxRetries: 0, retryBackoffSeconds: [21_600] });
    expect(linkedin).toMatchObject({ maxRetries: 1, retryBackoffSeconds: [10_800] });
    expect(form).toMatchObject({ maxRetries: 2, retryBackoffSeconds: [86_400, 172_800] });
  });
});
