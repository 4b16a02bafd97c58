import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ManualTask, ManualTaskKind, ManualTaskOutcome, ManualTaskStatus } from '../domain/schemas';
import { recordDomainEvent } from '../events/domain-events';
import { taskFact } from '../events/facts';
import { documentClient, ifConditionHolds } from './client';
import { queryAll } from './paginate';
import { tableName } from './tables';

/**
 * Manual tasks (PRODUCT.md §1): kept with their lead (`LEAD#<leadId>` / `TASK#<taskId>`, so a lead's erasure
 * finds them), listed across leads through the Leads table's by-status index under `TASKS#<status>` sorted by
 * `<dueAt>#<taskId>` (the index campaigns already share under `CAMPAIGNS#<state>`), and found by id through a
 * `TASK#<taskId>` pointer that holds only ids.
 */

/** The statuses a task item stores; EXPIRED is an OPEN task read after its `expiresAt`. */
export type StoredTaskStatus = Exclude<ManualTaskStatus, 'EXPIRED'>;

/** The by-status index's key attributes of a task page's last item: what a listing cursor carries. */
export const TASK_CURSOR_KEYS = ['pk', 'sk', 'campaignStatus', 'gradeCreated'] as const;

export const taskStatusPartition = (status: StoredTaskStatus) => `TASKS#${status}`;
const taskKey = (leadId: string, taskId: string) => ({ pk: `LEAD#${leadId}`, sk: `TASK#${taskId}` });
const pointerKey = (taskId: string) => ({ pk: `TASK#${taskId}`, sk: 'TASK' });
const indexKeys = (task: Pick<ManualTask, 'dueAt' | 'taskId'>, status: StoredTaskStatus) => ({
  campaignStatus: taskStatusPartition(status),
  gradeCreated: `${task.dueAt}#${task.taskId}`,
});

/** The task's status as an operator sees it at `atMs`: an OPEN task nobody waits for any more is EXPIRED. */
export function effectiveStatus(task: Pick<ManualTask, 'status' | 'expiresAt'>, atMs: number): ManualTaskStatus {
  if (task.status === 'OPEN' && task.expiresAt && Date.parse(task.expiresAt) <= atMs) return 'EXPIRED';
  return task.status;
}

const KIND_OF_CHANNEL: Record<string, ManualTaskKind> = { PHONE: 'call', CONTACT_FORM: 'form', LINKEDIN: 'linkedin' };

/** A stored item as a task; items written before the task queue (channel, reason, detail only) read as OPEN. */
function taskOf(item: Record<string, unknown>): ManualTask {
  const { pk: _pk, sk: _sk, campaignStatus: _cs, gradeCreated: _gc, ...rest } = item;
  const task = rest as Partial<ManualTask> & Pick<ManualTask, 'taskId' | 'leadId' | 'campaignId' | 'createdAt'>;
  return {
    ...task,
    kind: task.kind ?? KIND_OF_CHANNEL[task.channel ?? ''] ?? 'other',
    status: task.status ?? 'OPEN',
    instructions: task.instructions ?? task.detail ?? '',
    dueAt: task.dueAt ?? task.createdAt,
  };
}

/**
 * Writes a new task and its id pointer. Idempotent for one task id (ids are derived from the try that made the
 * task): a replayed write keeps the first one. The pointer goes first, so a task that exists can be found.
 * `task.created` is recorded on every call, the replayed one too: a crash between the write and the event is
 * made good by the retry (the event's id is the task's, so it is one event).
 */
export async function putManualTask(task: ManualTask): Promise<void> {
  const table = tableName('leads');
  const created = 'attribute_not_exists(pk)';
  const { sk: taskSk } = taskKey(task.leadId, task.taskId);
  await ifConditionHolds(() =>
    documentClient().send(
      new PutCommand({
        TableName: table,
        Item: { ...pointerKey(task.taskId), taskId: task.taskId, leadId: task.leadId, taskSk },
        ConditionExpression: created,
      }),
    ),
  );
  const stored = task.status === 'EXPIRED' ? 'OPEN' : task.status;
  await ifConditionHolds(() =>
    documentClient().send(
      new PutCommand({
        TableName: table,
        Item: { ...taskKey(task.leadId, task.taskId), ...task, status: stored, ...indexKeys(task, stored) },
        ConditionExpression: created,
      }),
    ),
  );
  await recordDomainEvent(taskFact('task.created', task));
}

/** The lead's tasks, oldest first (consistent: a task just written is seen). */
export async function listManualTasks(leadId: string): Promise<ManualTask[]> {
  const items = await queryAll({
    TableName: tableName('leads'),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :task)',
    ExpressionAttributeValues: { ':pk': `LEAD#${leadId}`, ':task': 'TASK#' },
    ConsistentRead: true,
  });
  return items
    .filter((item) => item.erasedAt === undefined)
    .map(taskOf)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** One task by id; undefined when there is none (or its lead was erased). */
export async function getTask(taskId: string): Promise<ManualTask | undefined> {
  const table = tableName('leads');
  const pointer = await documentClient().send(
    new GetCommand({ TableName: table, Key: pointerKey(taskId), ConsistentRead: true }),
  );
  const { leadId, taskSk } = (pointer.Item ?? {}) as { leadId?: string; taskSk?: string };
  if (!leadId || !taskSk) return undefined;
  const item = await documentClient().send(
    new GetCommand({ TableName: table, Key: { pk: `LEAD#${leadId}`, sk: taskSk }, ConsistentRead: true }),
  );
  if (!item.Item || item.Item.erasedAt !== undefined) return undefined;
  return taskOf(item.Item);
}

export interface TaskListing {
  /** OPEN and EXPIRED read the stored OPEN tasks, split by `expiresAt` at `atMs`. */
  status: ManualTaskStatus;
  campaignId?: string;
  limit: number;
  startKey?: Record<string, unknown>;
  atMs: number;
}

/**
 * One page of tasks in one status across leads, soonest due first. A filter on the campaign and on the expiry
 * is applied by DynamoDB after the key condition: a page reads on until it is full or the index ends.
 */
export async function listTasks(
  listing: TaskListing,
): Promise<{ tasks: ManualTask[]; nextKey?: Record<string, unknown> }> {
  const stored: StoredTaskStatus = listing.status === 'EXPIRED' ? 'OPEN' : listing.status;
  const filters: string[] = [];
  const values: Record<string, unknown> = { ':status': taskStatusPartition(stored) };
  if (listing.status === 'OPEN' || listing.status === 'EXPIRED') {
    values[':now'] = new Date(listing.atMs).toISOString();
    filters.push(
      listing.status === 'OPEN'
        ? '(attribute_not_exists(expiresAt) OR expiresAt > :now)'
        : '(attribute_exists(expiresAt) AND expiresAt <= :now)',
    );
  }
  if (listing.campaignId) {
    values[':campaign'] = listing.campaignId;
    filters.push('campaignId = :campaign');
  }
  const tasks: ManualTask[] = [];
  let startKey = listing.startKey;
  do {
    // At most the items still wanted are read, so the page's last evaluated key is exactly where the next begins.
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName('leads'),
        IndexName: 'byCampaignStatus',
        KeyConditionExpression: 'campaignStatus = :status',
        ...(filters.length > 0 && { FilterExpression: filters.join(' AND ') }),
        ExpressionAttributeValues: values,
        Limit: listing.limit - tasks.length,
        ExclusiveStartKey: startKey,
      }),
    );
    tasks.push(...(page.Items ?? []).map(taskOf));
    startKey = page.LastEvaluatedKey;
  } while (startKey && tasks.length < listing.limit);
  return { tasks: tasks.map((task) => ({ ...task, status: effectiveStatus(task, listing.atMs) })), nextKey: startKey };
}

export interface TaskClosing {
  status: Extract<ManualTaskStatus, 'DONE' | 'SKIPPED'>;
  outcome: ManualTaskOutcome;
  note?: string;
  completedAt: string;
}

/**
 * OPEN → DONE or SKIPPED, once, and only while the task has not expired at `completedAt`. False when the
 * condition failed (completed already, or expired): the caller reads the task again to say which.
 */
export async function closeTask(task: Pick<ManualTask, 'leadId' | 'taskId' | 'dueAt'>, closing: TaskClosing) {
  const closed = await ifConditionHolds(() =>
    documentClient().send(
      new UpdateCommand({
        TableName: tableName('leads'),
        Key: taskKey(task.leadId, task.taskId),
        UpdateExpression:
          'SET #status = :to, campaignStatus = :partition, completedAt = :at, outcome = :outcome' +
          (closing.note === undefined ? '' : ', note = :note'),
        ConditionExpression:
          'attribute_exists(pk) AND #status = :open AND (attribute_not_exists(expiresAt) OR expiresAt > :at)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':to': closing.status,
          ':partition': indexKeys(task, closing.status).campaignStatus,
          ':at': closing.completedAt,
          ':outcome': closing.outcome,
          ':open': 'OPEN',
          ...(closing.note !== undefined && { ':note': closing.note }),
        },
      }),
    ),
  );
  return closed !== undefined;
}

/**
 * Notes on an OPEN task when the step waiting for it gives up (its wait's `expiresAt`); false when the task is
 * no longer OPEN (the operator completed it first).
 */
export async function setTaskExpiry(task: Pick<ManualTask, 'leadId' | 'taskId'>, expiresAt: string) {
  const set = await ifConditionHolds(() =>
    documentClient().send(
      new UpdateCommand({
        TableName: tableName('leads'),
        Key: taskKey(task.leadId, task.taskId),
        UpdateExpression: 'SET expiresAt = :expiresAt',
        ConditionExpression: 'attribute_exists(pk) AND #status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':expiresAt': expiresAt, ':open': 'OPEN' },
      }),
    ),
  );
  return set !== undefined;
}
