import { describe, expect, it } from 'vitest';
import { type LinkedInErrorKind, LinkedInProviderError } from '#shared/channels/linkedin/provider-client';
import {
  checkMessageLength,
  checkNoteLength,
  verdictForError,
  verdictForInvitationSent,
  verdictForMessageSent,
  verdictForRelation,
} from '#shared/channels/linkedin/verdict';
import { OutboundRequestError } from '#shared/http/errors';

interface ProviderErrorDetails {
  status?: number;
  retryAfterSeconds?: number;
  maybeDelivered?: boolean;
  endpoint?: 'profile' | 'invite' | 'chat';
}

const providerError = (kind: LinkedInErrorKind, extra: ProviderErrorDetails = {}) =>
  new LinkedInProviderError(`test ${kind}`, { endpoint: extra.endpoint ?? 'invite', kind, ...extra });

const retry = (reason: string, extra: object = {}) => ({ outcome: 'RETRY', reason, delivered: false, ...extra });
const fallback = (reason: string) => ({ outcome: 'FALLBACK', reason, delivered: false });
/** The provider may have received the send: never send again. */
const AMBIGUOUS = { outcome: 'STOP', reason: 'ambiguous_send', delivered: true };

describe('verdictForRelation', () => {
  it('CONNECTED → send a direct message', () => {
    // Prepare / Act
    const decision = verdictForRelation('CONNECTED');
    // Assess
    expect(decision).toEqual({ action: 'send_message' });
  });

  it('NOT_CONNECTED → send an invitation with a note', () => {
    // Prepare / Act
    const decision = verdictForRelation('NOT_CONNECTED');
    // Assess
    expect(decision).toEqual({ action: 'send_invitation' });
  });

  it('CONNECTION_REQUESTED → RETRY invite_pending, nothing delivered', () => {
    // Prepare / Act
    const decision = verdictForRelation('CONNECTION_REQUESTED');
    // Assess
    expect(decision.action).toBe('none');
    if (decision.action !== 'none') throw new Error('unreachable');
    expect(decision.verdict).toMatchObject({ outcome: 'RETRY', reason: 'invite_pending', delivered: false });
  });

  it('BLOCKED → FALLBACK linkedin_blocked, nothing delivered', () => {
    // Prepare / Act
    const decision = verdictForRelation('BLOCKED');
    // Assess
    expect(decision).toEqual({
      action: 'none',
      verdict: { outcome: 'FALLBACK', reason: 'linkedin_blocked', delivered: false },
    });
  });
});

describe('verdicts for accepted sends', () => {
  it('an accepted invitation is SENT with the invitation id, delivered', () => {
    // Prepare / Act
    const verdict = verdictForInvitationSent({ invitationId: 'inv_1' });
    // Assess
    expect(verdict).toMatchObject({ outcome: 'SENT', providerMessageId: 'inv_1', delivered: true });
  });

  it('an accepted message is SENT with the message id, delivered', () => {
    // Prepare / Act
    const verdict = verdictForMessageSent({ chatId: 'chat_1', messageId: 'msg_1' });
    // Assess
    expect(verdict).toMatchObject({ outcome: 'SENT', providerMessageId: 'msg_1', delivered: true });
  });
});

describe('verdictForError', () => {
  it.each<[LinkedInErrorKind, ProviderErrorDetails, object]>([
    // A provider wait is carried to the Wait state.
    ['throttled', { status: 429, retryAfterSeconds: 120 }, retry('provider_throttled', { retryAfterSeconds: 120 })],
    ['server', { status: 503 }, retry('provider_error')],
    ['already_invited', { status: 422 }, retry('invite_pending')],
    // cannot_resend_yet: the account's invitation cap, not the lead's pending invite: wait a day, keep the retries.
    [
      'account_limit',
      { status: 422 },
      {
        outcome: 'RETRY',
        reason: 'rate_limited',
        usesRetry: false,
        retryAfterSeconds: 86_400,
        operatorAlert: 'linkedin_account_limit',
      },
    ],
    // A message refused because the member is not connected: the next try re-reads the relation.
    [
      'not_connected',
      { status: 422, endpoint: 'chat' },
      { outcome: 'RETRY', reason: 'provider_error', detail: 'not_connected' },
    ],
    ['not_found', { status: 404, endpoint: 'profile' }, fallback('no_profile')],
    ['blocked', { status: 422 }, fallback('linkedin_blocked')],
    ['content_too_long', { status: 400 }, fallback('content_too_long')],
    // Other validation errors: the same request would fail again.
    ['validation', { status: 400 }, fallback('provider_error')],
    // A network error after the request may have reached the provider, and one that never connected.
    ['network', { maybeDelivered: true, endpoint: 'chat' }, AMBIGUOUS],
    ['network', { maybeDelivered: false }, retry('provider_error')],
    // An accepted send whose answer cannot be read.
    ['invalid_response', { status: 201, maybeDelivered: true, endpoint: 'chat' }, AMBIGUOUS],
  ])('a %s error %j → %j', (kind, details, expected) => {
    // Prepare
    const error = providerError(kind, details);
    // Act
    const verdict = verdictForError(error);
    // Assess
    expect(verdict).toMatchObject(expected);
  });

  it('429 without Retry-After → RETRY provider_throttled, no provider wait (the step backoff applies)', () => {
    // Prepare
    const error = providerError('throttled', { status: 429 });
    // Act
    const verdict = verdictForError(error);
    // Assess
    expect(verdict.outcome).toBe('RETRY');
    expect(verdict.reason).toBe('provider_throttled');
    expect(verdict).not.toHaveProperty('retryAfterSeconds');
  });

  it('401/403 → RETRY provider_error account_disconnected: hours of wait, retries kept, operator alerted', () => {
    // Prepare
    const error = providerError('unauthorized', { status: 401 });
    // Act
    const verdict = verdictForError(error);
    // Assess
    expect(verdict).toEqual({
      outcome: 'RETRY',
      reason: 'provider_error',
      detail: 'account_disconnected',
      retryAfterSeconds: 6 * 3600,
      usesRetry: false,
      operatorAlert: 'linkedin_account_disconnected',
      delivered: false,
    });
  });

  it('an unusable provider base URL → FALLBACK provider_misconfigured at once, with an operator alert', () => {
    // Prepare
    const error = providerError('misconfigured', { endpoint: 'profile' });
    // Act
    const verdict = verdictForError(error);
    // Assess: a configuration error is not transient; retrying it for days would only hide it.
    expect(verdict).toEqual({
      outcome: 'FALLBACK',
      reason: 'provider_misconfigured',
      detail: 'test misconfigured',
      operatorAlert: 'linkedin_provider_misconfigured',
      delivered: false,
    });
  });

  it('an unexpected error never shows the credentials of a URL it quotes', () => {
    // Prepare
    const error = new TypeError('Invalid URL: https://user:pw@api.example/api/v1/users/x');
    // Act
    const verdict = verdictForError(error);
    // Assess
    expect(verdict).toMatchObject({ outcome: 'RETRY', reason: 'provider_error' });
    expect(verdict.detail).toBe('Invalid URL: https://***@api.example/api/v1/users/x');
  });

  it('a raw OutboundRequestError is judged by maybeDelivered too', () => {
    // Prepare
    const maybe = new OutboundRequestError('socket hang up', 'https://api.example/api/v1/chats', true);
    const never = new OutboundRequestError('ECONNREFUSED', 'https://api.example/api/v1/chats', false);
    // Act
    const [maybeVerdict, neverVerdict] = [verdictForError(maybe), verdictForError(never)];
    // Assess
    expect(maybeVerdict).toMatchObject(AMBIGUOUS);
    expect(neverVerdict).toMatchObject(retry('provider_error'));
  });

  it('an unknown error → RETRY provider_error, not delivered', () => {
    // Prepare
    const error = new TypeError('boom');
    // Act
    const verdict = verdictForError(error);
    // Assess
    expect(verdict).toEqual({ outcome: 'RETRY', reason: 'provider_error', detail: 'boom', delivered: false });
  });
});

describe('length checks (never truncate)', () => {
  it.each([
    ['note', checkNoteLength, 300],
    ['message', checkMessageLength, 8000],
  ])('a %s of %i characters passes, one more is FALLBACK content_too_long', (_kind, check, limit) => {
    // Prepare
    const fits = 'n'.repeat(limit);
    const over = 'n'.repeat(limit + 1);
    // Act
    const [fitsVerdict, overVerdict] = [check(fits), check(over)];
    // Assess
    expect(fitsVerdict).toBeUndefined();
    expect(overVerdict).toMatchObject(fallback('content_too_long'));
  });

  it('honours a custom limit', () => {
    // Prepare / Act
    const verdict = checkNoteLength('hello world', 5);
    // Assess
    expect(verdict?.reason).toBe('content_too_long');
    expect(checkMessageLength('hello', 5)).toBeUndefined();
  });
});
