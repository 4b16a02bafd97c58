import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from '../events/domain-events';
import { documentClient, ifConditionHolds } from '../store/client';
import { tableName } from '../store/tables';
import { deliveryIdFor } from './ids';
import { deliveryKey } from './keys';
import { ATTEMPT_LOG_SIZE, type AttemptRecord, type Delivery } from './schema';

/**
 * The delivery's writes, each one conditional on the state it moves from, so concurrent messages for the same
 * delivery (a duplicate SQS message, a redelivered event, a replay) never both make the same try.
 */

/** The stored delivery: the public fields plus the exact body every try sends and the claim bookkeeping. */
export interface StoredDelivery extends Delivery {
  payload: string;
  leaseId?: string;
  leaseUntil?: string;
  /** The try whose queue message was sent (a redelivered message re-sends it when it is missing). */
  queuedTry?: number;
}

/** How long a claimed try may run before another message may take it over (a crashed dispatcher). */
export const LEASE_MS = 60_000;

export async function readDelivery(webhookId: string, deliveryId: string): Promise<StoredDelivery | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('config'), Key: deliveryKey(webhookId, deliveryId), ConsistentRead: true }),
  );
  return Item as StoredDelivery | undefined;
}

/** The event's delivery to the webhook, created PENDING unless it exists (a second publication finds the first). */
export async function createDeliveryIfAbsent(
  webhookId: string,
  event: DomainEvent,
  nowIso: string,
): Promise<StoredDelivery> {
  const deliveryId = deliveryIdFor(event);
  const delivery: StoredDelivery = {
    deliveryId,
    webhookId,
    eventId: event.id,
    eventType: event.type,
    status: 'PENDING',
    attempts: 0,
    createdAt: nowIso,
    attemptLog: [],
    payload: JSON.stringify(event),
  };
  const created = await ifConditionHolds(() =>
    documentClient().send(
      new PutCommand({
        TableName: tableName('config'),
        Item: { ...deliveryKey(webhookId, deliveryId), kind: 'webhook-delivery', ...delivery },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  if (created) return delivery;
  const existing = await readDelivery(webhookId, deliveryId);
  if (!existing) throw new Error(`delivery ${deliveryId} was refused as existing but cannot be read`);
  return existing;
}

/**
 * Claims try `attempt`: it is due (PENDING/RETRYING after `attempt - 1` tries, nextAttemptAt passed), or it was
 * claimed before by a dispatcher whose lease ran out. Answers the claimed delivery, or undefined when another
 * message has it or it is not due.
 */
export async function claimTry(
  webhookId: string,
  deliveryId: string,
  attempt: number,
  nowMs: number,
): Promise<StoredDelivery | undefined> {
  const now = new Date(nowMs).toISOString();
  const result = await ifConditionHolds(() =>
    documentClient().send(
      new UpdateCommand({
        TableName: tableName('config'),
        Key: deliveryKey(webhookId, deliveryId),
        UpdateExpression:
          'SET #status = :attempting, attempts = :attempt, leaseId = :lease, leaseUntil = :leaseUntil, ' +
          'firstAttemptAt = if_not_exists(firstAttemptAt, :now) REMOVE nextAttemptAt',
        ConditionExpression:
          '(attempts = :previous AND #status IN (:pending, :retrying) AND ' +
          '(attribute_not_exists(nextAttemptAt) OR nextAttemptAt <= :now)) OR ' +
          '(attempts = :attempt AND #status = :attempting AND leaseUntil < :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':attempting': 'ATTEMPTING',
          ':pending': 'PENDING',
          ':retrying': 'RETRYING',
          ':attempt': attempt,
          ':previous': attempt - 1,
          ':lease': randomBytes(8).toString('hex'),
          ':leaseUntil': new Date(nowMs + LEASE_MS).toISOString(),
          ':now': now,
        },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  return result?.Attributes as StoredDelivery | undefined;
}

/** What one try ended with, and what follows it. */
export type TryOutcome =
  | { next: 'delivered'; record: AttemptRecord }
  | { next: 'retry'; record: AttemptRecord; nextAttemptAt: string }
  | { next: 'dead'; record: AttemptRecord };

/** Records the try's outcome, if the claim is still ours (a slow try whose lease ran out may have been taken over). */
export async function recordTry(claimed: StoredDelivery, outcome: TryOutcome): Promise<StoredDelivery | undefined> {
  const { record } = outcome;
  const log = [...(claimed.attemptLog ?? []), record].slice(-ATTEMPT_LOG_SIZE);
  const sets = ['#status = :status', 'attemptLog = :log'];
  const removes = ['leaseId', 'leaseUntil'];
  const values: Record<string, unknown> = { ':log': log, ':lease': claimed.leaseId };
  if (record.statusCode !== undefined) {
    sets.push('lastStatusCode = :code');
    values[':code'] = record.statusCode;
  } else removes.push('lastStatusCode');
  if (record.error !== undefined) {
    sets.push('lastError = :error');
    values[':error'] = record.error;
  } else removes.push('lastError');
  if (outcome.next === 'delivered') {
    values[':status'] = 'DELIVERED';
    sets.push('deliveredAt = :at');
    values[':at'] = record.at;
  } else if (outcome.next === 'retry') {
    values[':status'] = 'RETRYING';
    sets.push('nextAttemptAt = :next');
    values[':next'] = outcome.nextAttemptAt;
  } else {
    values[':status'] = 'DEAD';
    sets.push('deadAt = :at');
    values[':at'] = record.at;
  }
  const result = await ifConditionHolds(() =>
    documentClient().send(
      new UpdateCommand({
        TableName: tableName('config'),
        Key: deliveryKey(claimed.webhookId, claimed.deliveryId),
        UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
        ConditionExpression: 'leaseId = :lease',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  return result?.Attributes as StoredDelivery | undefined;
}

/** Notes that the message for try `attempt` is on the queue (so a redelivered predecessor need not re-send it). */
export async function markTryQueued(webhookId: string, deliveryId: string, attempt: number): Promise<void> {
  await ifConditionHolds(() =>
    documentClient().send(
      new UpdateCommand({
        TableName: tableName('config'),
        Key: deliveryKey(webhookId, deliveryId),
        UpdateExpression: 'SET queuedTry = :attempt',
        ConditionExpression: 'attempts = :previous',
        ExpressionAttributeValues: { ':attempt': attempt, ':previous': attempt - 1 },
      }),
    ),
  );
}

/**
 * An operator's replay: a DEAD, RETRYING or DELIVERED delivery becomes RETRYING, due now, with a new 24 h window
 * (firstAttemptAt is set again by the next try). Undefined when it is PENDING or ATTEMPTING (a try is under way).
 */
export async function reopenDelivery(
  webhookId: string,
  deliveryId: string,
  nowIso: string,
): Promise<StoredDelivery | undefined> {
  const result = await ifConditionHolds(() =>
    documentClient().send(
      new UpdateCommand({
        TableName: tableName('config'),
        Key: deliveryKey(webhookId, deliveryId),
        UpdateExpression:
          'SET #status = :retrying, nextAttemptAt = :now REMOVE firstAttemptAt, deadAt, deliveredAt, queuedTry',
        ConditionExpression: '#status IN (:dead, :retrying, :delivered)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':retrying': 'RETRYING',
          ':dead': 'DEAD',
          ':delivered': 'DELIVERED',
          ':now': nowIso,
        },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  return result?.Attributes as StoredDelivery | undefined;
}
