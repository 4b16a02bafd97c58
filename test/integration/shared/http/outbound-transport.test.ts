import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CookieJar } from 'tough-cookie';
import { afterEach, describe, expect, it } from 'vitest';
import { OutboundRequestError } from '#shared/http/errors';
import { outboundRequest } from '#shared/http/outbound';
import { isolateEnv } from '#test/support/env';

/** What `outboundRequest` puts on the wire (node:http), as a loopback server sees it. */

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface Peer {
  url: string;
  connections: number;
  requests: Seen[];
  server: Server;
}

const peers: Peer[] = [];

async function startPeer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Peer> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      peer.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res);
    });
  });
  const peer: Peer = { url: '', connections: 0, requests: [], server };
  server.on('connection', () => {
    peer.connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  peer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  peers.push(peer);
  return peer;
}

const ok = (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
};

async function rejection(work: Promise<unknown>): Promise<OutboundRequestError> {
  try {
    await work;
  } catch (error) {
    return error as OutboundRequestError;
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

describe('outboundRequest request body', () => {
  it('sends a body with its length in bytes, whatever the caller declared, on a POST and on a GET', async () => {
    // Prepare
    const peer = await startPeer(ok);
    const init = { allowPrivateNetwork: true, headers: { 'Content-Length': '1' } };

    // Act
    await outboundRequest(peer.url, { ...init, method: 'POST', body: 'name=Zoë&city=Århus' });
    await outboundRequest(peer.url, { ...init, method: 'GET', body: 'q=1' });
    await outboundRequest(peer.url, { allowPrivateNetwork: true, method: 'POST' });

    // Assess
    expect(peer.requests.map(({ method, headers, body }) => [method, headers['content-length'], body])).toEqual([
      ['POST', '21', 'name=Zoë&city=Århus'],
      ['GET', '3', 'q=1'],
      ['POST', '0', ''],
    ]);
  });
});

describe('outboundRequest response headers', () => {
  it('joins repeated headers and stores every Set-Cookie in the jar', async () => {
    // Prepare
    const peer = await startPeer((_req, res) => {
      res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/']);
      res.setHeader('x-trace', ['one', 'two']);
      ok(_req, res);
    });
    const cookieJar = new CookieJar();

    // Act
    const response = await outboundRequest(peer.url, { allowPrivateNetwork: true, cookieJar });

    // Assess
    expect(response.headers['set-cookie']).toBe('a=1; Path=/, b=2; Path=/');
    expect(response.headers['x-trace']).toBe('one, two');
    expect(await cookieJar.getCookieString(`${peer.url}/`)).toBe('a=1; b=2');
  });
});

describe('outboundRequest connections', () => {
  it('keeps one connection alive across requests and a redirect to the same origin', async () => {
    // Prepare
    const peer = await startPeer((req, res) => {
      if (req.url === '/moved') {
        res.writeHead(302, { location: '/here', 'content-type': 'text/plain' });
        return res.end('see /here');
      }
      ok(req, res);
    });

    // Act
    await outboundRequest(`${peer.url}/moved`, { allowPrivateNetwork: true });
    await outboundRequest(`${peer.url}/again`, { allowPrivateNetwork: true });

    // Assess
    expect(peer.requests.map((request) => request.url)).toEqual(['/moved', '/here', '/again']);
    expect(peer.connections).toBe(1);
  });
});

describe('outboundRequest failures', () => {
  it('fails input node:http rejects (a bad header value) as an OutboundRequestError', async () => {
    // Prepare
    const peer = await startPeer(ok);

    // Act
    const error = await rejection(
      outboundRequest(peer.url, { allowPrivateNetwork: true, headers: { 'x-note': 'line\nbreak' } }),
    );

    // Assess
    expect(error).toBeInstanceOf(OutboundRequestError);
    expect(error.message).toMatch(new RegExp(`^GET ${peer.url}/ failed: `));
    expect(peer.connections).toBe(0);
  });

  it('says a refused connection was never delivered', async () => {
    // Prepare
    const peer = await startPeer(ok);
    const url = peer.url;
    peers.splice(peers.indexOf(peer), 1);
    await new Promise<void>((resolve) => peer.server.close(() => resolve()));

    // Act
    const error = await rejection(outboundRequest(url, { allowPrivateNetwork: true }));

    // Assess
    expect(error).toBeInstanceOf(OutboundRequestError);
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.maybeDelivered).toBe(false);
  });

  it('says a request whose connection dropped after it was sent may have been delivered', async () => {
    // Prepare
    const peer = await startPeer((req) => req.socket.destroy());

    // Act
    const error = await rejection(
      outboundRequest(peer.url, { allowPrivateNetwork: true, method: 'POST', body: 'a=1' }),
    );

    // Assess
    expect(error).toBeInstanceOf(OutboundRequestError);
    expect(error.maybeDelivered).toBe(true);
    expect(peer.requests.map((request) => request.body)).toEqual(['a=1']);
  });
});
