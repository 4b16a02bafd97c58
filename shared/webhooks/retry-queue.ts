import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqsClient } from '../aws/clients';
import { requiredSetting } from '../config/settings';
import { MAX_QUEUE_DELAY_SECONDS } from './backoff';
import type { RetryMessage } from './schema';

/**
 * Puts a delivery's next try on the dispatcher's own queue (`CASCADE_WEBHOOK_QUEUE_URL`), delayed by at most
 * SQS's 15 minutes; a message that arrives before its try is due re-queues itself for the rest of the wait.
 */
export async function queueRetry(message: Omit<RetryMessage, 'kind'>, delaySeconds: number): Promise<void> {
  const body: RetryMessage = { kind: 'webhook.retry', ...message };
  await sqsClient().send(
    new SendMessageCommand({
      QueueUrl: requiredSetting('CASCADE_WEBHOOK_QUEUE_URL'),
      MessageBody: JSON.stringify(body),
      DelaySeconds: Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds))),
    }),
  );
}
