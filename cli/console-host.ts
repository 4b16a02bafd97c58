import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';

/**
 * `cascade serve`'s static hosting of the operator console (PRODUCT.md §12) at `/console/`, on the API's origin:
 * what CloudFront + S3 do when deployed, so these requests never reach the API Lambda. It serves the in-memory
 * build (console/build.ts), a `config.json` pointing the page at this origin's `/v1` with token sign-in, and trades
 * the one-time code of the printed login link for the operator token (`POST /console/session`).
 */

export interface ConsoleFile {
  body: Buffer;
  contentType: string;
}

export interface ConsoleBuild {
  files: Map<string, ConsoleFile>;
  gzipBytes: number;
}

export interface ConsoleHostOptions {
  /** `http://127.0.0.1:<port>`: the origin of the API and the console. */
  origin: string;
  /** The operator token a login code is traded for. */
  token: string;
  /** The build to serve (default: console/build.ts's `buildConsole()`). */
  build?: () => Promise<ConsoleBuild>;
  /** Content-Security-Policy (default: console/build.ts's, else a same-origin policy). */
  contentSecurityPolicy?: string;
  /** The clock login codes expire on (tests move it). */
  nowMs?: () => number;
  log?: (line: string) => void;
}

export interface ConsoleHost {
  /** Answers a request under `/console` (the caller checks `isConsolePath`). */
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
  /** A fresh one-time login link: `<origin>/console/#/login?code=<code>`, valid once and for 15 minutes. */
  newLoginLink(): string;
  /**
   * The build: started on first use (`cascade serve` asks at start; a server started for the API alone, as the
   * CLI verbs and most tests do, never pays for it). Rejects with the build's error (the console then answers 503).
   */
  readonly ready: Promise<ConsoleBuild>;
}

export const CONSOLE_PATH = '/console';
/** How long a login link works. */
export const LOGIN_CODE_TTL_MS = 15 * 60_000;
/** A session request holds one code: anything larger is not one. */
const MAX_SESSION_BODY_BYTES = 4_096;

/** The policy when console/build.ts gives none: everything from this origin, nothing inline, no framing. */
const SAME_ORIGIN_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

export const isConsolePath = (url: string | undefined): boolean => {
  const path = (url ?? '/').split('?')[0] ?? '/';
  return path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`);
};

/** The console's build and CSP, from console/build.ts (loaded on demand: esbuild is only needed when serving). */
async function consoleModule(): Promise<{ build: () => Promise<ConsoleBuild>; contentSecurityPolicy?: string }> {
  const module = await import('../console/build');
  const policy = (module as { CONSOLE_CONTENT_SECURITY_POLICY?: string }).CONSOLE_CONTENT_SECURITY_POLICY;
  return { build: module.buildConsole, ...(policy && { contentSecurityPolicy: policy }) };
}

/** The headers of every console answer; a policy without `frame-ancestors` gets `'none'` (no framing, clickjacking). */
export function securityHeaders(policy: string): Record<string, string> {
  const csp = /frame-ancestors/.test(policy) ? policy : `${policy}; frame-ancestors 'none'`;
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
}

interface LoginCode {
  expiresAtMs: number;
  used: boolean;
}

/** One-time codes: random, 32 bytes base64url, each traded once within 15 minutes. */
class LoginCodes {
  private readonly codes = new Map<string, LoginCode>();
  constructor(private readonly nowMs: () => number) {}

  mint(): string {
    this.prune();
    const code = randomBytes(32).toString('base64url');
    this.codes.set(code, { expiresAtMs: this.nowMs() + LOGIN_CODE_TTL_MS, used: false });
    return code;
  }

  /** Marks the code used; says why it cannot be, when it cannot. */
  redeem(given: string): 'ok' | 'used' | 'expired' | 'unknown' {
    const entry = this.find(given);
    if (!entry) return 'unknown';
    if (entry.used) return 'used';
    if (this.nowMs() > entry.expiresAtMs) return 'expired';
    entry.used = true;
    return 'ok';
  }

  /** Constant-time comparison against every live code: a guess learns nothing from the answer's timing. */
  private find(given: string): LoginCode | undefined {
    const candidate = Buffer.from(given);
    let found: LoginCode | undefined;
    for (const [code, entry] of this.codes) {
      const known = Buffer.from(code);
      if (known.length === candidate.length && timingSafeEqual(known, candidate)) found = entry;
    }
    return found;
  }

  /** Codes are kept an hour past their expiry (a late reuse still hears 410), then forgotten. */
  private prune(): void {
    const horizon = this.nowMs() - 60 * 60_000;
    for (const [code, entry] of this.codes) if (entry.expiresAtMs < horizon) this.codes.delete(code);
  }
}

function send(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Buffer | string,
  head = false,
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  response.writeHead(status, { ...headers, 'content-length': String(bytes.length) });
  response.end(head ? undefined : bytes);
}

const sendJson = (response: ServerResponse, status: number, headers: Record<string, string>, value: unknown) =>
  send(
    response,
    status,
    { ...headers, 'content-type': 'application/json', 'cache-control': 'no-store' },
    JSON.stringify(value),
  );

const errorBody = (code: string, message: string) => ({ error: { code, message, details: [] } });

/** The request's origin when it came by a loopback name on our port (`localhost` vs `127.0.0.1`), else ours. */
export function originFor(request: IncomingMessage, origin: string): string {
  const ours = new URL(origin);
  const host = request.headers.host ?? '';
  const match = /^(localhost|127\.0\.0\.1|\[::1\]):(\d+)$/i.exec(host);
  return match && match[2] === ours.port ? `${ours.protocol}//${host.toLowerCase()}` : origin;
}

async function readBody(request: IncomingMessage, limit: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `POST /console/session {code}` → `{token}`; 410 for a used or expired code, 401 for an unknown one. */
async function answerSession(
  request: IncomingMessage,
  response: ServerResponse,
  headers: Record<string, string>,
  codes: LoginCodes,
  token: string,
): Promise<void> {
  const text = await readBody(request, MAX_SESSION_BODY_BYTES);
  let code: unknown;
  try {
    code = text === null ? undefined : (JSON.parse(text) as { code?: unknown }).code;
  } catch {
    code = undefined;
  }
  if (typeof code !== 'string' || code.length === 0 || code.length > 200)
    return sendJson(response, 400, headers, errorBody('validation_error', 'The body must be {"code": "<login code>"}'));
  const verdict = codes.redeem(code);
  if (verdict === 'ok') return sendJson(response, 200, headers, { token });
  if (verdict === 'used')
    return sendJson(response, 410, headers, errorBody('login_link_used', 'This login link was already used'));
  if (verdict === 'expired')
    return sendJson(response, 410, headers, errorBody('login_link_expired', 'This login link has expired'));
  return sendJson(response, 401, headers, errorBody('unauthorized', 'Unknown login code'));
}

/** The console's host; the build starts when first needed, and requests wait for it. */
export function createConsoleHost(options: ConsoleHostOptions): ConsoleHost {
  const codes = new LoginCodes(options.nowMs ?? Date.now);
  const loaded = options.build
    ? Promise.resolve({ build: options.build, contentSecurityPolicy: undefined })
    : consoleModule();
  let building: Promise<ConsoleBuild> | undefined;
  const built = () => {
    if (!building) {
      building = loaded.then(({ build }) => build());
      // Observed here so a failed build is not an unhandled rejection; requests and the banner report it.
      building.catch(() => undefined);
    }
    return building;
  };
  const policy = loaded.then(
    (module) => options.contentSecurityPolicy ?? module.contentSecurityPolicy ?? SAME_ORIGIN_POLICY,
    () => options.contentSecurityPolicy ?? SAME_ORIGIN_POLICY,
  );

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const headers = securityHeaders(await policy);
    const path = new URL(request.url ?? '/', 'http://console.invalid').pathname;
    const method = (request.method ?? 'GET').toUpperCase();
    if (path === `${CONSOLE_PATH}/session`) {
      if (method !== 'POST')
        return sendJson(
          response,
          405,
          { ...headers, allow: 'POST' },
          errorBody('method_not_allowed', `${method} is not allowed`),
        );
      return answerSession(request, response, headers, codes, options.token);
    }
    if (method !== 'GET' && method !== 'HEAD')
      return sendJson(
        response,
        405,
        { ...headers, allow: 'GET, HEAD' },
        errorBody('method_not_allowed', `${method} is not allowed`),
      );
    // `/console` → `/console/`: the page's relative `./app.js` must resolve under it.
    if (path === CONSOLE_PATH) return send(response, 308, { ...headers, location: `${CONSOLE_PATH}/` }, '');
    const head = method === 'HEAD';
    const name = path.slice(CONSOLE_PATH.length + 1) || 'index.html';
    if (name === 'config.json')
      return sendJson(response, 200, headers, { apiUrl: `${originFor(request, options.origin)}/v1`, auth: 'token' });
    let build: ConsoleBuild;
    try {
      build = await built();
    } catch (error) {
      return sendJson(
        response,
        503,
        headers,
        errorBody('console_unavailable', `the console did not build: ${(error as Error).message}`),
      );
    }
    const file = build.files.get(name);
    if (!file)
      return send(response, 404, { ...headers, 'content-type': 'text/plain; charset=utf-8' }, 'Not found', head);
    // The page is small and changes with each serve: always revalidated, never stale.
    return send(
      response,
      200,
      { ...headers, 'content-type': file.contentType, 'cache-control': 'no-cache' },
      file.body,
      head,
    );
  }

  return {
    handle,
    get ready() {
      return built();
    },
    newLoginLink: () => `${options.origin}${CONSOLE_PATH}/#/login?code=${codes.mint()}`,
  };
}

/**
 * Puts the console in front of an HTTP server's own handler (the API Gateway twin): `/console…` is answered here,
 * everything else goes on as before. The adapter has no static-hosting hook, so its request listener is wrapped.
 */
export function mountConsole(server: Server, host: ConsoleHost, log: (line: string) => void): void {
  const others = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (!isConsolePath(request.url)) {
      for (const listener of others) listener.call(server, request, response);
      return;
    }
    host.handle(request, response).catch((error: unknown) => {
      log(`console: ${(error as Error).stack ?? String(error)}`);
      if (!response.headersSent) sendJson(response, 500, {}, errorBody('internal_error', 'the console host failed'));
      else response.destroy();
    });
  });
}
