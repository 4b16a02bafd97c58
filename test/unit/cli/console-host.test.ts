import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ConsoleBuild,
  type ConsoleHost,
  createConsoleHost,
  isConsolePath,
  LOGIN_CODE_TTL_MS,
  mountConsole,
  securityHeaders,
} from '#cli/console-host';

/** The API's error body (`{"error":{"code","message"}}`). */
interface ErrorBody {
  error: { code: string; message: string };
}

/** The console's static host in front of a server whose own handler stands in for the API twin. */

const TOKEN = 'operator-token-for-console-host';
const POLICY = "default-src 'self'; frame-ancestors 'none'";

const file = (text: string, contentType: string) => ({ body: Buffer.from(text), contentType });
const BUILD: ConsoleBuild = {
  files: new Map([
    ['index.html', file('<!doctype html><title>Console</title>', 'text/html; charset=utf-8')],
    ['app.js', file('console.log("app")', 'text/javascript; charset=utf-8')],
    ['app.css', file('body{margin:0}', 'text/css; charset=utf-8')],
  ]),
  gzipBytes: 100,
};

let server: Server | undefined;
let apiCalls: string[] = [];

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  apiCalls = [];
});

/** A server whose own handler answers "api", with the console mounted in front; its origin and the host. */
async function serve(options: { build?: () => Promise<ConsoleBuild>; nowMs?: () => number } = {}) {
  server = createServer((request, response) => {
    apiCalls.push(`${request.method} ${request.url}`);
    response.end('api');
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const host: ConsoleHost = createConsoleHost({
    origin,
    token: TOKEN,
    build: options.build ?? (async () => BUILD),
    contentSecurityPolicy: POLICY,
    ...(options.nowMs && { nowMs: options.nowMs }),
  });
  mountConsole(server, host, () => undefined);
  return { origin, host };
}

const codeOf = (link: string) => new URL(link.replace('#/login', '')).searchParams.get('code') ?? '';
const session = (origin: string, code: unknown) =>
  fetch(`${origin}/console/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });

describe('the console host', () => {
  it('serves index.html and the bundle with their content types and the security headers', async () => {
    // Prepare
    const { origin } = await serve();

    // Act
    const index = await fetch(`${origin}/console/`);
    const script = await fetch(`${origin}/console/app.js`);
    const style = await fetch(`${origin}/console/app.css`);
    const bare = await fetch(`${origin}/console`, { redirect: 'manual' });
    const missing = await fetch(`${origin}/console/nothing.js`);

    // Assess
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toContain('<title>Console</title>');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log("app")');
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    for (const answer of [index, script, style, missing]) {
      expect(answer.headers.get('content-security-policy')).toBe(POLICY);
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    }
    expect(bare.status).toBe(308);
    expect(bare.headers.get('location')).toBe('/console/');
    expect(missing.status).toBe(404);
    expect(apiCalls).toEqual([]);
  });

  it('answers config.json with this origin’s /v1 and token sign-in, and leaves other paths to the API', async () => {
    // Prepare
    const { origin } = await serve();

    // Act
    const config = await fetch(`${origin}/console/config.json`);
    const api = await fetch(`${origin}/v1/campaigns`);
    const lookalike = await fetch(`${origin}/consoles`);

    // Assess
    expect(config.status).toBe(200);
    expect(config.headers.get('cache-control')).toBe('no-store');
    expect(await config.json()).toEqual({ apiUrl: `${origin}/v1`, auth: 'token' });
    expect(await api.text()).toBe('api');
    expect(await lookalike.text()).toBe('api');
    expect(apiCalls).toEqual(['GET /v1/campaigns', 'GET /consoles']);
  });

  it('trades a login code for the token once: the second use is 410, an unknown code 401', async () => {
    // Prepare
    const { origin, host } = await serve();
    const link = host.newLoginLink();
    const code = codeOf(link);

    // Act
    const first = await session(origin, code);
    const again = await session(origin, code);
    const unknown = await session(origin, 'x'.repeat(43));
    const malformed = await session(origin, 42);
    const wrongMethod = await fetch(`${origin}/console/session`);

    // Assess
    expect(link).toMatch(new RegExp(`^${origin}/console/#/login\\?code=[A-Za-z0-9_-]{43}$`));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ token: TOKEN });
    expect(again.status).toBe(410);
    expect(((await again.json()) as ErrorBody).error.code).toBe('login_link_used');
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as ErrorBody).error.code).toBe('unauthorized');
    expect(malformed.status).toBe(400);
    expect(wrongMethod.status).toBe(405);
  });

  it('mints a different code each time, each working once, and refuses one older than 15 minutes', async () => {
    // Prepare
    let now = Date.parse('2026-12-01T09:00:00Z');
    const { origin, host } = await serve({ nowMs: () => now });
    const [one, two, late] = [host.newLoginLink(), host.newLoginLink(), host.newLoginLink()].map(codeOf);

    // Act
    const first = await session(origin, one);
    const second = await session(origin, two);
    now += LOGIN_CODE_TTL_MS + 1;
    const expired = await session(origin, late);

    // Assess
    expect(new Set([one, two, late]).size).toBe(3);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(expired.status).toBe(410);
    expect(((await expired.json()) as ErrorBody).error.code).toBe('login_link_expired');
  });

  it('builds once, when first needed: a server that never serves the console never builds it', async () => {
    // Prepare
    let builds = 0;
    const { origin, host } = await serve({
      build: async () => {
        builds++;
        return BUILD;
      },
    });
    const before = builds;

    // Act
    await Promise.all([fetch(`${origin}/console/`), fetch(`${origin}/console/app.js`)]);
    await host.ready;

    // Assess
    expect(before).toBe(0);
    expect(builds).toBe(1);
  });

  it('answers 503 naming the error when the build failed, and still serves config.json', async () => {
    // Prepare
    const { origin } = await serve({ build: async () => Promise.reject(new Error('esbuild: syntax error')) });

    // Act
    const index = await fetch(`${origin}/console/`);
    const config = await fetch(`${origin}/console/config.json`);

    // Assess
    expect(index.status).toBe(503);
    expect(((await index.json()) as ErrorBody).error.message).toContain('esbuild: syntax error');
    expect(config.status).toBe(200);
  });
});

describe('securityHeaders', () => {
  it("adds frame-ancestors 'none' to a policy without one", () => {
    // Act
    const headers = securityHeaders("default-src 'self'");

    // Assess
    expect(headers['content-security-policy']).toBe("default-src 'self'; frame-ancestors 'none'");
    expect(headers['x-frame-options']).toBe('DENY');
  });
});

describe('isConsolePath', () => {
  it('takes /console and what is under it, nothing else', () => {
    // Act
    const taken = ['/console', '/console/', '/console/app.js?v=1', '/consoles', '/v1/console', '/'].map(isConsolePath);

    // Assess
    expect(taken).toEqual([true, true, true, false, false, false]);
  });
});
