import type { ProviderVerdict } from '#shared/domain/outcome';
import type { LinkedInConnectionStatus } from '#shared/domain/schemas';
import { OutboundRequestError } from '#shared/http/errors';
import { redactUrl } from '#shared/http/redact';
import { LinkedInProviderError } from './provider-client';

/** LinkedIn's limits (docs/product.md §2): invitation note ≤ 300 characters, direct message ≤ 8,000. */
export const LINKEDIN_NOTE_LIMIT = 300;
export const LINKEDIN_MESSAGE_LIMIT = 8000;
/** A free LinkedIn account may only add 200 characters to an invitation. */
export const LINKEDIN_FREE_NOTE_LIMIT = 200;
/** How long to wait before trying again when the provider account itself needs an operator. */
export const ACCOUNT_PROBLEM_RETRY_SECONDS = 6 * 3600;

/** What the LinkedIn step does once it knows the relation. */
export type RelationDecision =
  | { action: 'send_message' }
  | { action: 'send_invitation' }
  | { action: 'none'; verdict: ProviderVerdict };

/**
 * CONNECTED → direct message; NOT_CONNECTED → invitation with a note (the invitation is the touch);
 * CONNECTION_REQUESTED → RETRY `invite_pending` until accepted; BLOCKED → FALLBACK `linkedin_blocked`.
 */
export function verdictForRelation(relation: LinkedInConnectionStatus): RelationDecision {
  switch (relation) {
    case 'CONNECTED':
      return { action: 'send_message' };
    case 'NOT_CONNECTED':
      return { action: 'send_invitation' };
    case 'CONNECTION_REQUESTED':
      return {
        action: 'none',
        verdict: {
          outcome: 'RETRY',
          reason: 'invite_pending',
          detail: 'invitation not accepted yet',
          delivered: false,
        },
      };
    case 'BLOCKED':
      return { action: 'none', verdict: { outcome: 'FALLBACK', reason: 'linkedin_blocked', delivered: false } };
  }
}

/** What a LINKEDIN step asks for (docs/product.md §2 `linkedinAction`). */
export type LinkedInAction = 'auto' | 'invite' | 'message';

/**
 * The relation decision under a step's `linkedinAction`. `auto` is `verdictForRelation`. A BLOCKED member is
 * FALLBACK `linkedin_blocked` and a pending invitation RETRY `invite_pending` whatever the action (the
 * invitation is already out; once accepted, the next try sees CONNECTED).
 * - `message` to a member not connected: FALLBACK `not_connected`, nothing sent (the documented rule).
 * - `invite` to a member already CONNECTED: nothing to send, and nothing to wait for: FALLBACK
 *   `already_connected` (it does not close the channel), so the sequence goes on at its next step (typically the
 *   message the invitation was meant to open) at once. Not SENT: no touch was made and no invitation will be
 *   accepted (a `waitFor invite_accepted` would only time out).
 */
export function decideLinkedInAction(action: LinkedInAction, relation: LinkedInConnectionStatus): RelationDecision {
  const decision = verdictForRelation(relation);
  if (action === 'auto' || decision.action === 'none') return decision;
  if (action === 'message' && decision.action === 'send_invitation') {
    return {
      action: 'none',
      verdict: {
        outcome: 'FALLBACK',
        reason: 'not_connected',
        detail: 'message step: not connected',
        delivered: false,
      },
    };
  }
  if (action === 'invite' && decision.action === 'send_message') {
    return {
      action: 'none',
      verdict: {
        outcome: 'FALLBACK',
        reason: 'already_connected',
        detail: 'already connected: no invitation needed',
        delivered: false,
      },
    };
  }
  return decision;
}

/** The provider accepted the invitation: the touch is made. */
export function verdictForInvitationSent(result: { invitationId: string }): ProviderVerdict {
  return { outcome: 'SENT', providerMessageId: result.invitationId, detail: 'invitation', delivered: true };
}

/** The provider accepted the direct message. */
export function verdictForMessageSent(result: { chatId: string; messageId: string }): ProviderVerdict {
  return { outcome: 'SENT', providerMessageId: result.messageId, detail: `chat ${result.chatId}`, delivered: true };
}

/**
 * Maps a failed provider call to a verdict. `delivered` is true only when the provider may have accepted the send.
 *
 * | error                                   | verdict                                                      |
 * |-----------------------------------------|--------------------------------------------------------------|
 * | throttled (429)                         | RETRY provider_throttled (+ Retry-After)                     |
 * | server (5xx)                            | RETRY provider_error (+ Retry-After when sent)               |
 * | unauthorized (401/403)                  | RETRY provider_error, detail `account_disconnected`: the lead is reachable once an operator reconnects the account (alerting is the caller's job) |
 * | already_invited (422)                   | RETRY invite_pending (the next try re-reads the relation)    |
 * | account_limit (422 cannot_resend_yet)   | RETRY rate_limited, the account's cap: wait a day without using the step's retries, operator alert |
 * | not_connected (422 on a message)        | RETRY provider_error, detail `not_connected`: the relation changed under us; the next try re-reads it and invites |
 * | not_found (404)                         | FALLBACK no_profile                                          |
 * | blocked (422)                           | FALLBACK linkedin_blocked                                    |
 * | content_too_long (400)                  | FALLBACK content_too_long                                    |
 * | validation (other 400/422)              | FALLBACK provider_error: the same request would fail again   |
 * | misconfigured (unusable base URL)       | FALLBACK provider_misconfigured + operator alert: no try can succeed until an operator fixes the channel settings; retrying for days would only hide it |
 * | network/invalid_response, maybeDelivered| STOP ambiguous_send, delivered: the send may have happened; never resend (docs/product.md §3) |
 * | network, nothing sent                   | RETRY provider_error                                         |
 * | anything else                           | RETRY provider_error                                         |
 */
/** LinkedIn lifts an account's invitation cap within a day (weekly caps roll daily): try again then. */
const ACCOUNT_LIMIT_RETRY_SECONDS = 24 * 3600;

export function verdictForError(error: LinkedInProviderError | unknown): ProviderVerdict {
  if (error instanceof OutboundRequestError) {
    return error.maybeDelivered
      ? { outcome: 'STOP', reason: 'ambiguous_send', detail: error.message, delivered: true }
      : { outcome: 'RETRY', reason: 'provider_error', detail: error.message, delivered: false };
  }
  if (!(error instanceof LinkedInProviderError)) {
    const detail = redactUrl(error instanceof Error ? error.message : String(error));
    return { outcome: 'RETRY', reason: 'provider_error', detail, delivered: false };
  }
  const retryAfter = error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds };
  switch (error.failure) {
    case 'throttled':
      return { outcome: 'RETRY', reason: 'provider_throttled', ...retryAfter, detail: error.message, delivered: false };
    case 'server':
      return { outcome: 'RETRY', reason: 'provider_error', ...retryAfter, detail: error.message, delivered: false };
    case 'unauthorized':
      // Not the lead's fault: wait long, keep the step's retries, and tell an operator.
      return {
        outcome: 'RETRY',
        reason: 'provider_error',
        detail: 'account_disconnected',
        retryAfterSeconds: ACCOUNT_PROBLEM_RETRY_SECONDS,
        usesRetry: false,
        operatorAlert: 'linkedin_account_disconnected',
        delivered: false,
      };
    case 'already_invited':
      return { outcome: 'RETRY', reason: 'invite_pending', detail: error.message, delivered: false };
    case 'account_limit':
      // LinkedIn's invitation cap for the account (PRODUCT.md §10): every lead waits, none loses a retry.
      return {
        outcome: 'RETRY',
        reason: 'rate_limited',
        detail: `linkedin_account_limit: ${error.message}`,
        retryAfterSeconds: error.retryAfterSeconds ?? ACCOUNT_LIMIT_RETRY_SECONDS,
        usesRetry: false,
        operatorAlert: 'linkedin_account_limit',
        delivered: false,
      };
    case 'not_connected':
      return { outcome: 'RETRY', reason: 'provider_error', detail: 'not_connected', delivered: false };
    case 'not_found':
      return { outcome: 'FALLBACK', reason: 'no_profile', detail: error.message, delivered: false };
    case 'blocked':
      return { outcome: 'FALLBACK', reason: 'linkedin_blocked', detail: error.message, delivered: false };
    case 'content_too_long':
      return { outcome: 'FALLBACK', reason: 'content_too_long', detail: error.message, delivered: false };
    case 'validation':
      return { outcome: 'FALLBACK', reason: 'provider_error', detail: error.message, delivered: false };
    case 'misconfigured':
      // Logged at error level by the step (with campaign and channel), once for this try: it is not retried.
      return {
        outcome: 'FALLBACK',
        reason: 'provider_misconfigured',
        detail: error.message,
        operatorAlert: 'linkedin_provider_misconfigured',
        delivered: false,
      };
    case 'network':
    case 'invalid_response':
      return error.maybeDelivered
        ? { outcome: 'STOP', reason: 'ambiguous_send', detail: error.message, delivered: true }
        : { outcome: 'RETRY', reason: 'provider_error', detail: error.message, delivered: false };
  }
}

/**
 * Length in UTF-16 code units (what JavaScript and the provider's JSON schema count): never fewer than the
 * characters a reader sees, so a note that passes here is not rejected for length later. Never truncates.
 */
function tooLong(kind: string, text: string, limit: number): ProviderVerdict | undefined {
  if (text.length <= limit) return undefined;
  return {
    outcome: 'FALLBACK',
    reason: 'content_too_long',
    detail: `${kind} is ${text.length} characters, LinkedIn allows ${limit}`,
    delivered: false,
  };
}

/** FALLBACK content_too_long when the invitation note exceeds the limit; undefined when it fits. */
export function checkNoteLength(note: string, limit: number = LINKEDIN_NOTE_LIMIT): ProviderVerdict | undefined {
  return tooLong('invitation note', note, limit);
}

/** FALLBACK content_too_long when the message exceeds the limit; undefined when it fits. */
export function checkMessageLength(text: string, limit: number = LINKEDIN_MESSAGE_LIMIT): ProviderVerdict | undefined {
  return tooLong('message', text, limit);
}
