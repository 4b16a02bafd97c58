import * as z from 'zod';
import { requiredSetting } from '#shared/config/settings';
import { type Lead, LeadStatus } from '#shared/domain/schemas';
import { HttpProblem } from '#shared/errors';
import { auditExecutionRecord, executionArnFor, sfnClient } from '#shared/outreach/audit';
import { recordUnsubscribed, verifyUnsubscribeToken } from '#shared/outreach/unsubscribe';
import { getLead, LeadStatusConflictError, transitionLead } from '#shared/store/leads';
import { linkedinSuppressionKey, suppressPerson } from '#shared/store/suppression-checks';
import {
  addSuppressionIfAbsent,
  listSuppressions,
  normalizeEmail,
  removeSuppression,
} from '#shared/store/suppressions';
import { handleLinkedInWebhook, verifyWebhookSecret, WebhookSignatureError } from '#shared/tracking/linkedin-events';
import { decodeCursor, pageBody } from '../cursor';
import { conflict, notFound } from '../errors';
import { defineRoute } from '../route';
import {
  AddSuppressionRequest,
  ExecutionAuditResponse,
  ExecutionParams,
  LinkedInWebhookRequest,
  LinkedInWebhookResponse,
  SuppressionPageResponse,
  SuppressionParams,
  SuppressionResponse,
  SuppressionsQuery,
  UnsubscribeQuery,
  UnsubscribeResponse,
} from '../schemas/operations';

const NOT_UNSUBSCRIBED = LeadStatus.options.filter((status) => status !== 'UNSUBSCRIBED');

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page the visible unsubscribe link opens: a GET changes nothing (link scanners follow links); the button POSTs. */
function unsubscribePage(token: string): string {
  // Relative: the page is served from the same path, whatever prefix (stage, custom domain) is in front.
  const action = `?token=${encodeURIComponent(token)}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Unsubscribe</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}button{font-size:1rem;padding:.5rem 1rem}</style>
</head><body>
<h1>Unsubscribe</h1>
<p>Stop receiving messages from this sender?</p>
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>
</body></html>
`;
}

const DONE_PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Unsubscribed</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem">
<h1>You are unsubscribed</h1><p>You will not receive further messages from this sender.</p>
</body></html>
`;

function invalidToken(): HttpProblem {
  return new HttpProblem(400, 'invalid_token', 'The unsubscribe link is not valid', {
    details: [{ field: 'token', message: 'is not a valid unsubscribe token' }],
  });
}

function safeVerify(token: string): { leadId: string; campaignId: string } | undefined {
  try {
    return verifyUnsubscribeToken(token);
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

export const operationRoutes = [
  defineRoute({
    method: 'GET',
    path: '/v1/executions/{name}',
    operationId: 'auditExecution',
    tag: 'Executions',
    summary: 'Audit one run: its status and every state it went through',
    description: 'What `cascade audit` prints, as data: DescribeExecution and GetExecutionHistory of the run.',
    params: ExecutionParams,
    responses: { 200: { description: 'The run', schema: ExecutionAuditResponse } },
    async handle({ params }) {
      const stateMachineArn = requiredSetting('CASCADE_STATE_MACHINE_ARN');
      try {
        return {
          status: 200,
          body: await auditExecutionRecord(sfnClient(), executionArnFor(stateMachineArn, params.name)),
        };
      } catch (error) {
        if ((error as { name?: string }).name === 'ExecutionDoesNotExist') throw notFound(`execution ${params.name}`);
        throw error;
      }
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/suppressions',
    operationId: 'listSuppressions',
    tag: 'Suppressions',
    summary: 'List the do-not-contact entries',
    query: SuppressionsQuery,
    responses: { 200: { description: 'One page; pass nextCursor back for the next', schema: SuppressionPageResponse } },
    async handle({ query }) {
      const startKey = decodeCursor(query.cursor, ['pk'], (key) => /^(EMAIL|DOMAIN|HASH)#/.test(key.pk ?? ''));
      return { status: 200, body: pageBody(await listSuppressions({ limit: query.limit, startKey })) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/suppressions',
    operationId: 'addSuppression',
    tag: 'Suppressions',
    summary: 'Add an address or a whole domain to the do-not-contact list',
    body: AddSuppressionRequest,
    responses: {
      200: { description: 'The entry existed already', schema: SuppressionResponse },
      201: { description: 'The entry was added', schema: SuppressionResponse },
    },
    async handle({ body }) {
      const key = suppressionKeyFor(body);
      const { entry, created } = await addSuppressionIfAbsent(key, body.reason, 'api');
      return {
        status: created ? 201 : 200,
        body: entry,
        headers: { location: `/v1/suppressions/${encodeURIComponent(key)}` },
      };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/v1/suppressions/{key}',
    operationId: 'removeSuppression',
    tag: 'Suppressions',
    summary: 'Remove a do-not-contact entry',
    description: 'Entries left by erased leads (HASH#…) are permanent: removing one is a 409.',
    params: SuppressionParams,
    errors: [409],
    responses: { 204: { description: 'Removed' } },
    async handle({ params }) {
      if (params.key.startsWith('HASH#'))
        throw conflict('erasure_suppression_permanent', 'Entries of erased leads cannot be removed');
      if (!(await removeSuppression(params.key))) throw notFound(`suppression ${params.key}`);
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/unsubscribe',
    operationId: 'unsubscribe',
    tag: 'Unsubscribe',
    summary: 'One-click unsubscribe (RFC 8058), public',
    description:
      'The target of `List-Unsubscribe` with `List-Unsubscribe-Post: List-Unsubscribe=One-Click`: mail clients POST `List-Unsubscribe=One-Click` here. The lead becomes UNSUBSCRIBED and the person is opted out on every contact point the lead has (address and LinkedIn profile; the lead itself when it has neither), so no channel of any campaign reaches them again. No credentials: the signed token is the authorisation.',
    public: true,
    formBody: true,
    query: UnsubscribeQuery,
    responses: {
      200: {
        description: 'Unsubscribed (also when it already was); an HTML page for browsers',
        schema: UnsubscribeResponse,
      },
    },
    async handle({ query, headers }) {
      const verified = safeVerify(query.token);
      if (!verified) throw invalidToken();
      const lead: Lead | undefined = await getLead(verified.leadId);
      if (lead) {
        // The person opts out, not one address (docs/product.md §1): every channel, every campaign.
        await suppressPerson(lead, 'unsubscribed', 'unsubscribe');
        try {
          await transitionLead(lead, NOT_UNSUBSCRIBED, 'UNSUBSCRIBED');
        } catch (error) {
          if (!(error instanceof LeadStatusConflictError)) throw error;
        }
        // After the move (or finding it made): a repeated click makes good an event a crash left unsent.
        await recordUnsubscribed(lead.leadId);
      }
      // The landing page's button (a browser) gets a page; mail clients get JSON.
      if (headers.accept?.includes('text/html')) return { status: 200, html: DONE_PAGE };
      return { status: 200, body: { unsubscribed: true } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/unsubscribe',
    operationId: 'unsubscribePage',
    tag: 'Unsubscribe',
    summary: 'The page the visible unsubscribe link opens, public',
    description:
      'Changes nothing (mail scanners follow links): an HTML page whose button POSTs the one-click unsubscribe.',
    public: true,
    query: UnsubscribeQuery,
    responses: {
      200: { description: 'The confirmation page', schema: z.string(), contentType: 'text/html' },
    },
    async handle({ query }) {
      if (!safeVerify(query.token)) throw invalidToken();
      return { status: 200, html: unsubscribePage(query.token) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/webhooks/linkedin',
    operationId: 'linkedinWebhook',
    tag: 'Webhooks',
    summary: "The LinkedIn provider's webhook: replies and accepted invitations, public, shared-secret verified",
    description:
      'Configure the provider to call this URL with the header `X-Cascade-Webhook-Secret`. `message_received` from a lead records a reply (the lead stops); `new_relation` marks the lead CONNECTED and resumes its sequence where a step waits for the acceptance (`waitFor invite_accepted`).',
    public: true,
    body: LinkedInWebhookRequest,
    responses: { 200: { description: 'What the event changed', schema: LinkedInWebhookResponse } },
    errors: [401],
    // The secret first: a caller without it learns nothing about what a valid body looks like.
    authorize(headers) {
      try {
        verifyWebhookSecret(headers['x-cascade-webhook-secret']);
      } catch (error) {
        if (error instanceof WebhookSignatureError) throw new HttpProblem(401, 'unauthorized', error.message);
        throw error;
      }
    },
    async handle({ body }) {
      const result = await handleLinkedInWebhook(body);
      const resumed = result.answered.filter((wait) => wait.resumed).map((wait) => wait.executionName);
      return {
        status: 200,
        body: { event: result.event, leads: result.leads, replies: result.replies.length, resumed },
      };
    },
  }),
];

/** The one suppression key a request names (see shared/store/suppression-checks.ts for who reads which). */
function suppressionKeyFor(body: {
  email?: string;
  domain?: string;
  leadId?: string;
  linkedinProfile?: string;
  formDomain?: string;
}): string {
  if (body.email) return `EMAIL#${normalizeEmail(body.email)}`;
  if (body.domain) return `DOMAIN#${body.domain.replace(/^@/, '').toLowerCase()}`;
  if (body.leadId) return `LEAD#${body.leadId}`;
  // The key the launcher and the steps read; a malformed escape (`%`) is kept as written, never a URIError.
  if (body.linkedinProfile) return linkedinSuppressionKey(body.linkedinProfile);
  return `FORMDOMAIN#${(body.formDomain ?? '').toLowerCase().replace(/^www\./, '')}`;
}
