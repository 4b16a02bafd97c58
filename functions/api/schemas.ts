import * as z from 'zod';
import { settingProblems } from '#shared/channels/email/settings';
import {
  AUTOMATED_CHANNELS,
  Campaign,
  CampaignState,
  ChannelConfig,
  ChannelTemplate,
  ChannelType,
  Grade,
  Lead,
  OutreachAttempt,
  OutreachMessage,
  RetryPolicy,
  Sender,
  SequenceConfig,
  SequenceStep,
  Suppression,
} from '#shared/domain/schemas';
import { isSingleLine, SINGLE_LINE_MESSAGE } from '#shared/mail/header';
import { EXECUTION_NAME } from '#shared/outreach/audit';
import { LinkedInWebhookEvent } from '#shared/tracking/linkedin-events';

/**
 * Request and response schemas of the operator API. Requests are validated with them; the OpenAPI
 * document is generated from them (`.meta({ id })` names a component), so the two cannot drift.
 */

// ---- bounds: what one request may store (a DynamoDB item holds 400 KB, a key 2 KB)

/** At most `max` bytes of UTF-8 (a key attribute; zod's `.max()` counts characters). */
const maxBytes = (max: number) => (value: string) => Buffer.byteLength(value, 'utf8') <= max;

/** RFC 5321: an address is at most 254 characters; RFC 1035: a domain name at most 253. */
const MAX_EMAIL_LENGTH = 254;
const MAX_DOMAIN_LENGTH = 253;
const HOURS_PER_YEAR = 8_760;

const boundedEmail = () => z.email().max(MAX_EMAIL_LENGTH);

/**
 * Text that reaches a mail header, directly (the From name) or through a template (`{{ sender.company }}`
 * in a subject): one line without control characters, or a CR/LF would start a header of its own.
 */
const singleLine = (text: z.ZodString) => text.refine(isSingleLine, SINGLE_LINE_MESSAGE);

/** A sender as requests give it: the domain's Sender with lengths bounded, every field one line. */
export const SenderInput = Sender.extend({
  name: singleLine(z.string().min(1).max(200)),
  email: boundedEmail(),
  company: singleLine(z.string().max(200)).optional(),
  replyTo: boundedEmail().optional(),
  phone: singleLine(z.string().max(100)).optional(),
  website: singleLine(z.string().max(2_000)).optional(),
});

/** A template as requests give it: subject one mail header line (RFC 5322), parts bounded. */
export const ChannelTemplateInput = ChannelTemplate.extend({
  subject: singleLine(z.string().max(998)).optional(),
  body: z.string().min(1).max(100_000),
  html: z.string().max(100_000).optional(),
}).meta({ id: 'ChannelTemplateInput' });

/** Stored templates of one campaign or channel config, together, as UTF-8 (the rest of the item is small). */
export const MAX_TEMPLATE_BYTES = 300 * 1024;

export const ErrorDetail = z
  .object({
    field: z.string().meta({ description: 'The input field: `sender.email`, `limit`, `templates.EMAIL.body`, …' }),
    message: z.string(),
  })
  .meta({ id: 'ErrorDetail' });

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable machine-readable code, e.g. `validation_error`, `not_found`.' }),
      message: z.string(),
      details: z.array(ErrorDetail),
    }),
  })
  .meta({ id: 'Error', description: 'Every error: `{"error":{"code","message","details"}}`.' });

// ---- path and query parameters

const id = (description: string) => z.string().min(1).max(200).meta({ description });

export const CampaignParams = z.object({ id: id('Campaign id') });
export const LeadParams = z.object({ id: id('Lead id') });
export const ChannelParams = z.object({ channel: ChannelType });
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

const cursor = z.string().min(1).max(2_000).optional().meta({ description: 'Opaque cursor from `nextCursor`' });

export const HistoryQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor,
});
export const SuppressionsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor,
});
export const ChannelConfigQuery = z.object({
  campaignId: id('Campaign scope; without it, the account-wide default').optional(),
});
export const MetricsQuery = z.object({
  campaignId: id('Only this campaign').optional(),
  days: z.coerce.number().int().min(1).max(90).default(7).meta({ description: 'UTC days, today included' }),
});
export const UnsubscribeQuery = z.object({
  token: z.string().min(1).max(2_000).meta({ description: 'The signed token of the List-Unsubscribe link' }),
});
export const IdempotencyHeaders = z.object({
  'Idempotency-Key': z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'Replays the first response for the same key and body; 409 for another body (24 h)' }),
});

// ---- request bodies

/** One step as requests give it: waits and backoffs of at most a year, at most 10 backoff entries. */
export const SequenceStepInput = SequenceStep.extend({
  waitHoursBefore: z.number().nonnegative().max(HOURS_PER_YEAR).default(0),
  retryBackoffHours: z.array(z.number().positive().max(HOURS_PER_YEAR)).min(1).max(10).default([24, 48]),
  confirmDeliveryMinutes: z
    .number()
    .nonnegative()
    .max(7 * 24 * 60)
    .optional(),
});

export const SequenceInput = SequenceConfig.omit({ version: true })
  .extend({
    steps: z.array(SequenceStepInput).min(1).max(20),
    maxTotalAttemptsPerLead: z.number().int().positive().max(1_000).default(10),
    sequenceTimeoutDays: z.number().positive().max(365).default(30),
  })
  .meta({
    id: 'SequenceInput',
    description: 'A sequence; its version is assigned by the API (1, then old + 1 on every replacement).',
  });

export const CreateCampaignRequest = z
  .object({
    campaignId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, - or _')
      .refine((value) => value !== 'ACCOUNT', 'ACCOUNT is reserved')
      .optional()
      .meta({ description: 'Chosen by the API when absent' }),
    name: singleLine(z.string().min(1).max(200)),
    sender: SenderInput,
    templates: z.partialRecord(ChannelType, ChannelTemplateInput).optional(),
    sequence: SequenceInput.optional().meta({ description: 'Default: Email → LinkedIn → Contact form' }),
    minGrade: Grade.optional(),
    state: CampaignState.exclude(['ARCHIVED']).optional(),
  })
  .meta({ id: 'CreateCampaignRequest' });

export const LaunchBatchRequest = z
  .object({
    dryRun: z.boolean().optional().meta({ description: 'Render the first step of each lead; send nothing' }),
    limit: z.number().int().min(1).max(10_000).optional(),
  })
  .meta({ id: 'LaunchBatchRequest' });

/** Documentation of one imported lead (JSON object or CSV row); rows are validated one by one, errors per row. */
export const LeadImportRecord = z
  .object({
    firstName: z.string(),
    lastName: z.string().optional(),
    email: z.string().optional(),
    company: z.string().optional(),
    title: z.string().optional(),
    website: z.string().optional(),
    linkedinUrl: z.string().optional(),
    linkedinProviderId: z.string().optional(),
    linkedinStatus: z.enum(['NOT_CONNECTED', 'CONNECTION_REQUESTED', 'CONNECTED', 'BLOCKED']).optional(),
    contactFormUrl: z.string().optional(),
    phone: z.string().optional(),
    timezone: z.string().optional(),
    leadScore: z.number().min(0).max(1).optional(),
    budgetRange: z.string().optional(),
    timelineMonths: z.number().int().min(0).optional(),
    painPoints: z.union([z.array(z.string()), z.string()]).optional(),
    tags: z.union([z.array(z.string()), z.string()]).optional(),
    industry: z.string().optional(),
    employeeCount: z.number().int().min(0).optional(),
  })
  .meta({
    id: 'LeadImportRecord',
    description: 'One lead. snake_case keys (`first_name`) are accepted too; lists may be `a; b` text.',
  });

/** Validated as any array: each item is then validated on its own, so one bad lead is one rejected row. */
export const LeadImportRequest = z.array(z.unknown());
export const LeadImportRequestDoc = z
  .array(LeadImportRecord)
  .meta({ id: 'LeadImportRequest', description: 'At most 10,000 leads; each is validated on its own.' });

export const OperatorOutreachRequest = z
  .object({
    body: z.string().min(1).max(8_000).meta({ description: 'A Liquid template, like any channel template' }),
    subject: singleLine(z.string().min(1).max(998)).optional(),
    forceChannel: ChannelType.optional().meta({ description: 'One step on this channel, no fallback' }),
  })
  .meta({ id: 'OperatorOutreachRequest' });

export const ChannelConfigInput = ChannelConfig.omit({ channel: true, scope: true })
  .extend({
    retryPolicy: RetryPolicy.extend({
      retryBackoffHours: z.array(z.number().positive().max(HOURS_PER_YEAR)).min(1).max(10),
    }).default({ maxRetries: 2, retryBackoffHours: [24, 48] }),
    template: ChannelTemplateInput.optional(),
    settings: z
      .record(z.string().min(1).max(100), z.union([z.string().max(2_000), z.number(), z.boolean()]))
      .refine((settings) => Object.keys(settings).length <= 50, 'must have at most 50 entries')
      .superRefine((settings, context) => {
        // No setting may hold control characters; those that reach a mail header must also match SES's rules.
        for (const { key, message } of settingProblems(settings))
          context.addIssue({ code: 'custom', path: [key], message });
      })
      .default({}),
  })
  .meta({
    id: 'ChannelConfigInput',
    description: 'Replaces the config of the scope (campaign, or account-wide without campaignId).',
  });

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
    const given = [value.email, value.domain, value.leadId, value.linkedinProfile, value.formDomain].filter(
      (v) => v !== undefined,
    );
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

// ---- responses

export const CampaignResponse = Campaign.meta({ id: 'Campaign' });
export const ResumedCampaignResponse = Campaign.extend({
  sequences: z
    .object({
      resumed: z
        .number()
        .int()
        .meta({ description: 'Sequences the pause had stopped, restarted at the step not yet sent' }),
      keptParked: z
        .number()
        .int()
        .meta({ description: 'Stopped sequences left PAUSED: the sequence was edited while the campaign was paused' }),
    })
    .meta({ description: 'Leads whose sequence the pause stopped (stopReason campaign_inactive)' }),
}).meta({ id: 'ResumedCampaign' });
export const LeadResponse = Lead.extend({
  erasedAt: z.iso.datetime().optional().meta({ description: 'Set once personal data was erased' }),
}).meta({ id: 'Lead' });
export const SuppressionResponse = Suppression.meta({ id: 'Suppression' });

export const ChannelConfigResponse = ChannelConfig.extend({
  source: z.enum(['campaign', 'account', 'default']).meta({ description: 'Where the effective config comes from' }),
}).meta({ id: 'ChannelConfig' });

export const LeadImportResponse = z
  .object({
    campaignId: z.string(),
    rows: z.number().int().meta({ description: 'Rows read (CSV data rows or array items)' }),
    imported: z.number().int(),
    rejected: z.number().int(),
    leads: z.array(z.object({ row: z.number().int(), leadId: z.string(), grade: Grade })),
    rejectedRows: z.array(
      z.object({
        row: z.number().int().meta({ description: '1-based data row (the CSV header is not counted)' }),
        reasons: z.array(z.string()),
        errors: z.array(ErrorDetail),
      }),
    ),
  })
  .meta({ id: 'LeadImportResult' });

export const LaunchReportResponse = z
  .object({
    campaignId: z.string(),
    started: z.number().int(),
    alreadyRunning: z.number().int(),
    skipped: z.object({ belowGrade: z.number().int(), suppressed: z.number().int() }),
    executions: z.array(z.string()),
    dryRun: z
      .array(
        z.object({
          leadId: z.string(),
          firstChannel: ChannelType.nullable(),
          subject: z.string().optional(),
          text: z.string().optional(),
          problem: z.string().optional(),
        }),
      )
      .optional(),
  })
  .meta({ id: 'LaunchReport' });

export const OutreachStartedResponse = z
  .object({
    executionName: z.string(),
    executionArn: z.string(),
    channel: ChannelType.nullable().meta({ description: 'The forced channel; null when the sequence runs' }),
  })
  .meta({ id: 'OutreachStarted' });

export const LeadErasureResponse = z
  .object({
    leadId: z.string(),
    erased: z.literal(true),
    erasedAt: z.iso.datetime(),
    suppression: z.string().nullable().meta({ description: 'The HASH#<sha256> entry that keeps the address out' }),
    messagesErased: z.number().int(),
  })
  .meta({ id: 'LeadErasure' });

export const HistoryEntryResponse = z
  .discriminatedUnion('kind', [
    OutreachMessage.extend({ kind: z.literal('message'), erasedAt: z.iso.datetime().optional() }),
    OutreachAttempt.extend({ kind: z.literal('attempt'), result: z.record(z.string(), z.unknown()).optional() }),
  ])
  .meta({ id: 'HistoryEntry' });

export const HistoryPageResponse = z
  .object({ items: z.array(HistoryEntryResponse), nextCursor: z.string().optional() })
  .meta({ id: 'HistoryPage' });

export const SuppressionPageResponse = z
  .object({ items: z.array(SuppressionResponse), nextCursor: z.string().optional() })
  .meta({ id: 'SuppressionPage' });

const rate = (description: string) => z.number().min(0).meta({ description });

export const ChannelMetricsResponse = z
  .object({
    sent: z.number().int().meta({ description: 'Messages the provider accepted (counted when sent)' }),
    delivered: z.number().int().meta({ description: 'Messages with a delivery confirmation' }),
    replied: z.number().int(),
    bounced: z.number().int(),
    failed: z.number().int(),
    deliveryRate: rate('delivered / sent (0 when nothing was sent)'),
    replyRate: rate('replied / delivered (0 when nothing was delivered)'),
    bounceRate: rate('bounced / sent (0 when nothing was sent)'),
    fallbackRate: rate('Of the leads this channel was tried on, the share that fell back to the next channel'),
    averageAttemptsPerLead: rate('Tries per lead tried on this channel'),
  })
  .meta({ id: 'ChannelMetrics' });

export const MetricsResponse = z
  .object({
    campaignId: z.string().nullable(),
    days: z.number().int(),
    from: z.string().meta({ description: 'First UTC day counted (YYYY-MM-DD)' }),
    to: z.string().meta({ description: 'Last UTC day counted (today)' }),
    channels: z.object(
      Object.fromEntries(AUTOMATED_CHANNELS.map((channel) => [channel, ChannelMetricsResponse])) as Record<
        (typeof AUTOMATED_CHANNELS)[number],
        typeof ChannelMetricsResponse
      >,
    ),
    totals: ChannelMetricsResponse,
    leads: z.number().int().meta({ description: 'Sequences started in the window (distinct leads)' }),
    fallbackRate: rate('Channel fallbacks per sequence'),
    averageAttemptsPerLead: rate('Tries per sequence'),
    medianHoursToFirstReply: z.number().nullable().meta({
      description:
        'Median time from send to first reply: upper bound of its bucket (1, 4, 24, 72, 168, 720 h); null without replies',
    }),
  })
  .meta({ id: 'ChannelMetricsReport' });

export const ExecutionAuditResponse = z
  .object({
    name: z.string(),
    executionArn: z.string(),
    status: z.string().meta({ description: 'RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED' }),
    startDate: z.string().optional(),
    stopDate: z.string().optional(),
    input: z.unknown().optional(),
    output: z.unknown().optional(),
    error: z.string().optional(),
    cause: z.string().optional(),
    states: z.array(
      z.object({
        name: z.string(),
        type: z.string(),
        enteredAt: z.string().optional(),
        exitedAt: z.string().optional(),
        input: z.unknown().optional(),
        output: z.unknown().optional(),
        error: z.string().optional(),
        cause: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'ExecutionAudit' });

export const UnsubscribeResponse = z.object({ unsubscribed: z.literal(true) }).meta({ id: 'Unsubscribed' });

export const OpenApiDocumentResponse = z
  .record(z.string(), z.unknown())
  .meta({ id: 'OpenApiDocument', description: 'This document' });
