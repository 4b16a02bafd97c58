import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ChannelType, OutreachAttempt, OutreachMessage, OutreachStatus } from '../domain/schemas';
import type { Reservation } from '../rate-limit/limiter';
import { nowIso } from '../time/clock';
import { documentClient, ifConditionHolds } from './client';
import { queryAll } from './paginate';
import { tableName } from './tables';
import { buildSetExpression } from './update-expression';

/** PREPARED: claimed, provider not called yet. CALLING: the provider call may have happened. */
export type AttemptPhase = 'PREPARED' | 'CALLING' | 'DONE';

export interface StoredAttempt extends OutreachAttempt {
  phase: AttemptPhase;
  owner: string;
  /** The ChannelResult returned for this try, replayed verbatim to a retried invocation. */
  result?: Record<string, unknown>;
  /** Rate slots this try holds, so a takeover after a crash can give them back. */
  reservation?: Reservation;
  /** How an `ambiguous_send` was settled later (evidence or an operator's release), written once. */
  settledAs?: 'sent' | 'not_sent';
  settledBy?: string;
}

const attemptKey = (leadId: string, key: string) => ({ pk: `LEAD#${leadId}`, sk: `ATTEMPT#${key}` });
const messageKey = (leadId: string, messageId: string) => ({ pk: `LEAD#${leadId}`, sk: `MESSAGE#${messageId}` });

/** Forward-only message status: a write names the statuses it may move from. */
const FORWARD_FROM: Record<OutreachStatus, OutreachStatus[]> = {
  PENDING: [],
  SENT: ['PENDING'],
  SKIPPED: ['PENDING'],
  FAILED: ['PENDING', 'SENT'],
  DELIVERED: ['PENDING', 'SENT'],
  BOUNCED: ['PENDING', 'SENT', 'DELIVERED'],
  REPLIED: ['PENDING', 'SENT', 'DELIVERED'],
};

/** Conditional put of a PENDING attempt: returns undefined when claimed, else the attempt already there. */
export async function claimAttempt(attempt: StoredAttempt): Promise<StoredAttempt | undefined> {
  const claimed = await ifConditionHolds(() =>
    documentClient().send(
      new PutCommand({
        TableName: tableName('outreach'),
        Item: {
          ...attemptKey(attempt.leadId, attempt.attemptKey),
          timeSort: `${attempt.createdAt}#A#${attempt.attemptKey}`,
          ...attempt,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  return claimed ? undefined : getAttempt(attempt.leadId, attempt.attemptKey);
}

export async function getAttempt(leadId: string, key: string): Promise<StoredAttempt | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('outreach'), Key: attemptKey(leadId, key), ConsistentRead: true }),
  );
  return Item as StoredAttempt | undefined;
}

/** The tries of one execution of a lead (the parked try of an `ambiguous_send` is among them). */
export async function listExecutionAttempts(leadId: string, executionName: string): Promise<StoredAttempt[]> {
  return queryAll<StoredAttempt>({
    TableName: tableName('outreach'),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': `LEAD#${leadId}`, ':prefix': `ATTEMPT#${executionName}#` },
    ConsistentRead: true,
  });
}

/**
 * Settles an `ambiguous_send` try once: false when something else (an SES event, another release) settled it
 * first, so evidence and an operator racing each other act once.
 */
export async function markAttemptSettled(
  leadId: string,
  key: string,
  settledAs: 'sent' | 'not_sent',
  settledBy: string,
): Promise<boolean> {
  const marked = await ifConditionHolds(() =>
    documentClient().send(
      new UpdateCommand({
        TableName: tableName('outreach'),
        Key: attemptKey(leadId, key),
        UpdateExpression: 'SET settledAs = :as, settledBy = :by, updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND reason = :ambiguous AND attribute_not_exists(settledAs)',
        ExpressionAttributeValues: {
          ':as': settledAs,
          ':by': settledBy,
          ':now': nowIso(),
          ':ambiguous': 'ambiguous_send',
        },
      }),
    ),
  );
  return marked !== undefined;
}

/** Notes the slots a PREPARED try reserved (see StoredAttempt.reservation). */
export async function recordReservation(leadId: string, key: string, reservation: Reservation): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName('outreach'),
      Key: attemptKey(leadId, key),
      UpdateExpression: 'SET reservation = :reservation',
      ConditionExpression: '#phase = :prepared',
      ExpressionAttributeNames: { '#phase': 'phase' },
      ExpressionAttributeValues: { ':reservation': reservation, ':prepared': 'PREPARED' },
    }),
  );
}

/**
 * PREPARED → CALLING, owned by `owner`. Written right before the provider call: after this, a retry
 * can no longer know whether the provider saw the request. Also takes over a PREPARED attempt left by
 * a crashed invocation; of two racing takers only one wins.
 */
export async function markAttemptCalling(leadId: string, key: string, owner: string): Promise<boolean> {
  const marked = await ifConditionHolds(() =>
    documentClient().send(
      new UpdateCommand({
        TableName: tableName('outreach'),
        Key: attemptKey(leadId, key),
        UpdateExpression: 'SET #phase = :calling, #owner = :owner, updatedAt = :now',
        ConditionExpression: '#phase = :prepared',
        ExpressionAttributeNames: { '#phase': 'phase', '#owner': 'owner' },
        ExpressionAttributeValues: {
          ':calling': 'CALLING',
          ':prepared': 'PREPARED',
          ':owner': owner,
          ':now': nowIso(),
        },
      }),
    ),
  );
  return marked !== undefined;
}

/** What a finished try records: its outcome, and the ChannelResult a retried invocation replays. */
export type AttemptCompletion = Pick<OutreachAttempt, 'outcome' | 'reason' | 'messageId' | 'nextRetryAt'> & {
  result: Record<string, unknown>;
};

export async function completeAttempt(leadId: string, key: string, fields: AttemptCompletion): Promise<void> {
  const update = buildSetExpression({ ...fields, state: 'DONE', phase: 'DONE', updatedAt: nowIso() });
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName('outreach'),
      Key: attemptKey(leadId, key),
      UpdateExpression: update.expression,
      ConditionExpression: '#state = :pending',
      ExpressionAttributeNames: { ...update.names, '#state': 'state' },
      ExpressionAttributeValues: { ...update.values, ':pending': 'PENDING' },
    }),
  );
}

export async function putMessage(message: OutreachMessage): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: tableName('outreach'),
      Item: {
        ...messageKey(message.leadId, message.messageId),
        timeSort: `${message.createdAt}#M#${message.messageId}`,
        channelDay: `${message.channel}#${message.createdAt.slice(0, 10)}`,
        ...message,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function getMessage(
  leadId: string,
  messageId: string,
  consistent = false,
): Promise<OutreachMessage | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: tableName('outreach'),
      Key: messageKey(leadId, messageId),
      ConsistentRead: consistent,
    }),
  );
  return Item as OutreachMessage | undefined;
}

/** Moves a message forward only; returns false when it is already at or past `status`. */
export async function advanceMessage(
  leadId: string,
  messageId: string,
  status: OutreachStatus,
  fields: Partial<OutreachMessage> = {},
): Promise<boolean> {
  return (await advanceMessageFrom(leadId, messageId, status, fields)) !== undefined;
}

/**
 * `advanceMessage` that says which status this write moved the message from (undefined when it did not move
 * it). Read from the conditional write itself (UPDATED_OLD), never from an earlier read that racing events may
 * have made stale: what a change counts depends on it (a Bounce after a Delivery moves the count).
 */
export async function advanceMessageFrom(
  leadId: string,
  messageId: string,
  status: OutreachStatus,
  fields: Partial<OutreachMessage> = {},
): Promise<OutreachStatus | undefined> {
  const from = FORWARD_FROM[status];
  const update = buildSetExpression({ ...fields, status });
  const fromValues = Object.fromEntries(from.map((value, index) => [`:from${index}`, value]));
  const advanced = await ifConditionHolds(() =>
    documentClient().send(
      new UpdateCommand({
        TableName: tableName('outreach'),
        Key: messageKey(leadId, messageId),
        UpdateExpression: update.expression,
        ConditionExpression: `attribute_exists(pk) AND #status IN (${Object.keys(fromValues).join(', ')})`,
        ExpressionAttributeNames: { ...update.names, '#status': 'status' },
        ExpressionAttributeValues: { ...update.values, ...fromValues },
        ReturnValues: 'UPDATED_OLD',
      }),
    ),
  );
  return advanced?.Attributes?.status as OutreachStatus | undefined;
}

export type HistoryEntry = ({ kind: 'message' } & OutreachMessage) | ({ kind: 'attempt' } & StoredAttempt);

export interface HistoryPage {
  entries: HistoryEntry[];
  /** The last key read when more entries remain (pass it back as `startKey`). */
  nextKey?: Record<string, unknown>;
}

/**
 * One page of a lead's messages and attempts, newest first (one query on the byTime local index). One
 * item more than asked is read, so `nextKey` is set only when another entry really follows.
 */
export async function leadHistoryPage(
  leadId: string,
  options: { limit?: number; startKey?: Record<string, unknown> } = {},
): Promise<HistoryPage> {
  const limit = options.limit ?? 50;
  const result = await documentClient().send(
    new QueryCommand({
      TableName: tableName('outreach'),
      IndexName: 'byTime',
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `LEAD#${leadId}` },
      ScanIndexForward: false,
      Limit: limit + 1,
      ExclusiveStartKey: options.startKey,
    }),
  );
  const items = result.Items ?? [];
  const page = items.slice(0, limit);
  const last = page.at(-1);
  const nextKey =
    items.length > limit && last
      ? { pk: last.pk, sk: last.sk, timeSort: last.timeSort }
      : (result.LastEvaluatedKey as Record<string, unknown> | undefined);
  const entries = page.map((item) => {
    const { pk: _pk, sk, timeSort: _t, channelDay: _c, ...rest } = item;
    return { kind: String(sk).startsWith('MESSAGE#') ? 'message' : 'attempt', ...rest } as HistoryEntry;
  });
  return { entries, ...(nextKey && { nextKey }) };
}

/** A lead's messages and attempts, newest first (one query on the byTime local index). */
export async function leadHistory(leadId: string, limit = 50): Promise<HistoryEntry[]> {
  return (await leadHistoryPage(leadId, { limit })).entries;
}

/** Every message of one lead (erasure), read from the lead's partition. */
export async function listLeadMessages(leadId: string): Promise<OutreachMessage[]> {
  return queryAll<OutreachMessage>({
    TableName: tableName('outreach'),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :message)',
    ExpressionAttributeValues: { ':pk': `LEAD#${leadId}`, ':message': 'MESSAGE#' },
  });
}

/** Messages on one channel created on one UTC day (metrics), oldest first. */
export async function messagesByChannelDay(channel: ChannelType, day: string): Promise<OutreachMessage[]> {
  return queryAll<OutreachMessage>({
    TableName: tableName('outreach'),
    IndexName: 'byChannelDay',
    KeyConditionExpression: 'channelDay = :cd',
    ExpressionAttributeValues: { ':cd': `${channel}#${day}` },
  });
}
