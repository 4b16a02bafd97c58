import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { bearerMatches, sendError } from './answers';
import { apiLambdaContext, toGatewayEvent, writeResult } from './gateway-event';
import { answerLocalRoute, LOCAL_PREFIX, type LocalRoute } from './local-routes';

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
  /**
   * What the API function logged about a failed request (found by its request id), added to the line the
   * adapter prints for every 5xx; `cascade serve` reads the function's log.
   */
  failureDetail?: (requestId: string) => Promise<string | undefined>;
  /** The bearer token the local routes require (default: `CASCADE_API_TOKEN` at request time). */
  localToken?: string;
  /**
   * API Gateway's routes and their authorization, from the template. A request matching no route is a 404
   * (as API Gateway answers it); on an `AWS_IAM` route the bearer token stands in for a SigV4 signature
   * (credentials are what differs locally); `NONE` routes are public.
   */
  gateway?: { routes: { routeKey: string; authorizationType: string }[]; token: string };
}

export interface HttpAdapter {
  /** `http://127.0.0.1:<port>` (no trailing slash, no `/v1`). */
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
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

/** The one API Lambda, loaded in-process (imported lazily: it reads the stack's environment). */
export async function loadApiHandler(): Promise<ApiHandler> {
  const { handler } = await import('#functions/api/index');
  return handler as ApiHandler;
}

/** The handler, loaded on first use; a failed load is tried again on the next request. */
function lazyHandler(options: HttpAdapterOptions): () => Promise<ApiHandler> {
  const load = options.loadHandler ?? loadApiHandler;
  let handler: Promise<ApiHandler> | undefined = options.handler && Promise.resolve(options.handler);
  return () => {
    if (!handler) {
      handler = load();
      handler.catch(() => {
        handler = undefined;
      });
    }
    return handler;
  };
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

/** The body within the payload limit, or null once a 413 has been answered (declared or found too large). */
async function bodyWithinLimit(request: IncomingMessage, response: ServerResponse, limit: number) {
  const tooLarge = `the request body is larger than ${limit / (1024 * 1024)} MB`;
  if (Number(request.headers['content-length'] ?? Number.NaN) > limit) {
    sendError(response, 413, 'payload_too_large', tooLarge, true);
    request.resume();
    return null;
  }
  const body = await readBody(request, limit);
  if (body === null) {
    sendError(response, 413, 'payload_too_large', tooLarge, true);
    // Stop receiving the rest: the connection is closed once the answer is out.
    response.on('finish', () => request.socket.destroy());
  }
  return body;
}

/** What API Gateway itself answers before the Lambda: no route (404), or no valid token on an IAM route (401). */
function gatewayRefused(
  gateway: NonNullable<HttpAdapterOptions['gateway']>,
  event: APIGatewayProxyEventV2,
  request: IncomingMessage,
  response: ServerResponse,
): boolean {
  const { method } = event.requestContext.http;
  const route = matchGatewayRoute(gateway.routes, method, event.rawPath);
  if (!route) {
    sendError(response, 404, 'route_not_found', `No route for ${method} ${event.rawPath}`);
    return true;
  }
  if (route.authorizationType !== 'NONE' && !bearerMatches(request.headers.authorization, gateway.token)) {
    response.setHeader('www-authenticate', 'Bearer realm="cascade"');
    sendError(response, 401, 'unauthorized', 'A valid bearer token is required');
    return true;
  }
  return false;
}

/** One request: the payload limit, then a local route or API Gateway's checks and the API Lambda. */
function requestHandler(options: HttpAdapterOptions, log: (line: string) => void) {
  const limit = options.maxBodyBytes ?? MAX_REQUEST_BYTES;
  const getHandler = lazyHandler(options);
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await bodyWithinLimit(request, response, limit);
    if (body === null) return;
    if ((request.url ?? '/').startsWith(LOCAL_PREFIX)) {
      const token = options.localToken ?? process.env.CASCADE_API_TOKEN;
      await answerLocalRoute(request, response, body, options.localRoutes ?? {}, token, log);
      return;
    }
    const event = toGatewayEvent(request, body);
    if (options.gateway && gatewayRefused(options.gateway, event, request, response)) return;
    let result: unknown;
    try {
      const invoke = await getHandler();
      result = await invoke(event, apiLambdaContext(event.requestContext.requestId));
    } catch (error) {
      const { requestId, http } = event.requestContext;
      log(`api: 500 request ${requestId} ${http.method} ${event.rawPath}: ${(error as Error).stack ?? String(error)}`);
      sendError(response, 500, 'internal_error', `the API function failed; see the server log (request ${requestId})`);
      return;
    }
    writeResult(response, result);
    await logServerError(options, log, event, result);
  };
}

/** One stderr line per 5xx the API answered: request id, method, path and the error (the function's, when known). */
async function logServerError(
  options: HttpAdapterOptions,
  log: (line: string) => void,
  event: APIGatewayProxyEventV2,
  result: unknown,
): Promise<void> {
  const { statusCode, headers, body } = (result ?? {}) as {
    statusCode?: number;
    headers?: Record<string, unknown>;
    body?: unknown;
  };
  if (typeof statusCode !== 'number' || statusCode < 500) return;
  const requestId = String(headers?.['x-request-id'] ?? event.requestContext.requestId);
  let answered = '';
  try {
    const error = (JSON.parse(String(body)) as { error?: { code?: string; message?: string } }).error;
    answered = `${error?.code ?? 'error'}: ${error?.message ?? ''}`;
  } catch {
    answered = 'no error body';
  }
  const detail = await options.failureDetail?.(requestId).catch(() => undefined);
  const { method } = event.requestContext.http;
  log(`api: ${statusCode} request ${requestId} ${method} ${event.rawPath}: ${detail ?? answered}`);
}

/**
 * The local twin of API Gateway in front of the API Lambda: each HTTP request becomes a payload v2 event
 * for the same handler AWS invokes, and its result becomes the response. It routes and enforces nothing
 * itself (the handler does auth, validation and limits) except the 6 MB invocation payload limit.
 * Paths under `/_local/` are the exception: LOCAL-ONLY routes (`options.localRoutes`, bearer-token
 * protected) that the adapter answers itself, e.g. `cascade simulate`'s event and reply feeds.
 */
export async function startHttpAdapter(options: HttpAdapterOptions = {}): Promise<HttpAdapter> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const handle = requestHandler(options, log);
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
