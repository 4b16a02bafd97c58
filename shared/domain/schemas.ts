import * as z from 'zod';
import { SendSchedule } from '../schedule/schema';
import { StepVariants } from '../variants/schema';
import { StepId } from './step-id';

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
  'superseded',
  'not_connected',
  'already_connected',
  'in_other_campaign',
  'company_replied',
  'invite_timeout',
  'task_timeout',
  'task_skipped',
  'manual_task_created',
  'channel_disabled',
  /** The lead's send window is closed (schedule, weekend, public holiday): the step waits for it, no retry used. */
  'outside_window',
  /** The lead answered with an out-of-office auto-reply: paused until the return date's next window. */
  'out_of_office',
  /** The lead's sender is paused (its health, or an operator): the lead waits for it, no retry used. */
  'sender_paused',
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
  /** IANA zone (`Europe/Berlin`): the send window is the lead's own working hours. */
  timezone: z.string().optional(),
  /** ISO 3166-1 alpha-2: whose public holidays the send window skips. */
  country: z.string().optional(),
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
  /** Why a resume left the lead PAUSED (its step could not be placed in any stored sequence version): for the operator. */
  parkedDetail: z.string().optional(),
  /** The pool sender this lead's emails come from (assigned at its first email, kept for every later one). */
  senderId: z.string().optional(),
  /** The LinkedIn account this lead's invitation and messages go through (assigned at its first LinkedIn touch). */
  linkedinAccountId: z.string().optional(),
  /** PAUSED `out_of_office`: when the sequence picks up again (the next window one business day after the return). */
  resumeAt: isoTimestamp.optional(),
  /** When a colleague at the same company replied and stopped this lead (`stopOnCompanyReply`). */
  companyRepliedAt: isoTimestamp.optional(),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
});
export type Lead = z.infer<typeof Lead>;

export { StepId };
/** Where a step goes next: `end`, `next`, or a step id. */
export const StepTarget = z.union([z.enum(['end', 'next']), StepId]);
export type StepTarget = z.infer<typeof StepTarget>;

/** After the step, wait for a person: an accepted invite or a completed manual task, up to `timeoutHours`. */
export const WaitFor = z.object({
  event: z.enum(['invite_accepted', 'task_completed']),
  timeoutHours: z.number().positive(),
  onTimeout: StepTarget.default('next'),
});
export type WaitFor = z.infer<typeof WaitFor>;

export const SequenceStep = z.object({
  id: StepId.optional(),
  channel: ChannelType,
  waitHoursBefore: z.number().nonnegative().default(0),
  /** Absent: the channel config's retry policy (campaign, else account-wide, else 2 retries after 24 h and 48 h). */
  maxRetries: z.number().int().min(0).max(10).optional(),
  retryBackoffHours: z.array(z.number().positive()).min(1).optional(),
  onRateLimit: z.enum(['wait', 'fallback']).default('wait'),
  /** EMAIL only: how long after acceptance the sequence checks for a bounce or complaint (0 = do not wait). */
  confirmDeliveryMinutes: z.number().nonnegative().optional(),
  /** Where a sent step continues: `end` (the classic cascade), `next`, or a step id. */
  onSent: StepTarget.default('end'),
  /** EMAIL only: send as a reply in that step's thread (Re: subject, In-Reply-To, References). */
  threadWith: StepId.optional(),
  /** LINKEDIN only: `auto` (message when connected, invite otherwise), `invite`, or `message`. */
  linkedinAction: z.enum(['auto', 'invite', 'message']).default('auto'),
  waitFor: WaitFor.optional(),
  /** A/B content (PRODUCT.md §9): 2–5 variants, each lead's chosen by (person, campaign, step); else the template. */
  variants: StepVariants.optional(),
});
export type SequenceStep = z.infer<typeof SequenceStep>;

/** The id a step goes by: its own, else `step-<n>` (1-based). */
export const stepIdOf = (step: Pick<SequenceStep, 'id'>, index: number): string => step.id ?? `step-${index + 1}`;

/** What a sequence's steps must agree on: unique ids, targets that exist, fields on the channels that use them. */
export function checkSequenceSteps(steps: readonly SequenceStep[], context: z.RefinementCtx): void {
  const ids = steps.map(stepIdOf);
  const problem = (index: number, field: string, message: string) =>
    context.addIssue({ code: 'custom', path: ['steps', index, field], message });
  const known = (target: string) => target === 'end' || target === 'next' || ids.includes(target);
  steps.forEach((step, index) => {
    if (ids.indexOf(ids[index] ?? '') !== index) problem(index, 'id', `duplicates the id of an earlier step`);
    if (!known(step.onSent)) problem(index, 'onSent', `names no step of this sequence: ${step.onSent}`);
    if (step.waitFor && !known(step.waitFor.onTimeout))
      problem(index, 'waitFor', `onTimeout names no step of this sequence: ${step.waitFor.onTimeout}`);
    if (step.threadWith !== undefined) {
      const target = steps[ids.indexOf(step.threadWith)];
      if (step.channel !== 'EMAIL') problem(index, 'threadWith', 'is for EMAIL steps only');
      else if (target?.channel !== 'EMAIL' || ids.indexOf(step.threadWith) >= index)
        problem(index, 'threadWith', 'must name an earlier EMAIL step');
    }
    if (step.waitFor?.event === 'invite_accepted' && step.channel !== 'LINKEDIN')
      problem(index, 'waitFor', 'invite_accepted is for LINKEDIN steps only');
    if (step.variants && step.channel === 'PHONE') problem(index, 'variants', 'PHONE steps send no message');
    if (step.waitFor?.event === 'task_completed' && step.channel !== 'PHONE')
      problem(index, 'waitFor', 'task_completed is for PHONE steps only');
  });
}

export const SequenceShape = z.object({
  version: z.number().int().positive().default(1),
  steps: z.array(SequenceStep).min(1),
  maxTotalAttemptsPerLead: z.number().int().positive().default(10),
  sequenceTimeoutDays: z.number().positive().default(30),
});
export const SequenceConfig = SequenceShape.superRefine((sequence, context) =>
  checkSequenceSteps(sequence.steps, context),
);
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
  /**
   * A reply of one lead stops the campaign's other leads at the same company (email or website domain, free-mail
   * domains never count) with `company_replied`. Absent means true (campaigns stored before the field existed).
   */
  stopOnCompanyReply: z.boolean().optional(),
  /**
   * When touches may go out, in the lead's zone (PRODUCT.md §2). The API gives every new campaign the default
   * (Mon–Fri 09:00–17:00, holidays skipped); absent on a stored campaign (one from before schedules): any hour.
   */
  schedule: SendSchedule.optional(),
  /**
   * Email senders the campaign draws on (PRODUCT.md §10); absent or empty: `sender` alone, a pool of one. A lead
   * keeps the sender of its first email for its whole sequence.
   */
  senderIds: z.array(z.string().min(1)).optional(),
  /** LinkedIn accounts the campaign draws on; absent: the channel config's account. */
  linkedinAccountIds: z.array(z.string().min(1)).optional(),
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
  /** The id of the sequence step that sent it (a later step's `threadWith` finds its thread by it). */
  stepId: z.string().optional(),
  /** The A/B variant it was rendered from (PRODUCT.md §9), when its step has variants. */
  variantId: z.string().optional(),
  /** The pool sender it went out from (PRODUCT.md §10): its bounces and complaints count against that sender. */
  senderId: z.string().optional(),
  /** EMAIL, as sent: From, Subject and References (a later `threadWith` step answers in this thread). */
  fromHeader: z.string().optional(),
  subjectHeader: z.string().optional(),
  referencesHeader: z.string().optional(),
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

/** What an operator does by hand: a call, a protected contact form, a LinkedIn step (PRODUCT.md §1). */
export const ManualTaskKind = z.enum(['call', 'form', 'linkedin', 'other']);
export type ManualTaskKind = z.infer<typeof ManualTaskKind>;

/** EXPIRED is read, not stored: an OPEN task whose step stopped waiting for it (`expiresAt` passed). */
export const ManualTaskStatus = z.enum(['OPEN', 'DONE', 'SKIPPED', 'EXPIRED']);
export type ManualTaskStatus = z.infer<typeof ManualTaskStatus>;

/** How the operator closed a task: `replied` stops the lead like a reply. */
export const ManualTaskOutcome = z.enum(['done', 'replied', 'skipped']);
export type ManualTaskOutcome = z.infer<typeof ManualTaskOutcome>;

export const ManualTask = z.object({
  taskId: z.string(),
  leadId: z.string(),
  campaignId: z.string(),
  kind: ManualTaskKind,
  status: ManualTaskStatus,
  /** What to do, in words: the call script, or the form's fields and the message to write. */
  instructions: z.string(),
  /** The page to work on (a contact form). */
  url: z.string().optional(),
  dueAt: isoTimestamp,
  createdAt: isoTimestamp,
  completedAt: isoTimestamp.optional(),
  outcome: ManualTaskOutcome.optional(),
  note: z.string().optional(),
  /** The run and step that made the task: the wait its completion answers (`waitFor task_completed`). */
  executionName: z.string().optional(),
  stepIndex: z.number().int().nonnegative().optional(),
  stepId: z.string().optional(),
  /** When the step stops waiting for the task; past it, the task is EXPIRED. */
  expiresAt: isoTimestamp.optional(),
  // Tasks written before the task queue carried only these; kept for them (and as what the adapter reported).
  channel: ChannelType.optional(),
  reason: z.string().optional(),
  detail: z.string().optional(),
});
export type ManualTask = z.infer<typeof ManualTask>;
