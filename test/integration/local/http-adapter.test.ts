import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHandler, type HttpAdapter, MAX_REQUEST_BYTES, startHttpAdapter } from '#local/http-adapter/server';

/** The adapter with a recording handler: what API Gateway (payload v2) would hand the API Lambda. */
let adapter: HttpAdapter;
const events: APIGatewayProxyEventV2[] = [];
let answer: unknown = { statusCode: 200, body: '{}' };

beforeAll(async () => {
  const handler: ApiHandler = async (event, context) => {
    events.push(event);
    if (event.rawPath === '/crash') throw new Error('boom');
    if (event.rawPath === '/context') return { statusCode: 200, body: JSON.stringify({ id: context.awsRequestId }) };
    return answer;
  };
  adapter = await startHttpAdapter({ handler, log: () => undefined });
});

afterAll(async () => {
  await adapter?.close();
});

describe('the local API Gateway (HTTP API, payload v2) adapter', () => {
  it('turns a request into a payload v2 event', async () => {
    // Prepare
    events.length = 0;
    answer = { statusCode: 201, headers: { 'Content-Type': 'application/json', 'X-Thing': 'a' }, body: '{"ok":true}' };

    // Act
    const response = await fetch(`${adapter.url}/v1/things/x%20y?b=2&a=1&a=3`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Custom': 'Value',
        Cookie: 'c1=v1; c2=v2',
        'User-Agent': 'ua/1',
      },
      body: '{"name":"é"}',
    });

    // Assess
    expect(response.status).toBe(201);
    expect(response.headers.get('x-thing')).toBe('a');
    expect(await response.json()).toEqual({ ok: true });
    const [event] = events;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/v1/things/x%20y',
      rawQueryString: 'b=2&a=1&a=3',
      queryStringParameters: { a: '1,3', b: '2' },
      cookies: ['c1=v1', 'c2=v2'],
      body: '{"name":"é"}',
      isBase64Encoded: false,
      requestContext: {
        http: {
          method: 'POST',
          path: '/v1/things/x%20y',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'ua/1',
        },
        routeKey: '$default',
        stage: '$default',
        domainName: '127.0.0.1',
      },
    });
    expect(event?.headers['x-custom']).toBe('Value');
    expect(event?.headers['content-type']).toBe('application/json');
    expect(event?.headers.cookie).toBeUndefined();
    expect(event?.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs((event?.requestContext.timeEpoch ?? 0) - Date.now())).toBeLessThan(5_000);
  });

  it('base64-encodes non-text bodies and passes text/csv as text', async () => {
    // Prepare
    events.length = 0;
    answer = { statusCode: 204 };
    const bytes = Buffer.from([0, 255, 1, 2]);

    // Act
    await fetch(`${adapter.url}/bin`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    await fetch(`${adapter.url}/csv`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b\n1,2\n' });
    await fetch(`${adapter.url}/none`);

    // Assess
    expect(events[0]).toMatchObject({ body: bytes.toString('base64'), isBase64Encoded: true });
    expect(events[1]).toMatchObject({ body: 'a,b\n1,2\n', isBase64Encoded: false });
    expect(events[2]?.body).toBeUndefined();
    expect(events[2]?.queryStringParameters).toBeUndefined();
  });

  it('writes back base64 bodies, cookies, and a bare value as JSON', async () => {
    // Prepare
    answer = {
      statusCode: 200,
      isBase64Encoded: true,
      body: Buffer.from('binary').toString('base64'),
      cookies: ['s=1'],
    };

    // Act
    const binary = await fetch(`${adapter.url}/b`);
    const binaryText = await binary.text();
    answer = { hello: 'world' };
    const bare = await fetch(`${adapter.url}/bare`);

    // Assess
    expect(binaryText).toBe('binary');
    expect(binary.headers.get('set-cookie')).toBe('s=1');
    expect(bare.status).toBe(200);
    expect(bare.headers.get('content-type')).toBe('application/json');
    expect(await bare.json()).toEqual({ hello: 'world' });
  });

  it('gives the handler a Lambda-like context with the request id', async () => {
    // Act
    const response = await fetch(`${adapter.url}/context`);

    // Assess
    expect((await response.json()) as { id: string }).toEqual({ id: events.at(-1)?.requestContext.requestId });
  });

  it('answers 500 in the API error shape when the handler throws', async () => {
    // Act
    const response = await fetch(`${adapter.url}/crash`);

    // Assess
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: { code: 'internal_error' } });
  });

  it('refuses bodies over 6 MB with 413, whether declared or streamed, without calling the handler', async () => {
    // Prepare
    events.length = 0;
    const big = Buffer.alloc(MAX_REQUEST_BYTES + 1, 'a');
    const chunks = async function* () {
      for (let sent = 0; sent <= MAX_REQUEST_BYTES; sent += 1024 * 1024) yield Buffer.alloc(1024 * 1024, 'a');
    };

    // Act
    const declared = await fetch(`${adapter.url}/big`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: big,
    });
    const streamed = await fetch(`${adapter.url}/big`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: ReadableStream.from(chunks()),
      duplex: 'half',
    } as RequestInit).catch((error: unknown) => error as Error);

    // Assess
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: { code: 'payload_too_large', details: [] } });
    // A streamed upload is cut off: either the 413 arrives or the connection is closed under the sender.
    if (streamed instanceof Response) expect(streamed.status).toBe(413);
    else expect(streamed).toBeInstanceOf(Error);
    expect(events).toHaveLength(0);
  });
});
