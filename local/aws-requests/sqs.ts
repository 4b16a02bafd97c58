import type { AuthorizationRequest } from '../iam';
import { type AccountNames, type Json, text } from './wire';

/**
 * SQS requests (JSON protocol): the action of each operation (a batch is authorized as the action of its
 * entries: there is no `sqs:SendMessageBatch`) on the queue its `QueueUrl` (`…/<account>/<name>`) or `QueueName`
 * names. ListQueues names no queue (`*`).
 */

const BATCH_ACTIONS: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

/** `https://sqs.<region>.amazonaws.com/<account>/<name>` (any host) → the queue's ARN; undefined if not a queue URL. */
export function queueArnOfUrl(url: string, names: AccountNames): string | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const [, account, name, ...rest] = path.split('/');
  if (!account || !name || rest.length > 0) return undefined;
  return `arn:aws:sqs:${names.region}:${account}:${decodeURIComponent(name)}`;
}

export function describeSqs(operation: string, body: Json, names: AccountNames): AuthorizationRequest[] {
  const action = `sqs:${BATCH_ACTIONS[operation] ?? operation}`;
  if (operation === 'ListQueues') return [{ action, resources: ['*'] }];
  const url = text(body.QueueUrl);
  const name = text(body.QueueName);
  const account = text(body.QueueOwnerAWSAccountId) ?? names.accountId;
  const resource = url ? queueArnOfUrl(url, names) : name && `arn:aws:sqs:${names.region}:${account}:${name}`;
  return [{ action, resources: [resource ?? '*'] }];
}
