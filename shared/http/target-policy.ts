import { localNetworkSetting } from '../config/settings';
import { normalizeAddress } from './address-class';
import { addressRefusal } from './address-guard';
import { OutboundBlockedError } from './errors';

/**
 * Which targets a request may go to, decided before connecting: only http(s); a literal address the guard
 * refuses is blocked. The guard is lifted by `allowPrivateNetwork` (or `CASCADE_ALLOW_PRIVATE_NETWORK=1`), and
 * for trusted peers only: the targets of `CASCADE_CONNECT_TO` rules and the exact origins listed in
 * `CASCADE_TRUSTED_ORIGINS` (comma-separated, e.g. `http://127.0.0.1:8791`).
 *
 * `CASCADE_CONNECT_TO` (local mode only) routes hosts to a loopback peer, like curl's `--connect-to`:
 * `*.example=http://127.0.0.1:8790,api.linkedin.test=http://127.0.0.1:8791`. The request keeps its
 * original URL semantics (Host header, relative links, cookies) while the socket goes to the peer.
 */

export const ALLOW_HINT = 'use --allow-private-network for local testing';

export interface ConnectRule {
  pattern: string;
  target: URL;
}

/** The trimmed, non-empty entries of a comma-separated setting. */
function listEntries(spec: string | undefined): string[] {
  if (!spec) return [];
  return spec
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

export function parseConnectTo(spec: string | undefined): ConnectRule[] {
  return listEntries(spec).map((entry) => {
    const [pattern, target] = entry.split('=');
    if (!pattern || !target)
      throw new Error(`CASCADE_CONNECT_TO entry "${entry}" must look like host=http://127.0.0.1:port`);
    return { pattern: pattern.toLowerCase(), target: new URL(target) };
  });
}

/** Exact origins from `CASCADE_TRUSTED_ORIGINS` (`http://127.0.0.1:8791,http://localhost:9000`). */
export function parseTrustedOrigins(spec: string | undefined): string[] {
  return listEntries(spec).map((entry) => {
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

export interface CheckOptions {
  allowPrivateNetwork?: boolean;
}

export interface TargetPlan {
  url: URL;
  /** Set when the socket goes to a `CASCADE_CONNECT_TO` peer instead of the URL's host. */
  rule: ConnectRule | undefined;
  /** Resolved addresses must be checked at connect time. */
  guarded: boolean;
}

/** Where the request for `url` connects and whether its DNS answers are guarded, or why it is refused. */
export function planTarget(url: URL, options: CheckOptions): TargetPlan | OutboundBlockedError {
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
