import { listLeadEvents } from '#shared/events/lead-events';
import { campaignFunnel, dailySends, listAllCampaigns } from '#shared/store/campaign-stats';
import { getLead } from '#shared/store/leads';
import { nowMs } from '#shared/time/clock';
import { notFound } from '../errors';
import { defineRoute } from '../route';
import { CampaignParams } from '../schemas/campaigns';
import {
  CampaignListResponse,
  CampaignStatsQuery,
  CampaignStatsResponse,
  LeadEventsResponse,
} from '../schemas/console-reads';
import { LeadParams } from '../schemas/leads';
import { requireCampaign } from './campaigns';

/**
 * The reads the console draws (PRODUCT.md §12) — the campaign list with funnels, a campaign's sends per day per
 * channel, a lead's events — public API routes like any other: the console has no back door.
 */
export const consoleReadRoutes = [
  defineRoute({
    method: 'GET',
    path: '/v1/campaigns',
    operationId: 'listCampaigns',
    tag: 'Campaigns',
    summary: 'Every campaign with its state and lead funnel',
    description:
      "The funnel counts each campaign's leads per status (COUNT queries on the status index: the cost does not grow with the leads returned, none are). See the Funnel schema for what each count means.",
    responses: { 200: { description: 'Every campaign, newest first', schema: CampaignListResponse } },
    async handle() {
      const campaigns = await listAllCampaigns();
      const items = await Promise.all(
        campaigns.map(async ({ campaignId, name, state, createdAt }) => ({
          campaignId,
          name,
          state,
          createdAt,
          funnel: await campaignFunnel(campaignId),
        })),
      );
      return { status: 200, body: { items } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/campaigns/{id}/stats',
    operationId: 'getCampaignStats',
    tag: 'Metrics',
    summary: "A campaign's lead funnel and sends per day per channel",
    description:
      'Sends are the messages the providers accepted, counted on the UTC day of the send (the counters behind /v1/metrics/channels).',
    params: CampaignParams,
    query: CampaignStatsQuery,
    responses: { 200: { description: 'Funnel and daily sends', schema: CampaignStatsResponse } },
    async handle({ params, query }) {
      const campaign = await requireCampaign(params.id);
      const [funnel, daily] = await Promise.all([
        campaignFunnel(campaign.campaignId),
        dailySends(campaign.campaignId, query.days, nowMs()),
      ]);
      return { status: 200, body: { campaignId: campaign.campaignId, days: query.days, funnel, daily } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/leads/{id}/events',
    operationId: 'getLeadEvents',
    tag: 'Leads',
    summary: "A lead's recorded events (the webhook facts of PRODUCT.md §11), newest first",
    params: LeadParams,
    responses: { 200: { description: "The lead's events", schema: LeadEventsResponse } },
    async handle({ params }) {
      const lead = await getLead(params.id);
      if (!lead) throw notFound(`lead ${params.id}`);
      return { status: 200, body: { items: await listLeadEvents(lead.leadId) } };
    },
  }),
];
