import { describe, expect, it } from 'vitest';
import { SequenceConfig } from '#shared/domain/schemas';
import { nextStepAfter } from '#shared/outreach/resume';
import type { StoredAttempt } from '#shared/store/outreach';

const sequence = SequenceConfig.parse({
  steps: [
    { id: 'mail', channel: 'EMAIL', onSent: 'next' },
    { id: 'follow', channel: 'EMAIL', waitHoursBefore: 72, onSent: 'dm' },
    { id: 'skip', channel: 'CONTACT_FORM' },
    { id: 'dm', channel: 'LINKEDIN' },
  ],
});

let clock = 0;
function attempt(stepIndex: number, tryNumber: number, fields: Partial<StoredAttempt>): StoredAttempt {
  clock++;
  return {
    attemptKey: `e#${stepIndex}#${tryNumber}`,
    leadId: 'l',
    campaignId: 'c',
    executionName: 'e',
    channel: 'EMAIL',
    stepIndex,
    tryNumber,
    state: 'DONE',
    phase: 'DONE',
    owner: 'o',
    createdAt: `2026-01-01T00:00:${String(clock).padStart(2, '0')}.000Z`,
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...fields,
  };
}

describe('nextStepAfter', () => {
  it('goes where a sent step says, past the steps it skips', () => {
    // Act
    const next = nextStepAfter([attempt(0, 1, { outcome: 'SENT' }), attempt(1, 1, { outcome: 'SENT' })], sequence);

    // Assess
    expect(next).toEqual({ stepIndex: 3, tryCount: 1 });
  });

  it('tries a retried, stopped or never-called step again, and waits for one still calling the provider', () => {
    expect(nextStepAfter([attempt(1, 2, { outcome: 'RETRY' })], sequence)).toEqual({ stepIndex: 1, tryCount: 3 });
    expect(nextStepAfter([attempt(1, 1, { outcome: 'STOP', reason: 'lead_paused' })], sequence)).toEqual({
      stepIndex: 1,
      tryCount: 2,
    });
    expect(nextStepAfter([attempt(2, 1, { state: 'PENDING', phase: 'PREPARED' })], sequence)).toEqual({
      stepIndex: 2,
      tryCount: 2,
    });
    expect(nextStepAfter([attempt(2, 1, { state: 'PENDING', phase: 'CALLING' })], sequence)).toMatchObject({
      inFlight: { stepIndex: 2 },
    });
  });

  it('waits for a try claimed so recently that its invocation may still call the provider (StopExecution lets it run)', () => {
    // Prepare
    const now = Date.parse('2026-12-02T10:00:00Z');
    const claimed = (minutesAgo: number) =>
      attempt(2, 1, {
        state: 'PENDING',
        phase: 'PREPARED',
        createdAt: new Date(now - minutesAgo * 60_000).toISOString(),
        updatedAt: new Date(now - minutesAgo * 60_000).toISOString(),
      });

    // Act
    const young = nextStepAfter([claimed(1)], sequence, now);
    const dead = nextStepAfter([claimed(10)], sequence, now);

    // Assess
    expect(young).toMatchObject({ inFlight: { stepIndex: 2 } });
    expect(dead).toEqual({ stepIndex: 2, tryCount: 2 });
  });

  it('ends after the last step: sent, or fallen back', () => {
    expect(nextStepAfter([attempt(3, 1, { outcome: 'SENT' })], sequence)).toEqual({ end: 'sent' });
    expect(nextStepAfter([attempt(3, 1, { outcome: 'FALLBACK' })], sequence)).toEqual({ end: 'exhausted' });
    expect(nextStepAfter([attempt(0, 1, { outcome: 'FALLBACK' })], sequence)).toEqual({ stepIndex: 1, tryCount: 1 });
    expect(nextStepAfter([], sequence)).toEqual({ stepIndex: 0, tryCount: 1 });
  });
});
