import { request } from 'undici';

/**
 * Outbound HTTP for form pages and provider calls.
 *
 * `CASCADE_CONNECT_TO` (local mode only) routes hosts to a loopback peer, like curl's `--connect-to`:
 * `*.example=http://127.0.0.1:8790,api.linkedin.test=http://127.0.0.1:8791`. The request keeps its
 * original URL semantics (Host header, relative links, cookies) while the socket goes to the peer.
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
  timeoutMs?: number;
}

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
  return parseConnectTo(process.env.CASCADE_CONNECT_TO);
}

export async function outboundRequest(url: string, init: OutboundRequest = {}): Promise<OutboundResponse> {
  const maxRedirects = init.maxRedirects ?? 5;
  let current = new URL(url);
  let method = (init.method ?? 'GET').toUpperCase();
  let body = init.body;
  for (let hop = 0; ; hop++) {
    const rule = matchRule(currentRules(), current.hostname);
    const socketUrl = rule ? new URL(current.pathname + current.search, rule.target) : current;
    const headers: Record<string, string> = {
      'user-agent': 'Cascade/0.1 (+https://github.com/cascade-outreach)',
      ...init.headers,
    };
    if (rule) {
      headers.host = current.host;
      headers['x-forwarded-proto'] = current.protocol.replace(':', '');
    }
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(socketUrl, {
        method: method as 'GET',
        headers,
        body,
        headersTimeout: init.timeoutMs ?? 10_000,
        bodyTimeout: init.timeoutMs ?? 10_000,
      });
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      // Connection never established: the server cannot have seen the request.
      const neverConnected = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'].includes(code);
      throw new OutboundRequestError(
        `${method} ${current.href} failed: ${(error as Error).message}`,
        current.href,
        !neverConnected,
      );
    }
    const responseHeaders: Record<string, string> = {};
    for (const [key, value] of Object.entries(response.headers)) {
      if (value !== undefined) responseHeaders[key] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    const location = responseHeaders.location;
    if (response.statusCode >= 300 && response.statusCode < 400 && location && hop < maxRedirects) {
      await response.body.dump();
      current = new URL(location, current);
      if (
        response.statusCode === 303 ||
        ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')
      ) {
        method = 'GET';
        body = undefined;
      }
      continue;
    }
    return {
      status: response.statusCode,
      url: current.href,
      headers: responseHeaders,
      body: await response.body.text(),
    };
  }
}
