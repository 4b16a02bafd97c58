import type { CookieJar } from 'tough-cookie';
import { type Dispatcher, request } from 'undici';
import { blockedLookupReason, guardedDispatcher } from './address-guard';
import { OutboundBlockedError, OutboundRequestError, OutboundResponseTooLargeError } from './errors';
import { type HopRequest, isFollowedRedirect, redirectedRequest } from './redirect';
import { flattenHeaders, readBodyWithin } from './response-body';
import { ALLOW_HINT, planTarget, type TargetPlan } from './target-policy';

/**
 * Outbound HTTP for form pages and provider calls.
 *
 * Every request, and every redirect hop, is guarded (docs/product.md §7 "Outbound fetches"): only http(s), and
 * never a loopback, private, link-local, metadata or otherwise non-public address — checked on the literal
 * host before connecting (`target-policy.ts`) and on every address DNS returns, inside the socket's own lookup
 * (`address-guard.ts`), so the address checked is the address connected to. Trusted peers and the switch that
 * lifts the guard are described in `target-policy.ts`.
 */
export interface OutboundResponse {
  status: number;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface OutboundRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Follow up to this many redirects (each hop is re-checked). */
  maxRedirects?: number;
  /** Total time for the whole exchange, redirects and body included. Default 10 s. */
  timeoutMs?: number;
  /** Largest response body read, in bytes; beyond it the response is aborted. Default 2 MB. */
  maxResponseBytes?: number;
  /**
   * Lift the private-network guard (local testing, CLI `--allow-private-network`).
   * Default: `CASCADE_ALLOW_PRIVATE_NETWORK=1` (a local network setting, see shared/config/settings.ts).
   */
  allowPrivateNetwork?: boolean;
  /**
   * Cookies as a browser keeps them across the exchange: sent on every hop they match (domain, path, secure)
   * and updated from every response, redirects included (session and CSRF cookies set on a 302).
   */
  cookieJar?: CookieJar;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;

const USER_AGENT = 'Cascade/0.1 (+https://github.com/cascade-outreach)';

/** Connection never established: the server cannot have seen the request. */
const NEVER_CONNECTED = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'];

/** What every hop of one exchange shares: its options, the one deadline and the body cap. */
interface Exchange {
  init: OutboundRequest;
  deadline: AbortSignal;
  timeoutMs: number;
  maxBytes: number;
}

function failure(hop: HopRequest, detail: string, maybeDelivered: boolean): OutboundRequestError {
  return new OutboundRequestError(`${hop.method} ${hop.url.href} failed: ${detail}`, hop.url.href, maybeDelivered);
}

async function hopHeaders(hop: HopRequest, plan: TargetPlan, jar: CookieJar | undefined) {
  const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...hop.headers };
  if (plan.rule) {
    headers.host = hop.url.host;
    headers['x-forwarded-proto'] = hop.url.protocol.replace(':', '');
  }
  const jarCookies = jar ? await jar.getCookieString(hop.url.href) : '';
  if (jarCookies) headers.cookie = jarCookies;
  return headers;
}

/** Sends one hop; a failure says whether the server may have seen it. */
async function sendHop(
  hop: HopRequest,
  plan: TargetPlan,
  exchange: Exchange,
  redirected: boolean,
): Promise<Dispatcher.ResponseData> {
  const socketUrl = plan.rule ? new URL(hop.url.pathname + hop.url.search, plan.rule.target) : hop.url;
  const headers = await hopHeaders(hop, plan, exchange.init.cookieJar);
  try {
    return await request(socketUrl, {
      method: hop.method as 'GET',
      headers,
      body: hop.body,
      signal: exchange.deadline,
      headersTimeout: exchange.timeoutMs,
      bodyTimeout: exchange.timeoutMs,
      ...(plan.guarded ? { dispatcher: guardedDispatcher() } : {}),
    });
  } catch (error) {
    const blocked = blockedLookupReason(error);
    if (blocked) throw new OutboundBlockedError(hop.url.href, `${blocked} (${ALLOW_HINT})`, redirected);
    if (exchange.deadline.aborted) throw failure(hop, `timed out after ${exchange.timeoutMs} ms`, true);
    const code = (error as { code?: string }).code ?? '';
    throw failure(hop, (error as Error).message, !NEVER_CONNECTED.includes(code));
  }
}

async function storeCookies(jar: CookieJar | undefined, response: Dispatcher.ResponseData, url: URL) {
  if (!jar) return;
  const setCookies = response.headers['set-cookie'];
  for (const cookie of Array.isArray(setCookies) ? setCookies : setCookies ? [setCookies] : []) {
    // A cookie the page may not set (another domain, a public suffix) is dropped, as a browser would.
    await jar.setCookie(cookie, url.href, { ignoreError: true });
  }
}

/** The final response's body within the cap; any other read failure happened after the server answered. */
async function readFinalBody(
  hop: HopRequest,
  response: Dispatcher.ResponseData,
  headers: Record<string, string>,
  exchange: Exchange,
): Promise<string> {
  const { maxBytes } = exchange;
  const tooLarge = () =>
    new OutboundResponseTooLargeError(
      `${hop.method} ${hop.url.href} failed: response body exceeds the ${maxBytes}-byte limit`,
      hop.url.href,
      maxBytes,
    );
  try {
    return await readBodyWithin(response.body, headers['content-length'], maxBytes, tooLarge);
  } catch (error) {
    if (error instanceof OutboundResponseTooLargeError) throw error;
    if (exchange.deadline.aborted) throw failure(hop, `timed out after ${exchange.timeoutMs} ms`, true);
    throw failure(hop, (error as Error).message, true);
  }
}

export async function outboundRequest(url: string, init: OutboundRequest = {}): Promise<OutboundResponse> {
  const maxRedirects = init.maxRedirects ?? 5;
  const timeoutMs = init.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  const exchange: Exchange = {
    init,
    deadline: controller.signal,
    timeoutMs,
    maxBytes: init.maxResponseBytes ?? MAX_RESPONSE_BYTES,
  };
  let hop: HopRequest = {
    url: new URL(url),
    method: (init.method ?? 'GET').toUpperCase(),
    body: init.body,
    headers: { ...init.headers },
  };
  try {
    for (let index = 0; ; index++) {
      const plan = planTarget(hop.url, init);
      if (plan instanceof OutboundBlockedError) {
        throw index > 0 ? new OutboundBlockedError(plan.url, plan.reason, true) : plan;
      }
      const response = await sendHop(hop, plan, exchange, index > 0);
      await storeCookies(init.cookieJar, response, hop.url);
      const headers = flattenHeaders(response.headers);
      if (isFollowedRedirect(response.statusCode, headers.location, index < maxRedirects)) {
        await response.body.dump().catch(() => undefined);
        hop = redirectedRequest(hop, response.statusCode, headers.location as string);
        continue;
      }
      const body = await readFinalBody(hop, response, headers, exchange);
      return { status: response.statusCode, url: hop.url.href, headers, body };
    }
  } finally {
    clearTimeout(timer);
  }
}
