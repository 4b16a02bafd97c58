import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What a route's handler receives: validated path parameters, query and body. */
export interface ApiRequest<P = unknown, Q = unknown, B = unknown> {
  params: P;
  query: Q;
  body: B;
  /** The raw CSV text when the route accepts `text/csv` and the request sent it (`body` is then undefined). */
  csv?: string;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  /** API Gateway's request id (`requestContext.requestId`). */
  requestId: string;
  /** The request's `Idempotency-Key`, on routes that honour one. */
  idempotencyKey?: string;
  event: APIGatewayProxyEventV2;
}

/** A successful answer; errors are thrown (an HttpProblem or a core error) and answered by the error handler. */
export interface ApiResult {
  status: number;
  /** Serialised as JSON. */
  body?: unknown;
  /** An HTML page instead of JSON (the unsubscribe landing page a mail recipient's browser opens). */
  html?: string;
  /** A text body sent as is (an export), with its `contentType` (e.g. `text/csv; charset=utf-8`). */
  text?: string;
  /** The content type of `text` (default `text/plain; charset=utf-8`). */
  contentType?: string;
  headers?: Record<string, string>;
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Default `application/json`. */
  contentType?: string;
}

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: HttpMethod;
  /** `/v1/...` with `{name}` parameters: the same template serves the router and the OpenAPI document. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  /** No bearer token, even when CASCADE_API_TOKEN is set (the one-click unsubscribe). */
  public?: boolean;
  /** Honours `Idempotency-Key`: the same key and body replay the first response. */
  idempotent?: boolean;
  params?: P;
  query?: Q;
  /** The JSON body; make it `.optional()` when a request may come without one. */
  body?: B;
  /** How the OpenAPI document shows the JSON body, when not as `body` itself. */
  bodyDoc?: z.ZodType;
  /** Also accepts `text/csv` (passed through as `csv`). */
  csv?: boolean;
  /**
   * The body is an array of rows each validated on its own (lead import): the edge checks of numbers and keys
   * (shared/domain/storable.ts) are left to the route, which reports them per row.
   */
  rowsValidated?: boolean;
  /**
   * Checks the caller before anything of the request is read (a shared secret in a header): a refused caller
   * learns nothing about the body's validity. Throws an HttpProblem.
   */
  authorize?(headers: Record<string, string | undefined>): void;
  /** Accepts a form-encoded body and ignores it (RFC 8058 one-click unsubscribe posts `List-Unsubscribe=One-Click`). */
  formBody?: boolean;
  responses: Record<number, ResponseSpec>;
  /** Error statuses beyond the ones the route's shape implies (400, 401, 404, 413, 415, 500). */
  errors?: number[];
  handle(request: ApiRequest<z.output<P>, z.output<Q>, z.output<B>>): Promise<ApiResult>;
}

/** A route with its types erased, as the router and the OpenAPI generator see it. */
export interface Route extends Omit<RouteSpec<z.ZodType, z.ZodType, z.ZodType>, 'handle'> {
  handle(request: ApiRequest): Promise<ApiResult>;
}

export function defineRoute<
  P extends z.ZodType = z.ZodUnknown,
  Q extends z.ZodType = z.ZodUnknown,
  B extends z.ZodType = z.ZodUnknown,
>(spec: RouteSpec<P, Q, B>): Route {
  return spec as unknown as Route;
}

/** `^/v1/campaigns/[^/]+/?$` for `/v1/campaigns/{id}`: what the router matches, for 405s and public routes. */
export function pathPattern(path: string): RegExp {
  const escaped = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^/}]+\\?\}/g, '[^/]+');
  return new RegExp(`^${escaped}/?$`);
}

/** The documented error statuses of a route: those its shape implies plus its own. */
export function errorStatuses(route: Route): number[] {
  const statuses = new Set<number>(route.errors ?? []);
  if (!route.public) statuses.add(401);
  if (route.params || route.query || route.body || route.csv) statuses.add(400);
  if (route.params) statuses.add(404);
  if (route.body || route.csv) {
    statuses.add(413);
    statuses.add(415);
  }
  if (route.idempotent) statuses.add(409);
  statuses.add(500);
  return [...statuses].sort((a, b) => a - b);
}
