import * as z from 'zod';
import { ChannelType } from '#shared/domain/schemas';
import { id } from './common';

/** Request and response schemas of the A/B variant metrics (docs/product.md §9). */

export const VariantMetricsQuery = z.object({
  campaignId: id('The campaign whose sequence steps carry the variants'),
  days: z.coerce.number().int().min(1).max(90).default(7).meta({ description: 'UTC days, today included' }),
});

const rate = (description: string) => z.number().min(0).max(1).meta({ description });
const count = (description: string) => z.number().int().meta({ description });

export const VariantMetricsEntry = z
  .object({
    variantId: z.string(),
    weight: z.number().positive().nullable().meta({
      description: "The variant's weight in the current sequence; null when it is no longer there (counts remain)",
    }),
    sent: count('Messages of this variant the provider accepted'),
    delivered: count('Delivered (for LINKEDIN and CONTACT_FORM, which send no receipt: sent)'),
    replied: count('Messages of this variant answered'),
    bounced: count('Messages of this variant that bounced'),
    replyRate: rate('replied / delivered (0 when nothing was delivered)'),
    bounceRate: rate('bounced / sent (0 when nothing was sent)'),
    probabilityBest: rate("Probability that this variant's reply rate is the best of its step's variants"),
  })
  .meta({ id: 'VariantMetrics' });

export const StepVariantMetricsEntry = z
  .object({
    stepId: z.string(),
    channel: ChannelType.nullable().meta({ description: "The step's channel; null if no longer known" }),
    variants: z.array(VariantMetricsEntry),
  })
  .meta({ id: 'StepVariantMetrics' });

export const VariantMetricsResponse = z
  .object({
    campaignId: z.string(),
    days: z.number().int(),
    steps: z.array(StepVariantMetricsEntry).meta({
      description:
        "Every variant of the campaign's current steps (zeros before any send), then variants and steps counted in the window but since removed",
    }),
    method: z.string().meta({ description: 'How probabilityBest is computed' }),
  })
  .meta({ id: 'VariantMetricsReport' });
