import type { AuthorizationRequest } from '../iam';
import { decodeSegment, headerOf, s3Request } from '../s3/request';
import type { WireRequest } from './wire';

/**
 * S3 REST requests: the IAM action of each operation (which often differs from the operation's name), the bucket or
 * object ARN, and the extra actions a request needs (the copy source's read, an ACL or tags set with a write).
 */

/** The IAM action of each operation that does not simply share its name (per the Service Authorization Reference). */
const S3_ACTIONS: Record<string, string> = {
  HeadObject: 'GetObject',
  ListObjectsV2: 'ListBucket',
  ListObjects: 'ListBucket',
  HeadBucket: 'ListBucket',
  ListBuckets: 'ListAllMyBuckets',
  ListObjectVersions: 'ListBucketVersions',
  ListMultipartUploads: 'ListBucketMultipartUploads',
  ListParts: 'ListMultipartUploadParts',
  CopyObject: 'PutObject',
  UploadPartCopy: 'PutObject',
  CreateMultipartUpload: 'PutObject',
  UploadPart: 'PutObject',
  CompleteMultipartUpload: 'PutObject',
  SelectObjectContent: 'GetObject',
  GetBucketNotificationConfiguration: 'GetBucketNotification',
  PutBucketNotificationConfiguration: 'PutBucketNotification',
  GetBucketEncryption: 'GetEncryptionConfiguration',
  PutBucketEncryption: 'PutEncryptionConfiguration',
  DeleteBucketEncryption: 'PutEncryptionConfiguration',
  GetBucketLifecycleConfiguration: 'GetLifecycleConfiguration',
  PutBucketLifecycleConfiguration: 'PutLifecycleConfiguration',
  DeleteBucketLifecycleConfiguration: 'PutLifecycleConfiguration',
  GetBucketCors: 'GetBucketCORS',
  PutBucketCors: 'PutBucketCORS',
  DeleteBucketCors: 'PutBucketCORS',
  DeleteBucketTagging: 'PutBucketTagging',
};

/** What the request names of a `versionId`: reads and deletes of a version are their own actions. */
const VERSIONED_ACTIONS: Record<string, string> = {
  GetObject: 'GetObjectVersion',
  DeleteObject: 'DeleteObjectVersion',
  GetObjectTagging: 'GetObjectVersionTagging',
  PutObjectTagging: 'PutObjectVersionTagging',
  DeleteObjectTagging: 'DeleteObjectVersionTagging',
  GetObjectAcl: 'GetObjectVersionAcl',
  PutObjectAcl: 'PutObjectVersionAcl',
  GetObjectAttributes: 'GetObjectVersionAttributes',
};

const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;
const actionOf = (operation: string) => `s3:${S3_ACTIONS[operation] ?? operation}`;

export function describeS3(request: WireRequest): AuthorizationRequest[] {
  const { operation, bucket, key, query } = s3Request(request);
  if (operation === 'Unknown') return [{ action: 's3:UnknownOperation', resources: ['*'] }];
  if (!bucket) return [{ action: actionOf(operation), resources: ['*'] }];
  if (!key) return describeBucketRequest(request, operation, bucket, query);
  return describeObjectRequest(request, operation, objectArn(bucket, key), query);
}

function describeBucketRequest(
  request: WireRequest,
  operation: string,
  bucket: string,
  query: URLSearchParams,
): AuthorizationRequest[] {
  const action = actionOf(operation);
  if (operation === 'DeleteObjects') {
    // Authorized per key, each as a DeleteObject (AWS reports a denied key in the result; here it denies the call).
    const keys = [...request.body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)].map((match) =>
      unescapeXml(match[1] ?? ''),
    );
    return (keys.length ? keys : ['*']).map((each) => ({
      action: 's3:DeleteObject',
      resources: [each === '*' ? '*' : objectArn(bucket, each)],
    }));
  }
  const resources = [`arn:aws:s3:::${bucket}`];
  if (action !== 's3:ListBucket') return [{ action, resources }];
  // A listing's prefix, delimiter and max-keys are condition keys a grant may test.
  const context = Object.fromEntries(
    (['prefix', 'delimiter', 'max-keys'] as const).flatMap((name) => {
      const value = query.get(name);
      return value === null ? [] : [[`s3:${name}`, value]];
    }),
  );
  return [{ action, resources, ...(Object.keys(context).length ? { context } : {}) }];
}

function describeObjectRequest(
  request: WireRequest,
  operation: string,
  resource: string,
  query: URLSearchParams,
): AuthorizationRequest[] {
  const named = S3_ACTIONS[operation] ?? operation;
  const action = `s3:${query.has('versionId') ? (VERSIONED_ACTIONS[named] ?? named) : named}`;
  const requests: AuthorizationRequest[] = [{ action, resources: [resource] }];
  const header = (name: string) => headerOf(request.headers, name);
  if (operation === 'CopyObject' || operation === 'UploadPartCopy')
    requests.push({ action: 's3:GetObject', resources: [copySourceArn(header('x-amz-copy-source'))] });
  // A write that also sets an ACL or tags needs those actions too.
  if (operation === 'PutObject' || operation === 'CopyObject' || operation === 'CreateMultipartUpload') {
    if (header('x-amz-acl') || header('x-amz-grant-full-control'))
      requests.push({ action: 's3:PutObjectAcl', resources: [resource] });
    if (header('x-amz-tagging')) requests.push({ action: 's3:PutObjectTagging', resources: [resource] });
  }
  return requests;
}

/** `bucket/key` (a CopyObject source, URL-encoded, maybe with `?versionId=`) → its ARN. */
function copySourceArn(source: string | undefined): string {
  const path = decodeSegment(source?.split('?')[0] ?? '').replace(/^\//, '');
  return path.includes('/') ? `arn:aws:s3:::${path}` : '*';
}

/** The text of an XML element of a DeleteObjects body (entities and character references decoded). */
function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, entity: string) => {
    const lower = entity.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number(lower.slice(1)));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[lower] ?? '';
  });
}
