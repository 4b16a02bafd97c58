import type * as z from 'zod';
import {
  type Campaign,
  type CampaignState,
  type ChannelTemplate,
  DEFAULT_SEQUENCE,
  SequenceConfig,
} from '#shared/domain/schemas';
import { newId } from '#shared/ids';
import { launchBatch, resumeParkedLeads } from '#shared/outreach/launcher';
import { DEFAULT_SCHEDULE } from '#shared/schedule/schema';
import { unalignedSenders } from '#shared/senders/activation';
import {
  createCampaign,
  getCampaign,
  replaceCampaignSchedule,
  replaceCampaignSequence,
  transitionCampaign,
} from '#shared/store/leads';
import { getLinkedInAccount, getSender } from '#shared/store/senders';
import { nowIso } from '#shared/time/clock';
import { conflict, notFound, validationError } from '../errors';
import { defineRoute } from '../route';
import {
  ActivationQuery,
  CampaignParams,
  CampaignResponse,
  CreateCampaignRequest,
  LaunchBatchRequest,
  LaunchReportResponse,
  ResumedCampaignResponse,
  ScheduleRequest,
  SequenceInput,
} from '../schemas/campaigns';
import { MAX_TEMPLATE_BYTES } from '../schemas/common';
import { sampleContext, templateDetails, templateSizeDetails } from '../template-check';

const TAG = 'Campaigns';

export async function requireCampaign(campaignId: string): Promise<Campaign> {
  const campaign = await getCampaign(campaignId);
  if (!campaign) throw notFound(`campaign ${campaignId}`);
  return campaign;
}

/**
 * A campaign state an operation needs, and the 409 code it answers from each other state (looked up only
 * when the campaign is not in `state`, so the widened record is never read at `state`).
 */
const needs = <S extends CampaignState>(state: S, refusals: Record<Exclude<CampaignState, S>, string>) => ({
  state: state as CampaignState,
  refusals: refusals as Record<CampaignState, string>,
});

const REQUIRED_STATE = {
  pause: needs('ACTIVE', { PAUSED: 'campaign_already_paused', ARCHIVED: 'campaign_archived' }),
  resume: needs('PAUSED', { ACTIVE: 'campaign_not_paused', ARCHIVED: 'campaign_archived' }),
  launch: needs('ACTIVE', { PAUSED: 'campaign_not_active', ARCHIVED: 'campaign_not_active' }),
};

/** The campaign, when it is in the state `operation` needs; otherwise a 409 saying why it does not apply. */
async function requireCampaignFor(campaignId: string, operation: keyof typeof REQUIRED_STATE): Promise<Campaign> {
  const { state, refusals } = REQUIRED_STATE[operation];
  const campaign = await requireCampaign(campaignId);
  if (campaign.state !== state)
    throw conflict(refusals[campaign.state], `campaign ${campaign.campaignId} is ${campaign.state}`);
  return campaign;
}

/** A new campaign from a create request: the defaults filled in, the sequence at version 1. */
function newCampaign(body: z.output<typeof CreateCampaignRequest>): Campaign {
  const now = nowIso();
  const { version: _default, ...defaultSequence } = DEFAULT_SEQUENCE;
  return {
    campaignId: body.campaignId ?? newId('cmp'),
    name: body.name,
    sender: body.sender,
    templates: body.templates ?? {},
    sequence: SequenceConfig.parse({ ...(body.sequence ?? defaultSequence), version: 1 }),
    minGrade: body.minGrade ?? 'C',
    state: body.state ?? 'ACTIVE',
    stopOnCompanyReply: body.stopOnCompanyReply ?? true,
    schedule: body.schedule ?? DEFAULT_SCHEDULE,
    ...(body.senderIds && { senderIds: [...new Set(body.senderIds)] }),
    ...(body.linkedinAccountIds && { linkedinAccountIds: [...new Set(body.linkedinAccountIds)] }),
    createdAt: now,
    updatedAt: now,
  };
}

/** Every campaign template must fit and must compile and render against a sample lead before it is stored. */
function checkCampaignTemplates(campaign: Campaign): void {
  const tooLarge = templateSizeDetails(campaign.templates, 'templates', MAX_TEMPLATE_BYTES);
  if (tooLarge.length > 0) throw validationError(tooLarge, 'The templates are too large');
  const context = sampleContext(campaign);
  const problems = Object.entries(campaign.templates).flatMap(([channel, template]) =>
    template ? templateDetails(template, `templates.${channel}`, context, channel as keyof Campaign['templates']) : [],
  );
  if (problems.length > 0) throw validationError(problems, 'A template does not compile');
  checkVariantTemplates(campaign, campaign.sequence);
}

/** A pool names senders and accounts that exist (an unknown id would hold every lead of the campaign). */
async function checkPoolsExist(campaign: Campaign): Promise<void> {
  const senders = campaign.senderIds ?? [];
  const accounts = campaign.linkedinAccountIds ?? [];
  const [foundSenders, foundAccounts] = await Promise.all([
    Promise.all(senders.map((id) => getSender(id))),
    Promise.all(accounts.map((id) => getLinkedInAccount(id))),
  ]);
  const missing = [
    ...senders.flatMap((id, index) =>
      foundSenders[index] ? [] : [{ field: `senderIds.${index}`, message: `no sender ${id} (POST /v1/senders)` }],
    ),
    ...accounts.flatMap((id, index) =>
      foundAccounts[index]
        ? []
        : [{ field: `linkedinAccountIds.${index}`, message: `no LinkedIn account ${id} (POST /v1/linkedin-accounts)` }],
    ),
  ];
  if (missing.length > 0) throw validationError(missing, 'A pool names a sender or account that does not exist');
}

/**
 * A campaign goes ACTIVE only with senders whose domain aligns under DMARC, unless the operator forces it (409
 * `senders_unaligned`, one detail per sender, naming what to fix).
 */
async function requireAlignedSenders(campaign: Campaign, force: boolean): Promise<void> {
  if (force || !campaign.senderIds?.length) return;
  const unaligned = await unalignedSenders(campaign);
  if (unaligned.length === 0) return;
  throw conflict(
    'senders_unaligned',
    `senders ${unaligned.map((each) => each.senderId).join(', ')} fail DMARC alignment: fix their DNS or activate with force`,
    unaligned.map(({ senderId, problems }) => ({ field: `senderIds.${senderId}`, message: problems.join(' ') })),
  );
}

/** Every A/B variant must compile and render against a sample lead, as a campaign template must. */
function checkVariantTemplates(campaign: Campaign, sequence: SequenceConfig): void {
  // The variants live in the campaign item with its templates: together they must fit it.
  const stored: Record<string, ChannelTemplate | undefined> = Object.fromEntries(
    Object.entries(campaign.templates).map(([channel, template]) => [`templates.${channel}`, template]),
  );
  sequence.steps.forEach((step, index) => {
    for (const [position, variant] of (step.variants ?? []).entries())
      stored[`sequence.steps.${index}.variants.${position}`] = variant;
  });
  const tooLarge = templateSizeDetails(stored, '', MAX_TEMPLATE_BYTES);
  if (tooLarge.length > 0) throw validationError(tooLarge, 'The templates and variants are too large');
  const context = sampleContext(campaign);
  const problems = sequence.steps.flatMap((step, index) =>
    (step.variants ?? []).flatMap((variant, position) =>
      templateDetails(variant, `sequence.steps.${index}.variants.${position}`, context, step.channel),
    ),
  );
  if (problems.length > 0) throw validationError(problems, 'A variant does not compile');
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
      const campaign = newCampaign(body);
      checkCampaignTemplates(campaign);
      await checkPoolsExist(campaign);
      if (campaign.state === 'ACTIVE') await requireAlignedSenders(campaign, body.force === true);
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
      'The new sequence gets version old + 1; every version is kept. Leads already in a sequence keep the version they started with (their executions carry it), and a parked lead resumes in its own version.',
    params: CampaignParams,
    body: SequenceInput,
    errors: [409],
    responses: { 200: { description: 'The campaign with its new sequence', schema: CampaignResponse } },
    async handle({ params, body }) {
      const campaign = await requireCampaign(params.id);
      const sequence = SequenceConfig.parse({ ...body, version: campaign.sequence.version + 1 });
      checkVariantTemplates(campaign, sequence);
      return { status: 200, body: await replaceCampaignSequence(campaign.campaignId, campaign.sequence, sequence) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/v1/campaigns/{id}/schedule',
    operationId: 'replaceCampaignSchedule',
    tag: TAG,
    summary: "Replace a campaign's send window",
    description:
      "When touches may go out, in each lead's own zone (DST-correct), the public holidays of the lead's country skipped. Running sequences read it at their next step; a touch already waiting for an opening checks the new window when its wait ends.",
    params: CampaignParams,
    body: ScheduleRequest,
    responses: { 200: { description: 'The campaign with its new schedule', schema: CampaignResponse } },
    async handle({ params, body }) {
      const campaign = await requireCampaign(params.id);
      return { status: 200, body: await replaceCampaignSchedule(campaign.campaignId, body) };
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
      const campaign = await requireCampaignFor(params.id, 'pause');
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
    query: ActivationQuery,
    errors: [409],
    responses: { 200: { description: 'The active campaign', schema: ResumedCampaignResponse } },
    async handle({ params, query }) {
      const campaign = await requireCampaignFor(params.id, 'resume');
      await requireAlignedSenders(campaign, query.force === 'true');
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
      'Enrols NEW leads with grade ≥ minGrade that are not suppressed; one execution per lead, named from campaign and lead, so a lead is never enrolled twice. With dryRun, renders every step and A/B variant of each lead exactly as a send resolves its templates, lists the leads a template cannot render, and sends nothing.',
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
      const campaign = await requireCampaignFor(params.id, 'launch');
      const report = await launchBatch({ campaignId: campaign.campaignId, limit: body?.limit, dryRun: body?.dryRun });
      return { status: body?.dryRun ? 200 : 202, body: report };
    },
  }),
];
