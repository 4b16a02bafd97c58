import { describe, expect, it } from 'vitest';
import type { ChannelResult } from '#shared/domain/outcome';
import { SequenceConfig } from '#shared/domain/schemas';
import { END, routeResult } from '#shared/outreach/step-route';
import { buildExecutionInput, type StepTaskInput } from '#shared/outreach/task-input';

/** The task input of step `stepIndex` of `steps`, as the state machine hands it to the service. */
function taskAt(steps: unknown[], stepIndex = 0, cursor: Partial<StepTaskInput['cursor']> = {}): StepTaskInput {
  const execution = buildExecutionInput('c', 'l', SequenceConfig.parse({ steps }));
  const step = execution.sequence.steps[stepIndex];
  if (!step) throw new Error(`no step ${stepIndex}`);
  return {
    campaignId: 'c',
    leadId: 'l',
    executionName: 'c--l',
    maxTotalAttemptsPerLead: 10,
    cursor: { ...execution.cursor, stepIndex, step, ...cursor },
    steps: execution.sequence.steps,
  };
}

const result = (outcome: ChannelResult['outcome'], fields: Partial<ChannelResult> = {}): ChannelResult => ({
  outcome,
  channel: 'EMAIL',
  ...fields,
});

describe('routing a step result to the next cursor', () => {
  it('ends the classic cascade at the first sent step, confirming the email first', () => {
    // Prepare
    const input = taskAt([{ channel: 'EMAIL' }, { channel: 'LINKEDIN' }, { channel: 'CONTACT_FORM' }]);

    // Act
    const routed = routeResult(input, result('SENT', { messageId: 'm1' }));

    // Assess: a bounce would go on to LinkedIn with EMAIL closed.
    expect(routed).toMatchObject({ stepIndex: END, result: { outcome: 'SENT' } });
    expect(routed.ifBounced).toMatchObject({
      stepIndex: 1,
      step: { channel: 'LINKEDIN' },
      closedChannels: ['EMAIL'],
      result: { outcome: 'FALLBACK', reason: 'bounce', messageId: 'm1' },
    });
  });

  it('goes on to the onSent step with its wait served by the machine, without a delivery check', () => {
    // Prepare
    const steps = [
      { channel: 'EMAIL', onSent: 'next' },
      { id: 'follow-up', channel: 'EMAIL', waitHoursBefore: 72, threadWith: 'step-1' },
    ];

    // Act
    const routed = routeResult(taskAt(steps), result('SENT'));

    // Assess
    expect(routed).toMatchObject({ stepIndex: 1, tryCount: 1, retriesUsed: 0, stepWaitDone: true });
    expect(routed.step).toMatchObject({ id: 'follow-up', waitSeconds: 259_200, threadWith: 'step-1' });
    expect(routed.ifBounced).toBeUndefined();
  });

  it('skips the later steps of a channel a channel-level fallback closed', () => {
    // Prepare
    const steps = [{ channel: 'EMAIL' }, { channel: 'EMAIL' }, { channel: 'LINKEDIN' }];

    // Act
    const closing = routeResult(taskAt(steps), result('FALLBACK', { reason: 'invalid_address' }));
    const notClosing = routeResult(taskAt(steps), result('FALLBACK', { reason: 'provider_error' }));

    // Assess
    expect(closing).toMatchObject({ stepIndex: 2, closedChannels: ['EMAIL'] });
    expect(notClosing).toMatchObject({ stepIndex: 1, closedChannels: [] });
  });

  it('retries the same step until its retries are spent, then falls back with retry_exhausted', () => {
    // Prepare
    const steps = [{ channel: 'EMAIL', maxRetries: 1 }, { channel: 'LINKEDIN' }];
    const transient = result('RETRY', { reason: 'provider_error', usesRetry: true, retryAfterSeconds: 86_400 });

    // Act
    const first = routeResult(taskAt(steps), transient);
    const spent = routeResult(taskAt(steps, 0, { retriesUsed: 1, tryCount: 2 }), transient);
    const rateLimited = routeResult(
      taskAt(steps, 0, { retriesUsed: 1, tryCount: 2 }),
      result('RETRY', { reason: 'rate_limited', usesRetry: false, retryAfterSeconds: 4000 }),
    );

    // Assess: a rate-limit wait never uses up a retry.
    expect(first).toMatchObject({ stepIndex: 0, retriesUsed: 1, tryCount: 2, retryWaitSeconds: 86_400 });
    expect(spent).toMatchObject({ stepIndex: 1, result: { outcome: 'FALLBACK', reason: 'retry_exhausted' } });
    expect(rateLimited).toMatchObject({ stepIndex: 0, retriesUsed: 1, tryCount: 3, retryWaitSeconds: 4000 });
  });

  it('waits for a person after a sent step, with where to go when nobody answers', () => {
    // Prepare
    const steps = [
      {
        channel: 'LINKEDIN',
        linkedinAction: 'invite',
        onSent: 'next',
        waitFor: { event: 'invite_accepted', timeoutHours: 48, onTimeout: 'call' },
      },
      { channel: 'LINKEDIN', linkedinAction: 'message' },
      { id: 'call', channel: 'PHONE' },
    ];

    // Act
    const routed = routeResult(taskAt(steps), result('SENT', { channel: 'LINKEDIN' }));

    // Assess
    expect(routed).toMatchObject({
      stepIndex: 1,
      result: { waitFor: { event: 'invite_accepted', timeoutSeconds: 172_800 }, stepIndex: 0, stepId: 'step-1' },
    });
    expect(routed.onTimeout).toMatchObject({ stepIndex: 2, result: { outcome: 'SENT', reason: 'invite_timeout' } });
  });

  it('ends at STOP, and after the last step of a fallback', () => {
    // Prepare
    const steps = [{ channel: 'EMAIL' }];

    // Act
    const stopped = routeResult(taskAt(steps), result('STOP', { reason: 'replied' }));
    const exhausted = routeResult(taskAt(steps), result('FALLBACK', { reason: 'suppressed' }));

    // Assess
    expect(stopped).toMatchObject({ stepIndex: END, result: { outcome: 'STOP' } });
    expect(exhausted).toMatchObject({ stepIndex: END, result: { outcome: 'FALLBACK' } });
  });
});

describe('a phone step that waits for its task', () => {
  it('waits after creating the task, then goes on at its onSent step', () => {
    // Prepare
    const steps = [
      { id: 'call', channel: 'PHONE', onSent: 'next', waitFor: { event: 'task_completed', timeoutHours: 24 } },
      { channel: 'EMAIL' },
    ];

    // Act
    const routed = routeResult(taskAt(steps), result('FALLBACK', { channel: 'PHONE', reason: 'manual_task_created' }));
    const withoutWait = routeResult(
      taskAt([{ channel: 'PHONE' }, { channel: 'EMAIL' }]),
      result('FALLBACK', { channel: 'PHONE', reason: 'manual_task_created' }),
    );

    // Assess
    expect(routed).toMatchObject({
      stepIndex: 1,
      result: { waitFor: { event: 'task_completed', timeoutSeconds: 86_400 } },
    });
    // Both ways the task was a touch: the run's end marks the lead contacted, not exhausted.
    expect(routed).toMatchObject({ touched: true });
    expect(routed.onTimeout).toMatchObject({ stepIndex: 1, touched: true, result: { reason: 'task_timeout' } });
    expect(withoutWait.result.waitFor).toBeUndefined();
    expect(withoutWait.stepIndex).toBe(1);
  });
});

describe('marking the lead contacted at the end of a run', () => {
  it('is left to the run only while a touch kept the lead IN_SEQUENCE', () => {
    // Prepare
    const steps = [{ channel: 'EMAIL', onSent: 'next' }, { channel: 'LINKEDIN' }];

    // Act
    const afterIntro = routeResult(taskAt(steps), result('SENT'));
    const lastTouch = routeResult(taskAt(steps, 1, { touched: true }), result('SENT', { channel: 'LINKEDIN' }));
    const lastFailed = routeResult(
      taskAt(steps, 1, { touched: true }),
      result('FALLBACK', { channel: 'LINKEDIN', reason: 'no_profile' }),
    );

    // Assess: the last sent touch marks the lead itself; a failed last step leaves it to Mark Lead Contacted.
    expect(afterIntro.touched).toBe(true);
    expect(lastTouch.touched).toBe(false);
    expect(lastFailed).toMatchObject({ stepIndex: END, touched: true });
  });
});
