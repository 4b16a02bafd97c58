import * as z from 'zod';

/** Vocabulary of docs/product.md §1; enum values are part of the public contract. */
export const ChannelType = z.enum(['EMAIL', 'LINKEDIN', 'CONTACT_FORM', 'PHONE']);
export type ChannelType = z.infer<typeof ChannelType>;
export const AUTOMATED_CHANNELS = ['EMAIL', 'LINKEDIN', 'CONTACT_FORM'] as const satisfies readonly ChannelType[];

export const OutreachStatus = z.enum(['PENDING', 'SENT', 'DELIVERED', 'REPLIED', 'BOUNCED', 'FAILED', 'SKIPPED']);
export type OutreachStatus = z.infer<typeof OutreachStatus>;

export const LinkedInConnectionStatus = z.enum(['NOT_CONNECTED', 'CONNECTION_REQUESTED', 'CONNECTED', 'BLOCKED']);
export type LinkedInConnectionStatus = z.infer<typeof LinkedInConnectionStatus>;

export const LeadStatus = z.enum([
  'NEW',
  'IN_SEQUENCE',
  'CONTACTED',
  'REPLIED',
  'UNSUBSCRIBED',
  'BOUNCED',
  'EXHAUSTED',
  'PAUSED',
]);
export type LeadStatus = z.infer<typeof LeadStatus>;

export const Grade = z.enum(['A', 'B', 'C', 'D']);
export type Grade = z.infer<typeof Grade>;

export const CampaignState = z.enum(['ACTIVE', 'PAUSED', 'ARCHIVED']);
export type CampaignState = z.infer<typeof CampaignState>;

export const Outcome = z.enum(['SENT', 'RETRY', 'FALLBACK', 'STOP']);
export type Outcome = z.infer<typeof Outcome>;

export const ReasonCode = z.enum([
  'missing_address',
  'invalid_address',
  'suppressed',
  'bounce',
  'complaint',
  'unsubscribed',
  'replied',
  'no_profile',
  'linkedin_blocked',
  'invite_pending',
  'form_unreachable',
  'form_rejected',
  'form_spam_protected',
  'content_too_long',
  'rate_limited',
  'provider_throttled',
  'provider_error',
  /** The channel's provider settings cannot be used (a refused or credential-bearing base URL): an operator's fix. */
  'provider_misconfigured',
  'ambiguous_send',
  'retry_exhausted',
  'template_error',
  'campaign_inactive',
  'lead_paused',
  'max_attempts_reached',
  'sequence_timeout',
  'manual_task_created',
  'channel_disabled',
]);
export type ReasonCode = z.infer<typeof ReasonCode>;

const isoTimestamp = z.iso.datetime({ offset: true });

export const Lead = z.object({
  leadId: z.string().min(1),
  campaignId: z.string().min(1),
  firstName: z.string().min(1),
  lastName: z.string().optional(),
  /** Kept as imported: an unusable address is the email channel's FALLBACK, not an import error. */
  email: z.string().optional(),
  company: z.string().optional(),
  title: z.string().optional(),
  website: z.string().optional(),
  linkedinUrl: z.string().optional(),
  linkedinProviderId: z.string().optional(),
  contactFormUrl: z.string().optional(),
  phone: z.string().optional(),
  timezone: z.string().optional(),
  industry: z.string().optional(),
  employeeCount: z.number().int().nonnegative().optional(),
  leadScore: z.number().min(0).max(1),
  budgetRange: z.string().optional(),
  timelineMonths: z.number().int().positive().optional(),
  painPoints: z.array(z.string()).default([]),
  tags: z.array(z.string()).default([]),
  status: LeadStatus,
  grade: Grade,
  gradeReasons: z.array(z.string()),
  conversionProbability: z.number(),
  linkedinConnectionStatus: LinkedInConnectionStatus.default('NOT_CONNECTED'),
  contactFormLastSubmittedAt: isoTimestamp.optional(),
  /** Why the lead may not be contacted any more (e.g. `complaint` for an UNSUBSCRIBED lead). */
  stopReason: ReasonCode.optional(),
  sequenceVersion: z.number().int().optional(),
  executionName: z.string().optional(),
  /** Where a sequence stopped by a campaign pause picks up when the campaign is resumed (the step not yet sent). */
  resumeFrom: z.object({ stepIndex: z.number().int().nonnegative(), tryCount: z.number().int().positive() }).optional(),
  /** How many times the lead's sequence was resumed: part of the resumed execution's name. */
  resumeCount: z.number().int().nonnegative().optional(),
  /** When the running sequence ends at its next step (set when an execution starts: `sequenceTimeoutDays` on). */
  sequenceDeadline: isoTimestamp.optional(),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
});
export type Lead = z.infer<typeof Lead>;

export const SequenceStep = z.object({
  channel: ChannelType,
  waitHoursBefore: z.number().nonnegative().default(0),
  /** Absent: the channel config's retry policy (campaign, else account-wide, else 2 retries after 24 h and 48 h). */
  maxRetries: z.number().int().min(0).max(10).optional(),
  retryBackoffHours: z.array(z.number().positive()).min(1).optional(),
  onRateLimit: z.enum(['wait', 'fallback']).default('wait'),
  /** EMAIL only: how long after acceptance the sequence checks for a bounce or complaint (0 = do not wait). */
  confirmDeliveryMinutes: z.number().nonnegative().optional(),
});
export type SequenceStep = z.infer<typeof SequenceStep>;

export const SequenceConfig = z.object({
  version: z.number().int().positive().default(1),
  steps: z.array(SequenceStep).min(1),
  maxTotalAttemptsPerLead: z.number().int().positive().default(10),
  sequenceTimeoutDays: z.number().positive().default(30),
});
export type SequenceConfig = z.infer<typeof SequenceConfig>;

export const DEFAULT_SEQUENCE: SequenceConfig = SequenceConfig.parse({
  steps: [{ channel: 'EMAIL' }, { channel: 'LINKEDIN' }, { channel: 'CONTACT_FORM' }],
});

export const Sender = z.object({
  name: z.string().min(1),
  email: z.email(),
  company: z.string().optional(),
  replyTo: z.email().optional(),
  phone: z.string().optional(),
  website: z.string().optional(),
});
export type Sender = z.infer<typeof Sender>;

export const ChannelTemplate = z.object({
  subject: z.string().optional(),
  body: z.string().min(1),
  html: z.string().optional(),
});
export type ChannelTemplate = z.infer<typeof ChannelTemplate>;

export const Campaign = z.object({
  campaignId: z.string().min(1),
  name: z.string().min(1),
  sender: Sender,
  templates: z.partialRecord(ChannelType, ChannelTemplate).default({}),
  sequence: SequenceConfig,
  minGrade: Grade.default('C'),
  state: CampaignState.default('ACTIVE'),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
});
export type Campaign = z.infer<typeof Campaign>;

export const RateLimits = z.object({
  perHour: z.number().int().nonnegative(),
  perDay: z.number().int().nonnegative(),
});
export type RateLimits = z.infer<typeof RateLimits>;

export const RetryPolicy = z.object({
  maxRetries: z.number().int().min(0).max(10),
  retryBackoffHours: z.array(z.number().positive()).min(1),
});
export type RetryPolicy = z.infer<typeof RetryPolicy>;

export const ChannelConfig = z.object({
  channel: ChannelType,
  /** `ACCOUNT` for the account-wide default. */
  scope: z.string().min(1),
  enabled: z.boolean().default(true),
  rateLimits: RateLimits,
  retryPolicy: RetryPolicy.default({ maxRetries: 2, retryBackoffHours: [24, 48] }),
  template: ChannelTemplate.optional(),
  /** Channel settings: e.g. email configuration set, LinkedIn provider account, invite note limit. */
  settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});
export type ChannelConfig = z.infer<typeof ChannelConfig>;

export const OutreachMessage = z.object({
  messageId: z.string(),
  leadId: z.string(),
  campaignId: z.string(),
  channel: ChannelType,
  status: OutreachStatus,
  subject: z.string().optional(),
  body: z.string(),
  providerMessageId: z.string().optional(),
  executionName: z.string(),
  attemptKey: z.string(),
  reason: ReasonCode.optional(),
  createdAt: isoTimestamp,
  sentAt: isoTimestamp.optional(),
  deliveredAt: isoTimestamp.optional(),
  openedAt: isoTimestamp.optional(),
  repliedAt: isoTimestamp.optional(),
  bouncedAt: isoTimestamp.optional(),
  clickedAt: isoTimestamp.optional(),
  complainedAt: isoTimestamp.optional(),
  delayedAt: isoTimestamp.optional(),
  /** An auto-responder answered (out of office): noted, not a reply. */
  autoRepliedAt: isoTimestamp.optional(),
  /** Permanent or Transient, from the SES bounce event. */
  bounceType: z.string().optional(),
});
export type OutreachMessage = z.infer<typeof OutreachMessage>;

export const AttemptState = z.enum(['PENDING', 'DONE']);

export const OutreachAttempt = z.object({
  attemptKey: z.string(),
  leadId: z.string(),
  campaignId: z.string(),
  executionName: z.string(),
  channel: ChannelType,
  stepIndex: z.number().int().nonnegative(),
  tryNumber: z.number().int().positive(),
  state: AttemptState,
  outcome: Outcome.optional(),
  reason: ReasonCode.optional(),
  messageId: z.string().optional(),
  nextRetryAt: isoTimestamp.optional(),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
});
export type OutreachAttempt = z.infer<typeof OutreachAttempt>;

export const Suppression = z.object({
  /** `EMAIL#<address>`, `DOMAIN#<domain>` or `HASH#<sha256>` for erased leads. */
  key: z.string(),
  reason: z.string(),
  source: z.string(),
  createdAt: isoTimestamp,
});
export type Suppression = z.infer<typeof Suppression>;

export const ManualTask = z.object({
  taskId: z.string(),
  leadId: z.string(),
  campaignId: z.string(),
  channel: ChannelType,
  reason: z.string(),
  detail: z.string().optional(),
  createdAt: isoTimestamp,
});
export type ManualTask = z.infer<typeof ManualTask>;
