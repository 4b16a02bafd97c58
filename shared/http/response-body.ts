import type { Readable } from 'node:stream';

/**
 * Reading a response within the body cap: a declared Content-Length over the cap is refused before reading,
 * and a streamed body is aborted as soon as it grows past it, so a hostile page cannot exhaust memory.
 */

/** A redirect's body larger than this is not worth draining to keep its connection (undici's dump limit). */
const DISCARD_LIMIT_BYTES = 128 * 1024;

/**
 * Response headers as single strings (repeated headers joined with `, `). Takes `headersDistinct`: the plain
 * `headers` of node:http keep only the first of some repeated headers, and every repeat is kept here.
 */
export function flattenHeaders(raw: NodeJS.Dict<string[]>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value !== undefined) headers[key] = value.join(', ');
  }
  return headers;
}

async function readCapped(body: Readable, limit: number, onTooLarge: () => Error): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buffer.length;
    if (size > limit) {
      body.destroy();
      throw onTooLarge();
    }
    chunks.push(buffer);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** The body as text, or `onTooLarge()` thrown when it is (or says it is) larger than `limit` bytes. */
export async function readBodyWithin(
  body: Readable,
  contentLength: string | undefined,
  limit: number,
  onTooLarge: () => Error,
): Promise<string> {
  const declared = Number(contentLength);
  if (Number.isFinite(declared) && declared > limit) {
    body.destroy();
    throw onTooLarge();
  }
  return readCapped(body, limit, onTooLarge);
}

/**
 * Reads and drops a body nobody needs (a redirect's), so its keep-alive connection can carry the next request;
 * one past `DISCARD_LIMIT_BYTES` is cut off instead (its connection closes). Never fails: a broken body only
 * costs the connection.
 */
export async function discardBody(body: Readable): Promise<void> {
  let size = 0;
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > DISCARD_LIMIT_BYTES) return void body.destroy();
    }
  } catch {
    // The body broke off: nothing to reuse, nothing to report (the next hop reports its own failures).
  }
}
