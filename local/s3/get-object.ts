import type { IncomingMessage } from 'node:http';
import type { StoredObject } from './object-store';
import { header, S3Error } from './wire';

/** GetObject and HeadObject as S3 answers them: stored headers, response overrides, byte ranges, checksums. */

/** The query parameters that override a header of the answer (as for a presigned download). */
const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

export interface ObjectAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

/** The answer to a GetObject or HeadObject of `object`: 200 with the whole object or 206 with the asked range. */
export function objectAnswer(object: StoredObject, query: URLSearchParams, req: IncomingMessage): ObjectAnswer {
  const headers: Record<string, string> = {
    'content-type': object.contentType,
    etag: `"${object.eTag}"`,
    'last-modified': object.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
    'x-amz-server-side-encryption': 'AES256',
    ...object.headers,
  };
  for (const [parameter, name] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = query.get(parameter);
    if (value !== null) headers[name] = value;
  }
  const range = header(req, 'range');
  const slice = range === undefined ? undefined : byteRange(range, object.body.length);
  // The stored checksums are of the whole object: sent for a whole-object read the caller asked them for.
  if (!slice && header(req, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED')
    for (const [algorithm, value] of Object.entries(object.checksums)) headers[`x-amz-checksum-${algorithm}`] = value;
  const [start, end] = slice ?? [0, object.body.length - 1];
  if (slice) headers['content-range'] = `bytes ${start}-${end}/${object.body.length}`;
  // A HEAD answer has the length of what a GET would send, and no body.
  headers['content-length'] = String(end - start + 1);
  const body = req.method === 'HEAD' ? '' : object.body.subarray(start, end + 1);
  return { status: slice ? 206 : 200, headers, body };
}

/** `bytes=a-b`, `bytes=a-` or `bytes=-n` → the inclusive byte span; another form is ignored (the whole object). */
function byteRange(range: string, size: number): [number, number] | undefined {
  const match = range.trim().match(/^bytes=(\d*)-(\d*)$/);
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [first, second] = [match[1] as string, match[2] as string];
  const start = first === '' ? Math.max(0, size - Number(second)) : Number(first);
  const end = first === '' || second === '' ? size - 1 : Math.min(Number(second), size - 1);
  if (start >= size || start > end || (first === '' && Number(second) === 0))
    throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable', {
      RangeRequested: range,
      ActualObjectSize: String(size),
    });
  return [start, end];
}
