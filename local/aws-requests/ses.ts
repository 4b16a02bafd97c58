import libmime from 'libmime';
import type { AuthorizationRequest } from '../iam';
import { type AccountNames, type ArnOf, type Json, parseJson, text, type WireRequest } from './wire';

/**
 * SES requests: the v2 REST API by route (a send is authorized on its sending identity, configuration set and
 * template, with the `ses:FromAddress`, `ses:FromDisplayName` and `ses:Recipients` condition keys), and the v1
 * query API's sends, best effort.
 */

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

export function describeSes(request: WireRequest, names: AccountNames): AuthorizationRequest[] {
  const arn: ArnOf = (resource) => `arn:aws:ses:${names.region}:${names.accountId}:${resource}`;
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
function identityResources(from: string | undefined, identityArn: string | undefined, arn: ArnOf) {
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
function sendEmail(body: Json, arn: ArnOf): AuthorizationRequest {
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

function sendBulkEmail(body: Json, arn: ArnOf): AuthorizationRequest {
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
function describeSesV1(request: WireRequest, arn: ArnOf): AuthorizationRequest[] {
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
