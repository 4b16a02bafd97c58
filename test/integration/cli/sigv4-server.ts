import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * A loopback stand-in for API Gateway's IAM authoriser: it recomputes each request's SigV4 signature from
 * what arrived on the wire (method, raw path and query, the headers the client said it signed, the body)
 * with credentials it knows, and answers 403 `{"message":"Forbidden"}` like API Gateway when they differ.
 */

export interface KnownCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface ReceivedRequest {
  method: string;
  /** Path and raw query as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  verdict: Verdict;
}

export type Verdict = { ok: true; signedHeaders: string[] } | { ok: false; reason: string };

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

/** `a=b%20c&d` → `{a: 'b c', d: ''}`, decoding as AWS does (a `+` stays a plus sign, unlike form decoding). */
function rawQuery(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const pair of search.split('&').filter(Boolean)) {
    const [rawKey = '', rawValue = ''] = pair.split('=', 2);
    const key = decodeURIComponent(rawKey);
    const value = decodeURIComponent(rawValue);
    const previous = query[key];
    query[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return query;
}

/** `20260101T120000Z` → its instant. */
function amzDate(value: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return new Date(Number.NaN);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

const header = (headers: IncomingHttpHeaders, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

/** Checks one received request against the known credentials, region and service `execute-api`. */
export async function verifySigv4(
  request: { method: string; url: string; headers: IncomingHttpHeaders; body: Uint8Array },
  credentials: KnownCredentials,
  region: string,
): Promise<Verdict> {
  const authorization = header(request.headers, 'authorization') ?? '';
  const match = AUTHORIZATION.exec(authorization);
  if (!match) return { ok: false, reason: `not a SigV4 authorization: ${authorization.slice(0, 40)}` };
  const [, accessKeyId, , scopeRegion, service, signedList = ''] = match;
  if (accessKeyId !== credentials.accessKeyId) return { ok: false, reason: 'unknown access key' };
  if (scopeRegion !== region || service !== 'execute-api')
    return { ok: false, reason: `scope ${scopeRegion}/${service}` };
  const signedHeaders = signedList.split(';');
  const required = ['host', 'x-amz-date', ...(credentials.sessionToken ? ['x-amz-security-token'] : [])];
  const unsigned = required.filter((name) => !signedHeaders.includes(name));
  if (unsigned.length) return { ok: false, reason: `unsigned: ${unsigned.join(', ')}` };
  if (credentials.sessionToken && header(request.headers, 'x-amz-security-token') !== credentials.sessionToken)
    return { ok: false, reason: 'wrong session token' };
  const date = amzDate(header(request.headers, 'x-amz-date') ?? '');
  if (!(Math.abs(date.getTime() - Date.now()) < 5 * 60_000)) return { ok: false, reason: 'x-amz-date out of range' };

  // The body hash comes from the bytes received, never from the client's header, so a changed body shows.
  const bodyHash = createHash('sha256').update(request.body).digest('hex');
  const claimed = header(request.headers, 'x-amz-content-sha256');
  if (claimed !== undefined && claimed !== bodyHash) return { ok: false, reason: 'body does not match its hash' };
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) headers[name] = header(request.headers, name) ?? '';
  if (signedHeaders.includes('x-amz-content-sha256')) headers['x-amz-content-sha256'] = bodyHash;

  const [path = '/', search = ''] = request.url.split(/\?(.*)/s);
  const host = headers.host ?? '';
  const expected = await new SignatureV4({ service: 'execute-api', region, credentials, sha256: Sha256 }).sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: host,
      path,
      query: rawQuery(search),
      headers,
      body: request.body,
    },
    { signingDate: date },
  );
  return expected.headers.authorization === authorization
    ? { ok: true, signedHeaders }
    : { ok: false, reason: 'signature does not match' };
}

export interface VerifyingServer {
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * Serves on 127.0.0.1: a request whose signature verifies gets `respond(request)` as JSON (200), any other
 * gets API Gateway's 403. `received` keeps every request and its verdict for the test to assess.
 */
export async function startVerifyingServer(
  credentials: KnownCredentials,
  region: string,
  respond: (request: ReceivedRequest) => unknown,
): Promise<VerifyingServer> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const base = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
      const bytes = Buffer.concat(chunks);
      const verdict = await verifySigv4({ ...base, body: bytes }, credentials, region);
      const request = { ...base, body: bytes.toString('utf8'), verdict };
      received.push(request);
      const [status, payload] = request.verdict.ok ? [200, respond(request)] : [403, { message: 'Forbidden' }];
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
