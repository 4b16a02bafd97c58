import * as z from 'zod';
import {
  Campaign,
  CampaignState,
  ChannelType,
  checkSequenceSteps,
  Grade,
  Sender,
  SequenceShape,
  SequenceStep,
  WaitFor,
} from '#shared/domain/schemas';
import { SendSchedule } from '#shared/schedule/schema';
import { StepVariants } from '#shared/variants/schema';
import { backoffHours, boundedEmail, ChannelTemplateInput, hoursWithinYear, id, singleLine } from './common';

/** Request and response schemas of the campaign routes: create, sequence, pause and resume, batches. */

export const CampaignParams = z.object({ id: id('Campaign id') });

/** A sender as requests give it: the domain's Sender with lengths bounded, every field one line. */
export const SenderInput = Sender.extend({
  name: singleLine(z.string().min(1).max(200)),
  email: boundedEmail(),
  company: singleLine(z.string().max(200)).optional(),
  replyTo: boundedEmail().optional(),
  phone: singleLine(z.string().max(100)).optional(),
  website: singleLine(z.string().max(2_000)).optional(),
});

/** One step as requests give it: waits and backoffs of at most a year, at most 10 backoff entries. */
export const SequenceStepInput = SequenceStep.extend({
  waitHoursBefore: hoursWithinYear().default(0),
  maxRetries: z.number().int().min(0).max(10).optional().meta({
    description: "Retries after the first try; absent: the channel config's retryPolicy (default 2)",
  }),
  retryBackoffHours: backoffHours()
    .optional()
    .meta({ description: "Hours before each retry; absent: the channel config's retryPolicy (default [24, 48])" }),
  confirmDeliveryMinutes: z
    .number()
    .nonnegative()
    .max(7 * 24 * 60)
    .optional(),
  waitFor: WaitFor.extend({ timeoutHours: hoursWithinYear().refine((hours) => hours > 0, 'must be positive') })
    .optional()
    .meta({ description: 'After this step, wait for an accepted invite (LINKEDIN) or a completed task (PHONE)' }),
  variants: StepVariants.optional().meta({
    description:
      "A/B content: 2–5 variants {id, weight, subject?, body, html?}; a lead's variant is fixed by (person, campaign, step)",
  }),
});

export const SequenceInput = SequenceShape.omit({ version: true })
  .extend({
    steps: z.array(SequenceStepInput).min(1).max(20),
    maxTotalAttemptsPerLead: z.number().int().positive().max(1_000).default(10),
    sequenceTimeoutDays: z.number().positive().max(365).default(30),
  })
  .superRefine((sequence, context) => checkSequenceSteps(sequence.steps, context))
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
    schedule: SendSchedule.optional().meta({
      description:
        'When touches may go out, in each lead\'s own zone (DST-correct), public holidays of the lead\'s country skipped. Default: {"days":["MON","TUE","WED","THU","FRI"],"start":"09:00","end":"17:00","timezone":"lead","fallbackTimezone":"UTC","skipHolidays":true}',
    }),
    senderIds: z.array(z.string().min(1).max(64)).min(1).max(50).optional().meta({
      description:
        "A pool of senders (POST /v1/senders) the campaign's emails go out from: each lead gets the one with the most room left today at its first email and keeps it. Absent: `sender` alone.",
    }),
    linkedinAccountIds: z.array(z.string().min(1).max(64)).min(1).max(50).optional().meta({
      description:
        "A pool of LinkedIn accounts (POST /v1/linkedin-accounts): each lead gets the one with the most invitations left today at its first LinkedIn touch and keeps it. Absent: the LINKEDIN channel config's account.",
    }),
    force: z.boolean().optional().meta({
      description:
        "Create ACTIVE even when a pool sender's domain fails DMARC alignment (409 senders_unaligned otherwise)",
    }),
    stopOnCompanyReply: z.boolean().optional().meta({
      description:
        "Default true: a lead's reply stops the campaign's other leads at the same company (email or website domain; free-mail domains never count) with company_replied",
    }),
  })
  .meta({ id: 'CreateCampaignRequest' });

/** `?force=true`: activate even when a pool sender fails DMARC alignment. */
export const ActivationQuery = z.object({
  force: z.enum(['true', 'false']).optional().meta({
    description:
      "true: resume even when a pool sender's domain fails DMARC alignment (409 senders_unaligned otherwise)",
  }),
});

export const ScheduleRequest = SendSchedule.meta({
  id: 'SendSchedule',
  description:
    'Days (MON..SUN), start and end ("HH:MM" local; end earlier than start crosses midnight; end "24:00" is midnight), timezone ("lead" or an IANA zone), fallbackTimezone for leads without one, skipHolidays (the lead country\'s public holidays).',
});

export const LaunchBatchRequest = z
  .object({
    dryRun: z
      .boolean()
      .optional()
      .meta({ description: 'Render every step and A/B variant for each lead, as a send would; send nothing' }),
    limit: z.number().int().min(1).max(10_000).optional(),
  })
  .meta({ id: 'LaunchBatchRequest' });

export const CampaignResponse = Campaign.meta({ id: 'Campaign' });

export const ResumedCampaignResponse = Campaign.extend({
  sequences: z
    .object({
      resumed: z
        .number()
        .int()
        .meta({ description: 'Sequences the pause had stopped, restarted at the step not yet sent' }),
      keptParked: z.number().int().meta({
        description:
          'Stopped sequences left PAUSED: their step is in no known version of the sequence (the lead says why in parkedDetail)',
      }),
    })
    .meta({ description: 'Leads whose sequence the pause stopped (stopReason campaign_inactive)' }),
}).meta({ id: 'ResumedCampaign' });

/** One step's words as the lead would read them (dry run). */
const DryRunWords = {
  subject: z.string().optional(),
  text: z.string().optional().meta({ description: 'PHONE: the call task an operator would get' }),
};

const DryRunStepResponse = z
  .object({
    stepId: z.string(),
    channel: ChannelType,
    skipped: z.enum(['suppressed', 'channel_disabled', 'no_contact_point']).optional().meta({
      description:
        'The step would fall back for this lead. suppressed and channel_disabled steps are not rendered (a send stops before rendering); a no_contact_point step is (a send renders first, so its template error would stop the lead)',
    }),
    variantId: z.string().optional().meta({ description: "The lead's own A/B variant, when the step has variants" }),
    ...DryRunWords,
    variants: z
      .array(z.object({ variantId: z.string(), chosen: z.boolean(), ...DryRunWords }))
      .optional()
      .meta({ description: "Every variant rendered for this lead; chosen marks the lead's own" }),
  })
  .meta({ id: 'DryRunStep' });

const DryRunEntryResponse = z
  .object({
    leadId: z.string(),
    firstChannel: ChannelType.nullable().meta({ description: 'The first step that can reach the lead; null: none' }),
    subject: z.string().optional().meta({ description: 'The first reachable step, as the lead would get it' }),
    text: z.string().optional(),
    problem: z.string().optional().meta({
      description: "Why the first reachable step shows nothing: no channel can reach the lead, or its template's error",
    }),
    steps: z.array(DryRunStepResponse),
    errors: z
      .array(
        z.object({
          stepId: z.string(),
          channel: ChannelType,
          variantId: z.string().optional(),
          code: z.enum(['template_error']),
          message: z.string(),
        }),
      )
      .meta({
        description: 'Steps or variants that cannot render for this lead (a send would stop on template_error)',
      }),
  })
  .meta({ id: 'DryRunEntry' });

export const LaunchReportResponse = z
  .object({
    campaignId: z.string(),
    started: z.number().int(),
    alreadyRunning: z.number().int(),
    skipped: z.object({
      belowGrade: z.number().int(),
      suppressed: z.number().int(),
      inOtherCampaign: z.number().int().meta({
        description:
          'NEW leads whose person is already in maxActiveSequencesPerPerson running sequences (they stay NEW)',
      }),
    }),
    skippedLeads: z
      .array(z.object({ leadId: z.string(), reason: z.enum(['in_other_campaign']) }))
      .meta({ description: 'The skipped leads with a reason of their own, at most 100' }),
    executions: z.array(z.string()),
    dryRun: z
      .array(DryRunEntryResponse)
      .optional()
      .meta({ description: 'Dry run only: each lead that would be enrolled, every step rendered as a send would' }),
  })
  .meta({ id: 'LaunchReport' });
