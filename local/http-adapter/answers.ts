import { timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';

// The answers the local API adapter gives itself (413, 401, 404, a crashed handler, local routes), in the API's shape.

/** Writes the API error shape `{"error":{code, message, details}}`; `close` ends the connection after it. */
export function sendError(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  close = false,
  details: unknown[] = [],
): void {
  const body = JSON.stringify({ error: { code, message, details } });
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...(close ? { connection: 'close' } : {}),
  });
  response.end(body);
}

export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value ?? null);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

/** Constant-time check of `Authorization: Bearer <token>`. */
export function bearerMatches(header: string | undefined, token: string | undefined): boolean {
  if (!token) return false;
  const given = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim() ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
