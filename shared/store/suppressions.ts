import { BatchGetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Suppression } from '../domain/schemas';
import { sha256 } from '../ids';
import { nowIso } from '../time/clock';
import { documentClient } from './client';
import { tableName } from './tables';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The suppression keys that cover an address: the address, its domain, and its hash (erased leads). */
export function suppressionKeysFor(email: string): string[] {
  const address = normalizeEmail(email);
  const domain = address.split('@')[1];
  return [`EMAIL#${address}`, `HASH#${sha256(address)}`, ...(domain ? [`DOMAIN#${domain}`] : [])];
}

export async function addSuppression(key: string, reason: string, source: string): Promise<Suppression> {
  const entry: Suppression = { key, reason, source, createdAt: nowIso() };
  await documentClient().send(new PutCommand({ TableName: tableName('suppressions'), Item: { pk: key, ...entry } }));
  return entry;
}

/** The first suppression entry matching the address, if any (one BatchGet). */
export async function findSuppression(email: string | undefined): Promise<Suppression | undefined> {
  if (!email) return undefined;
  const table = tableName('suppressions');
  const result = await documentClient().send(
    new BatchGetCommand({ RequestItems: { [table]: { Keys: suppressionKeysFor(email).map((pk) => ({ pk })) } } }),
  );
  const found = result.Responses?.[table]?.[0];
  return found
    ? ({ key: found.pk, reason: found.reason, source: found.source, createdAt: found.createdAt } as Suppression)
    : undefined;
}
