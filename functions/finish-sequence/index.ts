import * as z from 'zod';
import { markSequenceContacted, markSequenceExhausted } from '#shared/outreach/finish-sequence';
import { settleOpenAttempts } from '#shared/outreach/settle-open-attempts';
import { lambdaEntry, logger } from '../commons/entry';

const FinishInput = z.object({
  campaignId: z.string().min(1),
  leadId: z.string().min(1),
  executionName: z.string().min(1),
  lastResult: z.record(z.string(), z.unknown()).optional(),
  /** Set on the error path: settle tries left open instead of marking the lead exhausted. */
  settleOpenAttempts: z.boolean().optional(),
  /** Set at the end of a run that went on after a sent touch: the lead is CONTACTED (it stayed IN_SEQUENCE). */
  contacted: z.boolean().optional(),
});

export const handler = lambdaEntry({
  input: FinishInput,
  logKeys: (input) => ({ leadId: input.leadId, campaignId: input.campaignId, executionName: input.executionName }),
  async handle(input) {
    if (input.settleOpenAttempts) {
      const settled = await settleOpenAttempts(input.leadId, input.campaignId, input.executionName);
      logger.warn('sequence failed; open tries settled as ambiguous', { settled });
      return { settled };
    }
    if (input.contacted) {
      const status = await markSequenceContacted(input.leadId, input.campaignId, input.executionName);
      logger.info('sequence ended after its touches', { status });
      return { status };
    }
    const status = await markSequenceExhausted(input.leadId, input.campaignId, input.executionName);
    logger.info('sequence exhausted', { status });
    return { status };
  },
});
