import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, isIPv4, isIPv6 } from 'node:net';
import type { CookieJar } from 'tough-cookie';
import { Agent, type Dispatcher, request } from 'undici';
import { localNetworkSetting, runtimeVariable } from '../config/settings';

/**
 * Outbound HTTP for form pages and provider calls.
 *
 * `CASCADE_CONNECT_TO` (local mode only) routes hosts to a loopback peer, like curl's `--connect-to`:
 * `*.example=http://127.0.0.1:8790,api.linkedin.test=http://127.0.0.1:8791`. The request keeps its
 * original URL semantics (Host header, relative links, cookies) while the socket goes to the peer.
 *
 * Every request, and every redirect hop, is guarded (docs/product.md §7 "Outbound fetches"): only http(s), and
 * never a loopback, private, link-local, metadata or otherwise non-public address — checked on the literal
 * host before connecting and on every address DNS returns, inside the socket's own lookup, so the address
 * checked is the address connected to. The guard is lifted by `allowPrivateNetwork` (or
 * `CASCADE_ALLOW_PRIVATE_NETWORK=1`), and for trusted peers only: the targets of `CASCADE_CONNECT_TO` rules
 * and the exact origins listed in `CASCADE_TRUSTED_ORIGINS` (comma-separated, e.g. `http://127.0.0.1:8791`).
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

const ALLOW_HINT = 'use --allow-private-network for local testing';

export class OutboundRequestError extends Error {
  override name = 'OutboundRequestError';
  constructor(
    message: string,
    readonly url: string,
    /** True when the request may have reached the server (the outcome is unknown). */
    readonly maybeDelivered: boolean,
  ) {
    super(message);
  }
}

/** The response body went over the cap; the server did answer, so the request was delivered. */
export class OutboundResponseTooLargeError extends OutboundRequestError {
  override name = 'OutboundResponseTooLargeError';
  constructor(
    message: string,
    url: string,
    readonly limitBytes: number,
  ) {
    super(message, url, true);
  }
}

/**
 * A fetch refused by the guard, before any connection to `url` was made. When the refused URL came from a
 * redirect, an earlier hop did reach a server: `maybeDelivered` says so (e.g. a POST answered by a 302).
 */
export class OutboundBlockedError extends Error {
  override name = 'OutboundBlockedError';
  constructor(
    readonly url: string,
    /** Why, e.g. `127.0.0.1 is a loopback address`. */
    readonly reason: string,
    /** True when refused at a redirect hop: the request that led here did reach a server. */
    readonly maybeDelivered = false,
  ) {
    super(`refused to fetch ${url}: ${reason}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Address classification (pure)

type Range = readonly [base: number, prefix: number, label: string];

function ipv4(text: string): number {
  return text.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

/** Most specific first; anything not listed is public. */
const IPV4_RANGES: readonly Range[] = [
  [ipv4('0.0.0.0'), 32, 'unspecified'],
  [ipv4('0.0.0.0'), 8, 'this-network'],
  [ipv4('10.0.0.0'), 8, 'private'],
  [ipv4('100.64.0.0'), 10, 'carrier-grade NAT'],
  [ipv4('127.0.0.0'), 8, 'loopback'],
  [ipv4('169.254.169.254'), 32, 'cloud metadata'],
  [ipv4('169.254.170.2'), 32, 'cloud metadata'],
  [ipv4('169.254.0.0'), 16, 'link-local'],
  [ipv4('172.16.0.0'), 12, 'private'],
  [ipv4('192.0.0.0'), 24, 'reserved'],
  [ipv4('192.0.2.0'), 24, 'documentation'],
  [ipv4('192.88.99.0'), 24, 'reserved'],
  [ipv4('192.168.0.0'), 16, 'private'],
  [ipv4('198.18.0.0'), 15, 'benchmarking'],
  [ipv4('198.51.100.0'), 24, 'documentation'],
  [ipv4('203.0.113.0'), 24, 'documentation'],
  [ipv4('224.0.0.0'), 4, 'multicast'],
  [ipv4('255.255.255.255'), 32, 'broadcast'],
  [ipv4('240.0.0.0'), 4, 'reserved'],
];

function classifyIPv4(value: number): string | undefined {
  for (const [base, prefix, label] of IPV4_RANGES) {
    const size = 2 ** (32 - prefix);
    if (value >= base && value < base + size) return label;
  }
  return undefined;
}

/** The eight 16-bit groups of a valid IPv6 address (no zone index). */
function ipv6Groups(text: string): number[] {
  let head = text;
  const tail: number[] = [];
  const lastColon = head.lastIndexOf(':');
  const last = head.slice(lastColon + 1);
  if (last.includes('.')) {
    const value = ipv4(last);
    tail.push(Math.floor(value / 65536), value % 65536);
    head = head.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const parse = (part: string) => (part ? part.split(':').map((group) => Number.parseInt(group, 16)) : []);
  const gap = head.indexOf('::');
  if (gap === -1) return [...parse(head), ...tail];
  const before = parse(head.slice(0, gap));
  const after = [...parse(head.slice(gap + 2)), ...tail];
  return [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after];
}

function embeddedIPv4(high: number, low: number): number {
  return high * 65536 + low;
}

function classifyIPv6(groups: number[]): string | undefined {
  const g = (index: number) => groups[index] ?? 0;
  const zeroUpTo = (count: number) => groups.slice(0, count).every((group) => group === 0);
  const inner = (label: string, value: number) => {
    const found = classifyIPv4(value);
    return found ? `${label} ${found}` : undefined;
  };
  if (zeroUpTo(8)) return 'unspecified';
  if (zeroUpTo(7) && g(7) === 1) return 'loopback';
  // ::ffff:a.b.c.d (IPv4-mapped) and ::ffff:0:a.b.c.d (IPv4-translated) reach the embedded IPv4 address.
  if (zeroUpTo(5) && g(5) === 0xffff) return inner('IPv4-mapped', embeddedIPv4(g(6), g(7)));
  if (zeroUpTo(4) && g(4) === 0xffff && g(5) === 0) return inner('IPv4-translated', embeddedIPv4(g(6), g(7)));
  // ::a.b.c.d (deprecated IPv4-compatible) and the rest of ::/8.
  if (zeroUpTo(6)) return inner('IPv4-compatible', embeddedIPv4(g(6), g(7))) ?? 'reserved';
  if (g(0) <= 0x00ff) {
    if (g(0) === 0x64 && g(1) === 0xff9b && g(2) === 0 && g(3) === 0 && g(4) === 0 && g(5) === 0) {
      return inner('NAT64', embeddedIPv4(g(6), g(7)));
    }
    if (g(0) === 0x64 && g(1) === 0xff9b && g(2) === 1) return 'local-use NAT64';
    return 'reserved';
  }
  if (g(0) === 0x0100 && g(1) === 0 && g(2) === 0 && g(3) === 0) return 'discard-only';
  if (g(0) === 0x2001 && g(1) === 0) {
    // Teredo: the client's IPv4 address is stored inverted in the last 32 bits.
    return inner('Teredo', embeddedIPv4(g(6) ^ 0xffff, g(7) ^ 0xffff));
  }
  if (g(0) === 0x2001 && g(1) === 0x0002 && g(2) === 0) return 'benchmarking';
  if (g(0) === 0x2001 && g(1) === 0x0db8) return 'documentation';
  if (g(0) === 0x3fff && g(1) < 0x1000) return 'documentation';
  if (g(0) === 0x2002) return inner('6to4', embeddedIPv4(g(1), g(2)));
  if (g(0) === 0xfd00 && g(1) === 0x0ec2 && groups.slice(2, 7).every((group) => group === 0) && g(7) === 0x254) {
    return 'cloud metadata';
  }
  if ((g(0) & 0xfe00) === 0xfc00) return 'unique-local';
  if ((g(0) & 0xffc0) === 0xfe80) return 'link-local';
  if ((g(0) & 0xffc0) === 0xfec0) return 'site-local';
  if ((g(0) & 0xff00) === 0xff00) return 'multicast';
  // Only 2000::/3 is allocated for global unicast.
  if ((g(0) & 0xe000) !== 0x2000) return 'reserved';
  return undefined;
}

/**
 * The IP address `text` denotes, canonical (dotted IPv4, or IPv6 without brackets or zone), or undefined
 * when it is not an IP literal. Odd IPv4 spellings (`2130706433`, `0x7f000001`, `0177.0.0.1`, `127.1`) are
 * read the way WHATWG URL parsing — and therefore the request — reads them.
 */
export function normalizeAddress(text: string): string | undefined {
  let candidate = text.trim();
  if (candidate.startsWith('[') && candidate.endsWith(']')) candidate = candidate.slice(1, -1);
  const zone = candidate.indexOf('%');
  if (zone !== -1 && candidate.includes(':')) candidate = candidate.slice(0, zone);
  if (isIP(candidate)) return candidate.toLowerCase();
  if (!/^[0-9a-fx.]+$/i.test(candidate)) return undefined;
  try {
    const { hostname } = new URL(`http://${candidate}/`);
    return isIPv4(hostname) ? hostname : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The class of a blocked address (`loopback`, `private`, `link-local`, `IPv4-mapped loopback`, …), or
 * undefined when the address is public — or not an IP literal at all (a host name is checked after DNS).
 */
export function classifyAddress(ip: string): string | undefined {
  const address = normalizeAddress(ip);
  if (!address) return undefined;
  if (isIPv4(address)) return classifyIPv4(ipv4(address));
  if (isIPv6(address)) return classifyIPv6(ipv6Groups(address));
  return undefined;
}

function article(label: string): string {
  return /^(?:[aeio]|IPv|NAT|un(?!i))/i.test(label) ? 'an' : 'a';
}

function blockedReason(host: string, label: string, resolved?: string): string {
  const what = `${article(label)} ${label} address`;
  return resolved ? `${host} resolves to ${resolved}, ${what}` : `${host} is ${what}`;
}

// ---------------------------------------------------------------------------------------------------------
// Policy: which targets are trusted, and the pre-connection check

interface ConnectRule {
  pattern: string;
  target: URL;
}

export function parseConnectTo(spec: string | undefined): ConnectRule[] {
  if (!spec) return [];
  return spec
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [pattern, target] = entry.split('=');
      if (!pattern || !target)
        throw new Error(`CASCADE_CONNECT_TO entry "${entry}" must look like host=http://127.0.0.1:port`);
      return { pattern: pattern.toLowerCase(), target: new URL(target) };
    });
}

/** Exact origins from `CASCADE_TRUSTED_ORIGINS` (`http://127.0.0.1:8791,http://localhost:9000`). */
export function parseTrustedOrigins(spec: string | undefined): string[] {
  if (!spec) return [];
  return spec
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      let origin: string;
      try {
        origin = new URL(entry).origin;
      } catch {
        origin = 'null';
      }
      if (origin === 'null')
        throw new Error(`CASCADE_TRUSTED_ORIGINS entry "${entry}" must be an origin like http://127.0.0.1:8791`);
      return origin;
    });
}

function matchRule(rules: ConnectRule[], host: string): ConnectRule | undefined {
  const lower = host.toLowerCase();
  return rules.find((rule) =>
    rule.pattern.startsWith('*.')
      ? lower.endsWith(rule.pattern.slice(1)) || lower === rule.pattern.slice(2)
      : lower === rule.pattern,
  );
}

/** Read at call time so a local stack started after import still applies. */
function currentRules(): ConnectRule[] {
  return parseConnectTo(localNetworkSetting('CASCADE_CONNECT_TO'));
}

function privateNetworkAllowed(override: boolean | undefined): boolean {
  return override ?? localNetworkSetting('CASCADE_ALLOW_PRIVATE_NETWORK') === '1';
}

/** Origins the operator configured: `CASCADE_TRUSTED_ORIGINS` and the targets of `CASCADE_CONNECT_TO`. */
function trustedOrigins(rules: ConnectRule[]): Set<string> {
  return new Set([
    ...parseTrustedOrigins(localNetworkSetting('CASCADE_TRUSTED_ORIGINS')),
    ...rules.map((rule) => rule.target.origin),
  ]);
}

/** The host part of `AWS_LAMBDA_RUNTIME_API` (`127.0.0.1:9001`), never a fetch target. */
function lambdaRuntimeHost(): string | undefined {
  const value = runtimeVariable('AWS_LAMBDA_RUNTIME_API');
  if (!value) return undefined;
  try {
    const host = new URL(`http://${value}`).hostname.toLowerCase();
    return normalizeAddress(host) ?? host;
  } catch {
    return undefined;
  }
}

/** Why `address` (canonical IP) or `host` must not be connected to, or undefined. */
function addressRefusal(host: string, address: string | undefined, resolved: boolean): string | undefined {
  const runtime = lambdaRuntimeHost();
  const subject = address ?? host;
  if (runtime && (runtime === host.toLowerCase() || runtime === address)) {
    return resolved
      ? `${host} resolves to ${subject}, the Lambda runtime API address`
      : `${host} is the Lambda runtime API address`;
  }
  if (!address) return undefined;
  const label = classifyAddress(address);
  if (!label) return undefined;
  return resolved ? blockedReason(host, label, address) : blockedReason(address, label);
}

interface CheckOptions {
  allowPrivateNetwork?: boolean;
}

interface TargetPlan {
  url: URL;
  /** Set when the socket goes to a `CASCADE_CONNECT_TO` peer instead of the URL's host. */
  rule: ConnectRule | undefined;
  /** Resolved addresses must be checked at connect time. */
  guarded: boolean;
}

function planTarget(url: URL, options: CheckOptions): TargetPlan | OutboundBlockedError {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return new OutboundBlockedError(url.href, `only http and https URLs are allowed, not ${url.protocol}`);
  }
  const rules = currentRules();
  const rule = matchRule(rules, url.hostname);
  if (privateNetworkAllowed(options.allowPrivateNetwork) || rule || trustedOrigins(rules).has(url.origin)) {
    return { url, rule, guarded: false };
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const refusal = addressRefusal(host, normalizeAddress(host), false);
  if (refusal) return new OutboundBlockedError(url.href, `${refusal} (${ALLOW_HINT})`);
  return { url, rule, guarded: true };
}

/**
 * The pre-connection check `outboundRequest` makes on each URL (scheme, literal address, trusted peers),
 * as an error to report, or undefined when the URL may be fetched. A host name is checked again, on
 * every address DNS returns for it, when the request connects.
 */
export function checkUrlTarget(url: string | URL, options: CheckOptions = {}): OutboundBlockedError | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return new OutboundBlockedError(String(url), 'not a valid URL');
  }
  const plan = planTarget(parsed, options);
  return plan instanceof OutboundBlockedError ? plan : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Connect-time guard: the socket's own DNS lookup refuses blocked addresses

/** Raised inside the socket's lookup; turned into an OutboundBlockedError naming the URL. */
class BlockedLookupError extends Error {
  override name = 'BlockedLookupError';
  readonly code = 'CASCADE_OUTBOUND_BLOCKED';
}

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;

function guardedLookup(
  hostname: string,
  options: { family?: number; hints?: number; all?: boolean },
  callback: LookupCallback,
): void {
  dnsLookup(
    hostname,
    { all: true, family: options.family ?? 0, ...(options.hints ? { hints: options.hints } : {}) },
    (error, addresses) => {
      if (error) return callback(error, []);
      if (addresses.length === 0)
        return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      for (const entry of addresses) {
        const refusal = addressRefusal(hostname, normalizeAddress(entry.address) ?? entry.address, true);
        if (refusal) return callback(new BlockedLookupError(refusal), []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0] as LookupAddress;
      callback(null, first.address, first.family);
    },
  );
}

let guardedAgent: Agent | undefined;

/** Dispatcher for untrusted targets: every connection resolves through `guardedLookup`. */
function guardedDispatcher(): Dispatcher {
  guardedAgent ??= new Agent({ connect: { lookup: guardedLookup as never } });
  return guardedAgent;
}

function findBlockedLookup(error: unknown): BlockedLookupError | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof BlockedLookupError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// The request

const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'];

async function readCapped(
  body: Dispatcher.ResponseData['body'],
  limit: number,
  onTooLarge: () => Error,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buffer.length;
    if (size > limit) {
      body.destroy();
      throw onTooLarge();
    }
    chunks.push(buffer);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

export async function outboundRequest(url: string, init: OutboundRequest = {}): Promise<OutboundResponse> {
  const maxRedirects = init.maxRedirects ?? 5;
  const timeoutMs = init.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = init.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  let current = new URL(url);
  let method = (init.method ?? 'GET').toUpperCase();
  let body = init.body;
  let extraHeaders: Record<string, string> = { ...init.headers };

  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  try {
    for (let hop = 0; ; hop++) {
      const plan = planTarget(current, init);
      if (plan instanceof OutboundBlockedError) {
        throw hop > 0 ? new OutboundBlockedError(plan.url, plan.reason, true) : plan;
      }
      const { rule } = plan;
      const socketUrl = rule ? new URL(current.pathname + current.search, rule.target) : current;
      const headers: Record<string, string> = {
        'user-agent': 'Cascade/0.1 (+https://github.com/cascade-outreach)',
        ...extraHeaders,
      };
      if (rule) {
        headers.host = current.host;
        headers['x-forwarded-proto'] = current.protocol.replace(':', '');
      }
      const jarCookies = init.cookieJar ? await init.cookieJar.getCookieString(current.href) : '';
      if (jarCookies) headers.cookie = jarCookies;
      const failure = (detail: string, maybeDelivered: boolean) =>
        new OutboundRequestError(`${method} ${current.href} failed: ${detail}`, current.href, maybeDelivered);
      let response: Dispatcher.ResponseData;
      try {
        response = await request(socketUrl, {
          method: method as 'GET',
          headers,
          body,
          signal: deadline.signal,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          ...(plan.guarded ? { dispatcher: guardedDispatcher() } : {}),
        });
      } catch (error) {
        const blocked = findBlockedLookup(error);
        if (blocked) throw new OutboundBlockedError(current.href, `${blocked.message} (${ALLOW_HINT})`, hop > 0);
        if (deadline.signal.aborted) throw failure(`timed out after ${timeoutMs} ms`, true);
        const code = (error as { code?: string }).code ?? '';
        // Connection never established: the server cannot have seen the request.
        const neverConnected = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'].includes(code);
        throw failure((error as Error).message, !neverConnected);
      }
      if (init.cookieJar) {
        const setCookies = response.headers['set-cookie'];
        for (const cookie of Array.isArray(setCookies) ? setCookies : setCookies ? [setCookies] : []) {
          // A cookie the page may not set (another domain, a public suffix) is dropped, as a browser would.
          await init.cookieJar.setCookie(cookie, current.href, { ignoreError: true });
        }
      }
      const responseHeaders: Record<string, string> = {};
      for (const [key, value] of Object.entries(response.headers)) {
        if (value !== undefined) responseHeaders[key] = Array.isArray(value) ? value.join(', ') : String(value);
      }
      const location = responseHeaders.location;
      if (response.statusCode >= 300 && response.statusCode < 400 && location && hop < maxRedirects) {
        await response.body.dump().catch(() => undefined);
        const next = new URL(location, current);
        if (next.origin !== current.origin) {
          // Credentials meant for one origin never follow a redirect to another.
          extraHeaders = Object.fromEntries(
            Object.entries(extraHeaders).filter(([name]) => !CREDENTIAL_HEADERS.includes(name.toLowerCase())),
          );
        }
        current = next;
        if (
          response.statusCode === 303 ||
          ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')
        ) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      const tooLarge = () =>
        new OutboundResponseTooLargeError(
          `${method} ${current.href} failed: response body exceeds the ${maxBytes}-byte limit`,
          current.href,
          maxBytes,
        );
      const declared = Number(responseHeaders['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        response.body.destroy();
        throw tooLarge();
      }
      let text: string;
      try {
        text = await readCapped(response.body, maxBytes, tooLarge);
      } catch (error) {
        if (error instanceof OutboundResponseTooLargeError) throw error;
        if (deadline.signal.aborted) throw failure(`timed out after ${timeoutMs} ms`, true);
        throw failure((error as Error).message, true);
      }
      return { status: response.statusCode, url: current.href, headers: responseHeaders, body: text };
    }
  } finally {
    clearTimeout(timer);
  }
}
