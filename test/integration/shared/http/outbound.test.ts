import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CookieJar } from 'tough-cookie';
import { afterEach, describe, expect, it } from 'vitest';
import { OutboundBlockedError, OutboundRequestError, OutboundResponseTooLargeError } from '#shared/http/errors';
import { outboundRequest } from '#shared/http/outbound';
import { isolateEnv } from '#test/support/env';

/** A loopback HTTP server that counts TCP connections and records requests. */
interface Peer {
  url: string;
  port: number;
  connections: number;
  requests: { method: string; url: string; headers: IncomingMessage['headers'] }[];
  server: Server;
}

const peers: Peer[] = [];

async function startPeer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Peer> {
  const server = createServer((req, res) => {
    peer.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  const peer: Peer = { url: '', port: 0, connections: 0, requests: [], server };
  server.on('connection', () => {
    peer.connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  peer.port = (server.address() as AddressInfo).port;
  peer.url = `http://127.0.0.1:${peer.port}`;
  peers.push(peer);
  return peer;
}

const ok =
  (body = 'ok') =>
  (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(body);
  };

const redirectTo =
  (location: string, status = 302) =>
  (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { location });
    res.end();
  };

/** A site at `public.example` (routed to a loopback peer) that answers every request with `handler`. */
async function publicSite(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Peer> {
  const site = await startPeer(handler);
  process.env.CASCADE_CONNECT_TO = `public.example=${site.url}`;
  return site;
}

async function rejection(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the request to fail, it succeeded');
}

isolateEnv(['CASCADE_CONNECT_TO', 'CASCADE_TRUSTED_ORIGINS', 'CASCADE_ALLOW_PRIVATE_NETWORK']);
afterEach(async () => {
  for (const peer of peers.splice(0)) {
    peer.server.closeAllConnections();
    await new Promise<void>((resolve) => peer.server.close(() => resolve()));
  }
});

describe('outboundRequest address guard', () => {
  it('refuses a loopback IP literal without opening a connection', async () => {
    // Prepare
    const peer = await startPeer(ok());

    // Act
    const error = await rejection(outboundRequest(`${peer.url}/contact`));

    // Assess
    expect(error).toBeInstanceOf(OutboundBlockedError);
    expect(error).not.toBeInstanceOf(OutboundRequestError);
    expect(error.message).toBe(
      `refused to fetch ${peer.url}/contact: 127.0.0.1 is a loopback address (use --allow-private-network for local testing)`,
    );
    expect(peer.connections).toBe(0);
  });

  it('refuses odd spellings of loopback (decimal, hex, octal, short, IPv4-mapped) without connecting', async () => {
    // Prepare
    const peer = await startPeer(ok());
    const urls = [
      `http://2130706433:${peer.port}/`,
      `http://0x7f000001:${peer.port}/`,
      `http://0177.0.0.1:${peer.port}/`,
      `http://127.1:${peer.port}/`,
      `http://[::ffff:127.0.0.1]:${peer.port}/`,
      `http://[::ffff:7f00:1]:${peer.port}/`,
    ];

    // Act
    const errors = await Promise.all(urls.map((url) => rejection(outboundRequest(url))));

    // Assess
    for (const error of errors) expect(error).toBeInstanceOf(OutboundBlockedError);
    expect(peer.connections).toBe(0);
  });

  it('refuses localhost after DNS resolution, without connecting', async () => {
    // Prepare
    const peer = await startPeer(ok());

    // Act
    const error = await rejection(outboundRequest(`http://localhost:${peer.port}/`));

    // Assess
    expect(error).toBeInstanceOf(OutboundBlockedError);
    expect(error.message).toMatch(
      new RegExp(
        `^refused to fetch http://localhost:${peer.port}/: localhost resolves to (127\\.0\\.0\\.1|::1), a loopback address`,
      ),
    );
    expect((error as OutboundBlockedError).maybeDelivered).toBe(false);
    expect(peer.connections).toBe(0);
  });

  it('refuses a non-http scheme before anything else', async () => {
    // Prepare
    const url = 'file:///etc/passwd';

    // Act
    const error = await rejection(outboundRequest(url, { allowPrivateNetwork: true }));

    // Assess
    expect(error).toBeInstanceOf(OutboundBlockedError);
    expect(error.message).toMatch(/only http and https URLs are allowed/);
  });

  it('refuses a redirect from a mapped host to a private address, without connecting to it', async () => {
    // Prepare
    const internal = await startPeer(ok('internal secrets'));
    const site = await publicSite(redirectTo(`http://127.0.0.1:${internal.port}/admin`));

    // Act
    const error = await rejection(outboundRequest('http://public.example/start'));

    // Assess
    expect(error).toBeInstanceOf(OutboundBlockedError);
    expect(error.message).toMatch(
      new RegExp(`^refused to fetch http://127\\.0\\.0\\.1:${internal.port}/admin: 127\\.0\\.0\\.1 is a loopback`),
    );
    // The first hop did reach the site: the refusal says so.
    expect((error as OutboundBlockedError).maybeDelivered).toBe(true);
    expect(site.requests.map((request) => [request.url, request.headers.host])).toEqual([['/start', 'public.example']]);
    expect(internal.connections).toBe(0);
  });

  it('refuses a redirect to a non-http scheme', async () => {
    // Prepare
    await publicSite(redirectTo('file:///etc/passwd', 301));

    // Act
    const error = await rejection(outboundRequest('http://public.example/'));

    // Assess
    expect(error).toBeInstanceOf(OutboundBlockedError);
    expect(error.message).toBe('refused to fetch file:///etc/passwd: only http and https URLs are allowed, not file:');
  });

  it('follows the same private redirect when allowPrivateNetwork lifts the guard', async () => {
    // Prepare
    const internal = await startPeer(ok('internal page'));
    await publicSite(redirectTo(`http://127.0.0.1:${internal.port}/admin`));

    // Act
    const response = await outboundRequest('http://public.example/start', { allowPrivateNetwork: true });

    // Assess
    expect(response).toMatchObject({ status: 200, url: `${internal.url}/admin`, body: 'internal page' });
    expect(internal.connections).toBe(1);
  });

  it('lets CASCADE_ALLOW_PRIVATE_NETWORK=1 lift the guard, and allowPrivateNetwork: false restore it', async () => {
    // Prepare
    const peer = await startPeer(ok('local'));
    process.env.CASCADE_ALLOW_PRIVATE_NETWORK = '1';

    // Act
    const response = await outboundRequest(peer.url);
    const error = await rejection(outboundRequest(peer.url, { allowPrivateNetwork: false }));

    // Assess
    expect(response.body).toBe('local');
    expect(error).toBeInstanceOf(OutboundBlockedError);
    expect(peer.connections).toBe(1);
  });

  it('allows exactly the origins in CASCADE_TRUSTED_ORIGINS, directly and after a redirect', async () => {
    // Prepare
    const trusted = await startPeer(ok('sandbox'));
    const untrusted = await startPeer(ok('other'));
    await publicSite((req, res) => {
      const target = req.url === '/to-trusted' ? trusted : untrusted;
      redirectTo(`${target.url}/`)(req, res);
    });
    process.env.CASCADE_TRUSTED_ORIGINS = `${trusted.url}/`;

    // Act
    const direct = await outboundRequest(`${trusted.url}/api`);
    const redirected = await outboundRequest('http://public.example/to-trusted');
    const refusedDirect = await rejection(outboundRequest(`${untrusted.url}/`));
    const refusedRedirect = await rejection(outboundRequest('http://public.example/to-untrusted'));

    // Assess
    expect(direct.body).toBe('sandbox');
    expect(redirected).toMatchObject({ status: 200, body: 'sandbox', url: `${trusted.url}/` });
    expect(refusedDirect).toBeInstanceOf(OutboundBlockedError);
    expect(refusedRedirect).toBeInstanceOf(OutboundBlockedError);
    expect(untrusted.connections).toBe(0);
  });

  it('trusts the target of a CASCADE_CONNECT_TO rule when addressed directly', async () => {
    // Prepare
    const sandbox = await startPeer(ok('sandbox home'));
    process.env.CASCADE_CONNECT_TO = `*.example=${sandbox.url}`;

    // Act
    const mapped = await outboundRequest('https://acme.example/');
    const direct = await outboundRequest(`${sandbox.url}/`);

    // Assess
    expect(mapped.body).toBe('sandbox home');
    expect(direct.body).toBe('sandbox home');
  });

  it('drops credentials when a redirect leaves the origin', async () => {
    // Prepare
    const other = await startPeer(ok('other'));
    const site = await startPeer(redirectTo('http://other.example/landing'));
    process.env.CASCADE_CONNECT_TO = `public.example=${site.url},other.example=${other.url}`;

    // Act
    await outboundRequest('http://public.example/', {
      headers: { authorization: 'Bearer secret', 'X-Api-Key': 'key', accept: 'text/html' },
    });

    // Assess
    expect(site.requests[0]?.headers).toMatchObject({ authorization: 'Bearer secret', 'x-api-key': 'key' });
    expect(other.requests[0]?.headers.authorization).toBeUndefined();
    expect(other.requests[0]?.headers['x-api-key']).toBeUndefined();
    expect(other.requests[0]?.headers.accept).toBe('text/html');
  });
});

describe('outboundRequest cookies', () => {
  it('keeps cookies in a jar across redirect hops and requests, and never sends them to another site', async () => {
    // Prepare: the site sets `sid` on a 302, then redirects to another site; a later request returns.
    const other = await startPeer(ok('other'));
    const site = await startPeer((req, res) => {
      if (req.url === '/start') {
        res.writeHead(302, { 'set-cookie': 'sid=abc; Path=/', location: '/next' });
        return res.end();
      }
      if (req.url === '/next') {
        res.writeHead(302, { 'set-cookie': 'step=2; Path=/next', location: 'http://other.example/' });
        return res.end();
      }
      ok('site')(req, res);
    });
    process.env.CASCADE_CONNECT_TO = `public.example=${site.url},other.example=${other.url}`;
    const cookieJar = new CookieJar();

    // Act
    await outboundRequest('http://public.example/start', { cookieJar });
    await outboundRequest('http://public.example/form', { method: 'POST', body: 'a=1', cookieJar });

    // Assess: the cookie set on the first hop rides the second; `step` only on its path; none leaves the site.
    expect(site.requests.map((request) => [request.url, request.headers.cookie])).toEqual([
      ['/start', undefined],
      ['/next', 'sid=abc'],
      ['/form', 'sid=abc'],
    ]);
    expect(other.requests[0]?.headers.cookie).toBeUndefined();
  });
});

describe('outboundRequest caps', () => {
  const MB = 1024 * 1024;

  it('reads a body of exactly 2 MB', async () => {
    // Prepare
    const peer = await startPeer(ok('x'.repeat(2 * MB)));

    // Act
    const response = await outboundRequest(peer.url, { allowPrivateNetwork: true });

    // Assess
    expect(response.body.length).toBe(2 * MB);
  });

  it('aborts a streamed body that grows past 2 MB', async () => {
    // Prepare
    let written = 0;
    const peer = await startPeer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }); // chunked, no content-length
      const chunk = 'y'.repeat(64 * 1024);
      const pump = () => {
        while (written < 16 * MB && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });

    // Act
    const error = await rejection(outboundRequest(peer.url, { allowPrivateNetwork: true }));

    // Assess
    expect(error).toBeInstanceOf(OutboundResponseTooLargeError);
    expect(error).toBeInstanceOf(OutboundRequestError);
    expect(error.message).toBe(`GET ${peer.url}/ failed: response body exceeds the 2097152-byte limit`);
    expect((error as OutboundResponseTooLargeError).maybeDelivered).toBe(true);
    expect(written).toBeLessThan(16 * MB);
  });

  it('refuses a declared content-length over the cap without reading it', async () => {
    // Prepare
    const peer = await startPeer((_req, res) => {
      res.writeHead(200, { 'content-length': String(3 * MB) });
      res.write('z'.repeat(1024));
    });

    // Act
    const error = await rejection(outboundRequest(peer.url, { allowPrivateNetwork: true }));

    // Assess
    expect(error).toBeInstanceOf(OutboundResponseTooLargeError);
  });

  it('honours a smaller maxResponseBytes', async () => {
    // Prepare
    const peer = await startPeer(ok('a'.repeat(2000)));

    // Act
    const error = await rejection(outboundRequest(peer.url, { allowPrivateNetwork: true, maxResponseBytes: 1000 }));

    // Assess
    expect(error).toBeInstanceOf(OutboundResponseTooLargeError);
    expect((error as OutboundResponseTooLargeError).limitBytes).toBe(1000);
  });

  it('times out a server that never answers', async () => {
    // Prepare
    const peer = await startPeer(() => undefined);
    const started = Date.now();

    // Act
    const error = await rejection(outboundRequest(peer.url, { allowPrivateNetwork: true, timeoutMs: 300 }));

    // Assess
    expect(error).toBeInstanceOf(OutboundRequestError);
    expect(error.message).toBe(`GET ${peer.url}/ failed: timed out after 300 ms`);
    expect((error as OutboundRequestError).maybeDelivered).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('bounds the total time, even for a body that keeps trickling', async () => {
    // Prepare
    const timers: NodeJS.Timeout[] = [];
    const peer = await startPeer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      timers.push(setInterval(() => res.write('.'), 50));
    });
    const started = Date.now();

    // Act
    const error = await rejection(outboundRequest(peer.url, { allowPrivateNetwork: true, timeoutMs: 400 }));
    for (const timer of timers) clearInterval(timer);

    // Assess
    expect(error).toBeInstanceOf(OutboundRequestError);
    expect(error.message).toMatch(/timed out after 400 ms$/);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
