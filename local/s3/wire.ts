import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpProblem } from '#shared/errors';
import { s3ErrorXml } from './xml';

/** How the S3 peer answers on the wire: S3's headers, request ids and XML error documents. */

/** An S3 error: its HTTP status, its code (the SDK's error name) and the extra elements of its XML document. */
export class S3Error extends HttpProblem {
  override name = 'S3Error';
  constructor(
    status: number,
    code: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(status, code, message);
  }
}

export const noSuchBucket = (bucket: string): S3Error =>
  new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });

export const noSuchKey = (key: string): S3Error =>
  new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });

/** A request header's first value. */
export const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The ids S3 puts on every answer (and in the event records of what a request created). */
export function requestIds(): { 'x-amz-request-id': string; 'x-amz-id-2': string } {
  return {
    'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
    'x-amz-id-2': randomBytes(48).toString('base64'),
  };
}

/** Answers with S3's own headers around the given ones; the length is the body's unless a header sets it. */
export function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Buffer | string = Buffer.alloc(0),
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, {
    ...requestIds(),
    server: 'AmazonS3',
    date: new Date().toUTCString(),
    ...headers,
    'content-length': headers['content-length'] ?? String(bytes.length),
  });
  res.end(bytes);
}

/** Sends an XML document (a list result). */
export const sendXml = (res: ServerResponse, body: string): void =>
  send(res, 200, { 'content-type': 'application/xml' }, body);

export function sendError(res: ServerResponse, req: IncomingMessage, error: S3Error): void {
  const ids = requestIds();
  // A HEAD answer has no body: the status says it all (the SDK names a 404 `NotFound`, as with S3).
  const body =
    req.method === 'HEAD'
      ? ''
      : s3ErrorXml(error.code, error.message, {
          ...error.extra,
          RequestId: ids['x-amz-request-id'],
          HostId: ids['x-amz-id-2'],
        });
  send(res, error.status, { ...ids, ...(body ? { 'content-type': 'application/xml' } : {}) }, body);
}
