import libmime from 'libmime';
import type { AuthorizationRequest } from './iam';

/**
 * What IAM authorizes for one AWS API request, read off the wire as the service would: the action and the ARNs
 * of the resources it touches (per the Service Authorization Reference). Resources a request does not name
 * become `*`, which only a `Resource: "*"` grant allows.
 */

export type AwsService = 'dynamodb' | 'states' | 'ssm' | 'ses' | 'events';

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
