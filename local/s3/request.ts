/**
 * One S3 REST request read off the wire: the operation, and the bucket and key it addresses (decoded). The peer
 * routes by it, and the authorizing proxy names the IAM action and resources from it.
 */

/** What `s3Request` needs of a request: the request line and the headers. */
export interface S3WireRequest {
  method: string;
  /** Path and query string, as on the request line. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface S3Request {
  /** The S3 API operation (`GetObject`, `ListObjectsV2`, …), or `Unknown` for a route this table does not know. */
  operation: string;
  bucket?: string;
  key?: string;
  query: URLSearchParams;
}

type OperationTable = Record<string, [subresource: string, operation: string][]>;

/** The S3 operations, by level, method and subresource (the first query parameter of this list the request has). */
const S3_OBJECT_OPERATIONS: OperationTable = {
  GET: [
    ['uploadId', 'ListParts'],
    ['tagging', 'GetObjectTagging'],
    ['acl', 'GetObjectAcl'],
    ['attributes', 'GetObjectAttributes'],
    ['', 'GetObject'],
  ],
  HEAD: [['', 'HeadObject']],
  PUT: [
    ['tagging', 'PutObjectTagging'],
    ['acl', 'PutObjectAcl'],
    ['uploadId', 'UploadPart'],
    ['', 'PutObject'],
  ],
  DELETE: [
    ['uploadId', 'AbortMultipartUpload'],
    ['tagging', 'DeleteObjectTagging'],
    ['', 'DeleteObject'],
  ],
  POST: [
    ['uploads', 'CreateMultipartUpload'],
    ['uploadId', 'CompleteMultipartUpload'],
    ['restore', 'RestoreObject'],
    ['select', 'SelectObjectContent'],
  ],
};

const BUCKET_SUBRESOURCES = ['policy', 'tagging', 'acl', 'versioning', 'encryption', 'lifecycle', 'cors'] as const;
const BUCKET_SUBRESOURCE_NAMES: Record<(typeof BUCKET_SUBRESOURCES)[number], string> = {
  policy: 'BucketPolicy',
  tagging: 'BucketTagging',
  acl: 'BucketAcl',
  versioning: 'BucketVersioning',
  encryption: 'BucketEncryption',
  lifecycle: 'BucketLifecycleConfiguration',
  cors: 'BucketCors',
};

const S3_BUCKET_OPERATIONS: OperationTable = {
  GET: [
    ['list-type', 'ListObjectsV2'],
    ['versions', 'ListObjectVersions'],
    ['uploads', 'ListMultipartUploads'],
    ['location', 'GetBucketLocation'],
    ['notification', 'GetBucketNotificationConfiguration'],
    ...BUCKET_SUBRESOURCES.map((sub): [string, string] => [sub, `Get${BUCKET_SUBRESOURCE_NAMES[sub]}`]),
    ['', 'ListObjects'],
  ],
  HEAD: [['', 'HeadBucket']],
  PUT: [
    ['notification', 'PutBucketNotificationConfiguration'],
    ...BUCKET_SUBRESOURCES.map((sub): [string, string] => [sub, `Put${BUCKET_SUBRESOURCE_NAMES[sub]}`]),
    ['', 'CreateBucket'],
  ],
  DELETE: [
    ...BUCKET_SUBRESOURCES.filter((sub) => sub !== 'acl' && sub !== 'versioning').map((sub): [string, string] => [
      sub,
      `Delete${BUCKET_SUBRESOURCE_NAMES[sub]}`,
    ]),
    ['', 'DeleteBucket'],
  ],
  POST: [['delete', 'DeleteObjects']],
};

/** Percent-decoded, or as given when it is not valid percent-encoding (S3 would refuse it; IAM still names it). */
export const decodeSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** A header's first value, whatever the case of its name. */
export function headerOf(headers: S3WireRequest['headers'], name: string): string | undefined {
  const key = Object.keys(headers).find((each) => each.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Path style (`/bucket/key`, what the SDK uses for an IP endpoint such as `http://127.0.0.1:<port>`) or virtual-hosted
 * style (`bucket.localhost`, `bucket.s3.<region>.amazonaws.com`). The key is the rest of the path, percent-decoded
 * (a `+` in a path is a plus).
 */
export function s3Request(request: S3WireRequest): S3Request {
  const [rawPath = '/', rawQuery = ''] = request.path.split(/\?(.*)/s);
  const query = new URLSearchParams(rawQuery);
  const { bucket, rawKey } = addressedBucket(rawPath, headerOf(request.headers, 'host') ?? '');
  const key = decodeSegment(rawKey) || undefined;
  const method = request.method.toUpperCase();
  if (!bucket) return { operation: method === 'GET' ? 'ListBuckets' : 'Unknown', query };
  const table = (key ? S3_OBJECT_OPERATIONS : S3_BUCKET_OPERATIONS)[method] ?? [];
  let operation = table.find(([subresource]) => subresource === '' || query.has(subresource))?.[1] ?? 'Unknown';
  if (operation === 'PutObject' && headerOf(request.headers, 'x-amz-copy-source')) operation = 'CopyObject';
  if (operation === 'UploadPart' && headerOf(request.headers, 'x-amz-copy-source')) operation = 'UploadPartCopy';
  return { operation, bucket, ...(key ? { key } : {}), query };
}

/** The bucket from the virtual host or the first path segment, and the still-encoded key after it. */
function addressedBucket(rawPath: string, hostHeader: string): { bucket?: string; rawKey: string } {
  const host = hostHeader.replace(/:\d+$/, '').toLowerCase();
  const virtualHost = host.match(/^(.+)\.(?:localhost|s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com)$/);
  const path = rawPath.replace(/^\//, '');
  if (virtualHost) return { bucket: virtualHost[1], rawKey: path };
  const slash = path.indexOf('/');
  return {
    bucket: decodeSegment(slash < 0 ? path : path.slice(0, slash)) || undefined,
    rawKey: slash < 0 ? '' : path.slice(slash + 1),
  };
}
