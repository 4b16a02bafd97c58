import * as z from 'zod';
import { lambdaEntry } from '../commons/entry';

/** Placeholder until the webhook dispatcher lands (issue 16): accepts its two inputs and does nothing. */
export const handler = lambdaEntry({
  input: z.union([z.object({ Records: z.array(z.unknown()) }), z.object({ republishOutbox: z.literal(true) })]),
  async handle() {
    return { batchItemFailures: [] };
  },
});
