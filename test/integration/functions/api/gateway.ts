import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, expect } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { ANY_HOUR_SCHEDULE } from '#shared/schedule/schema';

/** A bearer token the API tests send (API Gateway checks credentials, not the function: it is never read). */
export const TEST_TOKEN = 'test-operator-token-0123456789';

export interface ApiCall {
  method: string;
  /** Path with an optional `?query` (kept percent-encoded, as API Gateway's rawPath). */
  path: string;
  /** A JSON body (serialised, `content-type: application/json`). */
  json?: unknown;
  /** A raw body with its content type. */
  raw?: { body: string; contentType?: string; base64?: boolean };
  headers?: Record<string, string>;
  /** The bearer token; `null` sends no Authorization header. Default TEST_TOKEN. */
  token?: string | null;
}

export interface ApiReply {
  status: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary JSON
  body: any;
  rawBody?: string;
}

/** An API Gateway HTTP API (payload 2.0) event as the `$default` route of a `$default` stage delivers it. */
export function gatewayEvent(call: ApiCall): APIGatewayProxyEventV2 {
  const [rawPath = '/', rawQueryString = ''] = call.path.split('?');
  const headers: Record<string, string> = {
    accept: 'application/json',
    host: 'abc123.execute-api.us-east-1.amazonaws.com',
    'user-agent': 'vitest',
    'x-forwarded-for': '203.0.113.7',
    'x-forwarded-proto': 'https',
  };
  if (call.token !== null) headers.authorization = `Bearer ${call.token ?? TEST_TOKEN}`;
  let body: string | undefined;
  let isBase64Encoded = false;
  if (call.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(call.json);
  } else if (call.raw) {
    if (call.raw.contentType) headers['content-type'] = call.raw.contentType;
    body = call.raw.base64 ? Buffer.from(call.raw.body).toString('base64') : call.raw.body;
    isBase64Encoded = call.raw.base64 ?? false;
  }
  // Header names arrive lower-cased from API Gateway; these keep whatever case the test gave.
  Object.assign(headers, call.headers);
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) query[key] = value;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    ...(rawQueryString && { queryStringParameters: query }),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: {
        method: call.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.7',
        userAgent: 'vitest',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body !== undefined && { body }),
    isBase64Encoded,
  };
}

export const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'ApiFunction',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ApiFunction',
  memoryLimitInMB: '512',
  awsRequestId: 'test',
  logGroupName: '/aws/lambda/ApiFunction',
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

export type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** Calls the handler with one event and parses the JSON answer. */
export async function callApi(handler: Handler, call: ApiCall): Promise<ApiReply> {
  const result = await handler(gatewayEvent(call), lambdaContext);
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  return {
    status: result.statusCode ?? 200,
    headers,
    body: result.body ? JSON.parse(result.body) : undefined,
    rawBody: result.body,
  };
}

/** The handler, imported after the stack has set the environment (table names, endpoints). */
export async function loadHandler(): Promise<Handler> {
  const module = await import('#functions/api/index');
  return module.handler as unknown as Handler;
}

export const api = (handler: Handler) => (call: ApiCall) => callApi(handler, call);

export function campaignBody(campaignId: string, overrides: Record<string, unknown> = {}) {
  return {
    campaignId,
    name: `Campaign ${campaignId}`,
    sender: { name: 'Ada Lovelace', email: 'ada@cascade-demo.example', company: 'Cascade Demo Co' },
    // Any hour unless a test sets one: tests about the sequence must not depend on the time of day.
    schedule: ANY_HOUR_SCHEDULE,
    ...overrides,
  };
}

/** The local stack a test file runs the API on, and the API handler; read them inside tests, once started. */
export interface ApiStack {
  readonly stack: LocalStack;
  readonly handler: Handler;
  call(request: ApiCall): Promise<ApiReply>;
}

/**
 * Starts the local stack and loads the API handler before the file's tests; after them, lets the running
 * executions finish and closes the stack.
 */
export function useApiStack(): ApiStack {
  const started = {} as { stack: LocalStack; handler: Handler };
  beforeAll(async () => {
    started.stack = await startLocalStack();
    started.handler = await loadHandler();
  }, 60_000);
  afterAll(async () => {
    await started.stack?.stepFunctions.drain();
    await started.stack?.close();
  });
  return {
    get stack() {
      return started.stack;
    },
    get handler() {
      return started.handler;
    },
    call: (request) => callApi(started.handler, request),
  };
}

/** The reply is the error answer with this status and code. */
export function expectError(reply: ApiReply, status: number, code: string): void {
  expect({ status: reply.status, code: reply.body?.error?.code }).toEqual({ status, code });
}

/** The reply is a 400 whose details name exactly these fields, in this order. */
export function expectInvalid(reply: ApiReply, ...fields: string[]): void {
  expect(reply.status).toBe(400);
  expect(reply.body.error.details).toEqual(fields.map((field) => ({ field, message: expect.any(String) })));
}
