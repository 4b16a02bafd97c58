import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { storableProblems } from '#shared/domain/storable';
import { HttpProblem } from '#shared/errors';
import { bearerMatches, sendError, sendJson } from './answers';

/*
 * LOCAL-ONLY routes under `/_local/…` (e.g. `cascade simulate`'s event and reply feeds): the local API
 * adapter answers them itself, behind the operator's bearer token; the API Lambda never sees them, so they
 * are in neither the deployed API nor its OpenAPI document.
 */

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

function localRequest(request: IncomingMessage, body: Buffer): LocalRequest {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers))
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = value;
  return { method: (request.method ?? 'GET').toUpperCase(), path: url.pathname, query, headers, body };
}

/** Ids the local routes take (`leadId`, `messageId`) are the API's: at most this many characters. */
export const MAX_LOCAL_ID_LENGTH = 200;

const isIdName = (name: string) => /Id$/.test(name);

/**
 * Refusals every local route shares, before it runs: an id (query parameter or top-level JSON field named
 * `…Id`) longer than an API id, and, in a JSON object body, numbers DynamoDB cannot hold or prototype keys.
 * Such input would otherwise reach DynamoDB and come back as its error in a 500.
 */
export function localInputDetails(request: LocalRequest): { field: string; message: string }[] {
  const tooLong = `must be at most ${MAX_LOCAL_ID_LENGTH} characters`;
  const details = Object.entries(request.query)
    .filter(([name, value]) => isIdName(name) && value.length > MAX_LOCAL_ID_LENGTH)
    .map(([name]) => ({ field: name, message: tooLong }));
  if (!/json/i.test(request.headers['content-type'] ?? 'application/json')) return details;
  let body: unknown;
  try {
    body = JSON.parse(request.body.toString('utf8'));
  } catch {
    return details; // The route answers a body that is not JSON itself.
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return details;
  for (const [name, value] of Object.entries(body))
    if (isIdName(name) && typeof value === 'string' && value.length > MAX_LOCAL_ID_LENGTH)
      details.push({ field: name, message: tooLong });
  return [...details, ...storableProblems(body)];
}

/** A `/_local/…` request: bearer token, then the route (404, or 405 when the path exists); errors in the API's shape. */
export async function answerLocalRoute(
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
  routes: Record<string, LocalRoute>,
  token: string | undefined,
  log: (line: string) => void,
): Promise<void> {
  const local = localRequest(request, body);
  const { method, path } = local;
  if (!bearerMatches(local.headers.authorization, token)) {
    sendError(response, 401, 'unauthorized', 'local routes need the operator bearer token');
    return;
  }
  const route = routes[`${method} ${path}`];
  if (!route) {
    const allowed = Object.keys(routes).filter((key) => key.endsWith(` ${path}`));
    if (allowed.length > 0) sendError(response, 405, 'method_not_allowed', `${method} is not allowed on ${path}`);
    else sendError(response, 404, 'route_not_found', `No local route for ${method} ${path}`);
    return;
  }
  const refused = localInputDetails(local);
  if (refused.length > 0) {
    sendError(response, 400, 'validation_error', 'The request is invalid', false, refused);
    return;
  }
  const requestId = randomUUID();
  try {
    const result = await route(local);
    sendJson(response, result.status, result.body);
  } catch (error) {
    // A route refuses with the API's error shape (`{"error":{code, message, details}}`).
    if (error instanceof HttpProblem) {
      sendError(response, error.status, error.code, error.message, false, error.details);
      return;
    }
    // The cause stays in the server log: a peer's message (DynamoDB's, …) is no answer for the client.
    log(`local: 500 ${requestId} ${method} ${path}: ${(error as Error).stack ?? String(error)}`);
    sendError(response, 500, 'internal_error', `the local route failed; see the server log (request ${requestId})`);
  }
}
