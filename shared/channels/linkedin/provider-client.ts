import { randomBytes } from 'node:crypto';
import type { LinkedInConnectionStatus } from '#shared/domain/schemas';
import { CascadeError, type ErrorKind } from '#shared/errors';
import { OutboundBlockedError, OutboundRequestError } from '#shared/http/errors';
import { type OutboundResponse, outboundRequest } from '#shared/http/outbound';
import { redactUrl } from '#shared/http/redact';
import { checkUrlTarget } from '#shared/http/target-policy';

/**
 * Client for the LinkedIn automation provider. Unipile's REST API is the reference:
 * - `GET  /api/v1/users/{identifier}?account_id=…` → `UserProfile` (`provider_id`, `public_identifier`,
 *   `is_relationship`, `network_distance`, `invitation: {type: SENT|RECEIVED, status: PENDING|…}`)
 * - `POST /api/v1/users/invite` JSON `{provider_id, account_id, message}` → `{object: 'UserInvitationSent', invitation_id}`
 * - `POST /api/v1/chats` multipart `account_id`, `attendees_ids`, `text` → `{object: 'ChatStarted', chat_id, message_id}`
 * Errors are problem documents `{title, detail, type: 'errors/…', status}`; auth is the `X-API-KEY` header.
 */

export type LinkedInEndpoint = 'profile' | 'invite' | 'chat';

export type LinkedInErrorKind =
  /** 429: the provider (or LinkedIn behind it) asks us to slow down. */
  | 'throttled'
  /** 5xx. */
  | 'server'
  /** 401/403: bad API key or the LinkedIn account is disconnected/restricted; an operator must act. */
  | 'unauthorized'
  /** 404: no such profile (or recipient). */
  | 'not_found'
  /** 422 `already_invited_recently` / `action_already_performed` on an invite: this lead's invitation is pending. */
  | 'already_invited'
  /**
   * 422 `cannot_resend_yet` / `cannot_resend_within_24hrs`: the account hit LinkedIn's invitation cap (weekly or
   * daily). The account's limit, not the lead's: no lead's invite is pending because of it.
   */
  | 'account_limit'
  /** 422 `blocked_recipient` / `user_unreachable`. */
  | 'blocked'
  /** 422 `no_connection_with_recipient`: a message to someone who is not (or no longer) a relation. */
  | 'not_connected'
  /** 400 `too_many_characters` / `content_too_large`. */
  | 'content_too_long'
  /** Any other 400/422 (and unexpected 4xx). */
  | 'validation'
  /**
   * The provider base URL cannot be used (not an http(s) URL, credentials in it, or a target the outbound
   * guard refuses): no request was made, and none will succeed until an operator fixes the configuration.
   */
  | 'misconfigured'
  /** The request failed in transport (OutboundRequestError). */
  | 'network'
  /** A 2xx answer we could not read: for a send, the provider accepted something. */
  | 'invalid_response';

export class LinkedInProviderError extends CascadeError {
  readonly code = 'linkedin_provider_error';
  readonly kind: ErrorKind = 'unavailable';
  override name = 'LinkedInProviderError';
  /** What the provider's answer means for a send (the verdict reads it). */
  readonly failure: LinkedInErrorKind;
  readonly endpoint: LinkedInEndpoint;
  /** HTTP status; undefined for network errors. */
  readonly status?: number;
  /** The provider's problem type, e.g. `errors/too_many_requests`. */
  readonly providerType?: string;
  /** Seconds from a Retry-After header, when the provider sent one. */
  readonly retryAfterSeconds?: number;
  /** True when a send (invite/chat) may have reached the provider: its outcome is unknown. Never true for a profile read. */
  readonly maybeDelivered: boolean;

  /** The message never shows a URL's credentials: it becomes an attempt's detail and a log line. */
  constructor(
    message: string,
    init: {
      kind: LinkedInErrorKind;
      endpoint: LinkedInEndpoint;
      status?: number;
      providerType?: string;
      retryAfterSeconds?: number;
      maybeDelivered?: boolean;
      cause?: unknown;
    },
  ) {
    super(redactUrl(message), init.cause === undefined ? undefined : { cause: init.cause });
    this.failure = init.kind;
    this.endpoint = init.endpoint;
    this.status = init.status;
    this.providerType = init.providerType;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.maybeDelivered = init.maybeDelivered ?? false;
  }
}

export interface LinkedInProviderClientOptions {
  /** Provider DSN, e.g. `https://api8.unipile.com:13851` (paths `/api/v1/…` are appended). */
  baseUrl: string;
  apiKey: string;
  /** The provider's id of the connected LinkedIn account that sends. */
  accountId: string;
  timeoutMs?: number;
}

export interface LinkedInProfile {
  /** Provider id (`ACo…`). For BLOCKED the provider withholds the profile: this echoes the identifier asked for. */
  providerId: string;
  publicIdentifier: string;
  relation: LinkedInConnectionStatus;
}

const BLOCKED_TYPES = new Set(['errors/blocked_recipient', 'errors/user_unreachable']);
const ALREADY_INVITED_TYPES = new Set(['errors/already_invited_recently', 'errors/action_already_performed']);
const ACCOUNT_LIMIT_TYPES = new Set(['errors/cannot_resend_yet', 'errors/cannot_resend_within_24hrs']);
const TOO_LONG_TYPES = new Set(['errors/too_many_characters', 'errors/content_too_large']);

/**
 * `https://www.linkedin.com/in/hiro-moreau-1/` → `hiro-moreau-1`; a bare public id or provider id is returned as is.
 */
export function publicIdentifierFrom(identifierOrUrl: string): string {
  const trimmed = identifierOrUrl.trim();
  const looksLikeUrl = /^https?:\/\//i.test(trimmed) || /(^|\.)linkedin\.com\//i.test(trimmed);
  if (!looksLikeUrl) return trimmed;
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
  } catch {
    return trimmed;
  }
  const segments = url.pathname.split('/').filter(Boolean);
  const inIndex = segments.findIndex((segment) => segment.toLowerCase() === 'in');
  const id = inIndex >= 0 ? segments[inIndex + 1] : undefined;
  if (!id) throw new Error(`"${identifierOrUrl}" is not a LinkedIn profile URL (expected …/in/<public-id>)`);
  return decodeURIComponent(id);
}

/** Retry-After is either delta-seconds or an HTTP-date. */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

function parseJson(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function stringField(record: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = record?.[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function kindFor(status: number, providerType: string | undefined, endpoint: LinkedInEndpoint): LinkedInErrorKind {
  if (status === 429) return 'throttled';
  if (status >= 500) return 'server';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (providerType && BLOCKED_TYPES.has(providerType)) return 'blocked';
  if (endpoint === 'invite' && providerType && ALREADY_INVITED_TYPES.has(providerType)) return 'already_invited';
  if (providerType && ACCOUNT_LIMIT_TYPES.has(providerType)) return 'account_limit';
  if (providerType === 'errors/no_connection_with_recipient') return 'not_connected';
  if (providerType && TOO_LONG_TYPES.has(providerType)) return 'content_too_long';
  return 'validation';
}

/**
 * Why the provider base URL cannot be used, or undefined. Judged before every call, as the outbound guard is
 * (its switches are read at call time): a refusal here is the operator's to fix, never the lead's.
 */
export function baseUrlProblem(baseUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    // Not quoted: a string the URL parser cannot read may hold credentials the redaction would not recognise.
    return baseUrl.trim() === '' ? 'none is configured' : 'it is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `only http and https URLs are allowed, not ${url.protocol}`;
  // The provider authenticates with the API key; credentials in the URL would be dropped, and shown in history.
  if (url.username || url.password) return 'the URL must not hold credentials (user:password@); give apiKey instead';
  return checkUrlTarget(url)?.reason;
}

export class LinkedInProviderClient {
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly accountId: string;
  private readonly timeoutMs: number;

  constructor(options: LinkedInProviderClientOptions) {
    this.baseUrl = options.baseUrl.trim().replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.accountId = options.accountId;
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  /** Reads the member's profile and our relation to them. Unknown member → LinkedInProviderError `not_found`. */
  async resolveProfile(identifierOrUrl: string): Promise<LinkedInProfile> {
    const identifier = publicIdentifierFrom(identifierOrUrl);
    const query = new URLSearchParams({ account_id: this.accountId });
    const url = `${this.baseUrl}/api/v1/users/${encodeURIComponent(identifier)}?${query}`;
    let response: OutboundResponse;
    try {
      response = await this.call('profile', url, { method: 'GET' });
    } catch (error) {
      // A member who blocked us (or whom LinkedIn keeps out of reach) is a relation state, not a failure.
      if (error instanceof LinkedInProviderError && error.failure === 'blocked') {
        return { providerId: identifier, publicIdentifier: identifier, relation: 'BLOCKED' };
      }
      throw error;
    }
    const profile = parseJson(response.body);
    const providerId = stringField(profile, 'provider_id');
    if (!profile || !providerId) {
      throw new LinkedInProviderError(`GET ${url}: unreadable profile`, {
        kind: 'invalid_response',
        endpoint: 'profile',
        status: response.status,
      });
    }
    return {
      providerId,
      publicIdentifier: stringField(profile, 'public_identifier') ?? identifier,
      relation: relationOf(profile),
    };
  }

  /** Sends a connection invitation with a note (LinkedIn allows 300 characters). */
  async sendInvitation(providerId: string, note: string): Promise<{ invitationId: string }> {
    const payload: Record<string, string> = { provider_id: providerId, account_id: this.accountId };
    if (note.length > 0) payload.message = note;
    const url = `${this.baseUrl}/api/v1/users/invite`;
    const response = await this.call('invite', url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    const invitationId = stringField(parseJson(response.body), 'invitation_id');
    if (!invitationId) {
      throw new LinkedInProviderError(`POST ${url}: accepted without an invitation_id`, {
        kind: 'invalid_response',
        endpoint: 'invite',
        status: response.status,
        maybeDelivered: true,
      });
    }
    return { invitationId };
  }

  /** Starts (or continues) the 1:1 conversation with a relation and sends `text`. */
  async sendMessage(providerId: string, text: string): Promise<{ chatId: string; messageId: string }> {
    const { contentType, body } = multipartBody([
      ['account_id', this.accountId],
      ['attendees_ids', providerId],
      ['text', text],
    ]);
    const url = `${this.baseUrl}/api/v1/chats`;
    const response = await this.call('chat', url, { method: 'POST', headers: { 'content-type': contentType }, body });
    const answer = parseJson(response.body);
    const chatId = stringField(answer, 'chat_id');
    const messageId = stringField(answer, 'message_id');
    if (!chatId || !messageId) {
      throw new LinkedInProviderError(`POST ${url}: accepted without chat_id/message_id`, {
        kind: 'invalid_response',
        endpoint: 'chat',
        status: response.status,
        maybeDelivered: true,
      });
    }
    return { chatId, messageId };
  }

  /** Refuses an unusable base URL before any request: `misconfigured`, naming the (redacted) URL. */
  private checkBaseUrl(endpoint: LinkedInEndpoint): void {
    const problem = baseUrlProblem(this.baseUrl);
    if (problem) throw misconfigured(endpoint, this.baseUrl, problem);
  }

  private async call(
    endpoint: LinkedInEndpoint,
    url: string,
    init: { method: string; headers?: Record<string, string>; body?: string },
  ): Promise<OutboundResponse> {
    this.checkBaseUrl(endpoint);
    let response: OutboundResponse;
    try {
      response = await outboundRequest(url, {
        method: init.method,
        headers: { accept: 'application/json', 'x-api-key': this.apiKey, ...init.headers },
        body: init.body,
        maxRedirects: 0,
        timeoutMs: this.timeoutMs,
      });
    } catch (error) {
      // The provider's host name resolves to an address the guard refuses: the configuration, not the lead.
      if (error instanceof OutboundBlockedError && !error.maybeDelivered) {
        throw misconfigured(endpoint, this.baseUrl, error.reason, error);
      }
      // Refused at a redirect hop: the request before it did reach the provider, as after a lost answer.
      if (error instanceof OutboundRequestError || error instanceof OutboundBlockedError) {
        throw new LinkedInProviderError(error.message, {
          kind: 'network',
          endpoint,
          // Reading a profile sends nothing to the lead, whatever happened to the socket.
          maybeDelivered: endpoint !== 'profile' && error.maybeDelivered,
          cause: error,
        });
      }
      throw error;
    }
    if (response.status >= 200 && response.status < 300) return response;
    const problem = parseJson(response.body);
    const providerType = stringField(problem, 'type');
    const detail = stringField(problem, 'detail') ?? stringField(problem, 'title') ?? response.body.slice(0, 200);
    throw new LinkedInProviderError(
      `${init.method} ${url} → ${response.status}${providerType ? ` ${providerType}` : ''}: ${detail}`,
      {
        kind: kindFor(response.status, providerType, endpoint),
        endpoint,
        status: response.status,
        providerType,
        retryAfterSeconds: parseRetryAfter(response.headers['retry-after']),
      },
    );
  }
}

/**
 * The base URL as a message may show it: an http(s) URL in its parsed form (`scheme://`, so its userinfo is
 * always found and redacted), else nothing — what the parser cannot read, or reads as an opaque path, may
 * hold credentials no pattern recognises.
 */
function shownBaseUrl(baseUrl: string): string {
  const url = URL.parse(baseUrl);
  return url && (url.protocol === 'http:' || url.protocol === 'https:') ? ` ${redactUrl(url.href)}` : '';
}

/** `misconfigured`, naming the base URL when it can be shown safely. */
function misconfigured(endpoint: LinkedInEndpoint, baseUrl: string, problem: string, cause?: unknown) {
  const shown = shownBaseUrl(baseUrl);
  return new LinkedInProviderError(`the LinkedIn provider base URL${shown} cannot be used: ${problem}`, {
    kind: 'misconfigured',
    endpoint,
    cause,
  });
}

/**
 * multipart/form-data, as the provider documents for this route. Built by hand because FormData serialisation
 * rewrites every line break to CRLF, and the lead must receive the text exactly as rendered.
 */
function multipartBody(fields: [name: string, value: string][]): { contentType: string; body: string } {
  const boundary = `----cascade${randomBytes(12).toString('hex')}`;
  const parts = fields.map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: `${parts.join('')}--${boundary}--\r\n` };
}

function relationOf(profile: Record<string, unknown>): LinkedInConnectionStatus {
  if (profile.is_relationship === true || profile.network_distance === 'FIRST_DEGREE') return 'CONNECTED';
  const invitation = profile.invitation as { type?: unknown; status?: unknown } | null | undefined;
  if (invitation?.type === 'SENT' && invitation.status === 'PENDING') return 'CONNECTION_REQUESTED';
  return 'NOT_CONNECTED';
}
