import * as z from 'zod';
import { ChannelType } from '#shared/domain/schemas';

/** Request and response schemas of the account-wide limits (docs/product.md §4, `GET|PUT /v1/limits`). */

const limit = (min: number, max: number, description: string) =>
  z.number().int().min(min).max(max).meta({ description });

const rate = (description: string) => z.number().min(0).max(1).meta({ description });

/** Each limit with its bounds: 0 pauses what a count limit counts (or turns the cooldown off). */
const ACCOUNT_LIMIT_FIELDS = {
  globalPerDay: limit(0, 1_000_000, 'Sends per UTC day across every campaign and channel'),
  perDomainPerDay: limit(0, 100_000, 'Emails per UTC day to one recipient domain'),
  leadCooldownHours: limit(0, 8_760, 'Hours between two touches of one lead, across channels (0: no cooldown)'),
  maxActiveSequencesPerPerson: limit(
    1,
    100,
    'Running sequences one person (email address, else LinkedIn profile) may be in, across campaigns',
  ),
  senderMaxBounceRate: rate('A sender is paused when its 7-day bounce rate exceeds this (0–1, default 0.05)'),
  senderMaxComplaintRate: rate('… or its 7-day complaint rate exceeds this (0–1, default 0.003)'),
  senderHealthMinSends: limit(1, 1_000_000, '… judged from at least this many sends in the 7 days (default 20)'),
};

export const AccountLimitsInput = z.strictObject(ACCOUNT_LIMIT_FIELDS).partial().meta({
  id: 'AccountLimitsInput',
  description:
    'The limits to change, each a whole number within its bounds; limits left out keep their value. Channel-wide limits are set with PUT /v1/channels/{channel}/config.',
});

export const ChannelLimits = z
  .object({
    perHour: z.number().int().meta({ description: 'Sends per UTC hour on the channel' }),
    perDay: z.number().int().meta({ description: 'Sends per UTC day on the channel' }),
    source: z.enum(['account', 'default']).meta({
      description: 'account: the stored account-wide channel config; default: the built-in defaults',
    }),
  })
  .meta({ id: 'ChannelLimits' });

/** The account-wide rate limits of every channel: read-only here. */
const perChannel = z.object(
  Object.fromEntries(ChannelType.options.map((channel) => [channel, ChannelLimits])) as Record<
    ChannelType,
    typeof ChannelLimits
  >,
);

export const AccountLimitsResponse = z
  .object({
    ...ACCOUNT_LIMIT_FIELDS,
    channels: perChannel.meta({
      description:
        'Read-only: the account-wide rate limits of each channel (change them with PUT /v1/channels/{channel}/config)',
    }),
  })
  .meta({ id: 'AccountLimits', description: 'Every account-wide limit with its current value, defaults filled' });
