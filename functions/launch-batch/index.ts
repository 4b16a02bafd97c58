import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { InvalidTaskInputError } from '../../shared/errors';
import { logger } from '../../shared/lambda/channel-handler';
import { type LaunchReport, launchBatch } from '../../shared/outreach/launcher';
import { listCampaigns } from '../../shared/store/leads';

const LaunchEvent = z.union([
  z.object({
    campaignId: z.string().min(1),
    limit: z.number().int().positive().optional(),
    dryRun: z.boolean().optional(),
  }),
  z.object({ allActiveCampaigns: z.literal(true), limit: z.number().int().positive().optional() }),
]);

/** Invoked by the EventBridge schedule (all active campaigns) or by operators (one campaign). */
export const handler = middy(async (event: unknown): Promise<LaunchReport[]> => {
  const parsed = LaunchEvent.safeParse(event);
  if (!parsed.success) throw new InvalidTaskInputError(parsed.error.message);
  const request = parsed.data;
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
}).use(injectLambdaContext(logger, { resetKeys: true }));
