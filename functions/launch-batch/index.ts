import * as z from 'zod';
import { type LaunchReport, launchBatch } from '#shared/outreach/launcher';
import { listCampaigns } from '#shared/store/leads';
import { lambdaEntry, logger } from '../commons/entry';

const LaunchEvent = z.union([
  z.object({
    campaignId: z.string().min(1),
    limit: z.number().int().positive().optional(),
    dryRun: z.boolean().optional(),
  }),
  z.object({ allActiveCampaigns: z.literal(true), limit: z.number().int().positive().optional() }),
]);

/** Invoked by the EventBridge schedule (all active campaigns) or by operators (one campaign). */
export const handler = lambdaEntry({
  input: LaunchEvent,
  async handle(request): Promise<LaunchReport[]> {
    const campaignIds =
      'campaignId' in request ? [request.campaignId] : (await listCampaigns('ACTIVE')).map((c) => c.campaignId);
    const reports: LaunchReport[] = [];
    for (const campaignId of campaignIds) {
      const report = await launchBatch({
        campaignId,
        limit: request.limit,
        dryRun: 'dryRun' in request ? request.dryRun : false,
      });
      logger.info('batch launched', { ...report, executions: report.executions.length });
      reports.push(report);
    }
    return reports;
  },
});
