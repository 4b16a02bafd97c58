import { DeleteCommand, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Suppression } from '../domain/schemas';
import { sha256 } from '../ids';
import { nowIso } from '../time/clock';
import { batchGetAll } from './batch-get';
import { documentClient, ifConditionHolds } from './client';
import { tableName } from './tables';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The suppression key an erased lead leaves behind: the address hashed, never the address itself. */
export function erasureKeyFor(email: string): string {
  return `HASH#${sha256(normalizeEmail(email))}`;
}

/** The suppression keys that cover an address: the address, its domain, and its hash (erased leads). */
export function suppressionKeysFor(email: string): string[] {
  const address = normalizeEmail(email);
  const domain = address.split('@')[1];
  return [`EMAIL#${address}`, erasureKeyFor(address), ...(domain ? [`DOMAIN#${domain}`] : [])];
}

export const toSuppression = (item: Record<string, unknown>): Suppression =>
  ({ key: item.pk, reason: item.reason, source: item.source, createdAt: item.createdAt }) as Suppression;

export async function addSuppression(key: string, reason: string, source: string): Promise<Suppression> {
  const entry: Suppression = { key, reason, source, createdAt: nowIso() };
  await documentClient().send(new PutCommand({ TableName: tableName('suppressions'), Item: { pk: key, ...entry } }));
  return entry;
}

/** Adds an entry unless one exists (conditional put); returns the entry now stored and whether it is new. */
export async function addSuppressionIfAbsent(
  key: string,
  reason: string,
  source: string,
): Promise<{ entry: Suppression; created: boolean }> {
  const entry: Suppression = { key, reason, source, createdAt: nowIso() };
  const created = await ifConditionHolds(() =>
    documentClient().send(
      new PutCommand({
        TableName: tableName('suppressions'),
        Item: { pk: key, ...entry },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  if (created) return { entry, created: true };
  return { entry: (await getSuppression(key)) ?? entry, created: false };
}

/**
 * Records an opt-out (`unsubscribed`, `complaint`) on a key: it replaces a channel-level entry already there (a
 * bounce must not hide that the person opted out) but never an earlier opt-out, whose date and reason stand.
 */
export async function addOptOut(key: string, reason: 'unsubscribed' | 'complaint', source: string): Promise<void> {
  const entry: Suppression = { key, reason, source, createdAt: nowIso() };
  await ifConditionHolds(() =>
    documentClient().send(
      new PutCommand({
        TableName: tableName('suppressions'),
        Item: { pk: key, ...entry },
        ConditionExpression: 'attribute_not_exists(pk) OR NOT (#reason IN (:unsubscribed, :complaint))',
        ExpressionAttributeNames: { '#reason': 'reason' },
        ExpressionAttributeValues: { ':unsubscribed': 'unsubscribed', ':complaint': 'complaint' },
      }),
    ),
  );
}

export async function getSuppression(key: string): Promise<Suppression | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('suppressions'), Key: { pk: key } }),
  );
  return Item ? toSuppression(Item) : undefined;
}

/** Removes one entry; false when there was none (conditional delete). */
export async function removeSuppression(key: string): Promise<boolean> {
  const removed = await ifConditionHolds(() =>
    documentClient().send(
      new DeleteCommand({
        TableName: tableName('suppressions'),
        Key: { pk: key },
        ConditionExpression: 'attribute_exists(pk)',
      }),
    ),
  );
  return removed !== undefined;
}

export interface SuppressionPage {
  entries: Suppression[];
  nextKey?: Record<string, unknown>;
}

/**
 * One page of the suppression list (a paginated Scan: the table is small and only operators list it).
 * One item more than asked is read, so `nextKey` is set only when another entry really follows.
 */
export async function listSuppressions(
  options: { limit?: number; startKey?: Record<string, unknown> } = {},
): Promise<SuppressionPage> {
  const limit = options.limit ?? 100;
  const result = await documentClient().send(
    new ScanCommand({ TableName: tableName('suppressions'), Limit: limit + 1, ExclusiveStartKey: options.startKey }),
  );
  const items = result.Items ?? [];
  const page = items.slice(0, limit);
  const last = page.at(-1);
  const nextKey =
    items.length > limit && last ? { pk: last.pk } : (result.LastEvaluatedKey as Record<string, unknown> | undefined);
  return { entries: page.map(toSuppression), ...(nextKey && { nextKey }) };
}

/** The first suppression entry matching the address, if any (one BatchGet). */
export async function findSuppression(email: string | undefined): Promise<Suppression | undefined> {
  if (!email) return undefined;
  const found = await batchGetAll(
    tableName('suppressions'),
    suppressionKeysFor(email).map((pk) => ({ pk })),
  );
  return found[0] ? toSuppression(found[0]) : undefined;
}

/** Which of these addresses belong to erased leads (their `HASH#` entry exists); BatchGets of 100 keys. */
export async function findErasedEmails(emails: readonly string[]): Promise<Set<string>> {
  const byKey = new Map<string, string>();
  for (const email of emails) byKey.set(erasureKeyFor(email), normalizeEmail(email));
  const items = await batchGetAll(
    tableName('suppressions'),
    [...byKey.keys()].map((pk) => ({ pk })),
  );
  const erased = new Set<string>();
  for (const item of items) {
    const email = byKey.get(String(item.pk));
    if (email) erased.add(email);
  }
  return erased;
}
