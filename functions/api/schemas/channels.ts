import * as z from 'zod';
import { settingProblems } from '#shared/channels/email/settings';
import { AUTOMATED_CHANNELS, ChannelConfig, ChannelType, RetryPolicy } from '#shared/domain/schemas';
import { backoffHours, ChannelTemplateInput, id } from './common';

/** Request and response schemas of the channel routes: configuration per scope and the channel metrics. */

export const ChannelParams = z.object({ channel: ChannelType });

export const ChannelConfigQuery = z.object({
  campaignId: id('Campaign scope; without it, the account-wide default').optional(),
});

export const MetricsQuery = z.object({
  campaignId: id('Only this campaign').optional(),
  days: z.coerce.number().int().min(1).max(90).default(7).meta({ description: 'UTC days, today included' }),
});

export const ChannelConfigInput = ChannelConfig.omit({ channel: true, scope: true })
  .extend({
    retryPolicy: RetryPolicy.extend({ retryBackoffHours: backoffHours() }).default({
      maxRetries: 2,
      retryBackoffHours: [24, 48],
    }),
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
  // A day holds 24 hours: an hourly limit above the daily one is a typo, never what was meant.
  .refine((config) => config.rateLimits.perHour <= config.rateLimits.perDay, {
    path: ['rateLimits', 'perHour'],
    message: 'must not exceed rateLimits.perDay',
  })
  .meta({
    id: 'ChannelConfigInput',
    description: 'Replaces the config of the scope (campaign, or account-wide without campaignId).',
  });

export const ChannelConfigResponse = ChannelConfig.extend({
  source: z.enum(['campaign', 'account', 'default']).meta({ description: 'Where the effective config comes from' }),
}).meta({ id: 'ChannelConfig' });

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

/** The same counters and rates for every automated channel. */
const perAutomatedChannel = z.object(
  Object.fromEntries(AUTOMATED_CHANNELS.map((channel) => [channel, ChannelMetricsResponse])) as Record<
    (typeof AUTOMATED_CHANNELS)[number],
    typeof ChannelMetricsResponse
  >,
);

export const MetricsResponse = z
  .object({
    campaignId: z.string().nullable(),
    days: z.number().int(),
    from: z.string().meta({ description: 'First UTC day counted (YYYY-MM-DD)' }),
    to: z.string().meta({ description: 'Last UTC day counted (today)' }),
    channels: perAutomatedChannel,
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
