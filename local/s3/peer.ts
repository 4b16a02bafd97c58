import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { buffer } from 'node:stream/consumers';
import { listenOnLoopback } from '../loopback';
import { objectAnswer } from './get-object';
import { byUtf8 } from './keys';
import { listObjectsV2 } from './list-objects';
import { type NewObject, ObjectStore, type StoredObject } from './object-store';
import { type S3Request, s3Request } from './request';
import { readUpload } from './upload';
import { header, noSuchKey, S3Error, send, sendError, sendXml } from './wire';
import { element, S3_XMLNS, XML_HEAD } from './xml';

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

const MAX_KEY_BYTES = 1024;

class S3Service {
  constructor(
    private readonly store: ObjectStore,
    private readonly onObjectCreated: S3PeerOptions['onObjectCreated'],
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await buffer(req);
    const request = s3Request({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers });
    try {
      this.route(request, req, res, raw);
    } catch (error) {
      if (error instanceof S3Error) sendError(res, req, error);
      else sendError(res, req, new S3Error(500, 'InternalError', (error as Error).message));
    }
  }

  private route(request: S3Request, req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
    const { operation, bucket = '', key = '', query } = request;
    switch (operation) {
      case 'ListBuckets':
        sendXml(res, this.listBuckets());
        break;
      case 'HeadBucket':
        this.store.bucket(bucket);
        send(res, 200, { 'x-amz-bucket-region': 'us-east-1' });
        break;
      case 'ListObjectsV2':
        sendXml(res, listObjectsV2(bucket, this.store.bucket(bucket), query));
        break;
      case 'PutObject':
        this.putObject(bucket, key, req, raw, res);
        break;
      case 'GetObject':
      case 'HeadObject':
        this.getObject(bucket, key, query, req, res);
        break;
      case 'DeleteObject':
        this.store.delete(bucket, key);
        send(res, 204, {});
        break;
      default:
        throw new S3Error(
          501,
          'NotImplemented',
          `${operation === 'Unknown' ? 'This request' : operation} is not implemented by the local S3 peer`,
        );
    }
  }

  /** Stores the object and fires the callback: what a PutObject and `put` share. */
  storeObject(bucket: string, object: NewObject): StoredObject {
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
    const upload = readUpload(key, req, raw);
    if (header(req, 'if-none-match') === '*' && objects.has(key))
      throw new S3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
        Condition: 'If-None-Match',
      });
    const stored = this.storeObject(bucket, upload);
    send(res, 200, {
      etag: `"${stored.eTag}"`,
      'x-amz-server-side-encryption': 'AES256',
      ...Object.fromEntries(
        Object.entries(upload.checksums).map(([algorithm, value]) => [`x-amz-checksum-${algorithm}`, value]),
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
    const { status, headers, body } = objectAnswer(object, query, req);
    send(res, status, headers, body);
  }

  private listBuckets(): string {
    const created = new Date(0).toISOString();
    const buckets = this.store
      .bucketNames()
      .sort(byUtf8)
      .map((name) => `<Bucket>${element('Name', name)}${element('CreationDate', created)}</Bucket>`)
      .join('');
    return `${XML_HEAD}<ListAllMyBucketsResult xmlns="${S3_XMLNS}"><Owner><ID>local</ID></Owner><Buckets>${buckets}</Buckets></ListAllMyBucketsResult>`;
  }
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
