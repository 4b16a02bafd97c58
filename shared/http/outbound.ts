import { type ClientRequest, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { CookieJar } from 'tough-cookie';
import { blockedLookupReason, connectionAgent, guardedLookup } from './address-guard';
import { OutboundBlockedError, OutboundRequestError, OutboundResponseTooLargeError } from './errors';
import { type HopRequest, isFollowedRedirect, redirectedRequest } from './redirect';
import { discardBody, flattenHeaders, readBodyWithin } from './response-body';
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

/**
 * A connection (TCP, and TLS for https) not established within this is given up as never connected. node:http
 * has no such limit of its own; 10 s is undici's default, which this module used before.
 */
const CONNECT_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT = 'CASCADE_CONNECT_TIMEOUT';

/** Connection never established: the server cannot have seen the request. */
const NEVER_CONNECTED = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', CONNECT_TIMEOUT];

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
  if (hop.body) {
    // The length of the bytes sent, whatever the caller declared; node:http would send a GET's body unframed.
    for (const name of Object.keys(headers)) if (name.toLowerCase() === 'content-length') delete headers[name];
    headers['content-length'] = String(Buffer.byteLength(hop.body));
  }
  return headers;
}

/** Fails a connection not established within CONNECT_TIMEOUT_MS; a reused keep-alive socket is connected. */
function limitConnect(request: ClientRequest, socket: Socket): void {
  if (request.reusedSocket) return;
  const timer = setTimeout(() => {
    const error = new Error(`connect timed out after ${CONNECT_TIMEOUT_MS} ms`);
    request.destroy(Object.assign(error, { code: CONNECT_TIMEOUT }));
  }, CONNECT_TIMEOUT_MS);
  socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', () => clearTimeout(timer));
  socket.once('close', () => clearTimeout(timer));
}

/**
 * One request over node:http(s), settled with the response head or the first error; `http.request` throws
 * synchronously for some bad input (a header value, a method), which rejects the same way. The deadline
 * destroys the request and, once it arrived, the response, so it also bounds reading the body.
 */
function transmit(url: URL, options: RequestOptions, body: string | undefined, deadline: AbortSignal) {
  return new Promise<IncomingMessage>((resolve, reject) => {
    if (deadline.aborted) return reject(deadline.reason);
    let request: ClientRequest;
    try {
      request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options);
    } catch (error) {
      return reject(error);
    }
    let response: IncomingMessage | undefined;
    const onDeadline = () => {
      response?.destroy(deadline.reason);
      request.destroy(deadline.reason);
    };
    deadline.addEventListener('abort', onDeadline, { once: true });
    const release = () => deadline.removeEventListener('abort', onDeadline);
    // Stays attached after the response: a later socket error is reported on the request too.
    request.on('error', (error) => {
      if (!response) release();
      reject(error);
    });
    request.once('socket', (socket) => limitConnect(request, socket));
    request.once('response', (incoming) => {
      response = incoming;
      incoming.once('close', release);
      resolve(incoming);
    });
    request.end(body === undefined ? undefined : Buffer.from(body));
  });
}

/** Sends one hop; a failure says whether the server may have seen it. */
async function sendHop(
  hop: HopRequest,
  plan: TargetPlan,
  exchange: Exchange,
  redirected: boolean,
): Promise<IncomingMessage> {
  const socketUrl = plan.rule ? new URL(hop.url.pathname + hop.url.search, plan.rule.target) : hop.url;
  const headers = await hopHeaders(hop, plan, exchange.init.cookieJar);
  const options: RequestOptions = {
    method: hop.method,
    headers,
    // The guarded pools resolve through guardedLookup already; naming it here too keeps the check explicit.
    agent: connectionAgent(socketUrl.protocol, plan.guarded),
    ...(plan.guarded ? { lookup: guardedLookup } : {}),
  };
  try {
    return await transmit(socketUrl, options, hop.body, exchange.deadline);
  } catch (error) {
    const blocked = blockedLookupReason(error);
    if (blocked) throw new OutboundBlockedError(hop.url.href, `${blocked} (${ALLOW_HINT})`, redirected);
    if (exchange.deadline.aborted) throw failure(hop, `timed out after ${exchange.timeoutMs} ms`, true);
    const code = (error as { code?: string }).code ?? '';
    throw failure(hop, (error as Error).message, !NEVER_CONNECTED.includes(code));
  }
}

async function storeCookies(jar: CookieJar | undefined, response: IncomingMessage, url: URL) {
  if (!jar) return;
  for (const cookie of response.headersDistinct['set-cookie'] ?? []) {
    // A cookie the page may not set (another domain, a public suffix) is dropped, as a browser would.
    await jar.setCookie(cookie, url.href, { ignoreError: true });
  }
}

/** The final response's body within the cap; any other read failure happened after the server answered. */
async function readFinalBody(
  hop: HopRequest,
  response: IncomingMessage,
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
    return await readBodyWithin(response, headers['content-length'], maxBytes, tooLarge);
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
  let response: IncomingMessage | undefined;
  try {
    for (let index = 0; ; index++) {
      const plan = planTarget(hop.url, init);
      if (plan instanceof OutboundBlockedError) {
        throw index > 0 ? new OutboundBlockedError(plan.url, plan.reason, true) : plan;
      }
      response = await sendHop(hop, plan, exchange, index > 0);
      await storeCookies(init.cookieJar, response, hop.url);
      const headers = flattenHeaders(response.headersDistinct);
      const status = response.statusCode ?? 0;
      if (isFollowedRedirect(status, headers.location, index < maxRedirects)) {
        await discardBody(response);
        hop = redirectedRequest(hop, status, headers.location as string);
        continue;
      }
      const body = await readFinalBody(hop, response, headers, exchange);
      return { status, url: hop.url.href, headers, body };
    }
  } finally {
    clearTimeout(timer);
    // A body left unread (a redirect to a bad Location, say) would hold its connection open: close it.
    if (response && !response.readableEnded) response.destroy();
  }
}
