import * as z from 'zod';
import { awaitPerson } from '#shared/outreach/await-person';
import { lambdaEntry, logger } from '../commons/entry';

const AwaitInput = z.object({
  campaignId: z.string().min(1),
  leadId: z.string().min(1),
  executionName: z.string().min(1),
  taskToken: z.string().min(1),
  stepIndex: z.number().int().nonnegative(),
  stepId: z.string(),
  waitFor: z.object({
    event: z.enum(['invite_accepted', 'task_completed']),
    timeoutSeconds: z.number().int().positive(),
  }),
});

/** Wait For Person's function: records the task token where the awaited event will find it. */
export const handler = lambdaEntry({
  input: AwaitInput,
  logKeys: (input) => ({ leadId: input.leadId, campaignId: input.campaignId, executionName: input.executionName }),
  async handle(input) {
    const registered = await awaitPerson(input);
    logger.info('waiting for a person', { event: input.waitFor.event, stepId: input.stepId });
    return registered;
  },
});
