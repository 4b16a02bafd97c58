import * as z from 'zod';
import { requiredSetting } from '#shared/config/settings';
import { type LaunchReport, launchBatch } from '#shared/outreach/launcher';
import { type OutOfOfficeSweep, resumeReturnedLeads } from '#shared/outreach/out-of-office';
import { listCampaigns } from '#shared/store/leads';
import { lambdaEntry, logger } from '../commons/entry';

const LaunchEvent = z.union([
  z.object({
    campaignId: z.string().min(1),
    limit: z.number().int().positive().optional(),
    dryRun: z.boolean().optional(),
  }),
  z.object({ allActiveCampaigns: z.literal(true), limit: z.number().int().positive().optional() }),
  /** The out-of-office sweep: leads whose `resumeAt` has come pick up their sequence. */
  z.object({ resumeOutOfOffice: z.literal(true) }),
]);

/**
 * Invoked by the EventBridge schedules (all active campaigns' batches; the out-of-office sweep) or by operators
 * (one campaign).
 */
export const handler = lambdaEntry({
  input: LaunchEvent,
  async handle(request): Promise<LaunchReport[] | OutOfOfficeSweep> {
    if ('resumeOutOfOffice' in request) return sweepOutOfOffice();
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

/** Every active campaign's out-of-office leads whose time has come, resumed where they left off. */
async function sweepOutOfOffice(): Promise<OutOfOfficeSweep> {
  const stateMachineArn = requiredSetting('CASCADE_STATE_MACHINE_ARN');
  const total: OutOfOfficeSweep = { resumed: [], failed: [] };
  for (const campaign of await listCampaigns('ACTIVE')) {
    const sweep = await resumeReturnedLeads(campaign.campaignId, stateMachineArn);
    total.resumed.push(...sweep.resumed);
    total.failed.push(...sweep.failed);
  }
  if (total.resumed.length > 0 || total.failed.length > 0) logger.info('out-of-office sweep', { ...total });
  return total;
}
