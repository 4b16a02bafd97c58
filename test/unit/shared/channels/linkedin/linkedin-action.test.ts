import { describe, expect, it } from 'vitest';
import { decideLinkedInAction, verdictForRelation } from '#shared/channels/linkedin/verdict';
import type { LinkedInConnectionStatus } from '#shared/domain/schemas';

const RELATIONS: LinkedInConnectionStatus[] = ['NOT_CONNECTED', 'CONNECTION_REQUESTED', 'CONNECTED', 'BLOCKED'];

describe('linkedinAction decides what a LINKEDIN step does with the relation it finds', () => {
  it.each(RELATIONS)('auto on %s is the classic decision', (relation) => {
    // Act
    const decision = decideLinkedInAction('auto', relation);

    // Assess
    expect(decision).toEqual(verdictForRelation(relation));
  });

  it.each([
    ['NOT_CONNECTED', { outcome: 'FALLBACK', reason: 'not_connected', delivered: false }],
    ['CONNECTION_REQUESTED', { outcome: 'RETRY', reason: 'invite_pending', delivered: false }],
    ['BLOCKED', { outcome: 'FALLBACK', reason: 'linkedin_blocked', delivered: false }],
  ] as const)('message on %s sends nothing', (relation, verdict) => {
    // Act
    const decision = decideLinkedInAction('message', relation);

    // Assess
    expect(decision.action).toBe('none');
    expect(decision).toMatchObject({ verdict });
  });

  it('message on CONNECTED sends the message', () => {
    // Act
    const decision = decideLinkedInAction('message', 'CONNECTED');

    // Assess
    expect(decision).toEqual({ action: 'send_message' });
  });

  it('invite on NOT_CONNECTED sends the invitation', () => {
    // Act
    const decision = decideLinkedInAction('invite', 'NOT_CONNECTED');

    // Assess
    expect(decision).toEqual({ action: 'send_invitation' });
  });

  it('invite on CONNECTED sends nothing and moves on: FALLBACK already_connected (the channel stays open)', () => {
    // Act
    const decision = decideLinkedInAction('invite', 'CONNECTED');

    // Assess
    expect(decision).toEqual({
      action: 'none',
      verdict: {
        outcome: 'FALLBACK',
        reason: 'already_connected',
        detail: 'already connected: no invitation needed',
        delivered: false,
      },
    });
  });

  it.each([
    ['CONNECTION_REQUESTED', 'RETRY', 'invite_pending'],
    ['BLOCKED', 'FALLBACK', 'linkedin_blocked'],
  ] as const)('invite on %s → %s %s, as auto', (relation, outcome, reason) => {
    // Act
    const decision = decideLinkedInAction('invite', relation);

    // Assess
    expect(decision).toMatchObject({ action: 'none', verdict: { outcome, reason } });
  });
});
