import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import * as zlib from 'node:zlib';
import type { NewObject } from './object-store';
import { header, S3Error } from './wire';

/**
 * What a PutObject uploads, read as S3 reads it: the body (plain, or `aws-chunked` as the SDK streams it), checked
 * against its Content-MD5 and `x-amz-checksum-*` values, and the headers S3 keeps with the object.
 */

/** What S3 keeps of a PutObject's headers and returns on GetObject/HeadObject. */
const KEPT_HEADERS = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'];
const CHECKSUM_ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'];
/** `zlib.crc32` is in Node from 20.15 / 22.2: without it a CRC32 is kept unverified. */
const crc32 = (zlib as { crc32?: (data: Buffer) => number }).crc32;
/** The checksums this peer can verify (the others are kept and returned unverified). */
const CHECKSUM_FUNCTIONS: Record<string, (body: Buffer) => string> = {
  ...(crc32 && {
    crc32: (body: Buffer) => {
      const bytes = Buffer.alloc(4);
      bytes.writeUInt32BE(crc32(body) >>> 0);
      return bytes.toString('base64');
    },
  }),
  sha1: (body) => createHash('sha1').update(body).digest('base64'),
  sha256: (body) => createHash('sha256').update(body).digest('base64'),
};

/** The object a PutObject of `key` uploads, its body and checksums verified. */
export function readUpload(key: string, req: IncomingMessage, raw: Buffer): NewObject {
  const encodings = (header(req, 'content-encoding') ?? '')
    .split(',')
    .map((each) => each.trim())
    .filter(Boolean);
  const chunked =
    encodings.includes('aws-chunked') || (header(req, 'x-amz-content-sha256') ?? '').startsWith('STREAMING-');
  const { body, trailers } = chunked ? decodeAwsChunked(raw) : { body: raw, trailers: {} };
  const declared = header(req, 'x-amz-decoded-content-length');
  if (chunked && declared !== undefined && Number(declared) !== body.length)
    throw new S3Error(
      400,
      'IncompleteBody',
      'You did not provide the number of bytes specified by the Content-Length HTTP header',
    );
  checkContentMd5(header(req, 'content-md5'), body);
  return {
    key,
    body,
    contentType: header(req, 'content-type') ?? 'binary/octet-stream',
    headers: keptHeaders(req, encodings),
    checksums: verifiedChecksums(req, trailers, body),
  };
}

/**
 * A body sent `aws-chunked` (the SDK's streaming uploads: `<hex size>[;chunk-signature=…]\r\n<bytes>\r\n…0\r\n`
 * then trailers such as `x-amz-checksum-crc32:…`) → the bytes and the trailers.
 */
function decodeAwsChunked(raw: Buffer): { body: Buffer; trailers: Record<string, string> } {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', offset);
    const size = lineEnd < 0 ? Number.NaN : Number.parseInt(raw.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isInteger(size) || size < 0 || lineEnd + 2 + size > raw.length)
      throw new S3Error(400, 'IncompleteBody', 'The request body terminated unexpectedly');
    offset = lineEnd + 2;
    if (size === 0) break;
    parts.push(raw.subarray(offset, offset + size));
    offset += size + 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of raw.subarray(offset).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { body: Buffer.concat(parts), trailers };
}

function checkContentMd5(md5: string | undefined, body: Buffer): void {
  if (md5 === undefined) return;
  if (Buffer.from(md5, 'base64').length !== 16)
    throw new S3Error(400, 'InvalidDigest', 'The Content-MD5 you specified was invalid.');
  if (createHash('md5').update(body).digest('base64') !== md5)
    throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
}

/** The `x-amz-checksum-*` values given in headers or trailers; those this peer can compute must match. */
function verifiedChecksums(
  req: IncomingMessage,
  trailers: Record<string, string>,
  body: Buffer,
): Record<string, string> {
  const checksums: Record<string, string> = {};
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const given = header(req, `x-amz-checksum-${algorithm}`) ?? trailers[`x-amz-checksum-${algorithm}`];
    if (given === undefined) continue;
    const compute = CHECKSUM_FUNCTIONS[algorithm];
    if (compute && compute(body) !== given)
      throw new S3Error(
        400,
        'BadDigest',
        `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
      );
    checksums[algorithm] = given;
  }
  return checksums;
}

/** The representation headers S3 keeps (`aws-chunked` is the transfer's, not the object's) and `x-amz-meta-*`. */
function keptHeaders(req: IncomingMessage, encodings: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = header(req, name);
    if (value !== undefined) headers[name] = value;
  }
  const contentEncoding = encodings.filter((each) => each !== 'aws-chunked').join(', ');
  if (contentEncoding) headers['content-encoding'] = contentEncoding;
  else delete headers['content-encoding'];
  for (const [name, value] of Object.entries(req.headers))
    if (name.startsWith('x-amz-meta-') && value !== undefined)
      headers[name] = Array.isArray(value) ? value.join(',') : value;
  return headers;
}
