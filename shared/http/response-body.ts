import type { Dispatcher } from 'undici';

/**
 * Reading a response within the body cap: a declared Content-Length over the cap is refused before reading,
 * and a streamed body is aborted as soon as it grows past it, so a hostile page cannot exhaust memory.
 */

type ResponseBody = Dispatcher.ResponseData['body'];

/** Response headers as single strings (repeated headers joined with `, `). */
export function flattenHeaders(raw: Dispatcher.ResponseData['headers']): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return headers;
}

async function readCapped(body: ResponseBody, limit: number, onTooLarge: () => Error): Promise<string> {
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
  body: ResponseBody,
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
