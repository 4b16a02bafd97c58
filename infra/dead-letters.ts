import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge } from './acknowledgements';

/** Why a dead-letter queue has no redrive policy (cdk-nag asks every queue for one). */
export const DEAD_LETTER_REASON =
  'This queue is itself a dead-letter queue: an operator inspects and redrives its messages (a dead-letter ' +
  'queue of its own would only move the problem); the DeadLetterAlarm fires on its first message.';

/**
 * A dead-letter queue: what could not be delivered after its retries waits 14 days for an operator (the
 * DeadLetterAlarm of infra/observability.ts fires on its first message).
 */
export function deadLetterQueue(scope: Construct, id: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    retentionPeriod: Duration.days(14),
    enforceSSL: true,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
  });
  acknowledge(queue, 'Serverless-SQSRedrivePolicy', DEAD_LETTER_REASON);
  return queue;
}
