import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { InvalidTaskInputError } from '../../shared/errors';
import { logger } from '../../shared/lambda/channel-handler';
import { markSequenceExhausted } from '../../shared/outreach/finish-sequence';
import { settleOpenAttempts } from '../../shared/outreach/settle-open-attempts';

const FinishInput = z.object({
  campaignId: z.string().min(1),
  leadId: z.string().min(1),
  executionName: z.string().min(1),
  lastResult: z.record(z.string(), z.unknown()).optional(),
  /** Set on the error path: settle tries left open instead of marking the lead exhausted. */
  settleOpenAttempts: z.boolean().optional(),
});

export const handler = middy(async (event: unknown) => {
  const parsed = FinishInput.safeParse(event);
  if (!parsed.success) throw new InvalidTaskInputError(parsed.error.message);
  if (parsed.data.settleOpenAttempts) {
    const settled = await settleOpenAttempts(parsed.data.leadId, parsed.data.campaignId, parsed.data.executionName);
    logger.warn('sequence failed; open tries settled as ambiguous', { leadId: parsed.data.leadId, settled });
    return { settled };
  }
  const status = await markSequenceExhausted(parsed.data.leadId, parsed.data.campaignId);
  logger.info('sequence exhausted', { leadId: parsed.data.leadId, status });
  return { status };
}).use(injectLambdaContext(logger, { resetKeys: true }));
