/**
 * The operator API: one Lambda serving every `/v1` route behind API Gateway, built as ONE middy chain
 * (request lifecycle: request id, access log and the error handler → header normalisation → body limits →
 * JSON body parsing) around
 * @middy/http-router, inside the entry wrapper every function has (functions/commons/entry.ts: tracer, logger
 * context, metrics, secrets). Routes are declared once (routes/*.ts) with their zod schemas: the router, the
 * validation and the OpenAPI document (openapi.ts) all read the same declarations.
 *
 * ## Event format: API Gateway HTTP API, payload format 2.0
 *
 * The handler takes an `APIGatewayProxyEventV2` and returns an `APIGatewayProxyStructuredResultV2`
 * (`{ statusCode, headers, body }`: body a JSON string, HTML for the unsubscribe page, the text of an export
 * (CSV), absent for 204).
 * A local adapter builds events with these fields; nothing else is read:
 *
 * - `version`: `'2.0'` (assumed when absent).
 * - `requestContext.http.method`: `GET`, `POST`, `PUT`, `DELETE`, … (upper case).
 * - `rawPath`: the path as sent, still percent-encoded (`/v1/suppressions/EMAIL%23a%40b.example`);
 *   `requestContext.http.path` when `rawPath` is absent. A `/<stage>` prefix of a named stage is removed.
 * - `rawQueryString` (`limit=10&cursor=…`), or `queryStringParameters` (preferred when present; API
 *   Gateway joins repeated names with commas).
 * - `headers`: any case (normalised to lower case): `authorization`, `content-type`, `idempotency-key`.
 * - `body` (string) and `isBase64Encoded` (the body is base64 when true; binary types arrive that way).
 * - `requestContext.requestId`: logged with every line and echoed as the `x-request-id` response header.
 * - `requestContext.stage`: only to strip a named stage's prefix (`$default` has none).
 *
 * `pathParameters` from API Gateway are ignored: the router matches the path itself.
 *
 * Authentication is API Gateway's, before the function runs: IAM (SigV4) on every route but the public ones
 * (`route.public`, the same routes infra/operator-api.ts attaches without an authorizer); locally the API
 * Gateway twin (local/http-adapter/) asks the operator's bearer token instead. The function itself
 * checks no credentials, in AWS as here.
 */
import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpRouterHandler, { type Route as RouterRoute } from '@middy/http-router';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod';
import { storableProblems } from '#shared/domain/storable';
import { HttpProblem } from '#shared/errors';
import { logger } from '#shared/observability';
import { type ErrorDetail, errorBody, toApiError, validationError, zodDetails } from './errors';
import {
  IDEMPOTENCY_HEADER,
  requestFingerprint,
  type StoredResponse,
  validIdempotencyKey,
  withIdempotency,
} from './idempotency';
import { ALL_ROUTES } from './openapi';
import { type ApiRequest, type ApiResult, pathPattern, type Route } from './route';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

/** Body limits: API Gateway and Lambda take 6 MB; JSON requests are far smaller. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;
export const MAX_CSV_BODY_BYTES = 6 * 1024 * 1024;
/** No request body of this API nests deeper than a handful of levels; far deeper JSON is refused unread. */
export const MAX_JSON_DEPTH = 32;

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
}

const compile = (routes: readonly Route[]): CompiledRoute[] =>
  routes.map((route) => ({ route, pattern: pathPattern(route.path) }));

/** `text/csv; charset=utf-8` → `text/csv`. */
export function mediaType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

const isJsonType = (type: string | undefined) => type === 'application/json' || !!type?.endsWith('+json');

/** Events whose body the JSON parser replaced by its parsed value (a JSON string body is then a string too). */
const parsedJsonBodies = new WeakSet<object>();

/** How deep a parsed JSON value nests (1 for a scalar), without recursion; stops counting past `limit`. */
export function jsonDepth(value: unknown, limit = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    if (current !== null && typeof current === 'object')
      for (const child of Object.values(current as object)) stack.push([child, depth + 1]);
  }
  return deepest;
}

const unsupportedMediaType = (expected: string, type: string | undefined) =>
  new HttpProblem(415, 'unsupported_media_type', `Send ${expected} (got ${type ?? 'no content type'})`, {
    details: [{ field: 'content-type', message: `must be ${expected}` }],
  });

function requestIdOf(event: Event): string {
  return event.requestContext?.requestId ?? 'unknown';
}

function jsonResult(status: number, body: unknown, requestId: string, headers: Record<string, string> = {}): Result {
  return {
    statusCode: status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-request-id': requestId,
      ...headers,
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  };
}

function htmlResult(status: number, html: string, headers: Record<string, string> = {}): Result {
  return {
    statusCode: status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
      ...headers,
    },
    body: html,
  };
}

/** A text body as is (an export): its own content type, no HTML policy. */
function textResult(
  status: number,
  text: string,
  contentType = 'text/plain; charset=utf-8',
  headers: Record<string, string> = {},
): Result {
  return {
    statusCode: status,
    headers: { 'content-type': contentType, 'cache-control': 'no-store', ...headers },
    body: text,
  };
}

/** A route's answer as the response: text, an HTML page, or JSON (the default). */
function serialise(result: ApiResult, requestId: string): Result {
  if (result.text !== undefined) return textResult(result.status, result.text, result.contentType, result.headers);
  if (result.html !== undefined) return htmlResult(result.status, result.html, result.headers);
  return jsonResult(result.status, result.body, requestId, result.headers);
}

/** Route-independent event clean-up, so the router (which reads `requestContext.http.path`) sees one shape. */
function normaliseEvent(event: Event): void {
  const method = event.requestContext?.http?.method;
  if (!method) {
    throw new HttpProblem(400, 'bad_request', 'Not an API Gateway HTTP API (payload 2.0) event', {
      details: [{ field: 'requestContext.http.method', message: 'is required' }],
    });
  }
  event.version ??= '2.0';
  const stage = event.requestContext.stage;
  let path = event.rawPath ?? event.requestContext.http.path ?? '/';
  if (stage && stage !== '$default' && path.startsWith(`/${stage}/`)) path = path.slice(stage.length + 1);
  event.requestContext.http.path = path;
  event.requestContext.http.method = method.toUpperCase();
  event.pathParameters = undefined;
  event.headers ??= {};
  if (!event.queryStringParameters && event.rawQueryString) {
    const query: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(event.rawQueryString))
      query[key] = query[key] === undefined ? value : `${query[key]},${value}`;
    event.queryStringParameters = query;
  }
}

const startedAt = new WeakMap<object, number>();

/**
 * A 5xx is never silent: with the logger off (`cascade serve`'s default), one plain stderr line still names
 * the request id and the error, so "see the server log" has something to show. In AWS the level is INFO and
 * the structured line above is the one written.
 */
function reportSilencedFailure(event: Event, error: unknown): void {
  const method = event.requestContext?.http?.method ?? '?';
  const path = event.rawPath ?? event.requestContext?.http?.path ?? '?';
  const cause = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.stderr.write(`ERROR request ${requestIdOf(event)} ${method} ${path} failed: ${cause.replace(/\s+/g, ' ')}\n`);
}

/** Request id in every log line, one access line per request, and the one error handler of the chain. */
function requestLifecycle(): MiddlewareObj<Event, Result> {
  const finish = (request: middy.Request<Event, Result>, status: number) => {
    const began = startedAt.get(request) ?? Date.now();
    logger.info('request', { status, durationMs: Date.now() - began });
  };
  return {
    before: async (request) => {
      startedAt.set(request, Date.now());
      logger.appendKeys({
        requestId: requestIdOf(request.event),
        httpMethod: request.event.requestContext?.http?.method,
        path: request.event.rawPath ?? request.event.requestContext?.http?.path,
      });
      normaliseEvent(request.event);
    },
    after: async (request) => {
      finish(request, request.response?.statusCode ?? 200);
    },
    onError: async (request) => {
      const error = toApiError(request.error);
      if (error.status >= 500) {
        logger.error('request failed', request.error as Error);
        if (logger.getLevelName() === 'SILENT') reportSilencedFailure(request.event, request.error);
      } else logger.info('request refused', { code: error.code, reason: error.message });
      request.response = jsonResult(error.status, errorBody(error), requestIdOf(request.event), error.headers);
      finish(request, error.status);
    },
  };
}

/** 413 above the body limit of the content type; base64 bodies are decoded here, once. */
function bodyLimits(): MiddlewareObj<Event, Result> {
  return {
    before: async ({ event }) => {
      if (event.body === undefined || event.body === null) return;
      if (event.isBase64Encoded) {
        event.body = Buffer.from(event.body, 'base64').toString('utf8');
        event.isBase64Encoded = false;
      }
      const type = mediaType(event.headers['content-type']);
      const limit = type === 'text/csv' ? MAX_CSV_BODY_BYTES : MAX_JSON_BODY_BYTES;
      const bytes = Buffer.byteLength(event.body, 'utf8');
      if (bytes > limit) {
        throw new HttpProblem(
          413,
          'payload_too_large',
          `The body has ${bytes} bytes; the limit for ${type ?? 'this content type'} is ${limit} bytes`,
          { details: [{ field: 'body', message: `must be at most ${limit} bytes` }] },
        );
      }
    },
  };
}

/** A body problem found by the middleware, raised only once the route has checked its caller (`authorize`). */
const deferredBodyErrors = new WeakMap<object, unknown>();

/** The answer to a body that claims JSON and is not. */
const invalidJson = (cause: unknown) =>
  new HttpProblem(400, 'invalid_json', 'The request body is not valid JSON', {
    details: [{ field: 'body', message: 'is not valid JSON' }],
    cause,
  });

/**
 * JSON bodies parsed (the media type in any case: `application/JSON` is JSON too); other content types (CSV,
 * forms) stay text, empty bodies absent. A parsed body nested deeper than MAX_JSON_DEPTH is refused before
 * anything walks it. Both refusals wait for the route's own caller check (`authorize`).
 */
function jsonBody(): MiddlewareObj<Event, Result> {
  return {
    before: async ({ event }) => {
      if (event.body === undefined || event.body === null || event.body === '') {
        event.body = undefined;
        return;
      }
      if (!isJsonType(mediaType(event.headers['content-type']))) return;
      try {
        event.body = JSON.parse(event.body);
      } catch (error) {
        deferredBodyErrors.set(event, invalidJson(error));
        return;
      }
      parsedJsonBodies.add(event);
      if (jsonDepth(event.body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
        deferredBodyErrors.set(
          event,
          validationError(
            [{ field: 'body', message: `nests deeper than ${MAX_JSON_DEPTH} levels` }],
            'The request body is nested too deeply',
          ),
        );
      }
    },
  };
}

function decodeParams(raw: Record<string, string | undefined> | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (value === undefined) continue;
    try {
      params[name] = decodeURIComponent(value);
    } catch {
      throw validationError([{ field: name, message: 'is not valid percent-encoding' }]);
    }
  }
  return params;
}

/** Validates a request against its route's schemas; every problem of params, query and body in one 400. */
function validateRequest(route: Route, event: Event): Pick<ApiRequest, 'params' | 'query' | 'body' | 'csv'> {
  const details: ErrorDetail[] = [];
  const parse = (schema: z.ZodType | undefined, value: unknown, prefix: string) => {
    if (!schema) return value;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    details.push(...zodDetails(result.error, prefix));
    return undefined;
  };
  const params = parse(route.params, decodeParams(event.pathParameters), 'params');
  const query = parse(route.query, event.queryStringParameters ?? {}, 'query');
  const type = mediaType(event.headers['content-type']);
  let body: unknown;
  let csv: string | undefined;
  const raw = event.body as unknown;
  const unparsedText = typeof raw === 'string' && !parsedJsonBodies.has(event);
  if (route.csv && type === 'text/csv') {
    csv = typeof raw === 'string' ? raw : '';
  } else if (unparsedText && !(route.formBody && type === 'application/x-www-form-urlencoded')) {
    // A body the JSON parser left as text: not JSON.
    if (route.body || route.csv)
      throw unsupportedMediaType(route.csv ? 'application/json or text/csv' : 'application/json', type);
  } else if (route.body) {
    if (raw !== undefined && !isJsonType(type)) throw unsupportedMediaType('application/json', type);
    // Numbers DynamoDB cannot hold and prototype keys, anywhere in the body, beside the schema's own problems.
    if (!route.rowsValidated) details.push(...storableProblems(raw));
    body = parse(route.body, raw, 'body');
  }
  if (details.length > 0) throw validationError(details);
  return { params, query, body, csv };
}

/** One route: validate, run (at most once per Idempotency-Key where the route honours it), serialise. */
async function executeRoute(route: Route, event: Event): Promise<Result> {
  const requestId = requestIdOf(event);
  route.authorize?.(event.headers);
  if (deferredBodyErrors.has(event)) throw deferredBodyErrors.get(event);
  const validated = validateRequest(route, event);
  const idempotencyKey = route.idempotent ? validIdempotencyKey(event.headers[IDEMPOTENCY_HEADER]) : undefined;
  const request: ApiRequest = { ...validated, headers: event.headers, requestId, idempotencyKey, event };
  const work = async (): Promise<StoredResponse> => {
    const result = await route.handle(request);
    const serialised = serialise(result, requestId);
    return {
      status: result.status,
      body: serialised.body,
      headers: (serialised.headers ?? {}) as Record<string, string>,
    };
  };
  // Only a request that carries a key is compared with an earlier one.
  const fingerprint = idempotencyKey
    ? requestFingerprint({
        method: route.method,
        path: event.requestContext.http.path,
        query: event.queryStringParameters ?? {},
        body: validated.csv ?? (event.body as unknown),
      })
    : '';
  const response = await withIdempotency(idempotencyKey, fingerprint, work);
  return {
    statusCode: response.status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...response.headers,
      'x-request-id': requestId,
    },
    ...(response.body !== undefined && { body: response.body }),
  };
}

/** 405 with `Allow` when the path exists under other methods, else 404. */
function routeNotFound(routes: CompiledRoute[]) {
  return ({ method, path }: { method: string; path: string }): never => {
    const allowed = [...new Set(routes.filter(({ pattern }) => pattern.test(path)).map(({ route }) => route.method))];
    if (allowed.length > 0) {
      throw new HttpProblem(405, 'method_not_allowed', `${method} is not allowed on ${path}`, {
        headers: {
          allow: allowed.join(', '),
        },
      });
    }
    throw new HttpProblem(404, 'route_not_found', `No route for ${method} ${path}`);
  };
}

/** The API handler over a set of routes (every route by default). */
export function createApiHandler(routes: readonly Route[] = ALL_ROUTES) {
  const compiled = compile(routes);
  const router = httpRouterHandler<Event, Result>({
    routes: routes.map(
      (route): RouterRoute<Event, Result> => ({
        method: route.method,
        path: route.path,
        handler: (event: Event) => executeRoute(route, event),
      }),
    ),
    notFoundResponse: routeNotFound(compiled),
  });
  return middy<Event, Result, Error, Context>()
    .use(requestLifecycle())
    .use(httpHeaderNormalizer() as MiddlewareObj<Event, Result>)
    .use(bodyLimits())
    .use(jsonBody())
    .handler(router);
}
