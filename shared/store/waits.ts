import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, ifConditionHolds } from './client';
import { queryAll } from './paginate';
import { tableName } from './tables';

/** The event a run waits for after a step (PRODUCT.md §2 `waitFor`). */
export type WaitEvent = 'invite_accepted' | 'task_completed';

/**
 * A run waiting for a person: the task token Step Functions gave its Wait For Person state. Kept with the lead's
 * outreach items (one per execution: a run waits for one thing at a time); whoever sees the event happen (the
 * provider's webhook, the operator completing a task) answers the token and removes the item.
 */
export interface PendingWait {
  leadId: string;
  campaignId: string;
  executionName: string;
  event: WaitEvent;
  taskToken: string;
  stepId: string;
  stepIndex: number;
  /** When the state machine stops waiting (its TimeoutSeconds), on the run's clock. */
  expiresAt: string;
  createdAt: string;
}

const waitKey = (leadId: string, executionName: string) => ({ pk: `LEAD#${leadId}`, sk: `WAIT#${executionName}` });

/** Records (or, for a re-run of the same state, replaces) the wait of one execution. */
export async function putWait(wait: PendingWait): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: tableName('outreach'),
      Item: { ...waitKey(wait.leadId, wait.executionName), ...wait },
    }),
  );
}

/** The lead's open waits (normally at most one). Consistent: an answer must see a wait just registered. */
export async function listWaits(leadId: string): Promise<PendingWait[]> {
  const items = await queryAll({
    TableName: tableName('outreach'),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :wait)',
    ExpressionAttributeValues: { ':pk': `LEAD#${leadId}`, ':wait': 'WAIT#' },
    ConsistentRead: true,
  });
  return items.map(({ pk: _pk, sk: _sk, ...wait }) => wait as unknown as PendingWait);
}

/** Removes a wait, only if it still holds `taskToken` (a re-registered wait is left alone). */
export async function deleteWait(wait: Pick<PendingWait, 'leadId' | 'executionName' | 'taskToken'>): Promise<boolean> {
  const deleted = await ifConditionHolds(() =>
    documentClient().send(
      new DeleteCommand({
        TableName: tableName('outreach'),
        Key: waitKey(wait.leadId, wait.executionName),
        ConditionExpression: 'taskToken = :token',
        ExpressionAttributeValues: { ':token': wait.taskToken },
      }),
    ),
  );
  return deleted !== undefined;
}
