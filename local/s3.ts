import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import * as zlib from 'node:zlib';
import type { S3Event, S3EventRecord } from 'aws-lambda';
import { type AccountNames, type S3Request, s3Request } from './aws-requests';
import { listenOnLoopback } from './loopback';
import type { TemplateResolver } from './template';

/**
 * S3 on loopback: the REST API the SDK's `S3Client` speaks for the object calls the stack makes (PutObject,
 * GetObject, HeadObject, DeleteObject, ListObjectsV2, and HeadBucket / ListBuckets), answering as S3 does (XML
 * errors such as NoSuchKey and NoSuchBucket, quoted MD5 ETags, SSE-S3 headers), and an object-created callback
 * from which the embedded stack delivers the template's bucket notifications.
 *
 * The SDK addresses a bucket path style (`http://127.0.0.1:<port>/<bucket>/<key>`) when its endpoint is an IP
 * address, so `AWS_ENDPOINT_URL_S3=http://127.0.0.1:<port>` needs no `forcePathStyle`; `<bucket>.localhost` virtual
 * hosts are understood too. Buckets are the ones given at start (a deployment's); IAM is the authorizing proxy's
 * job (service `s3`), as for dynalite. Objects live in memory, and with `dataDir` also in one file per object.
 */

export interface S3PeerOptions {
  /** The buckets that exist (physical names: `TemplateResolver` makes a bucket's name its logical id lower-cased). */
  buckets: string[];
  /** Keep objects across restarts: `<dataDir>/<bucket>/<sha256 of key>.object`, a JSON line then the bytes. */
  dataDir?: string;
  /**
   * Called once an object is stored by a PutObject or `put` (size in bytes, eTag the bare MD5 hex, as in an S3
   * event). Whatever it throws or rejects with is reported as a process warning: the write has succeeded.
   */
  onObjectCreated?: (bucket: string, key: string, size: number, eTag: string) => void | Promise<void>;
}

export interface PutOptions {
  /** Defaults to `binary/octet-stream`, as S3's. */
  contentType?: string;
  /** User metadata (`x-amz-meta-<name>`). */
  metadata?: Record<string, string>;
}

export interface S3Peer {
  /** For `new S3Client({ endpoint })` or `AWS_ENDPOINT_URL_S3` (path style follows from the IP address). */
  endpoint: string;
  /** Stores an object as a PutObject would, and fires the object-created callback. */
  put(bucket: string, key: string, body: Buffer, options?: PutOptions): Promise<void>;
  close(): Promise<void>;
}

interface StoredObject {
  key: string;
  body: Buffer;
  /** Bare MD5 hex (the ETag header quotes it). */
  eTag: string;
  lastModified: Date;
  contentType: string;
  /** Representation headers and `x-amz-meta-*`, as given at upload. */
  headers: Record<string, string>;
  /** `x-amz-checksum-<algorithm>` → base64 value, as given at upload; returned when the reader asks. */
  checksums: Record<string, string>;
}

/** What S3 keeps of a PutObject's headers and returns on GetObject/HeadObject. */
const KEPT_HEADERS = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'];
const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};
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
const MAX_KEY_BYTES = 1024;

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

const noSuchBucket = (bucket: string) =>
  new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
const noSuchKey = (key: string) => new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });

// ---- XML --------------------------------------------------------------------------------------------------------

/** Text for an XML element; control characters S3 cannot send raw become character references, as S3 sends them. */
export function escapeXml(text: string): string {
  return text
    .replace(
      /[&<>"']/g,
      (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[char] ?? '',
    )
    .replace(
      // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters to encode.
      /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g,
      (char) => `&#x${(char.codePointAt(0) ?? 0).toString(16).toUpperCase()};`,
    );
}

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** An S3 error document: `<Error><Code>…</Code><Message>…</Message>…</Error>` (extra elements after the message). */
export function s3ErrorXml(code: string, message: string, extra: Record<string, string> = {}): string {
  const elements = Object.entries(extra)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join('');
  return `${XML_HEAD}<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message>${elements}</Error>`;
}

const element = (name: string, value: string | number | boolean | undefined) =>
  value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;

// ---- Keys in events and listings --------------------------------------------------------------------------------

/**
 * A key as S3 URL-encodes it in event notifications (and in listings with `encoding-type=url`): form encoding, a
 * space as `+`, every byte but letters, digits, `.`, `-`, `_`, `*` and `/` as `%XX` of its UTF-8.
 */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/');
}

/** S3 lists keys in UTF-8 binary order (not JavaScript's UTF-16 order). */
const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

// ---- Storage ----------------------------------------------------------------------------------------------------

interface ObjectHeader {
  key: string;
  eTag: string;
  lastModified: string;
  contentType: string;
  headers: Record<string, string>;
  checksums: Record<string, string>;
}

class ObjectStore {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();

  constructor(
    buckets: string[],
    private readonly dataDir: string | undefined,
  ) {
    for (const bucket of buckets) this.buckets.set(bucket, dataDir ? this.load(bucket) : new Map());
  }

  bucketNames(): string[] {
    return [...this.buckets.keys()];
  }

  bucket(name: string): Map<string, StoredObject> {
    const bucket = this.buckets.get(name);
    if (!bucket) throw noSuchBucket(name);
    return bucket;
  }

  put(bucket: string, object: StoredObject): void {
    const objects = this.bucket(bucket);
    if (this.dataDir) {
      const file = this.fileOf(bucket, object.key);
      const header: ObjectHeader = {
        key: object.key,
        eTag: object.eTag,
        lastModified: object.lastModified.toISOString(),
        contentType: object.contentType,
        headers: object.headers,
        checksums: object.checksums,
      };
      // Written whole then renamed: a crash leaves the previous version, never half of one.
      const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      writeFileSync(temporary, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), object.body]));
      renameSync(temporary, file);
    }
    objects.set(object.key, object);
  }

  delete(bucket: string, key: string): void {
    const objects = this.bucket(bucket);
    if (this.dataDir) rmSync(this.fileOf(bucket, key), { force: true });
    objects.delete(key);
  }

  private fileOf(bucket: string, key: string): string {
    return path.join(this.dataDir as string, bucket, `${createHash('sha256').update(key).digest('hex')}.object`);
  }

  private load(bucket: string): Map<string, StoredObject> {
    const directory = path.join(this.dataDir as string, bucket);
    mkdirSync(directory, { recursive: true });
    const objects = new Map<string, StoredObject>();
    for (const name of readdirSync(directory)) {
      if (!name.endsWith('.object')) continue;
      const content = readFileSync(path.join(directory, name));
      const newline = content.indexOf(0x0a);
      if (newline < 0) continue;
      const header = JSON.parse(content.subarray(0, newline).toString('utf8')) as ObjectHeader;
      objects.set(header.key, {
        ...header,
        lastModified: new Date(header.lastModified),
        body: content.subarray(newline + 1),
      });
    }
    return objects;
  }
}

// ---- HTTP -------------------------------------------------------------------------------------------------------

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
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

function requestIds(): Record<string, string> {
  return {
    'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
    'x-amz-id-2': randomBytes(48).toString('base64'),
  };
}

function send(
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

function sendError(res: ServerResponse, req: IncomingMessage, error: S3Error): void {
  const ids = requestIds();
  // A HEAD answer has no body: the status says it all (the SDK names a 404 `NotFound`, as with S3).
  const body =
    req.method === 'HEAD'
      ? ''
      : s3ErrorXml(error.code, error.message, {
          ...error.extra,
          RequestId: ids['x-amz-request-id'] as string,
          HostId: ids['x-amz-id-2'] as string,
        });
  send(res, error.status, { ...ids, ...(body ? { 'content-type': 'application/xml' } : {}) }, body);
}

class S3Service {
  constructor(
    private readonly store: ObjectStore,
    private readonly onObjectCreated: S3PeerOptions['onObjectCreated'],
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const request = s3Request({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers });
    try {
      this.route(request, req, res, raw);
    } catch (error) {
      if (error instanceof S3Error) sendError(res, req, error);
      else sendError(res, req, new S3Error(500, 'InternalError', (error as Error).message));
    }
  }

  private route(request: S3Request, req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
    const { operation, bucket = '', key = '' } = request;
    if (operation === 'ListBuckets') this.listBuckets(res);
    else if (operation === 'HeadBucket') {
      this.store.bucket(bucket);
      send(res, 200, { 'x-amz-bucket-region': 'us-east-1' });
    } else if (operation === 'ListObjectsV2') this.listObjectsV2(bucket, request.query, res);
    else if (operation === 'PutObject') this.putObject(bucket, key, req, raw, res);
    else if (operation === 'GetObject' || operation === 'HeadObject')
      this.getObject(bucket, key, request.query, req, res);
    else if (operation === 'DeleteObject') {
      this.store.delete(bucket, key);
      send(res, 204, {});
    } else
      throw new S3Error(
        501,
        'NotImplemented',
        `${operation === 'Unknown' ? 'This request' : operation} is not implemented by the local S3 peer`,
      );
  }

  /** Stores the object and fires the callback: what a PutObject and `put` share. */
  storeObject(bucket: string, object: Omit<StoredObject, 'eTag' | 'lastModified'>): StoredObject {
    if (Buffer.byteLength(object.key) > MAX_KEY_BYTES)
      throw new S3Error(400, 'KeyTooLongError', 'Your key is too long');
    const stored: StoredObject = {
      ...object,
      eTag: createHash('md5').update(object.body).digest('hex'),
      lastModified: new Date(),
    };
    this.store.put(bucket, stored);
    this.notify(bucket, stored);
    return stored;
  }

  private notify(bucket: string, object: StoredObject): void {
    if (!this.onObjectCreated) return;
    const report = (error: unknown) =>
      process.emitWarning(
        `S3 object-created notification for s3://${bucket}/${object.key} failed: ${(error as Error)?.message ?? error}`,
      );
    try {
      const pending = this.onObjectCreated(bucket, object.key, object.body.length, object.eTag);
      if (pending && typeof pending.then === 'function') pending.catch(report);
    } catch (error) {
      report(error);
    }
  }

  private putObject(bucket: string, key: string, req: IncomingMessage, raw: Buffer, res: ServerResponse): void {
    const objects = this.store.bucket(bucket);
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

    const md5 = header(req, 'content-md5');
    if (md5 !== undefined) {
      if (Buffer.from(md5, 'base64').length !== 16)
        throw new S3Error(400, 'InvalidDigest', 'The Content-MD5 you specified was invalid.');
      if (createHash('md5').update(body).digest('base64') !== md5)
        throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
    }
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
    if (header(req, 'if-none-match') === '*' && objects.has(key))
      throw new S3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
        Condition: 'If-None-Match',
      });

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

    const stored = this.storeObject(bucket, {
      key,
      body,
      contentType: header(req, 'content-type') ?? 'binary/octet-stream',
      headers,
      checksums,
    });
    send(res, 200, {
      etag: `"${stored.eTag}"`,
      'x-amz-server-side-encryption': 'AES256',
      ...Object.fromEntries(
        Object.entries(checksums).map(([algorithm, value]) => [`x-amz-checksum-${algorithm}`, value]),
      ),
    });
  }

  private getObject(
    bucket: string,
    key: string,
    query: URLSearchParams,
    req: IncomingMessage,
    res: ServerResponse,
  ): void {
    const object = this.store.bucket(bucket).get(key);
    if (!object) throw noSuchKey(key);
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
    send(res, slice ? 206 : 200, headers, req.method === 'HEAD' ? '' : object.body.subarray(start, end + 1));
  }

  private listBuckets(res: ServerResponse): void {
    const created = new Date(0).toISOString();
    const buckets = this.store
      .bucketNames()
      .sort(byUtf8)
      .map((name) => `<Bucket>${element('Name', name)}${element('CreationDate', created)}</Bucket>`)
      .join('');
    send(
      res,
      200,
      { 'content-type': 'application/xml' },
      `${XML_HEAD}<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>local</ID></Owner><Buckets>${buckets}</Buckets></ListAllMyBucketsResult>`,
    );
  }

  /** Prefix, delimiter (common prefixes count once toward max-keys), start-after, continuation, url encoding. */
  private listObjectsV2(bucket: string, query: URLSearchParams, res: ServerResponse): void {
    const objects = this.store.bucket(bucket);
    const prefix = query.get('prefix') ?? '';
    const delimiter = query.get('delimiter') ?? '';
    const maxKeysGiven = query.get('max-keys');
    const maxKeysAsked = maxKeysGiven === null ? 1000 : Number(maxKeysGiven);
    if (!Number.isInteger(maxKeysAsked) || maxKeysAsked < 0)
      throw new S3Error(400, 'InvalidArgument', 'Provided max-keys not an integer or within integer range', {
        ArgumentName: 'max-keys',
        ArgumentValue: maxKeysGiven ?? '',
      });
    // S3 answers at most 1000 keys a page, whatever is asked.
    const maxKeys = Math.min(maxKeysAsked, 1000);
    const startAfter = query.get('start-after') ?? undefined;
    const token = query.get('continuation-token') ?? undefined;
    let after = startAfter;
    if (token !== undefined) {
      after = Buffer.from(token, 'base64url').toString('utf8');
      if (!token || Buffer.from(after, 'utf8').toString('base64url') !== token)
        throw new S3Error(400, 'InvalidArgument', 'The continuation token provided is incorrect', {
          ArgumentName: 'continuation-token',
          ArgumentValue: token,
        });
    }
    const urlEncoded = query.get('encoding-type') === 'url';
    const shown = (text: string) => (urlEncoded ? encodeS3EventKey(text) : text);

    const contents: StoredObject[] = [];
    const commonPrefixes: string[] = [];
    let last: string | undefined;
    let truncated = false;
    for (const key of [...objects.keys()].sort(byUtf8)) {
      if (!key.startsWith(prefix)) continue;
      if (
        after !== undefined &&
        // A page that ended on a common prefix resumes after every key under it.
        (byUtf8(key, after) <= 0 ||
          (token !== undefined && delimiter && after.endsWith(delimiter) && key.startsWith(after)))
      )
        continue;
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      const commonPrefix = cut < 0 ? undefined : key.slice(0, cut + delimiter.length);
      if (commonPrefix !== undefined && commonPrefix === commonPrefixes[commonPrefixes.length - 1]) continue;
      if (contents.length + commonPrefixes.length >= maxKeys) {
        truncated = true;
        break;
      }
      if (commonPrefix !== undefined) commonPrefixes.push(commonPrefix);
      else contents.push(objects.get(key) as StoredObject);
      last = commonPrefix ?? key;
    }
    const body = [
      `${XML_HEAD}<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`,
      element('Name', bucket),
      element('Prefix', shown(prefix)),
      element('ContinuationToken', token),
      truncated && last !== undefined ? element('NextContinuationToken', Buffer.from(last).toString('base64url')) : '',
      element('KeyCount', contents.length + commonPrefixes.length),
      element('MaxKeys', maxKeys),
      delimiter ? element('Delimiter', shown(delimiter)) : '',
      element('IsTruncated', truncated),
      urlEncoded ? element('EncodingType', 'url') : '',
      startAfter !== undefined ? element('StartAfter', shown(startAfter)) : '',
      ...contents.map(
        (object) =>
          `<Contents>${element('Key', shown(object.key))}${element('LastModified', object.lastModified.toISOString())}` +
          `${element('ETag', `"${object.eTag}"`)}${element('Size', object.body.length)}` +
          `${Object.keys(object.checksums)
            .map((algorithm) => element('ChecksumAlgorithm', algorithm.toUpperCase()))
            .join('')}` +
          `${element('StorageClass', 'STANDARD')}</Contents>`,
      ),
      ...commonPrefixes.map((each) => `<CommonPrefixes>${element('Prefix', shown(each))}</CommonPrefixes>`),
      '</ListBucketResult>',
    ].join('');
    send(res, 200, { 'content-type': 'application/xml' }, body);
  }
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

export async function startS3Peer(options: S3PeerOptions): Promise<S3Peer> {
  const store = new ObjectStore(options.buckets, options.dataDir);
  const service = new S3Service(store, options.onObjectCreated);
  const server = createServer((req, res) => {
    service.handle(req, res).catch((error: Error) => {
      if (res.headersSent) res.destroy();
      else sendError(res, req, new S3Error(500, 'InternalError', error.message));
    });
  });
  server.keepAliveTimeout = 60_000;
  const port = await listenOnLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async put(bucket, key, body, putOptions = {}) {
      service.storeObject(bucket, {
        key,
        body: Buffer.from(body),
        contentType: putOptions.contentType ?? 'binary/octet-stream',
        headers: Object.fromEntries(
          Object.entries(putOptions.metadata ?? {}).map(([name, value]) => [`x-amz-meta-${name.toLowerCase()}`, value]),
        ),
        checksums: {},
      });
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

// ---- Events -----------------------------------------------------------------------------------------------------

export interface S3EventOptions {
  /** Without the `s3:` prefix; `ObjectCreated:Put` unless given. */
  eventName?: string;
  eventTime?: Date;
  /** The notification configuration's id. */
  configurationId?: string;
  /** Orders events for one key; increasing hex unless given. */
  sequencer?: string;
  sourceIPAddress?: string;
  /** The requester (`AWS:<principal id>`); the account's unless given. */
  principalId?: string;
}

let lastSequence = 0n;

/** Hex, increasing across calls in this process (S3's sequencers order the events of one key). */
function nextSequencer(): string {
  const now = BigInt(Date.now()) << 16n;
  lastSequence = now > lastSequence ? now : lastSequence + 1n;
  return lastSequence.toString(16).toUpperCase().padStart(18, '0');
}

/** One record of the event S3 sends Lambda for an object (the key URL-encoded as S3 does: a space is `+`). */
export function s3EventRecordFor(
  bucket: string,
  key: string,
  size: number,
  eTag: string,
  names: AccountNames,
  options: S3EventOptions = {},
): S3EventRecord {
  const ids = requestIds();
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: names.region,
    eventTime: (options.eventTime ?? new Date()).toISOString(),
    eventName: options.eventName ?? 'ObjectCreated:Put',
    userIdentity: { principalId: options.principalId ?? `AWS:${names.accountId}` },
    requestParameters: { sourceIPAddress: options.sourceIPAddress ?? '127.0.0.1' },
    responseElements: {
      'x-amz-request-id': ids['x-amz-request-id'] as string,
      'x-amz-id-2': ids['x-amz-id-2'] as string,
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: options.configurationId ?? 'local',
      bucket: { name: bucket, ownerIdentity: { principalId: names.accountId }, arn: `arn:aws:s3:::${bucket}` },
      object: {
        key: encodeS3EventKey(key),
        size,
        eTag: eTag.replace(/"/g, ''),
        sequencer: options.sequencer ?? nextSequencer(),
      },
    },
  };
}

/** The event S3 sends a Lambda function for one object: `{ Records: [record] }`. */
export function s3EventFor(
  bucket: string,
  key: string,
  size: number,
  eTag: string,
  names: AccountNames,
  options: S3EventOptions = {},
): S3Event {
  return { Records: [s3EventRecordFor(bucket, key, size, eTag, names, options)] };
}

// ---- Bucket notifications from the template ---------------------------------------------------------------------

export interface BucketNotification {
  /** `<notification resource's logical id>-<index>`, or the configuration's own `Id`: the event's configurationId. */
  id: string;
  bucket: string;
  /** As configured: `s3:ObjectCreated:*`, `s3:ObjectCreated:Put`, … */
  events: string[];
  prefix?: string;
  suffix?: string;
  functionArn: string;
}

type Json = Record<string, unknown>;

function filterRules(rules: unknown): { prefix?: string; suffix?: string } {
  const found: { prefix?: string; suffix?: string } = {};
  for (const rule of Array.isArray(rules) ? (rules as Json[]) : []) {
    const name = String(rule.Name ?? '').toLowerCase();
    if (name === 'prefix' || name === 'suffix') found[name] = String(rule.Value ?? '');
  }
  return found;
}

/**
 * The template's Lambda notifications for its buckets, resolved: CDK's `Custom::S3BucketNotifications`
 * (`NotificationConfiguration.LambdaFunctionConfigurations`) and a bucket's own `NotificationConfiguration.
 * LambdaConfigurations`. Queue, topic and EventBridge destinations are not delivered locally and are left out.
 */
export function templateBucketNotifications(resolver: TemplateResolver): BucketNotification[] {
  const custom = resolver.ofType('Custom::S3BucketNotifications').flatMap(([logicalId, resource]) => {
    const properties = resource.Properties ?? {};
    const bucket = resolver.resolveString(properties.BucketName);
    const configuration = (properties.NotificationConfiguration ?? {}) as Json;
    const lambdas = (configuration.LambdaFunctionConfigurations ?? []) as Json[];
    return lambdas.map((each, index): BucketNotification => {
      const resolved = resolver.resolve(each) as Json;
      return {
        id: typeof resolved.Id === 'string' ? resolved.Id : `${logicalId}-${index}`,
        bucket,
        events: (resolved.Events ?? []) as string[],
        ...filterRules(((resolved.Filter as Json | undefined)?.Key as Json | undefined)?.FilterRules),
        functionArn: String(resolved.LambdaFunctionArn),
      };
    });
  });
  const native = resolver.ofType('AWS::S3::Bucket').flatMap(([logicalId, resource]) => {
    const configuration = (resource.Properties?.NotificationConfiguration ?? {}) as Json;
    const lambdas = (configuration.LambdaConfigurations ?? []) as Json[];
    if (!lambdas.length) return [];
    const bucket = resolver.resolveString({ Ref: logicalId });
    return lambdas.map((each, index): BucketNotification => {
      const resolved = resolver.resolve(each) as Json;
      return {
        id: `${logicalId}-${index}`,
        bucket,
        events: [String(resolved.Event)],
        ...filterRules(((resolved.Filter as Json | undefined)?.S3Key as Json | undefined)?.Rules),
        functionArn: String(resolved.Function),
      };
    });
  });
  return [...custom, ...native];
}

/** The template's buckets, by their local names (for `startS3Peer({ buckets })`). */
export function templateBuckets(resolver: TemplateResolver): string[] {
  return resolver.ofType('AWS::S3::Bucket').map(([logicalId]) => resolver.resolveString({ Ref: logicalId }));
}

/**
 * The notifications an event on `bucket`/`key` triggers: same bucket, an event type that covers `eventName`
 * (`ObjectCreated:Put` or `s3:ObjectCreated:Put`; `s3:ObjectCreated:*` covers every ObjectCreated one), and the key
 * (raw, not URL-encoded) within the prefix and suffix filters.
 */
export function notificationsFor(
  notifications: BucketNotification[],
  bucket: string,
  key: string,
  eventName: string,
): BucketNotification[] {
  const event = eventName.startsWith('s3:') ? eventName : `s3:${eventName}`;
  const covers = (configured: string) =>
    configured === event || (configured.endsWith(':*') && event.startsWith(configured.slice(0, -1)));
  return notifications.filter(
    (each) =>
      each.bucket === bucket &&
      each.events.some(covers) &&
      key.startsWith(each.prefix ?? '') &&
      key.endsWith(each.suffix ?? ''),
  );
}
