import libmime from 'libmime';
import type { AuthorizationRequest } from './iam';

/**
 * What IAM authorizes for one AWS API request, read off the wire as the service would: the action and the ARNs
 * of the resources it touches (per the Service Authorization Reference). Resources a request does not name
 * become `*`, which only a `Resource: "*"` grant allows.
 */

export type AwsService = 'dynamodb' | 'states' | 'ssm' | 'ses' | 'events' | 's3';

export interface WireRequest {
  method: string;
  /** Path and query string, as on the request line. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface AccountNames {
  accountId: string;
  region: string;
}

type Json = Record<string, unknown>;

export function describeRequest(
  service: AwsService,
  request: WireRequest,
  names: AccountNames,
): AuthorizationRequest[] {
  if (service === 'ses') return describeSes(request, names);
  if (service === 's3') return describeS3(request);
  const operation = targetOperation(request.headers);
  const body = parseJson(request.body);
  const arn = (resource: string) => `arn:aws:${service}:${names.region}:${names.accountId}:${resource}`;
  switch (service) {
    case 'dynamodb':
      return describeDynamo(operation, body, arn);
    case 'states':
      return [{ action: `states:${operation}`, resources: [statesResource(operation, body, arn)] }];
    case 'ssm':
      return describeSsm(operation, body, names);
    case 'events':
      return describeEvents(operation, body, arn);
  }
}

/** `X-Amz-Target: DynamoDB_20120810.PutItem` → `PutItem` (JSON 1.0 and 1.1 protocols). */
function targetOperation(headers: WireRequest['headers']): string {
  const key = Object.keys(headers).find((name) => name.toLowerCase() === 'x-amz-target');
  const raw = key === undefined ? undefined : headers[key];
  const target = (Array.isArray(raw) ? raw[0] : raw) ?? '';
  return target.slice(target.lastIndexOf('.') + 1) || 'UnknownOperation';
}

function parseJson(body: Buffer): Json {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Json) : {};
  } catch {
    return {};
  }
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

// ---- DynamoDB ---------------------------------------------------------------------------------------------------

/** Transactions are authorized as the item actions they are made of (there is no TransactWriteItems action). */
const TRANSACT_ACTIONS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};

function describeDynamo(operation: string, body: Json, arn: (resource: string) => string): AuthorizationRequest[] {
  const table = (name: unknown) => {
    const given = text(name);
    if (!given) return '*';
    return given.startsWith('arn:') ? given : arn(`table/${given}`);
  };
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    const tables = Object.keys((body.RequestItems as Json | undefined) ?? {});
    return (tables.length ? tables : ['']).map((name) => ({
      action: `dynamodb:${operation}`,
      resources: [table(name)],
    }));
  }
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const items = Array.isArray(body.TransactItems) ? (body.TransactItems as Json[]) : [];
    return items.flatMap((item) =>
      Object.entries(item)
        .filter(([kind]) => Object.hasOwn(TRANSACT_ACTIONS, kind))
        .map(([kind, spec]) => ({
          action: `dynamodb:${TRANSACT_ACTIONS[kind]}`,
          resources: [table((spec as Json | undefined)?.TableName)],
        })),
    );
  }
  // A Query or Scan of an index is authorized on the index's ARN alone (a grant on the table does not cover it).
  const index = text(body.IndexName);
  const named = text(body.ResourceArn) ?? text(body.TableName);
  const resource = named && index ? `${table(named)}/index/${index}` : table(named);
  return [{ action: `dynamodb:${operation}`, resources: [resource] }];
}

// ---- Step Functions -------------------------------------------------------------------------------------------------

function statesResource(operation: string, body: Json, arn: (resource: string) => string): string {
  const named =
    text(body.stateMachineArn) ??
    text(body.executionArn) ??
    text(body.mapRunArn) ??
    text(body.activityArn) ??
    text(body.resourceArn);
  if (named) return named;
  if (operation === 'CreateStateMachine' && text(body.name)) return arn(`stateMachine:${body.name}`);
  if (operation === 'CreateActivity' && text(body.name)) return arn(`activity:${body.name}`);
  return '*';
}

// ---- SSM ------------------------------------------------------------------------------------------------------------

/**
 * `/cascade/x` and `cascade/x` are both `parameter/cascade/x`; a `:version` or `:label` selector is not part of it
 * (names cannot hold `:`); a name given as an ARN is its own resource.
 */
export function parameterArn(name: string, names: AccountNames): string {
  if (name.startsWith('arn:')) return name;
  const bare = name.replace(/:.*$/, '').replace(/^\//, '');
  return `arn:aws:ssm:${names.region}:${names.accountId}:parameter/${bare}`;
}

function describeSsm(operation: string, body: Json, names: AccountNames): AuthorizationRequest[] {
  const action = `ssm:${operation}`;
  const parameter = (name: unknown) => {
    const given = text(name);
    return given ? parameterArn(given, names) : '*';
  };
  if (operation === 'GetParameters' || operation === 'DeleteParameters') {
    const listed = Array.isArray(body.Names) ? body.Names : [];
    return (listed.length ? listed : ['']).map((name) => ({ action, resources: [parameter(name)] }));
  }
  if (operation === 'GetParametersByPath') return [{ action, resources: [parameter(body.Path)] }];
  if (operation === 'DescribeParameters') return [{ action, resources: ['*'] }];
  return [{ action, resources: [parameter(body.Name)] }];
}

// ---- EventBridge ----------------------------------------------------------------------------------------------------

function describeEvents(operation: string, body: Json, arn: (resource: string) => string): AuthorizationRequest[] {
  const bus = (name: unknown) => {
    const given = text(name) ?? 'default';
    return given.startsWith('arn:') ? given : arn(`event-bus/${given}`);
  };
  if (operation === 'PutEvents') {
    const entries = Array.isArray(body.Entries) ? (body.Entries as Json[]) : [{}];
    const buses = [...new Set(entries.map((entry) => bus(entry.EventBusName)))];
    return buses.map((resource) => ({ action: 'events:PutEvents', resources: [resource] }));
  }
  const rule = text(body.Rule) ?? text(body.Name);
  if (rule && /Rule|Targets/.test(operation)) {
    const onBus = text(body.EventBusName);
    const path = onBus && onBus !== 'default' ? `rule/${onBus}/${rule}` : `rule/${rule}`;
    return [{ action: `events:${operation}`, resources: [arn(path)] }];
  }
  return [{ action: `events:${operation}`, resources: [text(body.EventBusName) ? bus(body.EventBusName) : '*'] }];
}

// ---- SES ------------------------------------------------------------------------------------------------------------

type SesRoute = [
  method: string,
  path: RegExp,
  operation: string,
  resource: 'none' | 'identity' | 'configuration-set' | 'template',
];

/** SES v2 REST routes (those aws-ses-v2-local serves, and the account/identity/suppression ones around them). */
const SES_ROUTES: SesRoute[] = [
  ['GET', /^\/v2\/email\/account$/, 'GetAccount', 'none'],
  ['GET', /^\/v2\/email\/identities$/, 'ListEmailIdentities', 'none'],
  ['POST', /^\/v2\/email\/identities$/, 'CreateEmailIdentity', 'identity'],
  ['GET', /^\/v2\/email\/identities\/([^/]+)$/, 'GetEmailIdentity', 'identity'],
  ['DELETE', /^\/v2\/email\/identities\/([^/]+)$/, 'DeleteEmailIdentity', 'identity'],
  ['GET', /^\/v2\/email\/configuration-sets$/, 'ListConfigurationSets', 'none'],
  ['POST', /^\/v2\/email\/configuration-sets$/, 'CreateConfigurationSet', 'configuration-set'],
  ['GET', /^\/v2\/email\/configuration-sets\/([^/]+)$/, 'GetConfigurationSet', 'configuration-set'],
  ['DELETE', /^\/v2\/email\/configuration-sets\/([^/]+)$/, 'DeleteConfigurationSet', 'configuration-set'],
  ['GET', /^\/v2\/email\/templates$/, 'ListEmailTemplates', 'none'],
  ['POST', /^\/v2\/email\/templates$/, 'CreateEmailTemplate', 'template'],
  ['GET', /^\/v2\/email\/templates\/([^/]+)$/, 'GetEmailTemplate', 'template'],
  ['PUT', /^\/v2\/email\/templates\/([^/]+)$/, 'UpdateEmailTemplate', 'template'],
  ['DELETE', /^\/v2\/email\/templates\/([^/]+)$/, 'DeleteEmailTemplate', 'template'],
  ['POST', /^\/v2\/email\/templates\/([^/]+)\/render$/, 'TestRenderEmailTemplate', 'template'],
  ['GET', /^\/v2\/email\/suppression\/addresses$/, 'ListSuppressedDestinations', 'none'],
  ['PUT', /^\/v2\/email\/suppression\/addresses$/, 'PutSuppressedDestination', 'none'],
  ['GET', /^\/v2\/email\/suppression\/addresses\/([^/]+)$/, 'GetSuppressedDestination', 'none'],
  ['DELETE', /^\/v2\/email\/suppression\/addresses\/([^/]+)$/, 'DeleteSuppressedDestination', 'none'],
];

const BODY_NAME: Record<SesRoute[3], string> = {
  none: '',
  identity: 'EmailIdentity',
  'configuration-set': 'ConfigurationSetName',
  template: 'TemplateName',
};

function describeSes(request: WireRequest, names: AccountNames): AuthorizationRequest[] {
  const arn = (resource: string) => `arn:aws:ses:${names.region}:${names.accountId}:${resource}`;
  const path = request.path.split('?')[0] ?? '';
  const method = request.method.toUpperCase();
  // aws-ses-v2-local's own pages and store (`/`, `/store`, …) are not AWS APIs: nothing to authorize.
  if (!path.startsWith('/v2/')) return method === 'POST' && path === '/' ? describeSesV1(request, arn) : [];
  if (method === 'POST' && path === '/v2/email/outbound-emails') return [sendEmail(parseJson(request.body), arn)];
  if (method === 'POST' && path === '/v2/email/outbound-bulk-emails')
    return [sendBulkEmail(parseJson(request.body), arn)];
  for (const [routeMethod, pattern, operation, kind] of SES_ROUTES) {
    const match = method === routeMethod ? path.match(pattern) : null;
    if (!match) continue;
    if (kind === 'none') return [{ action: `ses:${operation}`, resources: ['*'] }];
    const name = match[1] ? decodeURIComponent(match[1]) : text(parseJson(request.body)[BODY_NAME[kind]]);
    return [{ action: `ses:${operation}`, resources: [name ? arn(`${kind}/${name}`) : '*'] }];
  }
  // Not a route this table knows: named so that a role is denied and the operator sees which route it was.
  return [{ action: 'ses:UnknownOperation', resources: ['*'] }];
}

/** `Name <a@b>`, `"Doe, J" <a@b>`, `=?UTF-8?B?…?= <a@b>` or a bare `a@b` → the address and the decoded name. */
export function parseMailbox(value: string): { address: string; displayName?: string } {
  const angle = value.match(/<([^<>]*)>\s*$/);
  if (!angle) return { address: value.trim() };
  const rawName = value
    .slice(0, angle.index)
    .trim()
    .replace(/^"(.*)"$/, '$1');
  const displayName = rawName ? libmime.decodeWords(rawName) : undefined;
  return { address: (angle[1] ?? '').trim(), ...(displayName ? { displayName } : {}) };
}

/**
 * The sending identity: the address's own identity or its domain's, whichever is verified — IAM allows the send
 * if the caller may use either. An explicit `FromEmailAddressIdentityArn` (sending authorization) is the one used.
 */
function identityResources(from: string | undefined, identityArn: string | undefined, arn: (r: string) => string) {
  if (identityArn) return { resources: [identityArn] };
  if (!from) return { resources: ['*'] };
  const { address } = parseMailbox(from);
  const domain = address.slice(address.lastIndexOf('@') + 1);
  return { resources: [], anyOf: [[arn(`identity/${address}`)], [arn(`identity/${domain}`)]] };
}

function sesContext(from: string | undefined, recipients: unknown[]): Record<string, string | string[]> {
  const mailbox = from ? parseMailbox(from) : undefined;
  return {
    'ses:ApiVersion': '2',
    ...(mailbox ? { 'ses:FromAddress': mailbox.address } : {}),
    ...(mailbox?.displayName ? { 'ses:FromDisplayName': mailbox.displayName } : {}),
    ...(recipients.length ? { 'ses:Recipients': recipients.filter((each) => typeof each === 'string') } : {}),
  };
}

function destinations(destination: unknown): unknown[] {
  const given = (destination as Json | undefined) ?? {};
  return [given.ToAddresses, given.CcAddresses, given.BccAddresses].flatMap((list) =>
    Array.isArray(list) ? list : [],
  );
}

/** `SendEmail`: the identity (required), the configuration set and the template when the request names them. */
function sendEmail(body: Json, arn: (resource: string) => string): AuthorizationRequest {
  const content = (body.Content as Json | undefined) ?? {};
  const from = text(body.FromEmailAddress) ?? rawFromHeader(content.Raw);
  const identity = identityResources(from, text(body.FromEmailAddressIdentityArn), arn);
  const template = (content.Template as Json | undefined) ?? {};
  const extra = [
    text(body.ConfigurationSetName) && arn(`configuration-set/${body.ConfigurationSetName}`),
    text(template.TemplateArn) ?? (text(template.TemplateName) && arn(`template/${template.TemplateName}`)),
  ].filter((each): each is string => Boolean(each));
  return {
    action: 'ses:SendEmail',
    resources: [...identity.resources, ...extra],
    ...(identity.anyOf ? { anyOf: identity.anyOf } : {}),
    context: sesContext(from, destinations(body.Destination)),
  };
}

function sendBulkEmail(body: Json, arn: (resource: string) => string): AuthorizationRequest {
  const template = ((body.DefaultContent as Json | undefined)?.Template as Json | undefined) ?? {};
  const entries = Array.isArray(body.BulkEmailEntries) ? (body.BulkEmailEntries as Json[]) : [];
  const single = sendEmail({ ...body, Content: { Template: template } }, arn);
  return {
    ...single,
    action: 'ses:SendBulkEmail',
    context: sesContext(
      text(body.FromEmailAddress),
      entries.flatMap((entry) => destinations(entry.Destination)),
    ),
  };
}

/** A raw message's `From:` header (base64 in the JSON body), for a Raw send that gives no FromEmailAddress. */
function rawFromHeader(raw: unknown): string | undefined {
  const data = text((raw as Json | undefined)?.Data);
  if (!data) return undefined;
  const head =
    Buffer.from(data, 'base64')
      .toString('utf8')
      .split(/\r?\n\r?\n/)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  return unfolded.match(/^from:\s*(.+)$/im)?.[1]?.trim();
}

/** The SES v1 query API (`POST /`, form-encoded `Action=SendEmail&Source=…`), best effort. */
function describeSesV1(request: WireRequest, arn: (resource: string) => string): AuthorizationRequest[] {
  const form = new URLSearchParams(request.body.toString('utf8'));
  const action = `ses:${form.get('Action') ?? 'UnknownOperation'}`;
  const source = form.get('Source') ?? undefined;
  if (!/^ses:Send/.test(action)) return [{ action, resources: ['*'] }];
  const identity = identityResources(source, form.get('SourceArn') ?? undefined, arn);
  const configurationSet = form.get('ConfigurationSetName');
  return [
    {
      action,
      resources: [...identity.resources, ...(configurationSet ? [arn(`configuration-set/${configurationSet}`)] : [])],
      ...(identity.anyOf ? { anyOf: identity.anyOf } : {}),
    },
  ];
}

// ---- S3 -------------------------------------------------------------------------------------------------------------

/** One S3 REST request read off the wire: the operation, and the bucket and key it addresses (decoded). */
export interface S3Request {
  /** The S3 API operation (`GetObject`, `ListObjectsV2`, …), or `Unknown` for a route this table does not know. */
  operation: string;
  bucket?: string;
  key?: string;
  query: URLSearchParams;
}

/** The S3 operations, by level, method and subresource (the first query parameter of this list the request has). */
const S3_OBJECT_OPERATIONS: Record<string, [subresource: string, operation: string][]> = {
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

const S3_BUCKET_OPERATIONS: Record<string, [subresource: string, operation: string][]> = {
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

const decodeSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/**
 * Path style (`/bucket/key`, what the SDK uses for an IP endpoint such as `http://127.0.0.1:<port>`) or virtual-hosted
 * style (`bucket.localhost`, `bucket.s3.<region>.amazonaws.com`). The key is the rest of the path, percent-decoded
 * (a `+` in a path is a plus).
 */
export function s3Request(request: Pick<WireRequest, 'method' | 'path' | 'headers'>): S3Request {
  const [rawPath = '/', rawQuery = ''] = request.path.split(/\?(.*)/s);
  const query = new URLSearchParams(rawQuery);
  const host = (header(request.headers, 'host') ?? '').replace(/:\d+$/, '').toLowerCase();
  const virtualHost = host.match(/^(.+)\.(?:localhost|s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com)$/);
  let bucket: string | undefined;
  let rawKey: string;
  if (virtualHost) {
    bucket = virtualHost[1];
    rawKey = rawPath.replace(/^\//, '');
  } else {
    const path = rawPath.replace(/^\//, '');
    const slash = path.indexOf('/');
    bucket = decodeSegment(slash < 0 ? path : path.slice(0, slash)) || undefined;
    rawKey = slash < 0 ? '' : path.slice(slash + 1);
  }
  const key = decodeSegment(rawKey) || undefined;
  const method = request.method.toUpperCase();
  if (!bucket) return { operation: method === 'GET' ? 'ListBuckets' : 'Unknown', query };
  const table = (key ? S3_OBJECT_OPERATIONS : S3_BUCKET_OPERATIONS)[method] ?? [];
  let operation = table.find(([subresource]) => subresource === '' || query.has(subresource))?.[1] ?? 'Unknown';
  if (operation === 'PutObject' && header(request.headers, 'x-amz-copy-source')) operation = 'CopyObject';
  if (operation === 'UploadPart' && header(request.headers, 'x-amz-copy-source')) operation = 'UploadPartCopy';
  return { operation, bucket, ...(key ? { key } : {}), query };
}

function header(headers: WireRequest['headers'], name: string): string | undefined {
  const key = Object.keys(headers).find((each) => each.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
}

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

/** `bucket/key` (a CopyObject source, URL-encoded, maybe with `?versionId=`) → its ARN. */
function copySourceArn(source: string | undefined): string {
  const path = decodeSegment(source?.split('?')[0] ?? '').replace(/^\//, '');
  return path.includes('/') ? `arn:aws:s3:::${path}` : '*';
}

function describeS3(request: WireRequest): AuthorizationRequest[] {
  const { operation, bucket, key, query } = s3Request(request);
  if (operation === 'Unknown') return [{ action: 's3:UnknownOperation', resources: ['*'] }];
  if (!bucket) return [{ action: `s3:${S3_ACTIONS[operation] ?? operation}`, resources: ['*'] }];
  const bucketArn = `arn:aws:s3:::${bucket}`;
  if (!key) {
    const action = `s3:${S3_ACTIONS[operation] ?? operation}`;
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
    if (action === 's3:ListBucket') {
      const context = Object.fromEntries(
        (['prefix', 'delimiter', 'max-keys'] as const).flatMap((name) => {
          const value = query.get(name);
          return value === null ? [] : [[`s3:${name}`, value]];
        }),
      );
      return [{ action, resources: [bucketArn], ...(Object.keys(context).length ? { context } : {}) }];
    }
    return [{ action, resources: [bucketArn] }];
  }
  const named = S3_ACTIONS[operation] ?? operation;
  const action = `s3:${query.has('versionId') ? (VERSIONED_ACTIONS[named] ?? named) : named}`;
  const resource = objectArn(bucket, key);
  const requests: AuthorizationRequest[] = [{ action, resources: [resource] }];
  if (operation === 'CopyObject' || operation === 'UploadPartCopy')
    requests.push({ action: 's3:GetObject', resources: [copySourceArn(header(request.headers, 'x-amz-copy-source'))] });
  // A write that also sets an ACL or tags needs those actions too.
  if (operation === 'PutObject' || operation === 'CopyObject' || operation === 'CreateMultipartUpload') {
    if (header(request.headers, 'x-amz-acl') || header(request.headers, 'x-amz-grant-full-control'))
      requests.push({ action: 's3:PutObjectAcl', resources: [resource] });
    if (header(request.headers, 'x-amz-tagging'))
      requests.push({ action: 's3:PutObjectTagging', resources: [resource] });
  }
  return requests;
}

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, entity: string) => {
    const lower = entity.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number(lower.slice(1)));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[lower] ?? '';
  });
}
