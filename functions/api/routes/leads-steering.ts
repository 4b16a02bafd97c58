import * as z from 'zod';
import { requiredSetting } from '#shared/config/settings';
import { campaignLeadsCsv } from '#shared/leads/export';
import { pauseLead, resumeLeadById } from '#shared/outreach/lead-steering';
import { campaignLeadsPage, LEAD_PAGE_KEY_ATTRIBUTES, statusOfPageKey } from '#shared/store/lead-listing';
import { decodeCursor, pageBody } from '../cursor';
import { defineRoute } from '../route';
import { CampaignParams } from '../schemas/campaigns';
import {
  CampaignLeadsPageResponse,
  CampaignLeadsQuery,
  LeadParams,
  LeadResumeRequest,
  LeadSteeringResponse,
} from '../schemas/leads';
import { requireCampaign } from './campaigns';

/** Leads operators can steer (docs/product.md §7): pause and resume one lead, list and export a campaign's leads. */

const TAG = 'Leads';

export const leadSteeringRoutes = [
  defineRoute({
    method: 'POST',
    path: '/v1/leads/{id}/pause',
    operationId: 'pauseLead',
    tag: TAG,
    summary: 'Pause one lead',
    description:
      'A lead IN_SEQUENCE is taken out of its sequence at once: PAUSED with stopReason `lead_paused`, its execution stopped, and `resumeFrom` the step it had not sent. A NEW lead becomes PAUSED so no batch enrols it. Any other status is a 409 that names it.',
    params: LeadParams,
    errors: [409],
    responses: { 200: { description: 'The lead is paused', schema: LeadSteeringResponse } },
    async handle({ params }) {
      return { status: 200, body: await pauseLead(params.id, requiredSetting('CASCADE_STATE_MACHINE_ARN')) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/leads/{id}/resume',
    operationId: 'resumeLead',
    tag: TAG,
    summary: 'Resume a paused lead',
    description:
      'A lead PAUSED by its own pause (`lead_paused`) or left by a campaign pause (`campaign_inactive`) restarts, while its campaign is ACTIVE, at the step it had not sent, in a new execution `<campaign>--<lead>--r<n>` of the sequence version it started with; `fromStep` restarts it at that step of the current version instead. A lead paused while NEW goes back to NEW. A lead parked on an ambiguous send is a 409: settle it with `/release`.',
    params: LeadParams,
    body: LeadResumeRequest.optional(),
    bodyDoc: LeadResumeRequest,
    errors: [409],
    responses: { 200: { description: 'The lead is resumed', schema: LeadSteeringResponse } },
    async handle({ params, body }) {
      const resumed = await resumeLeadById(params.id, {
        stateMachineArn: requiredSetting('CASCADE_STATE_MACHINE_ARN'),
        ...(body?.fromStep !== undefined && { fromStep: body.fromStep }),
      });
      return { status: 200, body: resumed };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/campaigns/{id}/leads',
    operationId: 'listCampaignLeads',
    tag: TAG,
    summary: "A campaign's leads, by status, paged",
    description:
      'One status (`status`) or all of them, status by status, at most 100 a page; pass `nextCursor` back as `cursor` for the next page.',
    params: CampaignParams,
    query: CampaignLeadsQuery,
    responses: { 200: { description: 'One page of leads', schema: CampaignLeadsPageResponse } },
    async handle({ params, query }) {
      const campaign = await requireCampaign(params.id);
      const startKey = decodeCursor(query.cursor, LEAD_PAGE_KEY_ATTRIBUTES, (key) => {
        const status = statusOfPageKey(campaign.campaignId, key);
        return status !== undefined && (!query.status || query.status === status) && (key.pk ?? '').startsWith('LEAD#');
      });
      const page = await campaignLeadsPage(campaign.campaignId, { status: query.status, limit: query.limit, startKey });
      return { status: 200, body: pageBody(page) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/campaigns/{id}/leads.csv',
    operationId: 'exportCampaignLeads',
    tag: TAG,
    summary: "Export a campaign's leads as CSV",
    description:
      "Every lead of the campaign, a header row first (leadId, firstName, lastName, email, company, grade, status, stopReason, channelUsed, touches, lastTouchAt, repliedAt, senderId, variantIds), RFC 4180 quoting and CRLF line ends. A cell that starts with = + - @, a tab or a CR gets a leading `'` so a spreadsheet shows it as text.",
    params: CampaignParams,
    responses: { 200: { description: 'The leads as CSV', contentType: 'text/csv', schema: z.string() } },
    async handle({ params }) {
      const campaign = await requireCampaign(params.id);
      const csv = await campaignLeadsCsv(campaign.campaignId);
      return {
        status: 200,
        text: csv,
        contentType: 'text/csv; charset=utf-8',
        headers: { 'content-disposition': `attachment; filename="${campaign.campaignId}-leads.csv"` },
      };
    },
  }),
];
