import { nowMs } from '#shared/time/clock';
import { readVariantMetrics } from '#shared/tracking/variant-metrics';
import { defineRoute } from '../route';
import { VariantMetricsQuery, VariantMetricsResponse } from '../schemas/variant-metrics';
import { requireCampaign } from './campaigns';

/** How `probabilityBest` is computed, stated in every answer so a reader of the numbers needs no other document. */
export const PROBABILITY_BEST_METHOD =
  'Each variant has a Beta(1 + replied, 1 + delivered − replied) posterior of its reply rate (sent when nothing is delivered yet), and P(best) is the probability that its rate is the highest of its step, by numerical integration (deterministic, no sampling).';

export const variantMetricsRoutes = [
  defineRoute({
    method: 'GET',
    path: '/v1/metrics/variants',
    operationId: 'getVariantMetrics',
    tag: 'Metrics',
    summary: 'Per step × A/B variant: counts, reply and bounce rates, probability of the best reply rate',
    description:
      'Counters of the last `days` UTC days (today included), counted on the day each message was sent. Rates with a zero denominator are 0.',
    query: VariantMetricsQuery,
    responses: {
      200: { description: 'Counts, rates and P(best) per step and variant', schema: VariantMetricsResponse },
    },
    errors: [404],
    async handle({ query }) {
      const campaign = await requireCampaign(query.campaignId);
      const { steps } = await readVariantMetrics(campaign.campaignId, query.days, nowMs(), campaign.sequence.steps);
      return {
        status: 200,
        body: { campaignId: campaign.campaignId, days: query.days, steps, method: PROBABILITY_BEST_METHOD },
      };
    },
  }),
];
