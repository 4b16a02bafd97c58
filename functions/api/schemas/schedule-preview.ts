import * as z from 'zod';
import { ChannelType } from '#shared/domain/schemas';
import { HELD_REASONS } from '#shared/outreach/schedule-simulation';

/** Request and response schemas of the schedule preview (docs/product.md §7). */

export const SchedulePreviewQuery = z.object({
  days: z.coerce
    .number()
    .int()
    .min(1)
    .max(31)
    .default(14)
    .meta({ description: 'UTC days to simulate, today (from now) included; 1–31' }),
});

const count = (description: string) => z.number().int().nonnegative().meta({ description });

const HELD_DESCRIPTIONS: Record<(typeof HELD_REASONS)[number], string> = {
  outsideWindow: "Outside the lead's send window all the rest of the day (hours, days of the week)",
  holiday: "A public holiday of the lead's country took the window it would have had that day",
  rateLimit: 'The channel’s per-hour limit of this sender',
  dailyLimit: 'The channel’s per-day limit of this sender',
  globalLimit: 'The account-wide sends per day',
  domainLimit: 'The per-recipient-domain emails per day',
  cooldown: "The lead's cooldown since its last touch",
  senderLimit:
    "The sending identity's own limit, for every identity the lead may go out as: a sender's warm-up or daily limit, a LinkedIn account's invitations per day or per week, or messages per day",
  senderPaused: 'The sending identity the lead holds is paused or gone, or every identity of the pool is',
};

export const HeldBack = z
  .object(
    Object.fromEntries(
      HELD_REASONS.map((reason) => [
        reason,
        count(`Due leads not sent that day, held by: ${HELD_DESCRIPTIONS[reason].toLowerCase()}`),
      ]),
    ) as Record<(typeof HELD_REASONS)[number], z.ZodNumber>,
  )
  .meta({ id: 'ScheduleHeldBack', description: 'Each due lead not sent on the day, counted once, under what held it' });

export const ScheduleChannelDay = z
  .object({
    channel: ChannelType,
    sender: z.string().meta({
      description:
        'The sending identity: the campaign’s email address (a pool sender’s address), the LinkedIn account id, `-` for forms and calls; `*`: leads of a pool not assigned an identity yet',
    }),
    scheduled: count('First touches that would go out on this UTC day'),
    heldBack: HeldBack,
  })
  .meta({ id: 'ScheduleChannelDay' });

export const ScheduleDay = z
  .object({
    date: z.string().meta({ description: 'UTC date YYYY-MM-DD (the rate limits’ day bucket)' }),
    channels: z
      .array(ScheduleChannelDay)
      .meta({ description: 'Every channel × sender of the waiting leads, zeros too' }),
  })
  .meta({ id: 'ScheduleDay' });

const identityFields = {
  id: z.string().meta({ description: 'The sender or LinkedIn account id' }),
  sender: z.string().meta({ description: 'The `sender` of its cells in `days`' }),
  state: z.enum(['ACTIVE', 'PAUSED', 'MISSING']).meta({
    description: 'MISSING: no such record; like a paused one, it holds the leads assigned to it',
  }),
  pausedReason: z.string().optional(),
  inPool: z.boolean().meta({ description: 'In the campaign’s pool; false: only held by waiting leads assigned to it' }),
};

export const ScheduleSender = z
  .discriminatedUnion('channel', [
    z.object({
      channel: z.literal('EMAIL'),
      ...identityFields,
      limitToday: count('Mails it may send today (UTC): its warm-up ramp, capped by dailyLimit'),
      usedToday: count('Mails it sent today (its stored counter)'),
      dailyLimit: z.number().int().optional(),
      warmup: z.object({ startPerDay: z.number().int(), increasePerDay: z.number().int() }).optional(),
      firstSendDay: z
        .string()
        .optional()
        .meta({ description: 'Its first sending day; absent: the warm-up starts at its first simulated send' }),
    }),
    z.object({
      channel: z.literal('LINKEDIN'),
      ...identityFields,
      limitToday: count('Invitations it may send today (UTC)'),
      usedToday: count('Invitations it sent today'),
      weeklyInvites: count('Invitations it may send per ISO week (Monday 00:00 UTC)').optional(),
      usedThisWeek: count('Invitations it sent this ISO week').optional(),
      dailyMessages: count('Messages it may send today').optional(),
      messagesToday: count('Messages it sent today').optional(),
    }),
  ])
  .meta({ id: 'ScheduleSender', description: 'A sending identity of the campaign’s pools (PRODUCT.md §10)' });

export const SchedulePreviewResponse = z
  .object({
    campaignId: z.string(),
    from: z.string().meta({ description: 'Now: where the simulation starts' }),
    to: z.string().meta({ description: 'The end of the last simulated UTC day (exclusive)' }),
    horizonDays: z.number().int().meta({ description: 'The `days` asked for' }),
    generatedAt: z.string(),
    waiting: count('Leads simulated: NEW at or above minGrade, and PAUSED out_of_office'),
    inFlight: count('IN_SEQUENCE leads: their executions schedule them; not simulated'),
    unreachable: count('Waiting leads no step of the sequence can reach (no contact point, channel disabled)'),
    atMaxTouches: count('Waiting leads whose touch counter is already full: their sequence would stop at once'),
    unscheduled: count('Waiting leads whose first touch would not go out within the horizon'),
    days: z.array(ScheduleDay),
    senders: z.array(ScheduleSender).meta({
      description:
        'The identities of the campaign’s sender and LinkedIn account pools, then those waiting leads hold: state, today’s limit and use. Empty without pools.',
    }),
    model: z.string().meta({ description: 'How the preview is computed' }),
  })
  .meta({ id: 'SchedulePreview' });
