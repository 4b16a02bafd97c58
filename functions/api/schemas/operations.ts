import * as z from 'zod';
import { Suppression } from '#shared/domain/schemas';
import { EXECUTION_NAME } from '#shared/outreach/audit';
import { LinkedInWebhookEvent } from '#shared/tracking/linkedin-events';
import { boundedEmail, MAX_DOMAIN_LENGTH, maxBytes, pageOf, pageQuery } from './common';

/** Request and response schemas of the operation routes: audits, suppressions, unsubscribe, webhooks. */

export const ExecutionParams = z.object({
  name: z
    .string()
    .regex(EXECUTION_NAME, 'must be 1–80 letters, digits, - or _')
    .meta({ description: 'Execution name' }),
});

export const SuppressionParams = z.object({
  key: z
    .string()
    .regex(
      /^(EMAIL|DOMAIN|HASH|LEAD|LINKEDIN|FORMDOMAIN)#.+$/,
      'must be EMAIL#<address>, DOMAIN#<domain>, HASH#<sha256>, LEAD#<id>, LINKEDIN#<profile> or FORMDOMAIN#<host>',
    )
    .refine(maxBytes(1_024), 'is too long')
    .meta({ description: 'The entry key, URL-encoded (`EMAIL%23ada%40example.com`)' }),
});

export const SuppressionsQuery = pageQuery(500, 100);

export const UnsubscribeQuery = z.object({
  token: z.string().min(1).max(2_000).meta({ description: 'The signed token of the List-Unsubscribe link' }),
});

/** The key of a LinkedIn suppression is the decoded public id: text that does not decode cannot name one. */
function decodes(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

/** The ways to name what a suppression closes; a request gives exactly one. */
const SUPPRESSION_TARGETS = ['email', 'domain', 'leadId', 'linkedinProfile', 'formDomain'] as const;

export const AddSuppressionRequest = z
  .object({
    email: boundedEmail().optional(),
    domain: z
      .string()
      .max(MAX_DOMAIN_LENGTH + 1)
      .regex(/^@?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, 'must be a domain name like example.com')
      .optional(),
    leadId: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9_-]+$/, 'must be a lead id')
      .optional(),
    linkedinProfile: z
      .string()
      .min(1)
      .max(300)
      .refine(decodes, 'is not valid percent-encoding (a % must start an escape like %C3%A9)')
      .meta({ description: 'A LinkedIn profile URL or public id: closes the LinkedIn channel to that member' })
      .optional(),
    formDomain: z
      .string()
      .max(MAX_DOMAIN_LENGTH)
      .regex(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, 'must be a site host like acme.example')
      .meta({ description: "Never submit this site's contact forms" })
      .optional(),
    reason: z.string().min(1).max(200),
  })
  .superRefine((value, context) => {
    const given = SUPPRESSION_TARGETS.filter((target) => value[target] !== undefined);
    if (given.length !== 1) {
      context.addIssue({
        code: 'custom',
        path: ['email'],
        message: 'give exactly one of email, domain, leadId, linkedinProfile or formDomain',
      });
    }
  })
  .meta({
    id: 'AddSuppressionRequest',
    description:
      'Exactly one of: an email address or domain (closes email), a lead (stops it everywhere), a LinkedIn profile, a form domain.',
  });

/** The provider's ids and texts bounded, so one webhook call cannot ask for a key DynamoDB refuses. */
const WEBHOOK_TEXT_FIELDS = [
  ['account_id'],
  ['chat_id'],
  ['message_id'],
  ['sender', 'attendee_provider_id'],
  ['user_provider_id'],
  ['user_public_identifier'],
] as const;

export const LinkedInWebhookRequest = LinkedInWebhookEvent.superRefine((event, context) => {
  for (const path of WEBHOOK_TEXT_FIELDS) {
    let value: unknown = event;
    for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
    if (typeof value === 'string' && !maxBytes(512)(value))
      context.addIssue({ code: 'custom', path: [...path], message: 'is too long (at most 512 bytes)' });
  }
});

export const SuppressionResponse = Suppression.meta({ id: 'Suppression' });

export const SuppressionPageResponse = pageOf(SuppressionResponse).meta({ id: 'SuppressionPage' });

/** What a run, and each state it went through, took in and gave back, or how it failed. */
const executionIo = {
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
};

export const ExecutionAuditResponse = z
  .object({
    name: z.string(),
    executionArn: z.string(),
    status: z.string().meta({ description: 'RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED' }),
    startDate: z.string().optional(),
    stopDate: z.string().optional(),
    ...executionIo,
    parked: z
      .object({
        reason: z.string(),
        channel: z.string().optional(),
        messageId: z.string().optional(),
        next: z.string().meta({ description: 'What settles it: a release (POST /v1/leads/{id}/release) or a resume' }),
      })
      .optional()
      .meta({ description: 'Set when the run ended by parking its lead (PAUSED) for an operator' }),
    states: z.array(
      z.object({
        name: z.string(),
        type: z.string(),
        enteredAt: z.string().optional(),
        exitedAt: z.string().optional(),
        ...executionIo,
      }),
    ),
  })
  .meta({ id: 'ExecutionAudit' });

export const LinkedInWebhookResponse = z
  .object({
    event: z.string(),
    leads: z.array(z.string()),
    replies: z.number().int(),
    resumed: z
      .array(z.string())
      .meta({ description: 'Executions an accepted invitation resumed (runs waiting for it, not yet timed out)' }),
  })
  .meta({ id: 'LinkedInWebhookResult' });

export const UnsubscribeResponse = z.object({ unsubscribed: z.literal(true) }).meta({ id: 'Unsubscribed' });
