import * as z from 'zod';
import { CampaignState } from '#shared/domain/schemas';
import { DOMAIN_EVENT_TYPES } from '#shared/webhooks/schema';

/** Request and response schemas of the reads the console draws (PRODUCT.md §12): campaign list, stats, lead events. */

const count = (description: string) => z.number().int().nonnegative().meta({ description });

export const Funnel = z
  .object({
    enrolled: count('Leads that left NEW: a batch started their sequence (or they were stopped before one)'),
    contacted: count(
      'Leads a touch reached whose sequence is over: CONTACTED + REPLIED + BOUNCED (a running multi-touch lead and an UNSUBSCRIBED lead are not counted: their status does not say whether a touch went out)',
    ),
    replied: count('REPLIED leads'),
    bounced: count('BOUNCED leads: the touch that ended their sequence bounced afterwards'),
    exhausted: count(
      'EXHAUSTED leads: every channel tried without a send, attempts or time used up, or a colleague replied',
    ),
    unsubscribed: count('UNSUBSCRIBED leads (unsubscribe, complaint, erasure)'),
    paused: count(
      'PAUSED leads: by an operator, an out-of-office reply, a campaign pause, or parked on an ambiguous send',
    ),
    new: count('NEW leads: imported, not yet enrolled'),
    inSequence: count('IN_SEQUENCE leads: a sequence is running'),
    total: count('Every lead of the campaign'),
  })
  .meta({
    id: 'Funnel',
    description:
      "How far a campaign's leads got, counted from their statuses (each lead has one): enrolled → contacted → replied / bounced, beside exhausted, unsubscribed and paused",
  });

export const CampaignSummary = z
  .object({
    campaignId: z.string(),
    name: z.string(),
    state: CampaignState,
    createdAt: z.string(),
    funnel: Funnel,
  })
  .meta({ id: 'CampaignSummary' });

export const CampaignListResponse = z
  .object({ items: z.array(CampaignSummary).meta({ description: 'Every campaign in every state, newest first' }) })
  .meta({ id: 'CampaignList' });

export const CampaignStatsQuery = z.object({
  days: z.coerce
    .number()
    .int()
    .min(1)
    .max(90)
    .default(14)
    .meta({ description: 'UTC days ending today (1 to 90, default 14)' }),
});

const sends = (channel: string) => count(`Messages the provider accepted on ${channel} that day`);

export const DailySendsEntry = z
  .object({
    day: z.string().meta({ description: 'UTC day, YYYY-MM-DD' }),
    EMAIL: sends('EMAIL'),
    LINKEDIN: sends('LINKEDIN'),
    CONTACT_FORM: sends('CONTACT_FORM (successful form submissions)'),
  })
  .meta({ id: 'DailySends' });

export const CampaignStatsResponse = z
  .object({
    campaignId: z.string(),
    days: z.number().int(),
    funnel: Funnel,
    daily: z.array(DailySendsEntry).meta({
      description:
        "One entry per UTC day, oldest first, zeros included: from `days - 1` days before today to today, or to a later day the embedded stack's compressed clock dated a send on",
    }),
  })
  .meta({ id: 'CampaignStats' });

export const DomainEventResponse = z
  .object({
    id: z.string().meta({ description: 'Stable event id (`evt_…`): the same fact recorded twice is one event' }),
    type: z.enum(DOMAIN_EVENT_TYPES),
    createdAt: z.string(),
    campaignId: z.string(),
    leadId: z.string().optional(),
    data: z.record(z.string(), z.unknown()).meta({ description: 'Ids, statuses, reasons and times (never content)' }),
  })
  .meta({ id: 'DomainEvent' });

export const LeadEventsResponse = z
  .object({ items: z.array(DomainEventResponse).meta({ description: "The lead's recorded events, newest first" }) })
  .meta({ id: 'LeadEvents' });
