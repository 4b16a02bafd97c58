import { type Campaign, DEFAULT_SEQUENCE, SequenceConfig } from '#shared/domain/schemas';
import { newId } from '#shared/ids';
import { launchBatch, resumeParkedLeads } from '#shared/outreach/launcher';
import { createCampaign, getCampaign, replaceCampaignSequence, transitionCampaign } from '#shared/store/leads';
import { nowIso } from '#shared/time/clock';
import { conflict, type ErrorDetail, notFound, validationError } from '../errors';
import { defineRoute } from '../route';
import {
  CampaignParams,
  CampaignResponse,
  CreateCampaignRequest,
  LaunchBatchRequest,
  LaunchReportResponse,
  MAX_TEMPLATE_BYTES,
  ResumedCampaignResponse,
  SequenceInput,
} from '../schemas';
import { sampleContext, templateDetails, templateSizeDetails } from '../template-check';

const TAG = 'Campaigns';

export async function requireCampaign(campaignId: string): Promise<Campaign> {
  const campaign = await getCampaign(campaignId);
  if (!campaign) throw notFound(`campaign ${campaignId}`);
  return campaign;
}

/** Every campaign template must compile and render against a sample lead before it is stored. */
function campaignTemplateDetails(campaign: Campaign): ErrorDetail[] {
  const context = sampleContext(campaign);
  return Object.entries(campaign.templates).flatMap(([channel, template]) =>
    template ? templateDetails(template, `templates.${channel}`, context, channel as keyof Campaign['templates']) : [],
  );
}

export const campaignRoutes = [
  defineRoute({
    method: 'POST',
    path: '/v1/campaigns',
    operationId: 'createCampaign',
    tag: TAG,
    summary: 'Create a campaign',
    description: 'Templates are validated against a sample lead. The sequence starts at version 1.',
    idempotent: true,
    body: CreateCampaignRequest,
    responses: { 201: { description: 'The campaign', schema: CampaignResponse } },
    async handle({ body }) {
      const now = nowIso();
      const { version: _default, ...defaultSequence } = DEFAULT_SEQUENCE;
      const campaign: Campaign = {
        campaignId: body.campaignId ?? newId('cmp'),
        name: body.name,
        sender: body.sender,
        templates: body.templates ?? {},
        sequence: SequenceConfig.parse({ ...(body.sequence ?? defaultSequence), version: 1 }),
        minGrade: body.minGrade ?? 'C',
        state: body.state ?? 'ACTIVE',
        createdAt: now,
        updatedAt: now,
      };
      const tooLarge = templateSizeDetails(campaign.templates, 'templates', MAX_TEMPLATE_BYTES);
      if (tooLarge.length > 0) throw validationError(tooLarge, 'The templates are too large');
      const problems = campaignTemplateDetails(campaign);
      if (problems.length > 0) throw validationError(problems, 'A template does not compile');
      await createCampaign(campaign);
      return { status: 201, body: campaign, headers: { location: `/v1/campaigns/${campaign.campaignId}` } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/campaigns/{id}',
    operationId: 'getCampaign',
    tag: TAG,
    summary: 'Read a campaign',
    params: CampaignParams,
    responses: { 200: { description: 'The campaign', schema: CampaignResponse } },
    async handle({ params }) {
      return { status: 200, body: await requireCampaign(params.id) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/v1/campaigns/{id}/sequence',
    operationId: 'replaceCampaignSequence',
    tag: TAG,
    summary: "Replace a campaign's sequence",
    description:
      'The new sequence gets version old + 1. Leads already in a sequence keep the version they started with (their executions carry it).',
    params: CampaignParams,
    body: SequenceInput,
    errors: [409],
    responses: { 200: { description: 'The campaign with its new sequence', schema: CampaignResponse } },
    async handle({ params, body }) {
      const campaign = await requireCampaign(params.id);
      const version = campaign.sequence.version;
      const sequence = SequenceConfig.parse({ ...body, version: version + 1 });
      return { status: 200, body: await replaceCampaignSequence(campaign.campaignId, version, sequence) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/campaigns/{id}/pause',
    operationId: 'pauseCampaign',
    tag: TAG,
    summary: 'Pause an active campaign',
    description: 'Running sequences stop at their next step (campaign_inactive); batches are refused.',
    params: CampaignParams,
    errors: [409],
    responses: { 200: { description: 'The paused campaign', schema: CampaignResponse } },
    async handle({ params }) {
      const campaign = await requireCampaign(params.id);
      if (campaign.state !== 'ACTIVE') {
        throw conflict(
          campaign.state === 'PAUSED' ? 'campaign_already_paused' : 'campaign_archived',
          `campaign ${campaign.campaignId} is ${campaign.state}`,
        );
      }
      return { status: 200, body: await transitionCampaign(campaign.campaignId, ['ACTIVE'], 'PAUSED') };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/campaigns/{id}/resume',
    operationId: 'resumeCampaign',
    tag: TAG,
    summary: 'Resume a paused campaign',
    description:
      'Sequences the pause stopped restart at the step they had not sent (a new execution each); leads parked for other reasons stay PAUSED.',
    params: CampaignParams,
    errors: [409],
    responses: { 200: { description: 'The active campaign', schema: ResumedCampaignResponse } },
    async handle({ params }) {
      const campaign = await requireCampaign(params.id);
      if (campaign.state !== 'PAUSED') {
        throw conflict(
          campaign.state === 'ACTIVE' ? 'campaign_not_paused' : 'campaign_archived',
          `campaign ${campaign.campaignId} is ${campaign.state}`,
        );
      }
      const resumed = await transitionCampaign(campaign.campaignId, ['PAUSED'], 'ACTIVE');
      const report = await resumeParkedLeads(campaign.campaignId);
      return {
        status: 200,
        body: { ...resumed, sequences: { resumed: report.resumed, keptParked: report.keptParked } },
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/campaigns/{id}/batches',
    operationId: 'launchBatch',
    tag: TAG,
    summary: "Launch a batch of the campaign's NEW leads",
    description:
      'Enrols NEW leads with grade ≥ minGrade that are not suppressed; one execution per lead, named from campaign and lead, so a lead is never enrolled twice. With dryRun, renders each first step and sends nothing.',
    idempotent: true,
    params: CampaignParams,
    body: LaunchBatchRequest.optional(),
    bodyDoc: LaunchBatchRequest,
    errors: [409],
    responses: {
      200: { description: 'Dry run: what would be sent', schema: LaunchReportResponse },
      202: { description: 'Executions started', schema: LaunchReportResponse },
    },
    async handle({ params, body }) {
      const campaign = await requireCampaign(params.id);
      if (campaign.state !== 'ACTIVE')
        throw conflict('campaign_not_active', `campaign ${campaign.campaignId} is ${campaign.state}`);
      const report = await launchBatch({ campaignId: campaign.campaignId, limit: body?.limit, dryRun: body?.dryRun });
      return { status: body?.dryRun ? 200 : 202, body: report };
    },
  }),
];
