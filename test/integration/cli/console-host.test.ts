import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '#cli/serve';
import { spawnCascade } from '#test/support/cli';
import { CONSOLE_CONTENT_SECURITY_POLICY } from '../../../console/build';

/**
 * `cascade serve` hosts the operator console at `/console/` on the API's origin (PRODUCT.md §12), built at start
 * from console/ and answered beside the API twin, never by the API Lambda (which knows no `/console` route).
 */

const TOKEN = 'console-host-test-token';
let server: ApiServer;

beforeAll(async () => {
  server = await startApiServer({ port: 0, token: TOKEN });
  await server.console?.ready;
}, 120_000);

afterAll(async () => {
  await server?.close();
});

const codeOf = (link: string) => /[?&]code=([^&]+)$/.exec(link)?.[1] ?? '';
const exchange = (origin: string, code: string) =>
  fetch(`${origin}/console/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });

describe('the console in cascade serve', () => {
  it('serves the built page and bundle on the API origin with the console security policy', async () => {
    // Act
    const index = await fetch(server.consoleUrl);
    const html = await index.text();
    const script = await fetch(`${server.url}/console/app.js`);
    const config = await fetch(`${server.url}/console/config.json`);

    // Assess
    expect(server.consoleUrl).toBe(`${server.url}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).toContain('src="./app.js"');
    expect(index.headers.get('content-security-policy')).toBe(CONSOLE_CONTENT_SECURITY_POLICY);
    expect(index.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(index.headers.get('referrer-policy')).toBe('no-referrer');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(1_000);
    expect(await config.json()).toEqual({ apiUrl: server.apiUrl, auth: 'token' });
  });

  it('trades a login link’s code for a token the API accepts, once', async () => {
    // Prepare
    const link = server.newLoginLink();

    // Act
    const first = await exchange(server.url, codeOf(link));
    const { token } = (await first.json()) as { token: string };
    const campaigns = await fetch(`${server.apiUrl}/campaigns`, { headers: { authorization: `Bearer ${token}` } });
    const again = await exchange(server.url, codeOf(link));
    const unknown = await exchange(server.url, 'not-a-code-this-server-minted');

    // Assess
    expect(link.startsWith(`${server.url}/console/#/login?code=`)).toBe(true);
    expect(first.status).toBe(200);
    expect(token).toBe(TOKEN);
    expect(campaigns.status).toBe(200);
    expect(again.status).toBe(410);
    expect(await again.json()).toEqual({
      error: { code: 'login_link_used', message: expect.any(String), details: [] },
    });
    expect(unknown.status).toBe(401);
  });
});

describe('cascade serve as a command', () => {
  let child: ChildProcess | undefined;

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('prints a one-time console login link that signs in once', async () => {
    // Prepare
    const serve = spawnCascade(['serve', '--port', '0'], { CASCADE_API_TOKEN: 'console-banner-token' });
    child = serve;
    let stdout = '';
    serve.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => serve.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 600 && !/Ctrl-C stops/.test(stdout); i++) await new Promise((r) => setTimeout(r, 100));
    const link = /^Console\s+(\S+)/m.exec(stdout)?.[1] ?? '';
    const origin = link ? new URL(link).origin : '';

    // Act
    const page = await fetch(`${origin}/console/`);
    const first = await exchange(origin, codeOf(link));
    const again = await exchange(origin, codeOf(link));
    serve.kill('SIGTERM');

    // Assess
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/console\/#\/login\?code=[A-Za-z0-9_-]{43}$/);
    expect(page.status).toBe(200);
    expect(await first.json()).toEqual({ token: 'console-banner-token' });
    expect(again.status).toBe(410);
    expect(await exited).toBe(0);
  }, 90_000);
});
