import { describe, expect, it } from 'vitest';
import { executionNames, lastAttempts, timelineItems } from '../../../../console/src/components/lead-timeline';
import type { AttemptEntry, DomainEvent, MessageEntry } from '../../../../console/src/components/lead-types';

const attempt = (fields: Partial<AttemptEntry>): AttemptEntry => ({
  kind: 'attempt',
  attemptKey: 'run-1#0#1',
  executionName: 'run-1',
  channel: 'EMAIL',
  stepIndex: 0,
  tryNumber: 1,
  state: 'DONE',
  createdAt: '2026-01-05T10:00:00Z',
  updatedAt: '2026-01-05T10:00:00Z',
  ...fields,
});

const message: MessageEntry = {
  kind: 'message',
  messageId: 'm-1',
  channel: 'EMAIL',
  status: 'DELIVERED',
  subject: 'Hello',
  body: 'Hi',
  executionName: 'run-1',
  createdAt: '2026-01-05T10:00:00Z',
  sentAt: '2026-01-05T10:00:01Z',
  deliveredAt: '2026-01-05T10:00:05Z',
};

describe('timelineItems', () => {
  it('mixes messages, tries and events newest first, an event above the try of the same time', () => {
    // Prepare
    const first = attempt({ outcome: 'FALLBACK', reason: 'missing_address', updatedAt: '2026-01-05T09:00:00Z' });
    const sent = attempt({ attemptKey: 'run-1#1#1', stepIndex: 1, outcome: 'SENT', updatedAt: '2026-01-05T10:00:01Z' });
    const event: DomainEvent = {
      id: 'e-1',
      type: 'message.sent',
      createdAt: '2026-01-05T10:00:01Z',
      campaignId: 'c-1',
      leadId: 'lead-1',
      data: {},
    };
    // Act
    const items = timelineItems([first, message, sent], [event]);
    // Assess
    expect(items.map((item) => item.key)).toEqual([
      'message:m-1',
      'event:e-1',
      'attempt:run-1#1#1',
      'attempt:run-1#0#1',
    ]);
    expect(items[0]?.title).toBe('Message on email: delivered');
    expect(items[3]?.title).toBe(
      'Try 1 of step 1 on email: moved on to the next channel — the lead has no address for this channel',
    );
  });
});

describe('executionNames and lastAttempts', () => {
  it('lists the current run first, then older ones once each, and finds the newest sent try', () => {
    // Prepare
    const old = attempt({ executionName: 'run-0', createdAt: '2026-01-01T10:00:00Z', outcome: 'SENT' });
    const retry = attempt({ attemptKey: 'run-1#0#2', tryNumber: 2, outcome: 'RETRY', reason: 'outside_window' });
    const firstTry = attempt({ outcome: 'RETRY', reason: 'rate_limited' });
    // Act
    const names = executionNames('run-1', [old, firstTry, retry]);
    const { lastAttempt, lastSent } = lastAttempts([old, firstTry, retry]);
    // Assess
    expect(names).toEqual(['run-1', 'run-0']);
    expect(lastAttempt?.attemptKey).toBe('run-1#0#2');
    expect(lastSent?.executionName).toBe('run-0');
  });
});
