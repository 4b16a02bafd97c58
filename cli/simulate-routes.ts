import type { EventEnvelope } from '#local/eventbridge/rules';
import type { LocalRequest, LocalRoute } from '#local/http-adapter/local-routes';
import type { LocalStack } from '#local/stack';
import { HttpProblem } from '#shared/errors';
import type { ReplyResult } from '#shared/tracking/replies';
import { linkedinWebhookCall } from './webhook-call';

/**
 * The LOCAL-ONLY routes behind `cascade simulate` (served by the local API Gateway twin under `/_local/`,
 * bearer-token protected, never part of the API Lambda or its OpenAPI document). Each feeds an input to
 * the same handler AWS invokes for the real thing, in the process that holds the embedded stack.
 */

export const SIMULATE_PATHS = {
  sesEvent: '/_local/ses-events',
  inboundEmail: '/_local/inbound-email',
  reply: '/_local/reply',
  inviteAccepted: '/_local/invite-accepted',
} as const;

function jsonBody(request: LocalRequest): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(request.body.toString('utf8'));
  } catch (error) {
    throw new HttpProblem(400, 'invalid_json', `the body is not JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new HttpProblem(400, 'validation_error', 'the body is not a JSON object');
  return value as Record<string, unknown>;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw new HttpProblem(400, 'validation_error', `${field} must be a string`, {
      details: [{ field, message: 'must be a string' }],
    });
  return value;
}

type StackOf = () => LocalStack;

/** A local route running `work`; a refused simulation (an HttpProblem) is answered in the API's error shape. */
function simulationRoute(
  stack: StackOf,
  work: (request: LocalRequest, stack: StackOf) => Promise<unknown>,
): LocalRoute {
  return async (request) => ({ status: 200, body: await work(request, stack) });
}

/**
 * `POST /_local/ses-events[?leadId=&messageId=]`: an SES event in its EventBridge envelope, put on the default
 * bus as SES puts it: the template's rules decide which function it reaches (the ses-events one, in AWS).
 */
async function sesEvent(request: LocalRequest, stack: StackOf): Promise<unknown> {
  const { prepareSesEvent, sesEventEffect } = await import('./simulate-events');
  const raw = jsonBody(request);
  const { leadId, messageId } = request.query;
  if (messageId && !leadId) throw new HttpProblem(400, 'validation_error', 'messageId needs leadId');
  const envelope = await prepareSesEvent(raw, leadId ? { leadId, messageId } : undefined);
  const { eventBridge } = stack();
  const { rules, answers } = await eventBridge.deliverAndSettle(envelope as unknown as EventEnvelope);
  // What the ses-events function answered (EventBridge itself reports nothing back to SES).
  const answer = (answers.find((each) => each && typeof each === 'object') ?? {}) as Record<string, unknown>;
  return { ...answer, rules: rules.map((rule) => rule.name), ...(await sesEventEffect(envelope)) };
}

/** Mail goes where SES receiving puts it: the inbound bucket, whose notification runs the inbound-mail function. */
const receiving = (stack: StackOf) => async (raw: Buffer) => {
  // The function answers one result per S3 record; one mail makes one record.
  const [result] = (await stack().receiveMail(raw)) as ReplyResult[];
  return result ?? { matched: false };
};

/** `POST /_local/inbound-email` (message/rfc822): a raw mail → the inbound bucket → the inbound-mail function. */
async function inboundEmail(request: LocalRequest, stack: StackOf): Promise<unknown> {
  if (request.body.length === 0) throw new HttpProblem(400, 'validation_error', 'the body is empty');
  const { simulateInboundEmail } = await import('./simulate-events');
  return simulateInboundEmail(request.body, receiving(stack));
}

/** `POST /_local/reply` `{leadId, channel?, messageId?, text?}`: a reply built as the lead would send it. */
async function reply(request: LocalRequest, stack: StackOf): Promise<unknown> {
  const { isReplyChannel, simulateReply } = await import('./simulate-events');
  const body = jsonBody(request);
  const leadId = optionalString(body, 'leadId');
  if (!leadId)
    throw new HttpProblem(400, 'validation_error', 'leadId is required', {
      details: [{ field: 'leadId', message: 'is required' }],
    });
  const channel = optionalString(body, 'channel')?.toUpperCase();
  if (channel !== undefined && !isReplyChannel(channel))
    throw new HttpProblem(400, 'validation_error', `channel "${channel}" is not EMAIL or LINKEDIN`, {
      details: [{ field: 'channel', message: 'must be EMAIL or LINKEDIN' }],
    });
  return simulateReply(
    leadId,
    {
      channel,
      messageId: optionalString(body, 'messageId'),
      text: optionalString(body, 'text'),
      ...(body.autoReply === true && { autoReply: true }),
    },
    receiving(stack),
  );
}

/** Webhook calls go where the provider sends them: the API function (its secret check, its role's grants). */
const viaApi = (stack: StackOf) => async (payload: unknown) => {
  const answer = (await stack().lambda.invoke('ApiFunction', linkedinWebhookCall(payload, 'cascade-simulate'))) as {
    statusCode?: number;
    body?: string;
  };
  const status = answer?.statusCode ?? 200;
  if (status < 300) {
    const body = JSON.parse(answer?.body ?? '{}') as { resumed?: unknown };
    return Array.isArray(body.resumed) ? body.resumed.map(String) : [];
  }
  let error: { code?: string; message?: string } = {};
  try {
    error = (JSON.parse(answer.body ?? '{}') as { error?: typeof error }).error ?? {};
  } catch {
    // Not the API's error shape: reported by status alone.
  }
  throw new HttpProblem(
    status,
    error.code ?? 'webhook_failed',
    `the webhook answered ${status}: ${error.message ?? ''}`,
  );
};

/** The sandbox member accepts the invitation, as the member would on LinkedIn before the provider calls back. */
const memberAccepts = (stack: StackOf) => (providerId: string) => {
  const profile = stack().linkedin.getProfile(providerId);
  if (!profile) return undefined;
  stack().linkedin.seedProfile({ ...profile, status: 'CONNECTED' });
  return profile.publicIdentifier;
};

/** `POST /_local/invite-accepted` `{leadId}`: the lead's LinkedIn member accepts; the provider's webhook follows. */
async function inviteAccepted(request: LocalRequest, stack: StackOf): Promise<unknown> {
  const { simulateInviteAccepted } = await import('./simulate-events');
  const leadId = optionalString(jsonBody(request), 'leadId');
  if (!leadId)
    throw new HttpProblem(400, 'validation_error', 'leadId is required', {
      details: [{ field: 'leadId', message: 'is required' }],
    });
  return simulateInviteAccepted(leadId, { deliver: viaApi(stack), memberAccepts: memberAccepts(stack) });
}

/** The routes for `startHttpAdapter({localRoutes})`. */
export function simulationRoutes(stack: StackOf): Record<string, LocalRoute> {
  return {
    [`POST ${SIMULATE_PATHS.sesEvent}`]: simulationRoute(stack, sesEvent),
    [`POST ${SIMULATE_PATHS.inboundEmail}`]: simulationRoute(stack, inboundEmail),
    [`POST ${SIMULATE_PATHS.reply}`]: simulationRoute(stack, reply),
    [`POST ${SIMULATE_PATHS.inviteAccepted}`]: simulationRoute(stack, inviteAccepted),
  };
}
