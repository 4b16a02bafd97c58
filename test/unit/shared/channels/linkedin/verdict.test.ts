import { describe, expect, it } from 'vitest';
import {
  type LinkedInErrorKind,
  LinkedInProviderError,
  parseRetryAfter,
  publicIdentifierFrom,
} from '#shared/channels/linkedin/provider-client';
import {
  checkMessageLength,
  checkNoteLength,
  verdictForError,
  verdictForInvitationSent,
  verdictForMessageSent,
  verdictForRelation,
} from '#shared/channels/linkedin/verdict';
import { OutboundRequestError } from '#shared/http/outbound';

const providerError = (
  kind: LinkedInErrorKind,
  extra: {
    status?: number;
    retryAfterSeconds?: number;
    maybeDelivered?: boolean;
    endpoint?: 'profile' | 'invite' | 'chat';
  } = {},
) => new LinkedInProviderError(`test ${kind}`, { endpoint: extra.endpoint ?? 'invite', kind, ...extra });

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
  it('429 with Retry-After → RETRY provider_throttled carrying the wait', () => {
    // Prepare
    const error = providerError('throttled', { status: 429, retryAfterSeconds: 120 });
    // Act
    const verdict = verdictForError(error);
    // Assess
    expect(verdict).toMatchObject({
      outcome: 'RETRY',
      reason: 'provider_throttled',
      retryAfterSeconds: 120,
      delivered: false,
    });
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

  it('5xx → RETRY provider_error', () => {
    // Prepare
    const error = providerError('server', { status: 503 });
    // Act
    const verdict = verdictForError(error);
    // Assess
    expect(verdict).toMatchObject({ outcome: 'RETRY', reason: 'provider_error', delivered: false });
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

  it('already invited → RETRY invite_pending', () => {
    // Prepare
    const error = providerError('already_invited', { status: 422 });
    // Act
    const verdict = verdictForError(error);
    // Assess
    expect(verdict).toMatchObject({ outcome: 'RETRY', reason: 'invite_pending', delivered: false });
  });

  it('not connected (message refused) → RETRY provider_error so the next try re-reads the relation', () => {
    // Prepare
    const error = providerError('not_connected', { status: 422, endpoint: 'chat' });
    // Act
    const verdict = verdictForError(error);
    // Assess
    expect(verdict).toMatchObject({ outcome: 'RETRY', reason: 'provider_error', detail: 'not_connected' });
  });

  it('404 → FALLBACK no_profile', () => {
    // Prepare
    const error = providerError('not_found', { status: 404, endpoint: 'profile' });
    // Act
    const verdict = verdictForError(error);
    // Assess
    expect(verdict).toMatchObject({ outcome: 'FALLBACK', reason: 'no_profile', delivered: false });
  });

  it('blocked recipient → FALLBACK linkedin_blocked', () => {
    // Prepare
    const error = providerError('blocked', { status: 422 });
    // Act
    const verdict = verdictForError(error);
    // Assess
    expect(verdict).toMatchObject({ outcome: 'FALLBACK', reason: 'linkedin_blocked', delivered: false });
  });

  it('provider says too many characters → FALLBACK content_too_long', () => {
    // Prepare
    const error = providerError('content_too_long', { status: 400 });
    // Act
    const verdict = verdictForError(error);
    // Assess
    expect(verdict).toMatchObject({ outcome: 'FALLBACK', reason: 'content_too_long', delivered: false });
  });

  it('other validation errors → FALLBACK provider_error (the same request would fail again)', () => {
    // Prepare
    const error = providerError('validation', { status: 400 });
    // Act
    const verdict = verdictForError(error);
    // Assess
    expect(verdict).toMatchObject({ outcome: 'FALLBACK', reason: 'provider_error', delivered: false });
  });

  it('network error after the request may have reached the provider → STOP ambiguous_send, delivered', () => {
    // Prepare
    const error = providerError('network', { maybeDelivered: true, endpoint: 'chat' });
    // Act
    const verdict = verdictForError(error);
    // Assess
    expect(verdict).toMatchObject({ outcome: 'STOP', reason: 'ambiguous_send', delivered: true });
  });

  it('network error that never connected → RETRY provider_error, not delivered', () => {
    // Prepare
    const error = providerError('network', { maybeDelivered: false });
    // Act
    const verdict = verdictForError(error);
    // Assess
    expect(verdict).toMatchObject({ outcome: 'RETRY', reason: 'provider_error', delivered: false });
  });

  it('an accepted send whose answer cannot be read → STOP ambiguous_send, delivered', () => {
    // Prepare
    const error = providerError('invalid_response', { status: 201, maybeDelivered: true, endpoint: 'chat' });
    // Act
    const verdict = verdictForError(error);
    // Assess
    expect(verdict).toMatchObject({ outcome: 'STOP', reason: 'ambiguous_send', delivered: true });
  });

  it('a raw OutboundRequestError is judged by maybeDelivered too', () => {
    // Prepare
    const maybe = new OutboundRequestError('socket hang up', 'https://api.example/api/v1/chats', true);
    const never = new OutboundRequestError('ECONNREFUSED', 'https://api.example/api/v1/chats', false);
    // Act
    const [maybeVerdict, neverVerdict] = [verdictForError(maybe), verdictForError(never)];
    // Assess
    expect(maybeVerdict).toMatchObject({ outcome: 'STOP', reason: 'ambiguous_send', delivered: true });
    expect(neverVerdict).toMatchObject({ outcome: 'RETRY', reason: 'provider_error', delivered: false });
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
  it('a 300-character note passes, 301 is FALLBACK content_too_long', () => {
    // Prepare
    const fits = 'n'.repeat(300);
    const over = 'n'.repeat(301);
    // Act
    const [fitsVerdict, overVerdict] = [checkNoteLength(fits), checkNoteLength(over)];
    // Assess
    expect(fitsVerdict).toBeUndefined();
    expect(overVerdict).toMatchObject({ outcome: 'FALLBACK', reason: 'content_too_long', delivered: false });
  });

  it('an 8,000-character message passes, 8,001 is FALLBACK content_too_long', () => {
    // Prepare
    const fits = 'm'.repeat(8000);
    const over = 'm'.repeat(8001);
    // Act
    const [fitsVerdict, overVerdict] = [checkMessageLength(fits), checkMessageLength(over)];
    // Assess
    expect(fitsVerdict).toBeUndefined();
    expect(overVerdict).toMatchObject({ outcome: 'FALLBACK', reason: 'content_too_long', delivered: false });
  });

  it('honours a custom limit', () => {
    // Prepare / Act
    const verdict = checkNoteLength('hello world', 5);
    // Assess
    expect(verdict?.reason).toBe('content_too_long');
    expect(checkMessageLength('hello', 5)).toBeUndefined();
  });
});

describe('client helpers', () => {
  it.each([
    ['https://www.linkedin.com/in/hiro-moreau-1', 'hiro-moreau-1'],
    ['https://www.linkedin.com/in/hiro-moreau-1/', 'hiro-moreau-1'],
    ['http://linkedin.com/in/hiro-moreau-1?trk=public', 'hiro-moreau-1'],
    ['www.linkedin.com/in/j%C3%A9r%C3%B4me-l/fr', 'jérôme-l'],
    ['hiro-moreau-1', 'hiro-moreau-1'],
    ['ACoAABcD123Efg', 'ACoAABcD123Efg'],
  ])('publicIdentifierFrom(%s) → %s', (input, expected) => {
    // Prepare / Act
    const id = publicIdentifierFrom(input);
    // Assess
    expect(id).toBe(expected);
  });

  it('rejects a LinkedIn URL that is not a member profile', () => {
    // Prepare / Act / Assess
    expect(() => publicIdentifierFrom('https://www.linkedin.com/company/acme')).toThrow(/profile URL/);
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    // Prepare
    const now = Date.parse('2025-01-10T12:00:00Z');
    // Act
    const seconds = parseRetryAfter('45', now);
    const date = parseRetryAfter('Fri, 10 Jan 2025 12:01:30 GMT', now);
    const garbage = parseRetryAfter('soon', now);
    // Assess
    expect(seconds).toBe(45);
    expect(date).toBe(90);
    expect(garbage).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
