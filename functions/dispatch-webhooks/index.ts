import type { SQSBatchResponse } from 'aws-lambda';
import * as z from 'zod';
import { republishOutbox } from '#shared/events/outbox';
import { continueDelivery, dispatchEvent } from '#shared/webhooks/dispatch';
import { parseQueueMessage } from '#shared/webhooks/messages';
import { lambdaEntry, logger } from '../commons/entry';

/**
 * The webhook dispatcher (PRODUCT.md §11): the delivery queue's consumer (events from the bus, and the retries it
 * queued itself), and the OutboxSweep's target (events that could not be put on the bus are put again).
 */
const SqsRecord = z.object({ messageId: z.string(), body: z.string() }).passthrough();
const Input = z.union([z.object({ Records: z.array(SqsRecord) }), z.object({ republishOutbox: z.literal(true) })]);

/** One queue message; throws only on our own failures, so the queue redelivers it. */
async function processBody(messageId: string, body: string): Promise<void> {
  const message = parseQueueMessage(body);
  if (message.kind === 'poison') {
    logger.error('webhook queue message dropped: it can never be processed', { messageId, reason: message.reason });
    return;
  }
  if (message.kind === 'event') await dispatchEvent(message.event);
  else await continueDelivery(message.retry);
}

export const handler = lambdaEntry({
  input: Input,
  async handle(input): Promise<SQSBatchResponse | { republished: number }> {
    if ('republishOutbox' in input) return republishOutbox();
    const results = await Promise.allSettled(input.Records.map((record) => processBody(record.messageId, record.body)));
    const failures = input.Records.filter((record, index) => {
      const result = results[index];
      if (result?.status !== 'rejected') return false;
      logger.error('webhook queue message failed; it will be redelivered', {
        messageId: record.messageId,
        error: (result.reason as Error)?.message ?? String(result.reason),
      });
      return true;
    });
    return { batchItemFailures: failures.map((record) => ({ itemIdentifier: record.messageId })) };
  },
});
