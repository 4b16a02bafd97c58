import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { nowMs } from '../time/clock';
import { documentClient, ifConditionHolds, isConditionFailure } from './client';
import { tableName } from './tables';

/**
 * Idempotency records for operator requests that start work, kept in the Config table under
 * `pk = IDEMPOTENCY#<key>, sk = REQUEST`. Each is one item written with single-item conditional writes:
 * a claim (IN_PROGRESS), then the stored response (COMPLETED). `expiresAt` (epoch seconds) bounds how
 * long a key is remembered: an expired record may be claimed again (and a TTL on the attribute, when
 * the table gets one, removes it).
 */
export interface IdempotencyRecord {
  key: string;
  fingerprint: string;
  state: 'IN_PROGRESS' | 'COMPLETED';
  /** Epoch seconds after which the key is forgotten. */
  expiresAt: number;
  /** Epoch ms after which an IN_PROGRESS claim is considered abandoned (the invocation died). */
  lockedUntil: number;
  statusCode?: number;
  /** The first response's body, gzip-compressed. */
  response?: Uint8Array;
}

const recordKey = (key: string) => ({ pk: `IDEMPOTENCY#${key}`, sk: 'REQUEST' });

export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
export const IDEMPOTENCY_LOCK_MS = 2 * 60 * 1000;

/**
 * Claims a key for a request (conditional put). Succeeds when the key is new, expired, or held by an
 * abandoned claim of the same request; otherwise returns the record already there.
 */
export async function claimIdempotencyKey(
  key: string,
  fingerprint: string,
): Promise<{ claimed: true } | { claimed: false; record: IdempotencyRecord | undefined }> {
  const now = nowMs();
  try {
    await documentClient().send(
      new PutCommand({
        TableName: tableName('config'),
        Item: {
          ...recordKey(key),
          key,
          fingerprint,
          state: 'IN_PROGRESS',
          expiresAt: Math.floor(now / 1000) + IDEMPOTENCY_TTL_SECONDS,
          lockedUntil: now + IDEMPOTENCY_LOCK_MS,
          createdAt: new Date(now).toISOString(),
        },
        ConditionExpression:
          'attribute_not_exists(pk) OR expiresAt < :nowSeconds OR (#state = :inProgress AND lockedUntil < :nowMs AND fingerprint = :fingerprint)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':nowSeconds': Math.floor(now / 1000),
          ':nowMs': now,
          ':inProgress': 'IN_PROGRESS',
          ':fingerprint': fingerprint,
        },
      }),
    );
    return { claimed: true };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return { claimed: false, record: await getIdempotencyRecord(key) };
  }
}

export async function getIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('config'), Key: recordKey(key), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const { pk: _pk, sk: _sk, ...record } = Item;
  return record as IdempotencyRecord;
}

/** Stores the response of a claimed request, so later requests with the key replay it. */
export async function completeIdempotencyKey(
  key: string,
  fingerprint: string,
  statusCode: number,
  response: Uint8Array,
): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName('config'),
      Key: recordKey(key),
      UpdateExpression: 'SET #state = :completed, statusCode = :status, #response = :response',
      ConditionExpression: '#state = :inProgress AND fingerprint = :fingerprint',
      ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
      ExpressionAttributeValues: {
        ':completed': 'COMPLETED',
        ':inProgress': 'IN_PROGRESS',
        ':status': statusCode,
        ':response': response,
        ':fingerprint': fingerprint,
      },
    }),
  );
}

/** Gives a claim back (the request failed): the client may retry with the same key. */
export async function releaseIdempotencyKey(key: string, fingerprint: string): Promise<void> {
  // Refused when the claim is no longer ours (completed, or taken over): then there is nothing to give back.
  await ifConditionHolds(() =>
    documentClient().send(
      new DeleteCommand({
        TableName: tableName('config'),
        Key: recordKey(key),
        ConditionExpression: '#state = :inProgress AND fingerprint = :fingerprint',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':inProgress': 'IN_PROGRESS', ':fingerprint': fingerprint },
      }),
    ),
  );
}
