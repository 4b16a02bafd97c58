import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, ifConditionHolds } from './client';
import { queryAll } from './paginate';
import { tableName } from './tables';
import { buildSetExpression } from './update-expression';

/**
 * Erasure of a lead's items outside the lead item itself. Each item keeps only attributes known to hold no
 * personal data (ids, statuses, reasons, times, counters' inputs); everything else is removed, so a field
 * added later that holds personal data is erased by default rather than kept by default.
 */

/** Message attributes that stay: the message is still counted in metrics and shown (without content) in history. */
const MESSAGE_KEEP = new Set([
  'pk',
  'sk',
  'timeSort',
  'channelDay',
  'messageId',
  'leadId',
  'campaignId',
  'channel',
  'status',
  'body',
  'providerMessageId',
  'executionName',
  'attemptKey',
  'reason',
  'createdAt',
  'sentAt',
  'deliveredAt',
  'openedAt',
  'repliedAt',
  'bouncedAt',
  'clickedAt',
  'complainedAt',
  'delayedAt',
  'autoRepliedAt',
  'bounceType',
  'erasedAt',
]);

/** Attempt attributes that stay: the at-most-once record and the result a retried invocation replays. */
const ATTEMPT_KEEP = new Set([
  'pk',
  'sk',
  'timeSort',
  'attemptKey',
  'leadId',
  'campaignId',
  'executionName',
  'channel',
  'stepIndex',
  'tryNumber',
  'state',
  'phase',
  'owner',
  'outcome',
  'reason',
  'messageId',
  'nextRetryAt',
  'createdAt',
  'updatedAt',
  'result',
  /** The rate slots the try reserved (counter keys: lead id, channel, recipient domain, day). */
  'reservation',
  'erasedAt',
]);

/** Parts of a stored ChannelResult that stay (its `detail` may quote an address, a URL or a provider's answer). */
const RESULT_KEEP = new Set([
  'outcome',
  'channel',
  'reason',
  'channelUsed',
  'retryAfterSeconds',
  'usesRetry',
  'messageId',
  'providerMessageId',
  'confirmed',
]);

/** Manual task attributes that stay (its `detail` names the page or the address to use by hand). */
const TASK_KEEP = new Set(['pk', 'sk', 'taskId', 'leadId', 'campaignId', 'channel', 'reason', 'createdAt', 'erasedAt']);

/**
 * Event attributes that stay (PRODUCT.md §11 bodies hold ids, reasons and times only; an event recorded again
 * after the erasure publishes the stored body, so a field that could name the person goes with the erasure).
 */
const EVENT_KEEP = new Set(['pk', 'sk', 'kind', 'id', 'type', 'createdAt', 'campaignId', 'leadId', 'data', 'erasedAt']);

/** Keys of an event's `data` that stay: ids, codes, counts and our own times, never what the person wrote. */
const EVENT_DATA_KEEP = new Set([
  'messageId',
  'taskId',
  'senderId',
  'linkedinAccountId',
  'variantId',
  'executionName',
  'channel',
  'replyChannel',
  'step',
  'stepId',
  'kind',
  'status',
  'outcome',
  'reason',
  'source',
  'bounceType',
  'bounceSubType',
  'channelUsed',
  'resumeAt',
  'dueAt',
  'completedAt',
  'deliveredAt',
  'bouncedAt',
  'complainedAt',
  'repliedAt',
  'settledTries',
]);

type Item = Record<string, unknown>;

/** Every item of one partition, or those whose sort key starts with `prefix` (all pages). */
async function partitionItems(table: string, pk: string, prefix?: string): Promise<Item[]> {
  return queryAll({
    TableName: table,
    KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
    ExpressionAttributeValues: { ':pk': pk, ...(prefix && { ':prefix': prefix }) },
    ConsistentRead: true,
  });
}

/** SET `set` and REMOVE every attribute of `item` outside `keep`; a no-op write is skipped. */
async function scrubItem(table: string, item: Item, keep: Set<string>, set: Item): Promise<boolean> {
  const remove = Object.keys(item).filter((name) => !keep.has(name));
  const changes = Object.entries(set).filter(([name, value]) => JSON.stringify(item[name]) !== JSON.stringify(value));
  if (remove.length === 0 && changes.length === 0) return false;
  // An undefined value is a REMOVE in buildSetExpression.
  const update = buildSetExpression(
    Object.fromEntries([...changes, ...remove.map((name) => [name, undefined] as const)]),
  );
  const scrubbed = await ifConditionHolds(() =>
    documentClient().send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: update.expression,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: update.names,
        ...(Object.keys(update.values).length > 0 && { ExpressionAttributeValues: update.values }),
      }),
    ),
  );
  return scrubbed !== undefined;
}

function scrubbedResult(result: unknown): Item | undefined {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return undefined;
  return Object.fromEntries(Object.entries(result as Item).filter(([name]) => RESULT_KEEP.has(name)));
}

const CONCURRENCY = 8;

async function inBatches<T>(items: T[], work: (item: T) => Promise<unknown>): Promise<void> {
  for (let index = 0; index < items.length; index += CONCURRENCY)
    await Promise.all(items.slice(index, index + CONCURRENCY).map(work));
}

function scrubbedEventData(data: unknown): Item {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return {};
  return Object.fromEntries(Object.entries(data as Item).filter(([name]) => EVENT_DATA_KEEP.has(name)));
}

export interface OutreachErasure {
  messages: number;
  attempts: number;
  events?: number;
}

/**
 * A lead's messages lose their content (body blanked; subject and anything not on the keep list removed)
 * and its attempts the free-text parts of their stored result; statuses, reasons and times stay for metrics
 * and the at-most-once protocol. Its events keep their ids and codes (a `returnDate` read from the person's
 * auto-reply goes).
 */
export async function eraseLeadOutreach(leadId: string, erasedAt: string): Promise<OutreachErasure> {
  const table = tableName('outreach');
  const items = await partitionItems(table, `LEAD#${leadId}`);
  const messages = items.filter((item) => String(item.sk).startsWith('MESSAGE#'));
  const attempts = items.filter((item) => String(item.sk).startsWith('ATTEMPT#'));
  await inBatches(messages, (item) =>
    scrubItem(table, item, MESSAGE_KEEP, { body: '', erasedAt: (item.erasedAt as string | undefined) ?? erasedAt }),
  );
  await inBatches(attempts, (item) => {
    const result = scrubbedResult(item.result);
    return scrubItem(table, item, ATTEMPT_KEEP, {
      ...(result && { result }),
      erasedAt: (item.erasedAt as string | undefined) ?? erasedAt,
    });
  });
  const events = items.filter((item) => String(item.sk).startsWith('EVENT#'));
  await inBatches(events, (item) =>
    scrubItem(table, item, EVENT_KEEP, {
      data: scrubbedEventData(item.data),
      erasedAt: (item.erasedAt as string | undefined) ?? erasedAt,
    }),
  );
  return { messages: messages.length, attempts: attempts.length, events: events.length };
}

/** A lead's manual tasks keep why they were made, not what to do by hand (its `detail` names page or address). */
export async function eraseManualTasks(leadId: string, erasedAt: string): Promise<number> {
  const table = tableName('leads');
  const tasks = await partitionItems(table, `LEAD#${leadId}`, 'TASK#');
  await inBatches(tasks, (item) =>
    scrubItem(table, item, TASK_KEEP, { erasedAt: (item.erasedAt as string | undefined) ?? erasedAt }),
  );
  return tasks.length;
}

/** Deletes the `LINKEDIN#<providerId>` → lead pointer (the member id identifies the person). */
export async function deleteLinkedInPointer(providerId: string, leadId: string): Promise<void> {
  await documentClient().send(
    new DeleteCommand({ TableName: tableName('leads'), Key: { pk: `LINKEDIN#${providerId}`, sk: `LEAD#${leadId}` } }),
  );
}

/**
 * Records on the `LEAD#<id>` suppression that the erasure ran to its end (an interrupted one, without it, is
 * run again by erasing again). The last write of an erasure: the embedded stack's DynamoDB twin takes it as
 * the signal to scrub its other peers' copies (execution history, the SES journal) and compact its files.
 */
export async function markErasureComplete(leadId: string, completedAt: string): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName('suppressions'),
      Key: { pk: `LEAD#${leadId}` },
      UpdateExpression: 'SET erasureCompletedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':at': completedAt },
    }),
  );
}
