import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { InvalidTaskInputError } from '../../shared/errors';
import { logger } from '../../shared/observability';
import { checkDelivery } from '../../shared/outreach/check-delivery';

const CheckInput = z.object({
  leadId: z.string().min(1),
  sent: z.object({
    outcome: z.literal('SENT'),
    channel: z.enum(['EMAIL', 'LINKEDIN', 'CONTACT_FORM', 'PHONE']),
    messageId: z.string().optional(),
    providerMessageId: z.string().optional(),
  }),
});

export const handler = middy(async (event: unknown) => {
  const parsed = CheckInput.safeParse(event);
  if (!parsed.success) throw new InvalidTaskInputError(parsed.error.message);
  const result = await checkDelivery(parsed.data);
  logger.info('delivery checked', { leadId: parsed.data.leadId, outcome: result.outcome, reason: result.reason });
  return result;
}).use(injectLambdaContext(logger, { resetKeys: true }));
