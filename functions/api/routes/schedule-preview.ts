import { readSchedulePreview, SCHEDULE_PREVIEW_MODEL } from '#shared/outreach/schedule-preview';
import { defineRoute } from '../route';
import { CampaignParams } from '../schemas/campaigns';
import { SchedulePreviewQuery, SchedulePreviewResponse } from '../schemas/schedule-preview';
import { requireCampaign } from './campaigns';

export const schedulePreviewRoutes = [
  defineRoute({
    method: 'GET',
    path: '/v1/campaigns/{id}/schedule-preview',
    operationId: 'getSchedulePreview',
    tag: 'Campaigns',
    summary: "Per UTC day × channel × sender: the waiting leads' touches that would go out, and what holds the rest",
    description: `Reads and simulates; sends, starts and writes nothing. ${SCHEDULE_PREVIEW_MODEL}`,
    params: CampaignParams,
    query: SchedulePreviewQuery,
    responses: { 200: { description: 'The simulated schedule', schema: SchedulePreviewResponse } },
    async handle({ params, query }) {
      const campaign = await requireCampaign(params.id);
      const preview = await readSchedulePreview(campaign, query.days);
      return { status: 200, body: { ...preview, model: SCHEDULE_PREVIEW_MODEL } };
    },
  }),
];
