import type { CookieJar } from 'tough-cookie';
import { OutboundRequestError } from '#shared/http/errors';
import { type OutboundRequest, type OutboundResponse, outboundRequest } from '#shared/http/outbound';

/**
 * How the contact-form channel talks to a lead's web site: like a browser would (a real User-Agent,
 * Accept and Accept-Language headers), always through `outboundRequest` and its private-network guard.
 */

/** A browser's User-Agent (some sites turn away anything else), naming Cascade so a site owner can tell. */
export const FORM_USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Cascade/0.1 (+https://github.com/cascade-outreach)';

export const BROWSER_HEADERS: Readonly<Record<string, string>> = {
  'user-agent': FORM_USER_AGENT,
  'accept-language': 'en-US,en;q=0.9',
};

export interface FormFetchOptions {
  /** Lift the outbound private-network guard (local testing); default from `CASCADE_ALLOW_PRIVATE_NETWORK`. */
  allowPrivateNetwork?: boolean;
  timeoutMs?: number;
  /** One jar per visit: the page fetch's cookies (redirect hops included) go back with the submission. */
  cookieJar?: CookieJar;
}

/** `OutboundRequest` plus the guard's switch (accepted by `outboundRequest` once its SSRF guard is in). */
export type GuardedRequest = OutboundRequest & { allowPrivateNetwork?: boolean };

/** True for the outbound guard's refusal: thrown before any connection, so nothing reached the target. */
export function isOutboundBlocked(error: unknown): error is Error {
  return (error as { name?: string } | undefined)?.name === 'OutboundBlockedError';
}

/** True when the connection failed because the host name does not exist (permanent, unlike a timeout). */
export function isUnknownHost(error: unknown): boolean {
  return error instanceof OutboundRequestError && /\bENOTFOUND\b/.test(error.message);
}

/** The URL without its fragment: what a browser requests for it. */
export function withoutFragment(url: string): URL {
  const parsed = new URL(url);
  parsed.hash = '';
  return parsed;
}

export function guardedInit(init: OutboundRequest, options: FormFetchOptions): GuardedRequest {
  const request: GuardedRequest = { ...init, headers: { ...BROWSER_HEADERS, ...init.headers } };
  if (options.timeoutMs !== undefined) request.timeoutMs = options.timeoutMs;
  if (options.allowPrivateNetwork !== undefined) request.allowPrivateNetwork = options.allowPrivateNetwork;
  if (options.cookieJar) request.cookieJar = options.cookieJar;
  return request;
}

/** GET an HTML page as a browser would, following redirects. */
export function fetchPage(url: string, options: FormFetchOptions = {}): Promise<OutboundResponse> {
  return outboundRequest(
    url,
    guardedInit(
      {
        method: 'GET',
        headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
        maxRedirects: 5,
        timeoutMs: options.timeoutMs ?? 15_000,
      },
      options,
    ),
  );
}
