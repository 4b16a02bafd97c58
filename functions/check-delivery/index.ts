import * as z from 'zod';
import { ChannelType } from '#shared/domain/schemas';
import { checkDelivery } from '#shared/outreach/check-delivery';
import { lambdaEntry, logger } from '../commons/entry';

const CheckInput = z.object({
  leadId: z.string().min(1),
  sent: z.object({
    outcome: z.literal('SENT'),
    channel: ChannelType,
    messageId: z.string().optional(),
    providerMessageId: z.string().optional(),
  }),
});

export const handler = lambdaEntry({
  input: CheckInput,
  logKeys: (input) => ({ leadId: input.leadId }),
  async handle(input) {
    const result = await checkDelivery(input);
    logger.info('delivery checked', { outcome: result.outcome, reason: result.reason });
    return result;
  },
});
