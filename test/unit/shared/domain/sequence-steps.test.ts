import { describe, expect, it } from 'vitest';
import { SequenceConfig, stepIdOf } from '#shared/domain/schemas';

const problems = (steps: unknown[]) => {
  const parsed = SequenceConfig.safeParse({ steps });
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('multi-touch sequence steps', () => {
  it('keeps the classic cascade as the default: step-<n> ids, end after the first sent step, auto LinkedIn', () => {
    // Act
    const sequence = SequenceConfig.parse({ steps: [{ channel: 'EMAIL' }, { channel: 'LINKEDIN' }] });

    // Assess
    expect(sequence.steps.map(stepIdOf)).toEqual(['step-1', 'step-2']);
    expect(sequence.steps[0]).toMatchObject({ onSent: 'end', linkedinAction: 'auto' });
  });

  it('accepts a four-touch conversation: threaded follow-up, invite with a wait, message', () => {
    // Act
    const found = problems([
      { id: 'intro', channel: 'EMAIL', onSent: 'next' },
      { id: 'bump', channel: 'EMAIL', waitHoursBefore: 24, threadWith: 'intro', onSent: 'next' },
      {
        id: 'invite',
        channel: 'LINKEDIN',
        linkedinAction: 'invite',
        onSent: 'next',
        waitFor: { event: 'invite_accepted', timeoutHours: 48, onTimeout: 'end' },
      },
      { id: 'message', channel: 'LINKEDIN', linkedinAction: 'message' },
    ]);

    // Assess
    expect(found).toEqual([]);
  });

  it('refuses duplicate ids, unknown targets, and fields on channels that do not use them', () => {
    // Act
    const found = problems([
      { id: 'a', channel: 'EMAIL', onSent: 'nowhere', threadWith: 'b' },
      { id: 'a', channel: 'LINKEDIN', threadWith: 'a', waitFor: { event: 'task_completed', timeoutHours: 1 } },
      { id: 'b', channel: 'EMAIL', waitFor: { event: 'invite_accepted', timeoutHours: 1, onTimeout: 'x' } },
    ]);

    // Assess
    expect(found).toEqual([
      'steps.0.onSent: names no step of this sequence: nowhere',
      'steps.0.threadWith: must name an earlier EMAIL step',
      'steps.1.id: duplicates the id of an earlier step',
      'steps.1.threadWith: is for EMAIL steps only',
      'steps.1.waitFor: task_completed is for PHONE steps only',
      'steps.2.waitFor: onTimeout names no step of this sequence: x',
      'steps.2.waitFor: invite_accepted is for LINKEDIN steps only',
    ]);
  });
});
