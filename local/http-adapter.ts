import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

/** What API Gateway hands a Lambda: the payload v2 event and a context; the result is a v2 response (or a value). */
export type ApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/** The Lambda invocation payload limit: larger requests never reach the function in AWS either. */
export const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

export interface HttpAdapterOptions {
  /** The API handler. Default: `loadHandler()` on the first request. */
  handler?: ApiHandler;
  /** How to load the handler (called once, on the first request). Default: `functions/api/index.ts`. */
  loadHandler?: () => Promise<ApiHandler>;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Requests with a larger body are answered 413 without reading further (default 6 MB). */
  maxBodyBytes?: number;
  /** Where handler errors are reported (default stderr). */
  log?: (line: string) => void;
  /**
   * LOCAL-ONLY routes under `/_local/…`, keyed `"POST /_local/ses-events"`: answered by the adapter itself,
   * never by the API Lambda (so they are in neither the deployed API nor its OpenAPI document).
   */
  localRoutes?: Record<string, LocalRoute>;
  /** The bearer token the local routes require (default: `CASCADE_API_TOKEN` at request time). */
  localToken?: string;
  /**
   * API Gateway's routes and their authorization, from the template. A request matching no route is a 404
   * (as API Gateway answers it); on an `AWS_IAM` route the bearer token stands in for a SigV4 signature
   * (credentials are what differs locally); `NONE` routes are public.
   */
  gateway?: { routes: { routeKey: string; authorizationType: string }[]; token: string };
}

/** The template route API Gateway picks for a request: an exact route before a greedy `{proxy+}` one. */
export function matchGatewayRoute<Route extends { routeKey: string }>(
  routes: Route[],
  method: string,
  path: string,
): Route | undefined {
  const score = (route: Route) => {
    const [routeMethod = '', routePath = ''] = route.routeKey.split(' ');
    if (routeMethod !== 'ANY' && routeMethod !== method) return -1;
    const pattern = routePath
      .split('/')
      .map((part) =>
        part.endsWith('+}') ? '.+' : part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'),
      )
      .join('/');
    if (!new RegExp(`^${pattern}$`).test(path)) return -1;
    // More literal characters wins; among equals, a method beats ANY.
    return routePath.replace(/\{[^}]+\}/g, '').length * 2 + (routeMethod === 'ANY' ? 0 : 1);
  };
  return routes
    .map((route) => ({ route, score: score(route) }))
    .filter((candidate) => candidate.score >= 0)
    .sort((a, b) => b.score - a.score)[0]?.route;
}

/** Paths under this prefix are the adapter's own local-only routes. */
export const LOCAL_PREFIX = '/_local/';

export interface LocalRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface LocalResponse {
  status: number;
  body: unknown;
}

export type LocalRoute = (request: LocalRequest) => Promise<LocalResponse>;

/** Thrown by a local route for an answer in the API's error shape (`{"error":{code, message, details}}`). */
export class LocalRouteError extends Error {
  override name = 'LocalRouteError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown[] = [],
  ) {
    super(message);
  }
}

export interface HttpAdapter {
  /** `http://127.0.0.1:<port>` (no trailing slash, no `/v1`). */
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** The one API Lambda, loaded in-process (imported lazily: it reads the stack's environment). */
export async function loadApiHandler(): Promise<ApiHandler> {
  const { handler } = await import('#functions/api/index');
  return handler as ApiHandler;
}

/** Content types API Gateway passes as text; everything else arrives base64-encoded. */
function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/javascript' ||
    type === 'application/x-www-form-urlencoded'
  );
}

/** API Gateway's `requestContext.time`: `24/Nov/2026:02:22:13 +0000`. */
function gatewayTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

/** An API Gateway HTTP API (payload format 2.0) event for one request, as the `$default` route delivers it. */
export function toGatewayEvent(request: IncomingMessage, body: Buffer, now = new Date()): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const joined = Array.isArray(value) ? value.join(',') : value;
    // Payload v2 moves cookies out of the headers into `cookies`.
    if (key === 'cookie') {
      for (const cookie of joined.split(';')) if (cookie.trim()) cookies.push(cookie.trim());
      continue;
    }
    headers[key] = headers[key] === undefined ? joined : `${headers[key]},${joined}`;
  }
  const rawQueryString = url.search.replace(/^\?/, '');
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = query[key] === undefined ? value : `${query[key]},${value}`;
  const host = headers.host ?? '127.0.0.1';
  const domainName = host.replace(/:\d+$/, '');
  const requestId = randomUUID();
  const method = (request.method ?? 'GET').toUpperCase();

  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString,
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: gatewayTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (cookies.length > 0) event.cookies = cookies;
  if (Object.keys(query).length > 0) event.queryStringParameters = query;
  if (body.length > 0) {
    const text = isTextContentType(headers['content-type']);
    event.body = text ? body.toString('utf8') : body.toString('base64');
    event.isBase64Encoded = !text;
  }
  return event;
}

/** A Lambda-like context for one invocation of the API function (API Gateway's integration timeout: 30 s). */
export function apiLambdaContext(requestId: string): Context {
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'ApiFunction',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ApiFunction',
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/ApiFunction',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The API error shape, for the answers the adapter gives itself (413, a crashed handler, local routes). */
function errorBody(code: string, message: string, details: unknown[] = []): string {
  return JSON.stringify({ error: { code, message, details } });
}

function sendError(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  close = false,
  details: unknown[] = [],
): void {
  const body = errorBody(code, message, details);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...(close ? { connection: 'close' } : {}),
  });
  response.end(body);
}

/** Writes a payload v2 result back as API Gateway does (a bare value becomes a 200 JSON body). */
function writeResult(response: ServerResponse, result: unknown): void {
  const structured =
    result !== null && typeof result === 'object' && 'statusCode' in result
      ? (result as APIGatewayProxyStructuredResultV2)
      : undefined;
  if (!structured) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    response.end(body);
    return;
  }
  const headers: Record<string, string | number | string[]> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  const body =
    structured.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8');
  headers['content-length'] = body.length;
  response.writeHead(structured.statusCode ?? 200, headers);
  response.end(body);
}

/** Reads the body, refusing (null) as soon as it grows past `limit`. */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    request.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        request.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!refused) resolve(Buffer.concat(chunks));
    });
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value ?? null);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

/** Constant-time check of `Authorization: Bearer <token>`. */
function bearerMatches(header: string | undefined, token: string | undefined): boolean {
  if (!token) return false;
  const given = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim() ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A `/_local/…` request: bearer token, then the route; errors in the API's shape. */
async function handleLocal(
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
  routes: Record<string, LocalRoute>,
  token: string | undefined,
  log: (line: string) => void,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const method = (request.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers))
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  if (!bearerMatches(headers.authorization, token)) {
    sendError(response, 401, 'unauthorized', 'local routes need the operator bearer token');
    return;
  }
  const route = routes[`${method} ${url.pathname}`];
  if (!route) {
    const allowed = Object.keys(routes).filter((key) => key.endsWith(` ${url.pathname}`));
    if (allowed.length > 0)
      sendError(response, 405, 'method_not_allowed', `${method} is not allowed on ${url.pathname}`);
    else sendError(response, 404, 'route_not_found', `No local route for ${method} ${url.pathname}`);
    return;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = value;
  try {
    const result = await route({ method, path: url.pathname, query, headers, body });
    sendJson(response, result.status, result.body);
  } catch (error) {
    if (error instanceof LocalRouteError) {
      sendError(response, error.status, error.code, error.message, false, error.details);
      return;
    }
    log(`local: ${method} ${url.pathname}: ${(error as Error).stack ?? String(error)}`);
    sendError(response, 500, 'internal_error', `the local route failed: ${(error as Error).message}`);
  }
}

/**
 * The local twin of API Gateway in front of the API Lambda: each HTTP request becomes a payload v2 event
 * for the same handler AWS invokes, and its result becomes the response. It routes and enforces nothing
 * itself (the handler does auth, validation and limits) except the 6 MB invocation payload limit.
 * Paths under `/_local/` are the exception: LOCAL-ONLY routes (`options.localRoutes`, bearer-token
 * protected) that the adapter answers itself, e.g. `cascade simulate`'s event and reply feeds.
 */
export async function startHttpAdapter(options: HttpAdapterOptions = {}): Promise<HttpAdapter> {
  const limit = options.maxBodyBytes ?? MAX_REQUEST_BYTES;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const load = options.loadHandler ?? loadApiHandler;
  let handler: Promise<ApiHandler> | undefined = options.handler && Promise.resolve(options.handler);
  const getHandler = (): Promise<ApiHandler> => {
    if (!handler) {
      handler = load();
      // A failed load is tried again on the next request.
      handler.catch(() => {
        handler = undefined;
      });
    }
    return handler;
  };

  const tooLarge = `the request body is larger than ${limit / (1024 * 1024)} MB`;
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const declared = Number(request.headers['content-length'] ?? Number.NaN);
    if (declared > limit) {
      sendError(response, 413, 'payload_too_large', tooLarge, true);
      request.resume();
      return;
    }
    const body = await readBody(request, limit);
    if (body === null) {
      sendError(response, 413, 'payload_too_large', tooLarge, true);
      // Stop receiving the rest: the connection is closed once the answer is out.
      response.on('finish', () => request.socket.destroy());
      return;
    }
    if ((request.url ?? '/').startsWith(LOCAL_PREFIX)) {
      const token = options.localToken ?? process.env.CASCADE_API_TOKEN;
      await handleLocal(request, response, body, options.localRoutes ?? {}, token, log);
      return;
    }
    const event = toGatewayEvent(request, body);
    if (options.gateway) {
      const route = matchGatewayRoute(options.gateway.routes, event.requestContext.http.method, event.rawPath);
      if (!route) {
        sendError(
          response,
          404,
          'route_not_found',
          `No route for ${event.requestContext.http.method} ${event.rawPath}`,
        );
        return;
      }
      if (route.authorizationType !== 'NONE' && !bearerMatches(request.headers.authorization, options.gateway.token)) {
        response.setHeader('www-authenticate', 'Bearer realm="cascade"');
        sendError(response, 401, 'unauthorized', 'A valid bearer token is required');
        return;
      }
    }
    let result: unknown;
    try {
      const invoke = await getHandler();
      result = await invoke(event, apiLambdaContext(event.requestContext.requestId));
    } catch (error) {
      log(`api: ${event.requestContext.http.method} ${event.rawPath}: ${(error as Error).stack ?? String(error)}`);
      sendError(response, 500, 'internal_error', 'the API function failed; see the server log');
      return;
    }
    writeResult(response, result);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log(`api: ${(error as Error).message}`);
      if (!response.headersSent) sendError(response, 500, 'internal_error', 'the local API adapter failed');
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A random operator token (URL-safe). */
export function generateApiToken(): string {
  return randomBytes(24).toString('base64url');
}
