import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../store/client';
import { queryAll } from '../store/paginate';
import { tableName } from '../store/tables';
import { nowIso } from '../time/clock';
import { InvalidCursorError } from './errors';
import { newWebhookId, newWebhookSecret } from './ids';
import { deliveriesPk, deliveryKey, WEBHOOKS_PK, webhookKey } from './keys';
import type { Delivery, DeliveryStatus, PublicWebhook, Webhook, WebhookEventType, WebhookInput } from './schema';

/**
 * The webhook registry and the delivery log (Config table, keys in keys.ts). The secret is returned by
 * `createWebhook` only; the dispatcher reads it with `webhookWithSecret`.
 */

/** Attributes of a stored item that are bookkeeping, never part of what the API shows. */
const INTERNAL = ['pk', 'sk', 'kind', 'secret', 'payload', 'leaseId', 'leaseUntil', 'queuedTry'] as const;

function withoutInternal<T>(item: Record<string, unknown>): T {
  const copy = { ...item };
  for (const name of INTERNAL) delete copy[name];
  return copy as T;
}

export async function createWebhook(input: WebhookInput): Promise<Webhook> {
  const webhook: Webhook = {
    webhookId: newWebhookId(),
    url: input.url,
    events: [...input.events],
    ...(input.description !== undefined && { description: input.description }),
    state: 'ACTIVE',
    createdAt: nowIso(),
    secret: newWebhookSecret(),
  };
  await documentClient().send(
    new PutCommand({
      TableName: tableName('config'),
      Item: { ...webhookKey(webhook.webhookId), kind: 'webhook', ...webhook },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return webhook;
}

async function storedWebhooks(): Promise<Webhook[]> {
  return queryAll<Webhook>({
    TableName: tableName('config'),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': WEBHOOKS_PK, ':prefix': 'WEBHOOK#' },
  });
}

/** Every webhook, oldest first. */
export async function listWebhooks(): Promise<PublicWebhook[]> {
  const all = await storedWebhooks();
  return all
    .map((item) => withoutInternal<PublicWebhook>(item as unknown as Record<string, unknown>))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The webhook with its signing secret (the dispatcher's read). */
export async function webhookWithSecret(webhookId: string): Promise<Webhook | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('config'), Key: webhookKey(webhookId), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const { pk: _pk, sk: _sk, kind: _kind, ...webhook } = Item;
  return webhook as Webhook;
}

export async function getWebhook(webhookId: string): Promise<PublicWebhook | undefined> {
  const webhook = await webhookWithSecret(webhookId);
  return webhook && withoutInternal<PublicWebhook>(webhook as unknown as Record<string, unknown>);
}

/** Removes the webhook from the fan-out; its deliveries stay for the log. False when there was none. */
export async function deleteWebhook(webhookId: string): Promise<boolean> {
  const { Attributes } = await documentClient().send(
    new DeleteCommand({ TableName: tableName('config'), Key: webhookKey(webhookId), ReturnValues: 'ALL_OLD' }),
  );
  return Attributes !== undefined;
}

const subscribes = (events: WebhookEventType[], type: string) => events.includes('*') || events.includes(type as never);

/** The active webhooks an event of `type` goes to, with their secrets. */
export async function webhooksSubscribedTo(type: string): Promise<Webhook[]> {
  const all = await storedWebhooks();
  return all.filter((webhook) => webhook.state === 'ACTIVE' && subscribes(webhook.events, type));
}

export function toDelivery(item: Record<string, unknown>): Delivery {
  return withoutInternal<Delivery>(item);
}

export async function getDelivery(webhookId: string, deliveryId: string): Promise<Delivery | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('config'), Key: deliveryKey(webhookId, deliveryId), ConsistentRead: true }),
  );
  return Item && toDelivery(Item);
}

export interface DeliveryListing {
  status?: DeliveryStatus;
  limit: number;
  cursor?: string;
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ pk: key.pk, sk: key.sk })).toString('base64url');
}

/** The key a cursor carries, when it is one this listing issued for this webhook's deliveries. */
function decodeCursor(cursor: string, webhookId: string): Record<string, string> {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const candidate = key as { pk?: unknown; sk?: unknown } | undefined;
  const valid =
    candidate !== null &&
    typeof candidate === 'object' &&
    candidate.pk === deliveriesPk(webhookId) &&
    typeof candidate.sk === 'string' &&
    candidate.sk.startsWith('DELIVERY#') &&
    candidate.sk.length <= 200;
  if (!valid) throw new InvalidCursorError('cursor is not one this listing returned');
  return { pk: candidate.pk as string, sk: candidate.sk as string };
}

/**
 * A page of the webhook's deliveries, newest first, optionally of one status. A status filter is applied after
 * DynamoDB's page limit, so pages are read until `limit` items are found; the cursor is the last one returned.
 */
export async function listDeliveries(
  webhookId: string,
  { status, limit, cursor }: DeliveryListing,
): Promise<{ items: Delivery[]; cursor?: string }> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined = cursor ? decodeCursor(cursor, webhookId) : undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName('config'),
        KeyConditionExpression: 'pk = :pk',
        ScanIndexForward: false,
        Limit: limit - items.length,
        ExclusiveStartKey: startKey,
        ...(status && {
          FilterExpression: '#status = :status',
          ExpressionAttributeNames: { '#status': 'status' },
        }),
        ExpressionAttributeValues: { ':pk': deliveriesPk(webhookId), ...(status && { ':status': status }) },
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey && items.length < limit);
  const last = items.at(-1);
  return {
    items: items.map(toDelivery),
    ...(startKey && last && { cursor: encodeCursor(last) }),
  };
}
